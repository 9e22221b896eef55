package io.jdnn;

import io.jdnn.spi.Buffer;

import static io.jdnn.DeviceCore.distinct;
import static io.jdnn.DeviceCore.shapeOf;
import static io.jdnn.SoftmaxLossOps.requireLabels;
import static io.jdnn.SoftmaxLossOps.requireMatrix;

/**
 * The losses family of a {@link Device}: log-softmax of a (rows, cols) matrix and its gradient, the
 * negative log-likelihood of log-probabilities against class labels, and the element-wise
 * {@link Loss}es (MSE, L1, smooth L1, binary cross-entropy with logits), each loss reduced by the
 * mean into one element together with its gradient.
 */
final class LossOps extends OpFamily {
    LossOps(DeviceCore core) {
        super(core);
    }

    Tensor logSoftmax(Tensor x) {
        return core.produce(shapeOf("logSoftmax", "x", x), y -> logSoftmax(x, y));
    }

    void logSoftmax(Tensor x, Tensor y) {
        String op = "logSoftmax";
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x);
            requireMatrix(op, "x", x);
            Buffer by = core.use(op, "y", y, x.shape());
            distinct(op, "y", y, x);
            impl.logSoftmaxForward(x.shape().dim(0), x.shape().dim(1), bx, by);
        });
    }

    Tensor logSoftmaxBackward(Tensor y, Tensor dy) {
        return core.produce(shapeOf("logSoftmaxBackward", "y", y), dx -> logSoftmaxBackward(y, dy, dx));
    }

    void logSoftmaxBackward(Tensor y, Tensor dy, Tensor dx) {
        String op = "logSoftmaxBackward";
        core.run(op, () -> {
            Buffer by = core.use(op, "y", y);
            requireMatrix(op, "y", y);
            Buffer bdy = core.use(op, "dy", dy, y.shape());
            Buffer bdx = core.use(op, "dx", dx, y.shape());
            distinct(op, "dx", dx, y, dy);
            impl.logSoftmaxBackward(y.shape().dim(0), y.shape().dim(1), by, bdy, bdx);
        });
    }

    void nllLoss(Tensor x, int[] target, Tensor loss, Tensor dx) {
        String op = "nllLoss";
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x);
            requireMatrix(op, "x", x);
            int rows = x.shape().dim(0);
            int cols = x.shape().dim(1);
            requireLabels("target", target, rows, cols);
            Buffer bloss = core.use(op, "loss", loss, Shape.of(1));
            Buffer bdx = core.use(op, "dx", dx, x.shape());
            distinct(op, "dx", dx, x, loss);
            distinct(op, "loss", loss, x);
            impl.nllLoss(rows, cols, target.clone(), bx, bloss, bdx);
        });
    }

    void loss(Loss l, Tensor x, Tensor target, Tensor loss, Tensor dx) {
        Check.that(l != null, "loss function", "a Loss", "null");
        String op = "loss(" + l + ")";
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x);
            Buffer bt = core.use(op, "target", target, x.shape());
            Buffer bloss = core.use(op, "loss", loss, Shape.of(1));
            Buffer bdx = core.use(op, "dx", dx, x.shape());
            distinct(op, "dx", dx, x, target, loss);
            distinct(op, "loss", loss, x, target);
            impl.loss(l, x.elements(), bx, bt, bloss, bdx);
        });
    }
}
