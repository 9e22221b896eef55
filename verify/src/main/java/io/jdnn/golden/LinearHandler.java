package io.jdnn.golden;

import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.LinearProblem;
import io.jdnn.Tensor;

import java.util.List;

/** Golden op linear: linear, linearBackwardData, linearBackwardWeight, linearBackwardBias. */
final class LinearHandler {
    private LinearHandler() {
    }

    /** Runs a linear case. */
    static void run(CaseRun r) {
        r.declare(List.of(), List.of(), List.of("x", "w"), List.of("b", "dy"), List.of("y", "dx", "dw", "db"));
        r.requireIfAny("dy", "dx", "dw", "db");
        int[] x = r.dims("x", 2, "(N, in_features)");
        int[] w = r.dims("w", 2, "(out_features, in_features)");
        LinearProblem p = new LinearProblem(x[0], x[1], w[0]);
        Device device = r.device();
        Tensor tx = r.upload("x");
        Tensor tw = r.upload("w");
        Tensor tb = r.uploadIfGiven("b");
        Tensor tdy = r.uploadIfGiven("dy");
        if (r.wants("y")) {
            Tensor y = r.allocate(p.outputShape());
            device.linear(p, tx, tw, tb, y);
            r.compare("y", y, p.outputShape(), ErrorBounds.GEMM, "gemm");
        }
        if (r.wants("dx")) {
            Tensor dx = r.allocate(p.inputShape());
            device.linearBackwardData(p, tdy, tw, dx);
            r.compare("dx", dx, p.inputShape(), ErrorBounds.GEMM, "gemm");
        }
        if (r.wants("dw")) {
            Tensor dw = r.allocate(p.weightShape());
            device.linearBackwardWeight(p, tx, tdy, dw);
            r.compare("dw", dw, p.weightShape(), ErrorBounds.GEMM, "gemm");
        }
        if (r.wants("db")) {
            Tensor db = r.allocate(p.biasShape());
            device.linearBackwardBias(p, tdy, db);
            r.compare("db", db, p.biasShape(), ErrorBounds.REDUCTION, "reduction");
        }
    }
}
