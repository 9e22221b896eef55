package io.jdnn.nn;

import io.jdnn.Device;
import io.jdnn.Tensor;

/**
 * Mean softmax cross-entropy over (batch, classes) logits, PyTorch's {@code nn.CrossEntropyLoss}
 * with optional label smoothing: one {@link Device#softmaxCrossEntropy} call computes the loss and
 * its gradient with respect to the logits. A two-class instance on (batch, 2) logits is the binary
 * cross-entropy of the logit difference, which is how the DCGAN example scores real and fake.
 */
public final class CrossEntropyLoss extends LossModule {
    private final double labelSmoothing;

    /** A loss on {@code device} without label smoothing. */
    public CrossEntropyLoss(Device device) {
        this(device, 0);
    }

    /** A loss on {@code device} with label smoothing in [0, 1] (checked by the first {@link #forward}). */
    public CrossEntropyLoss(Device device, double labelSmoothing) {
        super(device, "CrossEntropyLoss");
        this.labelSmoothing = labelSmoothing;
    }

    /**
     * Computes the loss of {@code logits} against {@code labels} (one class index per row), keeps the
     * gradient for {@link #gradient()}, and returns the loss at the device's precision (float64 on the
     * reference). Reading it back waits for the device.
     */
    public double forward(Tensor logits, int[] labels) {
        fit(logits.shape());
        device().softmaxCrossEntropy(logits, labels, labelSmoothing, lossTensor(), gradient());
        return lossValue();
    }
}
