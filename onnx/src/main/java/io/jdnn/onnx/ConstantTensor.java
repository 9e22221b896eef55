package io.jdnn.onnx;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor whose elements load knows: an initializer, a Constant node's value, a value that
 * shape inference folded (Shape, Gather on a shape, ...), or a {@code .pb} file read by
 * {@link OnnxTensors}. Elements are held in one of three forms, by type: float types as
 * {@code float[]} (FLOAT16 and BFLOAT16 widened exactly, DOUBLE rounded to float32: see
 * {@link #converted()}), integer types as {@code long[]}, BOOL as {@code boolean[]}. Row-major,
 * like the file. Immutable: accessors that return arrays return copies.
 */
public final class ConstantTensor {
    private final TensorInfo info;
    private final float[] floats;
    private final long[] longs;
    private final boolean[] bools;

    private ConstantTensor(TensorInfo info, float[] floats, long[] longs, boolean[] bools) {
        this.info = Objects.requireNonNull(info, "info");
        this.floats = floats;
        this.longs = longs;
        this.bools = bools;
        long n = info.elementCount();
        int have = floats != null ? floats.length : longs != null ? longs.length : bools.length;
        if (have != n) {
            throw new IllegalArgumentException(info + ": expected " + n + " elements, got " + have);
        }
    }

    /** A float tensor (type FLOAT, FLOAT16, BFLOAT16 or DOUBLE in {@code info}) holding {@code values}. */
    public static ConstantTensor ofFloats(TensorInfo info, float[] values) {
        if (!info.type().isFloat()) {
            throw new IllegalArgumentException(info + ": float elements need a float type");
        }
        return new ConstantTensor(info, values.clone(), null, null);
    }

    /** An integer tensor (an integer type in {@code info}) holding {@code values}. */
    public static ConstantTensor ofLongs(TensorInfo info, long[] values) {
        if (!info.type().isInteger()) {
            throw new IllegalArgumentException(info + ": long elements need an integer type");
        }
        return new ConstantTensor(info, null, values.clone(), null);
    }

    /** A BOOL tensor holding {@code values}. */
    public static ConstantTensor ofBools(TensorInfo info, boolean[] values) {
        if (info.type() != DataType.BOOL) {
            throw new IllegalArgumentException(info + ": boolean elements need type BOOL");
        }
        return new ConstantTensor(info, null, null, values.clone());
    }

    /** An INT64 vector named {@code name}, as shape tensors are. */
    public static ConstantTensor int64(String name, long... values) {
        return ofLongs(new TensorInfo(name, DataType.INT64, values.length), values);
    }

    /** Package-private: wraps arrays the caller no longer touches, without copying (for large weights). */
    static ConstantTensor wrap(TensorInfo info, float[] floats, long[] longs, boolean[] bools) {
        return new ConstantTensor(info, floats, longs, bools);
    }

    /** The tensor's name, type (as declared in the model) and extents. */
    public TensorInfo info() {
        return info;
    }

    /** The tensor's name. */
    public String name() {
        return info.name();
    }

    /** The element type declared in the model. */
    public DataType type() {
        return info.type();
    }

    /** Number of elements. */
    public int size() {
        return floats != null ? floats.length : longs != null ? longs.length : bools.length;
    }

    /** True when the elements are held as float32 ({@link DataType#isFloat()}). */
    public boolean isFloat() {
        return floats != null;
    }

    /** True when the elements are held as long ({@link DataType#isInteger()}). */
    public boolean isInteger() {
        return longs != null;
    }

    /** True when the elements are held as boolean (BOOL). */
    public boolean isBool() {
        return bools != null;
    }

    /**
     * True when the stored float32 values are a conversion of the declared type: DOUBLE rounded to
     * float32, FLOAT16 or BFLOAT16 widened (exactly).
     */
    public boolean converted() {
        return floats != null && info.type() != DataType.FLOAT;
    }

    /** A copy of the float32 elements. */
    public float[] floats() {
        return requireFloats().clone();
    }

    /** The float32 elements as a read-only buffer, without copying. */
    public FloatBuffer floatBuffer() {
        return FloatBuffer.wrap(requireFloats()).asReadOnlyBuffer();
    }

    /** A copy of the integer elements. */
    public long[] longs() {
        if (longs == null) {
            throw new IllegalStateException(info + " does not hold integers");
        }
        return longs.clone();
    }

    /** A copy of the boolean elements. */
    public boolean[] bools() {
        if (bools == null) {
            throw new IllegalStateException(info + " does not hold booleans");
        }
        return bools.clone();
    }

    /** Element {@code i} as a double, whatever its form (a boolean reads as 0 or 1). */
    public double doubleAt(int i) {
        return floats != null ? floats[i] : longs != null ? longs[i] : bools[i] ? 1 : 0;
    }

    /** Element {@code i} as a long: integers as they are, floats truncated toward zero, booleans as 0 or 1. */
    public long longAt(int i) {
        return longs != null ? longs[i] : floats != null ? (long) floats[i] : bools[i] ? 1 : 0;
    }

    /** The same elements under another name. */
    public ConstantTensor withName(String newName) {
        return new ConstantTensor(info.withName(newName), floats, longs, bools);
    }

    private float[] requireFloats() {
        if (floats == null) {
            throw new IllegalStateException(info + " does not hold floats");
        }
        return floats;
    }

    /** The info and up to the first 8 elements. */
    @Override
    public String toString() {
        int n = Math.min(size(), 8);
        StringBuilder sb = new StringBuilder(info.toString()).append(" = [");
        for (int i = 0; i < n; i++) {
            sb.append(i > 0 ? ", " : "").append(floats != null ? Float.toString(floats[i])
                    : longs != null ? Long.toString(longs[i]) : Boolean.toString(bools[i]));
        }
        return sb.append(size() > n ? ", ...]" : "]").toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConstantTensor c && info.equals(c.info) && Arrays.equals(floats, c.floats)
                && Arrays.equals(longs, c.longs) && Arrays.equals(bools, c.bools);
    }

    @Override
    public int hashCode() {
        return Objects.hash(info, Arrays.hashCode(floats), Arrays.hashCode(longs), Arrays.hashCode(bools));
    }
}
