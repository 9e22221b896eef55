package io.jdnn.tests.support;

import io.jdnn.Shape;
import io.jdnn.Tensor;

/**
 * One named result of an op as read back from a device: the values at the device's storage
 * precision, widened to double.
 */
public record Output(String name, Shape shape, double[] values) {

    /** Reads {@code t} back. */
    public static Output of(String name, Tensor t) {
        return new Output(name, t.shape(), Scope.read(t));
    }

    /** A scalar or small host-side result (such as a value the op returned). */
    public static Output of(String name, Shape shape, double[] values) {
        return new Output(name, shape, values);
    }
}
