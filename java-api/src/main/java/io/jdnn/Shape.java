package io.jdnn;

import java.util.Arrays;

/**
 * The extents of a dense row-major (C order) tensor, outermost first: NCHW for images,
 * (K, C/groups, R, S) for convolution weights, (N, features) for matrices.
 * Immutable; every extent is positive.
 */
public final class Shape {
    private final int[] dims;
    private final long elements;

    private Shape(int[] dims) {
        if (dims.length == 0) {
            throw new IllegalArgumentException("shape: expected at least one dimension, got none");
        }
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] <= 0) {
                throw new IllegalArgumentException("shape: dimension " + i + " must be positive, got "
                        + dims[i] + " in " + Arrays.toString(dims));
            }
            Check.that(n <= Long.MAX_VALUE / dims[i], "shape", "at most 2^63 - 1 elements", Arrays.toString(dims));
            n = Math.multiplyExact(n, dims[i]);
        }
        this.dims = dims;
        this.elements = n;
    }

    /** A shape from its extents, outermost first. */
    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    /** Number of dimensions. */
    public int rank() {
        return dims.length;
    }

    /** Extent of dimension {@code i} (0 is outermost). */
    public int dim(int i) {
        return dims[i];
    }

    /** A copy of the extents. */
    public int[] dims() {
        return dims.clone();
    }

    /** Product of the extents. */
    public long elements() {
        return elements;
    }

    /** Size in bytes at 4 bytes an element (float32). */
    public long bytes() {
        return elements * Float.BYTES;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** {@code [32, 64, 56, 56]}. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
