package io.jdnn.cpu.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;

/**
 * {@link VectorKernels}' max-pooling rows: window maxima of a padded row from contiguous loads
 * (stride 2's even columns picked by a two-vector shuffle), the backward's search for each
 * window's first maximum as lane masks, and the disjoint 2x2/2 windows' backward. Max is exact
 * and order-free with {@link Math#max}'s semantics (NaN wins, -0 below +0), so these give the
 * scalar loops' results.
 */
final class VectorPooling {
    private static final VectorSpecies<Float> S = VectorWidth.S;
    private static final int L = VectorWidth.L;

    private VectorPooling() {
    }

    /*
     * Two-vector shuffles as JDK 17 compiles them well: lane i of the result is lane f(i) < 2L of
     * the pair (a, b). a.rearrange(shuffle, b) with such a shuffle rebuilds the shuffle (an
     * allocation and a scalar loop) on every call; these permute both vectors by the indices
     * modulo L and blend, two permutes and a blend. Static final, so that C2 sees constants.
     */
    private static final IntUnaryOperator EVENS = i -> 2 * i, ODDS = i -> 2 * i + 1;
    private static final IntUnaryOperator ZIP_LO = i -> i / 2 + (i % 2) * L, ZIP_HI = i -> L / 2 + i / 2 + (i % 2) * L;
    private static final VectorShuffle<Float> EVENS_W = wrapped(EVENS), ODDS_W = wrapped(ODDS);
    private static final VectorShuffle<Float> ZIP_LO_W = wrapped(ZIP_LO), ZIP_HI_W = wrapped(ZIP_HI);
    private static final VectorMask<Float> EVENS_B = fromB(EVENS), ODDS_B = fromB(ODDS);
    private static final VectorMask<Float> ZIP_LO_B = fromB(ZIP_LO), ZIP_HI_B = fromB(ZIP_HI);

    private static VectorShuffle<Float> wrapped(IntUnaryOperator f) {
        return VectorShuffle.fromArray(S, IntStream.range(0, L).map(i -> f.applyAsInt(i) % L).toArray(), 0);
    }

    private static VectorMask<Float> fromB(IntUnaryOperator f) {
        boolean[] b = new boolean[L];
        for (int i = 0; i < L; i++) {
            b[i] = f.applyAsInt(i) >= L;
        }
        return VectorMask.fromArray(S, b, 0);
    }

    /** Lanes 0, 2, 4, ... of the pair (a, b). */
    private static FloatVector evens(FloatVector a, FloatVector b) {
        return a.rearrange(EVENS_W).blend(b.rearrange(EVENS_W), EVENS_B);
    }

    /** Lanes 1, 3, 5, ... of the pair (a, b). */
    private static FloatVector odds(FloatVector a, FloatVector b) {
        return a.rearrange(ODDS_W).blend(b.rearrange(ODDS_W), ODDS_B);
    }

    /** a0, b0, a1, b1, ...: the low halves of (a, b) interleaved. */
    private static FloatVector zipLo(FloatVector a, FloatVector b) {
        return a.rearrange(ZIP_LO_W).blend(b.rearrange(ZIP_LO_W), ZIP_LO_B);
    }

    /** The high halves of (a, b) interleaved. */
    private static FloatVector zipHi(FloatVector a, FloatVector b) {
        return a.rearrange(ZIP_HI_W).blend(b.rearrange(ZIP_HI_W), ZIP_HI_B);
    }

