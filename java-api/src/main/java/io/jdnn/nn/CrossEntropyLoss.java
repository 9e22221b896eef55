package io.jdnn.nn;

import io.jdnn.Device;
import io.jdnn.Shape;
import io.jdnn.Tensor;

/**
 * Mean softmax cross-entropy over (batch, classes) logits, PyTorch's {@code nn.CrossEntropyLoss}
 * with optional label smoothing: one {@link Device#softmaxCrossEntropy} call computes the loss and
 * its gradient with respect to the logits. A two-class instance on (batch, 2) logits is the binary
 * cross-entropy of the logit difference, which is how the DCGAN example scores real and fake.
 */
public final class CrossEntropyLoss implements AutoCloseable {
    private final Device device;
    private final double labelSmoothing;
    private Tensor loss;
    private Tensor gradient;

    /** A loss on {@code device} without label smoothing. */
    public CrossEntropyLoss(Device device) {
        this(device, 0);
    }

    /** A loss on {@code device} with label smoothing in [0, 1] (checked by the first {@link #forward}). */
    public CrossEntropyLoss(Device device, double labelSmoothing) {
        if (device == null) {
            throw new IllegalArgumentException("device: expected a Device, got null");
        }
        this.device = device;
        this.labelSmoothing = labelSmoothing;
    }

    /**
     * Computes the loss of {@code logits} against {@code labels} (one class index per row), keeps the
     * gradient for {@link #gradient()}, and returns the loss at the device's precision (float64 on the
     * reference). Reading it back waits for the device.
     */
    public double forward(Tensor logits, int[] labels) {
        if (gradient == null || !gradient.shape().equals(logits.shape())) {
            release();
            loss = device.allocate(Shape.of(1));
            gradient = device.allocate(logits.shape());
        }
        device.softmaxCrossEntropy(logits, labels, labelSmoothing, loss, gradient);
        return loss.toDoubleArray()[0];
    }

    /** d loss / d logits of the last {@link #forward}, owned here (valid until the next forward or release). */
    public Tensor gradient() {
        if (gradient == null) {
            throw new IllegalStateException("CrossEntropyLoss.gradient: no forward pass yet");
        }
        return gradient;
    }

    /** Frees the loss and gradient tensors. */
    public void release() {
        if (loss != null) {
            loss.close();
            gradient.close();
        }
        loss = null;
        gradient = null;
    }

    @Override
    public void close() {
        release();
    }
}
