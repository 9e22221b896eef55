package io.jdnn.golden;

import io.jdnn.BatchNormProblem;
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
        Inputs in = Inputs.upload(r, p);
        Shape cs = p.channelShape();
        Tensor y = r.allocate(p.inputShape());
        Tensor saveMean = r.allocate(cs);
        Tensor saveInvStd = r.allocate(cs);
        r.device().batchNormTrain(p, in.x, in.gamma, in.beta, in.runningMean, in.runningVar, y, saveMean, saveInvStd);
        r.compare("y", y, in.xDims, ErrorBounds.REDUCTION, "reduction");
        r.compare("running_mean_out", in.runningMean, cs.dims(), ErrorBounds.REDUCTION, "reduction");
        r.compare("running_var_out", in.runningVar, cs.dims(), ErrorBounds.REDUCTION, "reduction");
        r.compare("save_mean", saveMean, cs.dims(), ErrorBounds.REDUCTION, "reduction");
        r.compare("save_invstd", saveInvStd, cs.dims(), ErrorBounds.REDUCTION, "reduction");
        if (Gradients.wanted(r)) {
            Gradients g = Gradients.allocate(r, p);
            r.device().batchNormBackward(p, in.x, g.dy, in.gamma, saveMean, saveInvStd, g.dx, g.dgamma, g.dbeta);
            g.compare(r, in.xDims, cs);
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
        Inputs in = Inputs.upload(r, p);
        if (r.wants("y")) {
            Tensor y = r.allocate(p.inputShape());
            r.device().batchNormInference(p, in.x, in.gamma, in.beta, in.runningMean, in.runningVar, y);
            r.compare("y", y, in.xDims, ErrorBounds.REDUCTION, "reduction");
        }
        if (Gradients.wanted(r)) {
            Gradients g = Gradients.allocate(r, p);
            r.device().batchNormInferenceBackward(p, in.x, g.dy, in.gamma, in.runningMean, in.runningVar, g.dx, g.dgamma,
                    g.dbeta);
            g.compare(r, in.xDims, p.channelShape());
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

    /** The inputs every batch-norm case has, uploaded; {@code xDims} is x's shape as the case gives it. */
    private record Inputs(int[] xDims, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar) {
        static Inputs upload(CaseRun r, BatchNormProblem p) {
            int[] xDims = r.tensor("x").shape();
            return new Inputs(xDims, r.upload("x", p.inputShape()), r.upload("gamma"), r.upload("beta"),
                    r.upload("running_mean"), r.upload("running_var"));
        }
    }

    /** dy uploaded, and dx, dgamma, dbeta allocated for a backward pass. */
    private record Gradients(Tensor dy, Tensor dx, Tensor dgamma, Tensor dbeta) {
        /** True when the case compares any gradient. */
        static boolean wanted(CaseRun r) {
            return r.wants("dx") || r.wants("dgamma") || r.wants("dbeta");
        }

        static Gradients allocate(CaseRun r, BatchNormProblem p) {
            Shape cs = p.channelShape();
            return new Gradients(r.upload("dy", p.inputShape()), r.allocate(p.inputShape()), r.allocate(cs), r.allocate(cs));
        }

        void compare(CaseRun r, int[] xDims, Shape cs) {
            r.compare("dx", dx, xDims, ErrorBounds.REDUCTION, "reduction");
            r.compare("dgamma", dgamma, cs.dims(), ErrorBounds.REDUCTION, "reduction");
            r.compare("dbeta", dbeta, cs.dims(), ErrorBounds.REDUCTION, "reduction");
        }
    }
}