    /**
     * out[outOff + j] = max(row[j*stride + s] for s &lt; window), j &lt; ow; see
     * {@link Kernels#windowMaxRow}. Strides 1 and 2 take L outputs at a time from contiguous loads
     * (the maxima of the window's shifted rows at every column, then, for stride 2, the even
     * columns), the last L as a block overlapping the previous one (the same values again); wider
     * strides and rows of fewer than L outputs take the scalar loop.
     */
    static void windowMaxRow(float[] row, int window, int stride, float[] out, int outOff, int ow) {
        if (stride > 2 || ow < L) {
            MaxPooling.windowMax(row, window, stride, out, outOff, 0, ow);
            return;
        }
        int j = 0;
        for (; j + L <= ow; j += L) {
            windowMaxBlock(row, j * stride, window, stride, out, outOff + j);
        }
        if (j < ow) {
            windowMaxBlock(row, (ow - L) * stride, window, stride, out, outOff + ow - L);
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
        evens(m0, m1).intoArray(out, o);
    }

    /** 0, 1, 2, ... and 0, 2, 4, ... as floats: each lane's column within a block of windows at strides 1 and 2. */
    private static final FloatVector STRIDE1_LANES = FloatVector.zero(S).addIndex(1), STRIDE2_LANES = FloatVector.zero(S).addIndex(2);

    /**
     * Max-pooling backward's search, L windows at a time; see {@link Kernels#maxPicks}. Each lane
     * walks its window's elements in reverse row-major order and keeps the offset of each one equal
     * to its maximum, so the first equal one is kept last. The offsets are float lanes (exact below
     * 2^24); stride 2 reads one element past a block's last window, so the windows whose block
     * would read past the array are left to the caller.
     */
    static int maxPicks(float[] x, int off, int rowStride, int rows, int window, int stride, float[] maxima, int mOff,
                        int n, float[] at, int atOff) {
        long last = off + (long) (rows - 1) * rowStride + window; // past the last window: the end of the reads, less its columns
        int fit = stride == 1 ? n : (int) Math.min(n, (x.length - last + 1) / 2);
        if (stride > 2 || fit < L || (long) rows * rowStride + (long) fit * stride >= 1 << 24) {
            return 0;
        }
        int t = 0;
        for (; t + L <= fit; t += L) {
            pickBlock(x, off, rowStride, rows, window, stride, maxima, mOff, t, at, atOff);
        }
        if (t < fit) {
            pickBlock(x, off, rowStride, rows, window, stride, maxima, mOff, fit - L, at, atOff); // overlaps: the same picks again
        }
        return fit;
    }

    /**
     * {@link #maxPicks} for the windows t .. t + L - 1; -1 for them all if a maximum is NaN. The
     * kept offsets live in at[] between steps, not in a loop-carried vector: C2 (JDK 17) boxes
     * a vector carried around a loop, an allocation per step.
     */
    private static void pickBlock(float[] x, int off, int rowStride, int rows, int window, int stride, float[] maxima,
                                  int mOff, int t, float[] at, int atOff) {
        FloatVector m = FloatVector.fromArray(S, maxima, mOff + t);
        FloatVector.broadcast(S, -1f).intoArray(at, atOff + t);
        if (m.test(VectorOperators.IS_NAN).anyTrue()) {
            return;
        }
        FloatVector lanes = (stride == 1 ? STRIDE1_LANES : STRIDE2_LANES).add(t * stride);
        int o = off + t * stride;
        for (int r = rows - 1; r >= 0; r--) {
            for (int s = window - 1; s >= 0; s--) {
                int d = r * rowStride + s;
                FloatVector v = stride == 1 ? FloatVector.fromArray(S, x, o + d) : evensAt(x, o + d);
                FloatVector.fromArray(S, at, atOff + t).blend(lanes.add(d), v.eq(m)).intoArray(at, atOff + t);
            }
        }
    }

    /** x[o], x[o + 2], ..., x[o + 2L - 2]. */
    private static FloatVector evensAt(float[] x, int o) {
        return evens(FloatVector.fromArray(S, x, o), FloatVector.fromArray(S, x, o + L));
    }

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
            FloatVector a = evens(u0, u1), b = odds(u0, u1);
            FloatVector cc = evens(v0, v1), d = odds(v0, v1);
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
            zipLo(ga, gb).intoArray(dx, r0 + c);
            zipHi(ga, gb).intoArray(dx, r0 + c + L);
            zipLo(gc, gd).intoArray(dx, r1 + c);
            zipHi(gc, gd).intoArray(dx, r1 + c + L);
        }
        return j;
    }
}
