package io.jdnn.nn;

import io.jdnn.Device;
import io.jdnn.Loss;
import io.jdnn.Tensor;

/**
 * The base of the losses of a prediction against a target tensor of the same shape, reduced by the
 * mean ({@link MseLoss}, {@link L1Loss}, {@link SmoothL1Loss}, {@link BceWithLogitsLoss}): one
 * {@link Device#loss} call computes the loss and its gradient with respect to the prediction. Like
 * {@link CrossEntropyLoss}, an instance owns its loss and gradient tensors.
 */
public abstract class ElementwiseLoss extends LossModule {
    private final Loss loss;

    ElementwiseLoss(Device device, Loss loss) {
        super(device, loss.toString());
        this.loss = loss;
    }

    /** The loss function (kind and parameters) this module computes. */
    public Loss loss() {
        return loss;
    }

    /**
     * Computes the mean loss of {@code x} against {@code target} (same shape), keeps the gradient for
     * {@link #gradient()}, and returns the loss at the device's precision; reading it waits for the
     * device.
     */
    public double forward(Tensor x, Tensor target) {
        if (x == null) {
            throw new IllegalArgumentException(loss + ".forward: argument 'x': expected a tensor, got null");
        }
        fit(x.shape());
        device().loss(loss, x, target, lossTensor(), gradient());
        return lossValue();
    }

    @Override
    public String toString() {
        return loss.toString();
    }
}
