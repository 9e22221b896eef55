package io.jdnn.tests.support;

import io.jdnn.Device;
import io.jdnn.OptimizerState;
import io.jdnn.Shape;
import io.jdnn.Tensor;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The tensors of one run of one op on one device, closed together (in reverse order of creation)
 * by try-with-resources: {@code try (Scope s = new Scope(device)) { ... }}. Outputs are made by
 * {@link #poisoned}: filled with NaN before the op runs, so that an element no thread wrote reads
 * back as NaN and fails every comparison.
 */
public final class Scope implements AutoCloseable {
    private final Device device;
    private final Deque<AutoCloseable> owned = new ArrayDeque<>();

    public Scope(Device device) {
        this.device = device;
    }

    public Device device() {
        return device;
    }

    /** An input holding {@code data}. */
    public Tensor upload(Shape shape, float[] data) {
        return track(device.upload(shape, data));
    }

    /** An output tensor whose every element is NaN. */
    public Tensor poisoned(Shape shape) {
        return track(device.full(shape, Float.NaN));
    }

    /** Takes ownership of a tensor an op returned. */
    public Tensor track(Tensor t) {
        owned.push(t);
        return t;
    }

    /** Takes ownership of optimizer state. */
    public OptimizerState track(OptimizerState s) {
        owned.push(s);
        return s;
    }

    /** The tensor's values at the device's storage precision (float64 on the reference). */
    public static double[] read(Tensor t) {
        return t.toDoubleArray();
    }

    @Override
    public void close() {
        RuntimeException first = null;
        while (!owned.isEmpty()) {
            try {
                owned.pop().close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
