package io.jdnn.onnx;

import io.jdnn.Shape;

import java.util.Arrays;
import java.util.Objects;

/**
 * A value of the graph as load saw it: its name, element type and extents, outermost first. Every
 * extent is known (symbolic ones are resolved by {@link LoadOptions}) and non-negative; rank 0 is
 * a scalar. Immutable.
 */
public final class TensorInfo {
    private final String name;
    private final DataType type;
    private final long[] dims;

    /** A value named {@code name} of element type {@code type} and extents {@code dims}. */
    public TensorInfo(String name, DataType type, long... dims) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.dims = dims.clone();
        for (long d : this.dims) {
            if (d < 0) {
                throw new IllegalArgumentException(name + ": extents must be >= 0, got " + Arrays.toString(dims));
            }
        }
    }

    /** The value's name in the graph. */
    public String name() {
        return name;
    }

    /** The element type. */
    public DataType type() {
        return type;
    }

    /** A copy of the extents, outermost first (empty for a scalar). */
    public long[] dims() {
        return dims.clone();
    }

    /** Number of dimensions (0 for a scalar). */
    public int rank() {
        return dims.length;
    }

    /** Extent of dimension {@code i}; negative {@code i} counts from the end, as ONNX's axes do. */
    public long dim(int i) {
        return dims[i < 0 ? i + dims.length : i];
    }

    /** Product of the extents (1 for a scalar, 0 when an extent is 0). */
    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** The extents as ints (each fits: load checks them against its limits). */
    public int[] intDims() {
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = Math.toIntExact(dims[i]);
        }
        return out;
    }

    /**
     * The extents as a jdnn {@link Shape}; a scalar reads as shape [1].
     *
     * @throws IllegalStateException when an extent is 0 (jdnn's shapes are never empty)
     */
    public Shape shape() {
        if (dims.length == 0) {
            return Shape.of(1);
        }
        for (long d : dims) {
            if (d == 0) {
                throw new IllegalStateException(name + ": the empty tensor " + Arrays.toString(dims)
                        + " has no jdnn Shape");
            }
        }
        return Shape.of(intDims());
    }

    /** The same type and extents under another name. */
    public TensorInfo withName(String newName) {
        return new TensorInfo(newName, type, dims);
    }

    /** The same name and extents with another element type. */
    public TensorInfo withType(DataType newType) {
        return new TensorInfo(name, newType, dims);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && type == t.type && Arrays.equals(dims, t.dims);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(dims));
    }

    /** {@code x: FLOAT[1, 3, 224, 224]}. */
    @Override
    public String toString() {
        return name + ": " + type + Arrays.toString(dims);
    }
}
