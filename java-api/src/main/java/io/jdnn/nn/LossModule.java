package io.jdnn.nn;

import io.jdnn.Device;
import io.jdnn.Shape;
import io.jdnn.Tensor;

/**
 * The base of the loss modules ({@link CrossEntropyLoss}, {@link NllLoss}, {@link ElementwiseLoss}):
 * the one-element loss and the gradient tensor a loss module owns, kept while the prediction's shape
 * stays the same and reallocated when it changes. Each subclass adds its {@code forward}, which
 * computes the loss and its gradient in one device call and returns the loss.
 */
public abstract class LossModule implements AutoCloseable {
    private final Device device;
    private final String owner;
    private Tensor loss;
    private Tensor gradient;

    LossModule(Device device, String owner) {
        if (device == null) {
            throw new IllegalArgumentException("device: expected a Device, got null");
        }
        this.device = device;
        this.owner = owner;
    }

    final Device device() {
        return device;
    }

    /** Makes sure the loss and a gradient of {@code shape} exist; returns this. */
    final LossModule fit(Shape shape) {
        if (gradient == null || !gradient.shape().equals(shape)) {
            release();
            loss = device.allocate(Shape.of(1));
            gradient = device.allocate(shape);
        }
        return this;
    }

    final Tensor lossTensor() {
        return loss;
    }

    /** The loss at the device's precision; reading it waits for the device. */
    final double lossValue() {
        return loss.toDoubleArray()[0];
    }

    /** d loss / d prediction of the last {@code forward}, owned here (valid until the next forward or release). */
    public final Tensor gradient() {
        if (gradient == null) {
            throw new IllegalStateException(owner + ".gradient: no forward pass yet");
        }
        return gradient;
    }

    /** Frees the loss and gradient tensors. */
    public final void release() {
        if (loss != null) {
            loss.close();
            gradient.close();
        }
        loss = null;
        gradient = null;
    }

    /** Frees the loss and gradient tensors, as {@link #release()} does. */
    @Override
    public final void close() {
        release();
    }
}
