package io.jdnn;

import io.jdnn.spi.Buffer;

/**
 * Tensors as data: creating one filled or uploaded, filling and copying, and the reads, writes
 * and views that {@link Tensor} offers. Each method checks its arguments under the device's lock
 * and calls the backend.
 */
final class TensorOps extends OpFamily {
    TensorOps(DeviceCore core) {
        super(core);
    }

    Tensor full(Shape shape, float value) {
        return core.locked("full", () -> {
            Tensor t = core.allocations().newTensor(shape);
            impl.fill(t.buffer(), shape.elements(), value);
            return t;
        });
    }

    Tensor upload(Shape shape, float[] data) {
        Check.that(shape != null, "shape", "a shape", "null");
        Check.that(data != null && data.length == shape.elements(), "data", "an array of " + shape.elements()
                + " elements for shape " + shape, data == null ? "null" : data.length + " elements");
        return core.locked("upload", () -> {
            Tensor t = core.allocations().newTensor(shape);
            impl.write(t.buffer(), 0, data, 0, data.length);
            return t;
        });
    }

    void fill(Tensor t, float value) {
        core.run("fill", () -> impl.fill(core.use("fill", "t", t), t.elements(), value));
    }

    void copy(Tensor src, Tensor dst) {
        core.run("copy", () -> {
            Buffer s = core.use("copy", "src", src);
            Buffer d = core.use("copy", "dst", dst, src.shape());
            if (s != d) { // a tensor copied onto itself (or a view of the same storage) is already there
                impl.copy(s, d, src.elements());
            }
        });
    }

    /**
     * {@code base}'s storage under {@code shape}, which has as many elements ({@link Tensor#view})
     * or, for a {@code prefix} view, at most as many ({@link Tensor#prefixView}).
     */
    Tensor view(Tensor base, Shape shape, boolean prefix) {
        return core.locked("view", () -> {
            core.use("view", "tensor", base);
            if (prefix) {
                Check.that(shape != null && shape.elements() <= base.elements(), "shape",
                        "a shape of at most " + base.elements() + " elements (a prefix of " + base.shape() + ")", shape);
            } else {
                Check.that(shape != null && shape.elements() == base.elements(), "shape",
                        "a shape of " + base.elements() + " elements (viewing " + base.shape() + ")", shape);
            }
            return new Tensor(base.device(), shape, base.allocation, base);
        });
    }

    void read(Tensor t, long offset, float[] dst, int dstOffset, int length) {
        core.run("read", () -> {
            Buffer b = core.use("read", "tensor", t);
            checkRange(t, offset, dst == null ? -1 : dst.length, dstOffset, length);
            impl.read(b, offset, dst, dstOffset, length);
        });
    }

    void readDouble(Tensor t, long offset, double[] dst, int dstOffset, int length) {
        core.run("read", () -> {
            Buffer b = core.use("read", "tensor", t);
            checkRange(t, offset, dst == null ? -1 : dst.length, dstOffset, length);
            impl.readDouble(b, offset, dst, dstOffset, length);
        });
    }

    void write(Tensor t, long offset, float[] src, int srcOffset, int length) {
        core.run("write", () -> {
            Buffer b = core.use("write", "tensor", t);
            checkRange(t, offset, src == null ? -1 : src.length, srcOffset, length);
            impl.write(b, offset, src, srcOffset, length);
        });
    }

    private static void checkRange(Tensor t, long offset, int arrayLength, int arrayOffset, int length) {
        Check.that(arrayLength >= 0, "array", "an array", "null");
        Check.that(length >= 0, "length", "a value >= 0", length);
        // offset <= elements - length, not offset + length <= elements: the sum overflows near Long.MAX_VALUE
        Check.that(offset >= 0 && offset <= t.elements() - length, "offset",
                "a range inside the tensor's " + t.elements() + " elements",
                "[" + offset + ", " + offset + " + " + length + ")");
        Check.that(arrayOffset >= 0 && arrayOffset + (long) length <= arrayLength, "array offset",
                "a range inside the array's " + arrayLength + " elements",
                "[" + arrayOffset + ", " + ((long) arrayOffset + length) + ")");
    }
}
