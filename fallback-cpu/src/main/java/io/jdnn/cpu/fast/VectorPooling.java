package io.jdnn.cpu.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorKernels}' max-pooling rows: window maxima of a row from contiguous loads (stride 2's
 * even columns picked by a two-vector shuffle) and the disjoint 2x2/2 windows' backward. Max is
 * exact and order-free with {@link Math#max}'s semantics (NaN wins, -0 below +0), so these give
 * the scalar loops' results.
 */
final class VectorPooling {
    private static final VectorSpecies<Float> S = VectorWidth.S;
    private static final int L = VectorWidth.L;

    private VectorPooling() {
    }

    /**
     * Lanes 0, 2, 4, ... of two vectors (a, b) as one: the even indices 0 .. 2L-2, those from L on
     * (exceptional, partially wrapped by {@link VectorShuffle#fromArray}) taken from b.
     */
    private static final VectorShuffle<Float> EVENS =
            VectorShuffle.fromArray(S, java.util.stream.IntStream.range(0, L).map(i -> 2 * i).toArray(), 0);

    /**
     * Strides 1 and 2 take their interior outputs L at a time from contiguous loads: the maxima of
     * the window's shifted rows at every column, then, for stride 2, the even columns picked by one
     * two-vector shuffle (no gather). Windows that reach into the padding, and every output of a
     * stride above 2, take the scalar loop. Max is exact and order-free with {@link Math#max}'s
     * semantics (NaN wins, -0 below +0), so each output is the same value whichever path takes it.
     */
    static void windowMaxRow(float[] x, int w, int window, int stride, int pad, float[] out, int outOff, int ow) {
        int j = 0;
        if (stride <= 2) {
            // interior outputs j: columns j*stride - pad .. j*stride - pad + window - 1 all inside [0, w)
            int jLo = Math.min(ow, (pad + stride - 1) / stride);
            int jHi = Math.min(ow, Math.floorDiv(w - window + pad, stride) + 1);
            for (; j < jLo; j++) {
                out[outOff + j] = scalarMax(x, w, window, stride, pad, j);
            }
            for (; j + L <= jHi; j += L) {
                windowMaxBlock(x, j * stride - pad, window, stride, out, outOff + j);
            }
            if (j < jHi && jHi - L >= jLo) {
                // the interior's last outputs as one block overlapping the previous one (the same
                // values again), instead of up to L - 1 scalar windows
                windowMaxBlock(x, (jHi - L) * stride - pad, window, stride, out, outOff + jHi - L);
                j = jHi;
            }
        }
        for (; j < ow; j++) {
            out[outOff + j] = scalarMax(x, w, window, stride, pad, j);
        }
    }

    /**
     * out[o + l] = max(x[c + stride*l + s] for s &lt; window) for the L lanes l, stride 1 or 2. Stride
     * 2 computes the maxima at 2L columns and reads x[c + 2L + window - 2], one element past the
     * block's last window (its lane is dropped).
     */
    private static void windowMaxBlock(float[] x, int c, int window, int stride, float[] out, int o) {
        FloatVector m0 = FloatVector.fromArray(S, x, c);
        for (int s = 1; s < window; s++) {
            m0 = m0.max(FloatVector.fromArray(S, x, c + s));
        }
        if (stride == 1) {
            m0.intoArray(out, o);
            return;
        }
        FloatVector m1 = FloatVector.fromArray(S, x, c + L);
        for (int s = 1; s < window; s++) {
            m1 = m1.max(FloatVector.fromArray(S, x, c + L + s));
        }
        m0.rearrange(EVENS, m1).intoArray(out, o);
    }

    /** 1, 3, 5, ...: the odd lanes of two vectors (a, b) as one; see {@link #EVENS}. */
    private static final VectorShuffle<Float> ODDS =
            VectorShuffle.fromArray(S, java.util.stream.IntStream.range(0, L).map(i -> 2 * i + 1).toArray(), 0);
    /** a0, b0, a1, b1, ...: the low halves of two vectors (a, b) interleaved. */
    private static final VectorShuffle<Float> ZIP_LO =
            VectorShuffle.fromArray(S, java.util.stream.IntStream.range(0, L).map(i -> i / 2 + (i % 2) * L).toArray(), 0);
    /** The high halves of two vectors (a, b) interleaved. */
    private static final VectorShuffle<Float> ZIP_HI =
            VectorShuffle.fromArray(S, java.util.stream.IntStream.range(0, L).map(i -> L / 2 + i / 2 + (i % 2) * L).toArray(), 0);

    /**
     * L windows at a time: the four corners of each window split from the two rows by shuffles,
     * the flags of Pooling's scalar loop as lane masks (first equal to the maximum; for a NaN
     * maximum the last NaN), and the four gradient vectors interleaved back into the rows.
     */
    static int max2x2BackwardRow(float[] x, int r0, int r1, float[] dy, int g0, float[] dx, int n) {
        FloatVector zero = FloatVector.zero(S);
        int j = 0;
        for (; j + L <= n; j += L) {
            int c = 2 * j;
            FloatVector u0 = FloatVector.fromArray(S, x, r0 + c), u1 = FloatVector.fromArray(S, x, r0 + c + L);
            FloatVector v0 = FloatVector.fromArray(S, x, r1 + c), v1 = FloatVector.fromArray(S, x, r1 + c + L);
            FloatVector a = u0.rearrange(EVENS, u1), b = u0.rearrange(ODDS, u1);
            FloatVector cc = v0.rearrange(EVENS, v1), d = v0.rearrange(ODDS, v1);
            FloatVector m = a.max(b).max(cc.max(d));
            VectorMask<Float> ea = a.eq(m);
            VectorMask<Float> eb = b.eq(m).and(ea.not());
            VectorMask<Float> ec = cc.eq(m).and(ea.or(eb).not());
            VectorMask<Float> nan = m.test(VectorOperators.IS_NAN);
            if (nan.anyTrue()) {
                VectorMask<Float> nd = d.test(VectorOperators.IS_NAN), nc = cc.test(VectorOperators.IS_NAN);
                VectorMask<Float> nb = b.test(VectorOperators.IS_NAN);
                VectorMask<Float> later = nd.or(nc).or(nb);
                ea = ea.and(nan.not()).or(later.not().and(nan));
                eb = eb.and(nan.not()).or(nb.and(nd.or(nc).not()).and(nan));
                ec = ec.and(nan.not()).or(nc.and(nd.not()).and(nan));
            }
            VectorMask<Float> ed = ea.or(eb).or(ec).not();
            FloatVector g = FloatVector.fromArray(S, dy, g0 + j);
            FloatVector ga = zero.blend(g, ea), gb = zero.blend(g, eb), gc = zero.blend(g, ec), gd = zero.blend(g, ed);
            ga.rearrange(ZIP_LO, gb).intoArray(dx, r0 + c);
            ga.rearrange(ZIP_HI, gb).intoArray(dx, r0 + c + L);
            gc.rearrange(ZIP_LO, gd).intoArray(dx, r1 + c);
            gc.rearrange(ZIP_HI, gd).intoArray(dx, r1 + c + L);
        }
        return j;
    }

    private static float scalarMax(float[] x, int w, int window, int stride, int pad, int j) {
        int b0 = Math.max(j * stride - pad, 0);
        int b1 = Math.min(j * stride - pad + window, w);
        float m = x[b0];
        for (int c = b0 + 1; c < b1; c++) {
            m = Math.max(m, x[c]);
        }
        return m;
    }
}
