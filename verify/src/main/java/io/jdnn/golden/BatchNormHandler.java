package io.jdnn.golden;

import io.jdnn.BatchNormProblem;
import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.Shape;
import io.jdnn.Tensor;

import java.util.Arrays;
import java.util.List;

/** Golden ops batch_norm_train and batch_norm_eval: forward (running statistics included) and backward. */
final class BatchNormHandler {
    private BatchNormHandler() {
    }

    /** Runs a batch_norm_train case: batchNormTrain (running statistics updated in place), batchNormBackward. */
    static void train(CaseRun r) {
        r.declare(List.of("eps", "momentum"), List.of(), List.of("x", "gamma", "beta", "running_mean", "running_var"),
                List.of("dy"), List.of("y", "dx", "dgamma", "dbeta", "running_mean_out", "running_var_out", "save_mean",
                        "save_invstd"));
        r.requireIfAny("dy", "dx", "dgamma", "dbeta");
        BatchNormProblem p = problem(r, r.params().real("momentum"));
        Device device = r.device();
        int[] xDims = r.tensor("x").shape();
        Tensor x = r.upload("x", p.inputShape());
        Tensor gamma = r.upload("gamma");
        Tensor beta = r.upload("beta");
        Tensor runningMean = r.upload("running_mean");
        Tensor runningVar = r.upload("running_var");
        Shape cs = p.channelShape();
        Tensor y = r.allocate(p.inputShape());
        Tensor saveMean = r.allocate(cs);
        Tensor saveInvStd = r.allocate(cs);
        device.batchNormTrain(p, x, gamma, beta, runningMean, runningVar, y, saveMean, saveInvStd);
        r.compare("y", y, xDims, ErrorBounds.REDUCTION, "reduction");
        r.compare("running_mean_out", runningMean, cs.dims(), ErrorBounds.REDUCTION, "reduction");
        r.compare("running_var_out", runningVar, cs.dims(), ErrorBounds.REDUCTION, "reduction");
        r.compare("save_mean", saveMean, cs.dims(), ErrorBounds.REDUCTION, "reduction");
        r.compare("save_invstd", saveInvStd, cs.dims(), ErrorBounds.REDUCTION, "reduction");
        if (r.wants("dx") || r.wants("dgamma") || r.wants("dbeta")) {
            Tensor dy = r.upload("dy", p.inputShape());
            Tensor dx = r.allocate(p.inputShape());
            Tensor dgamma = r.allocate(cs);
            Tensor dbeta = r.allocate(cs);
            device.batchNormBackward(p, x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta);
            compareGradients(r, dx, dgamma, dbeta, xDims, cs);
        }
    }

    /** Runs a batch_norm_eval case: batchNormInference, batchNormInferenceBackward. */
    static void eval(CaseRun r) {
        // momentum is listed by FORMAT.md but unused in evaluation: accepted, and checked as PyTorch's would be.
        r.declare(List.of("eps"), List.of("momentum"), List.of("x", "gamma", "beta", "running_mean", "running_var"),
                List.of("dy"), List.of("y", "dx", "dgamma", "dbeta"));
        r.requireIfAny("dy", "dx", "dgamma", "dbeta");
        BatchNormProblem p = problem(r, r.params().has("momentum")
                ? r.params().real("momentum") : BatchNormProblem.DEFAULT_MOMENTUM);
        Device device = r.device();
        int[] xDims = r.tensor("x").shape();
        Tensor x = r.upload("x", p.inputShape());
        Tensor gamma = r.upload("gamma");
        Tensor beta = r.upload("beta");
        Tensor runningMean = r.upload("running_mean");
        Tensor runningVar = r.upload("running_var");
        Shape cs = p.channelShape();
        if (r.wants("y")) {
            Tensor y = r.allocate(p.inputShape());
            device.batchNormInference(p, x, gamma, beta, runningMean, runningVar, y);
            r.compare("y", y, xDims, ErrorBounds.REDUCTION, "reduction");
        }
        if (r.wants("dx") || r.wants("dgamma") || r.wants("dbeta")) {
            Tensor dy = r.upload("dy", p.inputShape());
            Tensor dx = r.allocate(p.inputShape());
            Tensor dgamma = r.allocate(cs);
            Tensor dbeta = r.allocate(cs);
            device.batchNormInferenceBackward(p, x, dy, gamma, runningMean, runningVar, dx, dgamma, dbeta);
            compareGradients(r, dx, dgamma, dbeta, xDims, cs);
        }
    }

    /** (N, C), (N, C, L) and (N, C, H, W) inputs, as PyTorch's BatchNorm1d and BatchNorm2d take them. */
    private static BatchNormProblem problem(CaseRun r, double momentum) {
        int[] x = r.tensor("x").shape();
        if (x.length < 2 || x.length > 4) {
            throw new UnsupportedCase("x: expected a tensor of 2 to 4 dimensions (N, C[, H[, W]]), got shape "
                    + Arrays.toString(x));
        }
        int h = x.length > 2 ? x[2] : 1;
        int w = x.length > 3 ? x[3] : 1;
        return new BatchNormProblem(x[0], x[1], h, w, r.params().real("eps"), momentum);
    }

    private static void compareGradients(CaseRun r, Tensor dx, Tensor dgamma, Tensor dbeta, int[] xDims, Shape cs) {
        r.compare("dx", dx, xDims, ErrorBounds.REDUCTION, "reduction");
        r.compare("dgamma", dgamma, cs.dims(), ErrorBounds.REDUCTION, "reduction");
        r.compare("dbeta", dbeta, cs.dims(), ErrorBounds.REDUCTION, "reduction");
    }
}
