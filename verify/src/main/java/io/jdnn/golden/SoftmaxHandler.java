package io.jdnn.golden;

import io.jdnn.ErrorBounds;
import io.jdnn.Shape;
import io.jdnn.Tensor;

import java.util.Arrays;
import java.util.List;

/** Golden ops softmax (dim 1 of 2-D) and softmax_cross_entropy (reduction "mean"). */
final class SoftmaxHandler {
    private SoftmaxHandler() {
    }

    /** Runs a softmax case: softmax, softmaxBackward. */
    static void softmax(CaseRun r) {
        r.declare(List.of("dim"), List.of(), List.of("x"), List.of("dy"), List.of("y", "dx"));
        r.requireIfAny("dy", "dx");
        int[] dims = rowsAndClasses(r);
        Tensor x = r.upload("x");
        Tensor y = r.allocate(x.shape());
        r.device().softmax(x, y);
        r.compare("y", y, dims, ErrorBounds.SOFTMAX, "softmax");
        if (r.wants("dx")) {
            Tensor dy = r.upload("dy");
            Tensor dx = r.allocate(x.shape());
            r.device().softmaxBackward(y, dy, dx);
            r.compare("dx", dx, dims, ErrorBounds.SOFTMAX, "softmax");
        }
    }

    /** Runs a softmax_cross_entropy case: softmaxCrossEntropy, comparing loss and dlogits. */
    static void crossEntropy(CaseRun r) {
        r.declare(List.of("reduction", "label_smoothing"), List.of(), List.of("logits", "target"), List.of(),
                List.of("loss", "dlogits"));
        requireMean(r);
        double smoothing = r.params().real("label_smoothing");
        int[] dims = r.dims("logits", 2, "(rows, classes)");
        int[] labels = labels(r.tensor("target"), dims[0]);
        Tensor logits = r.upload("logits");
        Tensor loss = r.allocate(Shape.of(1));
        Tensor dlogits = r.allocate(logits.shape());
        r.device().softmaxCrossEntropy(logits, labels, smoothing, loss, dlogits);
        r.compare("loss", loss, new int[] {1}, ErrorBounds.SOFTMAX, "softmax");
        r.compare("dlogits", dlogits, dims, ErrorBounds.SOFTMAX, "softmax");
    }

    /** The (rows, classes) extents of input 'x', refusing any parameter 'dim' but the class dimension. */
    static int[] rowsAndClasses(CaseRun r) {
        int[] dims = r.dims("x", 2, "(rows, classes)");
        int dim = r.params().integer("dim");
        if (dim != 1 && dim != -1) {
            throw new UnsupportedCase("parameter 'dim': expected 1 (or -1), the class dimension of a 2-D x, got " + dim);
        }
        return dims;
    }

    /** Refuses a parameter 'reduction' other than "mean". */
    static void requireMean(CaseRun r) {
        String reduction = r.params().string("reduction");
        if (!reduction.equals("mean")) {
            throw new UnsupportedCase("parameter 'reduction': only \"mean\" is supported, got \"" + reduction + "\"");
        }
    }

    /** The class indices of input 'target': i64, one per row. */
    static int[] labels(GoldenTensor target, int rows) {
        if (target.dtype() != DType.I64) {
            throw new UnsupportedCase("input 'target': expected class indices of dtype i64, got " + target.dtype().token());
        }
        if (target.shape().length != 1 || target.shape()[0] != rows) {
            throw new UnsupportedCase("input 'target': expected shape [" + rows + "] (one label per row), got "
                    + Arrays.toString(target.shape()));
        }
        long[] raw = target.toLongArray();
        int[] labels = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] < Integer.MIN_VALUE || raw[i] > Integer.MAX_VALUE) {
                throw new UnsupportedCase("input 'target': labels[" + i + "]: expected a class index, got " + raw[i]);
            }
            labels[i] = (int) raw[i];
        }
        return labels;
    }
}
