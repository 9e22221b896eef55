package io.jdnn.golden;

import io.jdnn.ErrorBounds;
import io.jdnn.Loss;
import io.jdnn.Shape;
import io.jdnn.Tensor;

import java.util.Arrays;
import java.util.List;

import static io.jdnn.golden.SoftmaxHandler.labels;
import static io.jdnn.golden.SoftmaxHandler.requireMean;
import static io.jdnn.golden.SoftmaxHandler.rowsAndClasses;

/**
 * Golden ops log_softmax (dim 1 of 2-D), nll_loss, mse_loss, l1_loss, smooth_l1_loss and
 * binary_cross_entropy_with_logits (reduction "mean").
 */
final class LossHandler {
    private LossHandler() {
    }

    /** Runs a log_softmax case: logSoftmax, logSoftmaxBackward. */
    static void logSoftmax(CaseRun r) {
        r.declare(List.of("dim"), List.of(), List.of("x"), List.of("dy"), List.of("y", "dx"));
        r.requireIfAny("dy", "dx");
        int[] dims = rowsAndClasses(r);
        Tensor x = r.upload("x");
        Tensor y = r.keep(r.device().logSoftmax(x));
        r.compare("y", y, dims, ErrorBounds.SOFTMAX, "softmax");
        if (r.wants("dx")) {
            Tensor dy = r.upload("dy");
            r.compare("dx", r.keep(r.device().logSoftmaxBackward(y, dy)), dims, ErrorBounds.SOFTMAX, "softmax");
        }
    }

    /** Runs an nll_loss case: nllLoss, comparing loss and dx. */
    static void nll(CaseRun r) {
        r.declare(List.of("reduction"), List.of(), List.of("x", "target"), List.of(), List.of("loss", "dx"));
        requireMean(r);
        int[] dims = r.dims("x", 2, "(rows, classes) log-probabilities");
        int[] target = labels(r.tensor("target"), dims[0]);
        Tensor x = r.upload("x");
        Tensor loss = r.allocate(Shape.of(1));
        Tensor dx = r.allocate(x.shape());
        r.device().nllLoss(x, target, loss, dx);
        compareLoss(r, loss, dx, dims);
    }

    /** Runs an element-wise loss case (mse_loss, l1_loss, smooth_l1_loss, binary_cross_entropy_with_logits). */
    static void elementwise(CaseRun r) {
        List<String> params = r.op().equals("smooth_l1_loss") ? List.of("reduction", "beta") : List.of("reduction");
        r.declare(params, List.of(), List.of("x", "target"), List.of(), List.of("loss", "dx"));
        requireMean(r);
        Loss l = switch (r.op()) {
            case "mse_loss" -> Loss.mse();
            case "l1_loss" -> Loss.l1();
            case "smooth_l1_loss" -> Loss.smoothL1(r.params().real("beta"));
            default -> Loss.bceWithLogits();
        };
        int[] dims = r.tensor("x").shape();
        int[] targetDims = r.tensor("target").shape();
        if (!Arrays.equals(targetDims, dims)) {
            throw new UnsupportedCase("input 'target': expected the shape of x " + Arrays.toString(dims) + ", got "
                    + Arrays.toString(targetDims));
        }
        Tensor x = r.upload("x");
        Tensor target = r.upload("target", x.shape());
        Tensor loss = r.allocate(Shape.of(1));
        Tensor dx = r.allocate(x.shape());
        r.device().loss(l, x, target, loss, dx);
        compareLoss(r, loss, dx, dims);
    }

    /** Compares the mean loss (a reduction over every element) and dx (a few rounded operations per element). */
    private static void compareLoss(CaseRun r, Tensor loss, Tensor dx, int[] dims) {
        r.compare("loss", loss, new int[] {1}, ErrorBounds.REDUCTION, "reduction");
        r.compare("dx", dx, dims, ErrorBounds.ELEMENTWISE, "elementwise");
    }
}
