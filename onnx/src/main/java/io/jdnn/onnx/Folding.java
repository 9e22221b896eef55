package io.jdnn.onnx;

import java.util.function.IntUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.DoubleBinaryOperator;

/** Element-level helpers for the constant folding of shape subgraphs: small tensors, exact int64 arithmetic. */
final class Folding {
    private Folding() {
    }

    /** Row-major strides of {@code dims}. */
    static long[] strides(long[] dims) {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    static long count(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** A tensor of {@code type} and {@code dims} whose element i is {@code src}'s element {@code map(i)}. */
    static ConstantTensor pick(ConstantTensor src, DataType type, long[] dims, IntUnaryOperator map) {
        int n = (int) count(dims);
        TensorInfo info = new TensorInfo(src.name(), type, dims);
        if (src.isFloat()) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) src.doubleAt(map.applyAsInt(i));
            }
            return ConstantTensor.wrap(info, v, null, null);
        } else if (src.isInteger()) {
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = src.longAt(map.applyAsInt(i));
            }
            return ConstantTensor.wrap(info, null, v, null);
        }
        boolean[] v = new boolean[n];
        for (int i = 0; i < n; i++) {
            v[i] = src.doubleAt(map.applyAsInt(i)) != 0;
        }
        return ConstantTensor.wrap(info, null, null, v);
    }

    /** The same elements with other extents. */
    static ConstantTensor reshape(ConstantTensor src, long[] dims) {
        return pick(src, src.type(), dims, i -> i);
    }

    /** The flat index in a tensor of {@code inDims} that output index {@code flat} of {@code outDims} broadcasts from. */
    static int broadcastIndex(int flat, long[] outDims, long[] inDims) {
        long[] os = strides(outDims);
        long[] is = strides(inDims);
        int off = outDims.length - inDims.length;
        long idx = 0;
        for (int d = 0; d < outDims.length; d++) {
            long coord = (flat / os[d]) % outDims[d];
            if (d >= off && inDims[d - off] != 1) {
                idx += coord * is[d - off];
            }
        }
        return (int) idx;
    }

    /** Elementwise {@code a op b} with broadcasting: exact in int64 for integer types, in double for float types. */
    static ConstantTensor binary(ConstantTensor a, ConstantTensor b, long[] outDims, LongBinaryOperator intOp,
                                 DoubleBinaryOperator floatOp) {
        int n = (int) count(outDims);
        long[] ad = a.info().dims();
        long[] bd = b.info().dims();
        TensorInfo info = new TensorInfo(a.name(), a.type(), outDims);
        if (a.isInteger()) {
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = intOp.applyAsLong(a.longAt(broadcastIndex(i, outDims, ad)), b.longAt(broadcastIndex(i, outDims, bd)));
            }
            return ConstantTensor.wrap(info, null, v, null);
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) floatOp.applyAsDouble(a.doubleAt(broadcastIndex(i, outDims, ad)),
                    b.doubleAt(broadcastIndex(i, outDims, bd)));
        }
        return ConstantTensor.wrap(info, v, null, null);
    }

    /** {@code src}'s elements converted to {@code type} (Cast): float to integer truncates toward zero. */
    static ConstantTensor cast(ConstantTensor src, DataType type) {
        int n = src.size();
        TensorInfo info = src.info().withType(type);
        if (type.isFloat()) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) src.doubleAt(i);
            }
            return ConstantTensor.wrap(info, v, null, null);
        } else if (type.isInteger()) {
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = src.longAt(i);
            }
            return ConstantTensor.wrap(info, null, v, null);
        }
        boolean[] v = new boolean[n];
        for (int i = 0; i < n; i++) {
            v[i] = src.doubleAt(i) != 0;
        }
        return ConstantTensor.wrap(info, null, null, v);
    }

    /** A tensor of {@code dims} filled with element 0 of {@code value} (ConstantOfShape). */
    static ConstantTensor fill(ConstantTensor value, long[] dims) {
        return pick(value, value.type(), dims, i -> 0);
    }

    /** The flat index in {@code kept} (the input's extents with reduced axes set to 1) that input element {@code flat} adds to. */
    static int reducedIndex(int flat, long[] inDims, long[] kept) {
        long[] is = strides(inDims);
        long[] ks = strides(kept);
        long idx = 0;
        for (int d = 0; d < inDims.length; d++) {
            if (kept[d] != 1 || inDims[d] == 1) {
                idx += ((flat / is[d]) % inDims[d]) * ks[d];
            }
        }
        return (int) idx;
    }
}
