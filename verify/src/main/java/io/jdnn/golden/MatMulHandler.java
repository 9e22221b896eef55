package io.jdnn.golden;

import io.jdnn.ErrorBounds;
import io.jdnn.Tensor;

import java.util.List;

/** Golden op matmul (torch.matmul of operands of rank 2 or more): Device.matmul and matmulBackward. */
final class MatMulHandler {
    private MatMulHandler() {
    }

    /** Runs a matmul case: inputs a, b and optionally dy; outputs y, da, db. */
    static void run(CaseRun r) {
        r.declare(List.of(), List.of(), List.of("a", "b"), List.of("dy"), List.of("y", "da", "db"));
        r.requireIfAny("dy", "da", "db");
        Tensor a = r.upload("a");
        Tensor b = r.upload("b");
        if (r.wants("y")) {
            Tensor y = r.keep(r.device().matmul(a, b));
            r.compare("y", y, y.shape(), ErrorBounds.GEMM, "gemm");
        }
        if (r.wants("da") || r.wants("db")) {
            Tensor dy = r.upload("dy");
            List<Tensor> grads = r.device().matmulBackward(a, b, dy);
            grads.forEach(r::keep);
            r.compare("da", grads.get(0), a.shape(), ErrorBounds.GEMM, "gemm");
            r.compare("db", grads.get(1), b.shape(), ErrorBounds.GEMM, "gemm");
        }
    }
}
