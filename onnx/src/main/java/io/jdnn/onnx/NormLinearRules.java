package io.jdnn.onnx;

import java.util.Arrays;

/** Shape rules of the normalizations (BatchNormalization, InstanceNormalization, LayerNormalization, GroupNormalization, LRN) and of Gemm and MatMul. */
final class NormLinearRules {
    private NormLinearRules() {
    }

    static void batchNorm(InferContext c) {
        c.arity(5, 5, 5);
        c.requireFloat(0);
        c.requireRank(0, 2, 8);
        if (c.opset() < 9 && c.node.getInt("spatial", 1) != 1) {
            throw c.refuse("spatial=0 (per-activation statistics) is not supported");
        }
        if (c.node.getInt("training_mode", 0) != 0) {
            throw c.refuse("training_mode=1 is not supported (inference only)");
        }
        for (int k = 1; k < c.node.outputs().size(); k++) {
            if (!c.node.output(k).isEmpty()) {
                throw c.refuse("output " + k + " (running statistics of training) is not supported");
            }
        }
        long channels = c.dims(0)[1];
        for (int i = 1; i < 5; i++) {
            vector(c, i, channels);
        }
        c.same(0, 0);
    }

    static void instanceNorm(InferContext c) {
        c.arity(3, 3, 1);
        c.requireFloat(0);
        c.requireRank(0, 3, 8);
        long channels = c.dims(0)[1];
        vector(c, 1, channels);
        vector(c, 2, channels);
        c.same(0, 0);
    }

    static void layerNorm(InferContext c) {
        c.arity(2, 3, 3);
        c.requireFloat(0);
        long[] x = c.dims(0);
        int axis = c.axis(c.node.getInt("axis", -1), x.length, "axis");
        long[] normalized = Arrays.copyOfRange(x, axis, x.length);
        for (int i = 1; i < 3; i++) {
            if (c.has(i)) {
                c.requireFloat(i);
                long[] s = c.dims(i);
                if (!Arrays.equals(c.broadcast(normalized, s), normalized)) {
                    throw c.refuse("input " + i + " " + Arrays.toString(s) + " must broadcast to the normalized"
                            + " extents " + Arrays.toString(normalized));
                }
            }
        }
        c.same(0, 0);
        long[] stats = x.clone();
        Arrays.fill(stats, axis, stats.length, 1);
        c.out(1, DataType.FLOAT, stats);
        c.out(2, DataType.FLOAT, stats);
    }

    static void groupNorm(InferContext c) {
        c.arity(3, 3, 1);
        c.requireFloat(0);
        c.requireRank(0, 3, 8);
        long channels = c.dims(0)[1];
        long groups = c.node.requireInt("num_groups");
        if (groups < 1 || channels % groups != 0) {
            throw c.refuse("num_groups " + groups + " must divide the " + channels + " channels");
        }
        long perParam = c.opset() >= 21 ? channels : groups;
        vector(c, 1, perParam);
        vector(c, 2, perParam);
        c.same(0, 0);
    }

    static void lrn(InferContext c) {
        c.arity(1, 1, 1);
        c.requireFloat(0);
        c.requireRank(0, 3, 8);
        long size = c.node.requireInt("size");
        if (size < 1) {
            throw c.refuse("size must be positive, got " + size);
        }
        c.same(0, 0);
    }

    static void gemm(InferContext c) {
        c.arity(c.opset() < 11 ? 3 : 2, 3, 1);
        for (int i = 0; i < c.node.inputs().size(); i++) {
            if (c.has(i)) {
                c.requireFloat(i);
            }
        }
        c.requireRank(0, 2, 2);
        c.requireRank(1, 2, 2);
        long[] a = c.dims(0);
        long[] b = c.dims(1);
        boolean ta = c.node.getInt("transA", 0) != 0;
        boolean tb = c.node.getInt("transB", 0) != 0;
        long m = ta ? a[1] : a[0];
        long k = ta ? a[0] : a[1];
        long kb = tb ? b[1] : b[0];
        long n = tb ? b[0] : b[1];
        if (k != kb) {
            throw c.refuse("A " + Arrays.toString(a) + (ta ? " (transposed)" : "") + " and B " + Arrays.toString(b)
                    + (tb ? " (transposed)" : "") + " disagree on K: " + k + " vs " + kb);
        }
        long[] out = {m, n};
        if (c.has(2) && !Arrays.equals(c.broadcast(out, c.dims(2)), out)) {
            throw c.refuse("C " + Arrays.toString(c.dims(2)) + " does not broadcast to " + Arrays.toString(out));
        }
        c.out(0, c.type(0), out);
    }

    static void matMul(InferContext c) {
        c.arity(2, 2, 1);
        c.requireFloat(0);
        c.requireFloat(1);
        long[] a = c.dims(0);
        long[] b = c.dims(1);
        if (a.length == 0 || b.length == 0) {
            throw c.refuse("inputs must have rank 1 or more, got " + Arrays.toString(a) + " and "
                    + Arrays.toString(b));
        }
        long[] a2 = a.length == 1 ? new long[]{1, a[0]} : a;
        long[] b2 = b.length == 1 ? new long[]{b[0], 1} : b;
        long k = a2[a2.length - 1];
        if (k != b2[b2.length - 2]) {
            throw c.refuse("inner extents disagree: " + Arrays.toString(a) + " x " + Arrays.toString(b));
        }
        long[] batch = c.broadcast(Arrays.copyOf(a2, a2.length - 2), Arrays.copyOf(b2, b2.length - 2));
        // numpy: a vector operand's added extent of 1 is removed again from the result.
        long[] out = Arrays.copyOf(batch, batch.length + (a.length > 1 ? 1 : 0) + (b.length > 1 ? 1 : 0));
        int at = batch.length;
        if (a.length > 1) {
            out[at++] = a2[a2.length - 2];
        }
        if (b.length > 1) {
            out[at] = b2[b2.length - 1];
        }
        c.out(0, c.type(0), out);
    }

    /** Refuses unless input i is a float vector of {@code n} elements. */
    private static void vector(InferContext c, int i, long n) {
        c.requireFloat(i);
        long[] d = c.dims(i);
        if (d.length != 1 || d[0] != n) {
            throw c.refuse("input " + i + " ('" + c.node.input(i) + "') must be [" + n + "], got "
                    + Arrays.toString(d));
        }
    }
}
