package io.jdnn;

import io.jdnn.spi.Buffer;

/**
 * A dense float32 tensor resident on one {@link Device}, row-major (C order). Created by the
 * device ({@link Device#allocate}, {@link Device#upload}, or an op that returns its result) and
 * released by {@link #close()}, deterministically: use try-with-resources. A tensor that becomes
 * unreachable without being closed is freed by a {@link java.lang.ref.Cleaner} as a safety net and
 * reported as a leak (with its allocation site when {@code -Djdnn.trackAllocations=true}).
 *
 * <p>Reading a tensor back ({@link #toArray()}, {@link #copyTo}, {@link #read}) is the only implicit
 * synchronization: ops run asynchronously on GPU devices, in call order.
 *
 * <p>On the reference backend a tensor holds float64 values; {@link #toDoubleArray()} returns them
 * unrounded, {@link #toArray()} rounds them to float32.
 */
public final class Tensor implements AutoCloseable {
    private final Device device;
    private final Shape shape;
    final Allocations.Allocation allocation;
    /** A view keeps its base reachable, so the base's cleaner cannot free the buffer under it. */
    private final Tensor base;
    private volatile boolean closed;

    Tensor(Device device, Shape shape, Allocations.Allocation allocation, Tensor base) {
        this.device = device;
        this.shape = shape;
        this.allocation = allocation;
        this.base = base;
    }

    /** The tensor's shape (for a view, the view's own). */
    public Shape shape() {
        return shape;
    }

    /** The device that holds the tensor's memory and runs the ops on it. */
    public Device device() {
        return device;
    }

    /** Number of elements. */
    public long elements() {
        return shape.elements();
    }

    /** True once this tensor, or the tensor it is a view of, was closed, or its device closed. */
    public boolean isClosed() {
        return closed || allocation.isReleased() || (base != null && base.isClosed());
    }

    /** True for a tensor made by {@link #view(Shape)} or {@link #prefixView(Shape)}. */
    public boolean isView() {
        return base != null;
    }

    Buffer buffer() {
        return allocation.buffer();
    }

    /**
     * The same elements under another shape with the same element count (a flatten before a
     * linear layer, say). Closing the view does not free the storage; closing this tensor makes
     * the view unusable.
     */
    public Tensor view(Shape newShape) {
        return device.tensors.view(this, newShape, false);
    }

    /**
     * The first {@code newShape.elements()} elements of this tensor's storage under
     * {@code newShape}, which may have fewer elements than this tensor (never more): one
     * allocation serving tensors of different sizes at different times, as a model's buffer plan
     * needs. Every op reads and writes only the view's own elements; the rest of the storage is
     * left as it was. Closing the view does not free the storage; closing this tensor makes the
     * view unusable.
     */
    public Tensor prefixView(Shape newShape) {
        return device.tensors.view(this, newShape, true);
    }

    /** All elements as float32 (rounded on the reference backend); waits for pending work. */
    public float[] toArray() {
        float[] out = new float[arrayLength()];
        read(0, out, 0, out.length);
        return out;
    }

    /** All elements at the device's storage precision, widened to float64; waits for pending work. */
    public double[] toDoubleArray() {
        double[] out = new double[arrayLength()];
        device.tensors.readDouble(this, 0, out, 0, out.length);
        return out;
    }

    /** The single element of a one-element tensor (a loss, say). */
    public float item() {
        Check.that(elements() == 1, "tensor", "exactly one element for item()", shape);
        float[] v = new float[1];
        read(0, v, 0, 1);
        return v[0];
    }

    /** Replaces every element with {@code src} (length must equal the element count). */
    public void copyFrom(float[] src) {
        Check.that(src != null && src.length == elements(), "src", "an array of " + elements() + " elements",
                src == null ? "null" : src.length + " elements");
        write(0, src, 0, src.length);
    }

    /** Copies every element into {@code dst} (length must equal the element count). */
    public void copyTo(float[] dst) {
        Check.that(dst != null && dst.length == elements(), "dst", "an array of " + elements() + " elements",
                dst == null ? "null" : dst.length + " elements");
        read(0, dst, 0, dst.length);
    }

    /** Reads {@code length} elements from element {@code offset} into {@code dst[dstOffset...]}. */
    public void read(long offset, float[] dst, int dstOffset, int length) {
        device.tensors.read(this, offset, dst, dstOffset, length);
    }

    /** Writes {@code length} elements from {@code src[srcOffset...]} at element {@code offset}. */
    public void write(long offset, float[] src, int srcOffset, int length) {
        device.tensors.write(this, offset, src, srcOffset, length);
    }

    private int arrayLength() {
        Check.that(elements() <= Integer.MAX_VALUE - 8, "tensor", "at most 2^31 - 9 elements to read into one array "
                + "(use read(offset, ...) in pieces)", elements());
        return (int) elements();
    }

    /** Frees the storage (a view only marks itself closed). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (base == null) {
            allocation.release();
        }
    }

    @Override
    public String toString() {
        return "Tensor" + shape + " on " + device.spec() + (isClosed() ? " (closed)" : "");
    }
}
