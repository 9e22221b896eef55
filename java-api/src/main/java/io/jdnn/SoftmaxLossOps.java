package io.jdnn;

import io.jdnn.spi.Buffer;

import static io.jdnn.DeviceCore.distinct;

/**
 * The softmax and loss family of a {@link Device}: row-wise softmax of a (rows, cols) matrix, its
 * gradient, and softmax cross-entropy against class labels.
 */
final class SoftmaxLossOps extends OpFamily {
    SoftmaxLossOps(DeviceCore core) {
        super(core);
    }

    void softmax(Tensor x, Tensor y) {
        core.run("softmax", () -> {
            Buffer bx = core.use("softmax", "x", x);
            requireMatrix("softmax", "x", x);
            Buffer by = core.use("softmax", "y", y, x.shape());
            distinct("softmax", "y", y, x);
            impl.softmaxForward(x.shape().dim(0), x.shape().dim(1), bx, by);
        });
    }

    void softmaxBackward(Tensor y, Tensor dy, Tensor dx) {
        core.run("softmaxBackward", () -> {
            Buffer by = core.use("softmaxBackward", "y", y);
            requireMatrix("softmaxBackward", "y", y);
            Buffer bdy = core.use("softmaxBackward", "dy", dy, y.shape());
            Buffer bdx = core.use("softmaxBackward", "dx", dx, y.shape());
            distinct("softmaxBackward", "dx", dx, y, dy);
            impl.softmaxBackward(y.shape().dim(0), y.shape().dim(1), by, bdy, bdx);
        });
    }

    void softmaxCrossEntropy(Tensor logits, int[] labels, double labelSmoothing, Tensor loss, Tensor dlogits) {
        String op = "softmaxCrossEntropy";
        core.run(op, () -> {
            Buffer bl = core.use(op, "logits", logits);
            requireMatrix(op, "logits", logits);
            int rows = logits.shape().dim(0);
            int cols = logits.shape().dim(1);
            requireLabels("labels", labels, rows, cols);
            Check.inClosedRange("labelSmoothing", labelSmoothing, 0, 1);
            Buffer bloss = core.use(op, "loss", loss, Shape.of(1));
            Buffer bd = core.use(op, "dlogits", dlogits, logits.shape());
            distinct(op, "dlogits", dlogits, logits, loss);
            impl.softmaxCrossEntropy(rows, cols, labels.clone(), labelSmoothing, bl, bloss, bd);
        });
    }

    /** Validates class labels: {@code rows} of them, each in [0, cols); {@code name} names the argument. */
    static void requireLabels(String name, int[] labels, int rows, int cols) {
        Check.that(labels != null && labels.length == rows, name, "one label per row (" + rows + ")",
                labels == null ? "null" : labels.length + " labels");
        for (int i = 0; i < rows; i++) {
            if (labels[i] < 0 || labels[i] >= cols) {
                throw new IllegalArgumentException(name + "[" + i + "]: expected a class index in [0, " + cols
                        + "), got " + labels[i]);
            }
        }
    }

    /** Validates that {@code t} is a (rows, cols) matrix. */
    static void requireMatrix(String op, String name, Tensor t) {
        Check.that(t.shape().rank() == 2, op + ": argument '" + name + "'", "a (rows, cols) matrix", "shape " + t.shape());
    }
}
