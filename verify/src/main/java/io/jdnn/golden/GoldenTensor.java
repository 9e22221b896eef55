package io.jdnn.golden;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One tensor of a golden case: its shape (row-major, outermost first; an empty shape is a scalar),
 * its element type and its elements. Float tensors keep their values as doubles (float32 values
 * widen exactly); int64 tensors as longs. Immutable.
 */
public final class GoldenTensor {
    private final String name;
    private final int[] shape;
    private final DType dtype;
    private final double[] reals;
    private final long[] integers;

    private GoldenTensor(String name, int[] shape, DType dtype, double[] reals, long[] integers) {
        this.name = name;
        this.shape = shape;
        this.dtype = dtype;
        this.reals = reals;
        this.integers = integers;
    }

    /**
     * A float tensor ({@link DType#F32} or {@link DType#F64}). For F32 every value must be exactly
     * representable in float32.
     */
    public static GoldenTensor ofReals(String name, int[] shape, DType dtype, double[] values) {
        if (dtype != DType.F32 && dtype != DType.F64) {
            throw new IllegalArgumentException("dtype: expected f32 or f64 for real values, got " + dtype.token());
        }
        int[] s = checkShape(name, shape);
        check(name, elements(s) == values.length, "shape " + Arrays.toString(s) + " holds " + elements(s)
                + " elements", values.length + " values");
        double[] v = values.clone();
        if (dtype == DType.F32) {
            for (int i = 0; i < v.length; i++) {
                check(name, Double.isNaN(v[i]) || (double) (float) v[i] == v[i],
                        "values representable in float32 for dtype f32", v[i] + " at index " + i);
            }
        }
        return new GoldenTensor(name, s, dtype, v, null);
    }

    /** An int64 tensor. */
    public static GoldenTensor ofIntegers(String name, int[] shape, long[] values) {
        int[] s = checkShape(name, shape);
        check(name, elements(s) == values.length, "shape " + Arrays.toString(s) + " holds " + elements(s)
                + " elements", values.length + " values");
        return new GoldenTensor(name, s, DType.I64, null, values.clone());
    }

    /** Decodes {@code data}: base64 of the elements, row-major, little-endian. */
    public static GoldenTensor decode(String name, int[] shape, DType dtype, String data) {
        int[] s = checkShape(name, shape);
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw new GoldenFormatException(name + ".data: expected standard base64, got text it cannot decode ("
                    + e.getMessage() + ")");
        }
        long n = elements(s);
        if (bytes.length != n * dtype.bytes()) {
            throw new GoldenFormatException(name + ".data: expected " + n * dtype.bytes() + " bytes (" + n + " "
                    + dtype.token() + " elements for shape " + Arrays.toString(s) + "), got " + bytes.length + " bytes");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int count = (int) n;
        switch (dtype) {
            case F32: {
                double[] v = new double[count];
                for (int i = 0; i < count; i++) {
                    v[i] = buf.getFloat();
                }
                return new GoldenTensor(name, s, dtype, v, null);
            }
            case F64: {
                double[] v = new double[count];
                for (int i = 0; i < count; i++) {
                    v[i] = buf.getDouble();
                }
                return new GoldenTensor(name, s, dtype, v, null);
            }
            default: {
                long[] v = new long[count];
                for (int i = 0; i < count; i++) {
                    v[i] = buf.getLong();
                }
                return new GoldenTensor(name, s, dtype, null, v);
            }
        }
    }

    /** The base64 text of the elements, as the file stores them. */
    public String encode() {
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(elements() * dtype.bytes())).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> {
                for (double v : reals) {
                    buf.putFloat((float) v);
                }
            }
            case F64 -> {
                for (double v : reals) {
                    buf.putDouble(v);
                }
            }
            default -> {
                for (long v : integers) {
                    buf.putLong(v);
                }
            }
        }
        return Base64.getEncoder().encodeToString(buf.array());
    }

    /** The tensor as the file's JSON object: shape, dtype, data. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Object> dims = new ArrayList<>();
        for (int d : shape) {
            dims.add((long) d);
        }
        m.put("shape", dims);
        m.put("dtype", dtype.token());
        m.put("data", encode());
        return m;
    }

    /** The tensor's name, as the case's {@code inputs}, {@code outputs} and {@code tensors} list it. */
    public String name() {
        return name;
    }

    /** A copy of the extents, outermost first; empty for a scalar. */
    public int[] shape() {
        return shape.clone();
    }

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** Number of elements (1 for a scalar). */
    public long elements() {
        return elements(shape);
    }

    /** The values of a float tensor, widened to double. */
    public double[] toDoubleArray() {
        if (reals == null) {
            throw new IllegalStateException(name + ": expected a float tensor (f32 or f64), got " + dtype.token());
        }
        return reals.clone();
    }

    /** The values of an f32 tensor, exactly. */
    public float[] toFloatArray() {
        if (dtype != DType.F32) {
            throw new IllegalStateException(name + ": expected an f32 tensor, got " + dtype.token());
        }
        float[] out = new float[reals.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) reals[i];
        }
        return out;
    }

    /** The values of an i64 tensor. */
    public long[] toLongArray() {
        if (integers == null) {
            throw new IllegalStateException(name + ": expected an i64 tensor, got " + dtype.token());
        }
        return integers.clone();
    }

    /** The same tensor under another name. */
    public GoldenTensor withName(String newName) {
        return new GoldenTensor(newName, shape, dtype, reals, integers);
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape) + " " + dtype.token();
    }

    private static int[] checkShape(String name, int[] shape) {
        if (shape == null) {
            throw new GoldenFormatException(name + ".shape: expected an array of extents, got null");
        }
        int[] s = shape.clone();
        long n = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] < 0) {
                throw new GoldenFormatException(name + ".shape: expected extents >= 0, got " + s[i] + " at index " + i);
            }
            n *= s[i];
            if (n > Integer.MAX_VALUE - 8) {
                throw new GoldenFormatException(name + ".shape: expected fewer than 2^31 elements, got "
                        + Arrays.toString(s));
            }
        }
        return s;
    }

    private static long elements(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static void check(String name, boolean ok, String expected, String actual) {
        if (!ok) {
            throw new GoldenFormatException(name + ": expected " + expected + ", got " + actual);
        }
    }
}
