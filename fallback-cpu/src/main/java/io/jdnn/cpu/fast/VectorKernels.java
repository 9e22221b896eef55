package io.jdnn.cpu.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels through the incubating Vector API, at the width {@link VectorWidth} chose (256 or 512
 * bits: 8 or 16 float lanes). Only {@link KernelsLoader} names this class, and only after it found
 * {@code jdk.incubator.vector} in the boot layer, so the class never loads without the module.
 *
 * <p>The GEMM is {@link VectorGemm}'s register-tiled micro-kernel.
 */
final class VectorKernels implements Kernels {
    private static final VectorSpecies<Float> S = VectorWidth.S;
    private static final int L = VectorWidth.L;

    VectorKernels() {
        if (VectorWidth.S.vectorBitSize() > FloatVector.SPECIES_PREFERRED.vectorBitSize()) {
            throw new IllegalStateException("the JVM compiles vectors of " + FloatVector.SPECIES_PREFERRED.vectorBitSize()
                    + " bits, narrower than the kernels' 256");
        }
    }

    @Override
    public String name() {
        return "vector-API (" + L + " lanes, " + VectorWidth.bits() + "-bit: " + VectorWidth.WHY + ")";
    }

    @Override
    public void gemm(int m, int n, int kc, float[] a, int aOff, int lda, float[][] b, int bRow, float[][] c, int cRow,
                     boolean accumulate) {
        VectorGemm.gemm(m, n, kc, a, aOff, lda, b, bRow, c, cRow, accumulate);
    }

    @Override
    public int panelWidth() {
        return VectorGemm.NR;
    }

    @Override
    public void gemmPacked(int m, int n, int kc, float[] a, int aOff, int lda, float[] bp, int bOff, float[][] c, int cRow,
                           boolean accumulate) {
        VectorGemm.gemmPacked(m, n, kc, a, aOff, lda, bp, bOff, c, cRow, accumulate);
    }

    @Override
    public void packSlices(float[] src, int[] start, int s0, int base, int kc, int n, float[] bp, int bOff) {
        VectorGemm.packSlices(src, start, s0, base, kc, n, bp, bOff);
    }

    @Override
    public void rowTaps(int n, int taps, int dil, float[] w, int wOff, float[] x, int xOff, float[] acc, float[] tmp) {
        int nv = n - n % L;
        int s = 0;
        // Three taps per pass over the row: one load and store of acc per three FMAs.
        for (; s + 2 < taps; s += 3) {
            float w0 = w[wOff + s], w1 = w[wOff + s + 1], w2 = w[wOff + s + 2];
            int o0 = xOff + s * dil, o1 = o0 + dil, o2 = o1 + dil;
            FloatVector v0 = FloatVector.broadcast(S, w0), v1 = FloatVector.broadcast(S, w1), v2 = FloatVector.broadcast(S, w2);
            int q = 0;
            for (; q < nv; q += L) {
                FloatVector acc0 = FloatVector.fromArray(S, acc, q);
                acc0 = v0.fma(FloatVector.fromArray(S, x, o0 + q), acc0);
                acc0 = v1.fma(FloatVector.fromArray(S, x, o1 + q), acc0);
                acc0 = v2.fma(FloatVector.fromArray(S, x, o2 + q), acc0);
                acc0.intoArray(acc, q);
            }
            for (; q < n; q++) {
                acc[q] = Math.fma(w2, x[o2 + q], Math.fma(w1, x[o1 + q], Math.fma(w0, x[o0 + q], acc[q])));
            }
        }
        for (; s < taps; s++) {
            float w0 = w[wOff + s];
            int o0 = xOff + s * dil;
            FloatVector v0 = FloatVector.broadcast(S, w0);
            int q = 0;
            for (; q < nv; q += L) {
                v0.fma(FloatVector.fromArray(S, x, o0 + q), FloatVector.fromArray(S, acc, q)).intoArray(acc, q);
            }
            for (; q < n; q++) {
                acc[q] = Math.fma(w0, x[o0 + q], acc[q]);
            }
        }
    }

    @Override
    public void correlateRow(int n, int rows, int taps, int dil, float[] w, int[] wOffs, float[] x, int[] xOffs,
                             float[] out, int outOff, boolean accumulate, float bias, float[][] tmp) {
        if (rows == 3 && taps == 3) {
            if (!accumulate) {
                row3x3Init(n, dil, w, wOffs, x, xOffs, out, outOff, bias);
            } else {
                row3x3(n, dil, w, wOffs, x, xOffs, out, outOff);
            }
            return;
        }
        float[] acc = tmp[0];
        if (accumulate) {
            System.arraycopy(out, outOff, acc, 0, n);
        } else {
            java.util.Arrays.fill(acc, 0, n, bias);
        }
        for (int i = 0; i < rows; i++) {
            rowTaps(n, taps, dil, w, wOffs[i], x, xOffs[i], acc, tmp[1]);
        }
        System.arraycopy(acc, 0, out, outOff, n);
    }

    /** All nine taps of a 3x3 filter in one pass: one load and store of the output per nine FMAs. */
    private static void row3x3(int n, int dil, float[] w, int[] wOffs, float[] x, int[] xOffs, float[] out, int outOff) {
        int wa = wOffs[0], wb = wOffs[1], wc = wOffs[2];
        FloatVector w00 = FloatVector.broadcast(S, w[wa]), w01 = FloatVector.broadcast(S, w[wa + 1]);
        FloatVector w02 = FloatVector.broadcast(S, w[wa + 2]), w10 = FloatVector.broadcast(S, w[wb]);
        FloatVector w11 = FloatVector.broadcast(S, w[wb + 1]), w12 = FloatVector.broadcast(S, w[wb + 2]);
        FloatVector w20 = FloatVector.broadcast(S, w[wc]), w21 = FloatVector.broadcast(S, w[wc + 1]);
        FloatVector w22 = FloatVector.broadcast(S, w[wc + 2]);
        int x0 = xOffs[0], x1 = xOffs[1], x2 = xOffs[2];
        int d2 = 2 * dil;
        int q = 0;
        for (; q + L <= n; q += L) {
            FloatVector acc = FloatVector.fromArray(S, out, outOff + q);
            acc = w00.fma(FloatVector.fromArray(S, x, x0 + q), acc);
            acc = w01.fma(FloatVector.fromArray(S, x, x0 + q + dil), acc);
            acc = w02.fma(FloatVector.fromArray(S, x, x0 + q + d2), acc);
            acc = w10.fma(FloatVector.fromArray(S, x, x1 + q), acc);
            acc = w11.fma(FloatVector.fromArray(S, x, x1 + q + dil), acc);
            acc = w12.fma(FloatVector.fromArray(S, x, x1 + q + d2), acc);
            acc = w20.fma(FloatVector.fromArray(S, x, x2 + q), acc);
            acc = w21.fma(FloatVector.fromArray(S, x, x2 + q + dil), acc);
            acc = w22.fma(FloatVector.fromArray(S, x, x2 + q + d2), acc);
            acc.intoArray(out, outOff + q);
        }
        for (; q < n; q++) {
            float acc = out[outOff + q];
            for (int s = 0; s < 3; s++) {
                acc = Math.fma(w[wa + s], x[x0 + q + s * dil], acc);
            }
            for (int s = 0; s < 3; s++) {
                acc = Math.fma(w[wb + s], x[x1 + q + s * dil], acc);
            }
            for (int s = 0; s < 3; s++) {
                acc = Math.fma(w[wc + s], x[x2 + q + s * dil], acc);
            }
            out[outOff + q] = acc;
        }
    }

    /**
     * {@link #row3x3} starting from the bias instead of the output's contents. A row that is not a
     * multiple of L ends with one vector over its last L columns (recomputing some: the same values),
     * not a scalar tail: at 16 lanes a row of 56 would otherwise leave 8 scalar columns, which made
     * MobileNet's depthwise layer a third slower than at 8 lanes.
     */
    private static void row3x3Init(int n, int dil, float[] w, int[] wOffs, float[] x, int[] xOffs, float[] out, int outOff,
                                   float bias) {
        FloatVector bv = FloatVector.broadcast(S, bias);
        int wa = wOffs[0], wb = wOffs[1], wc = wOffs[2];
        FloatVector w00 = FloatVector.broadcast(S, w[wa]), w01 = FloatVector.broadcast(S, w[wa + 1]);
        FloatVector w02 = FloatVector.broadcast(S, w[wa + 2]), w10 = FloatVector.broadcast(S, w[wb]);
        FloatVector w11 = FloatVector.broadcast(S, w[wb + 1]), w12 = FloatVector.broadcast(S, w[wb + 2]);
        FloatVector w20 = FloatVector.broadcast(S, w[wc]), w21 = FloatVector.broadcast(S, w[wc + 1]);
        FloatVector w22 = FloatVector.broadcast(S, w[wc + 2]);
        int x0 = xOffs[0], x1 = xOffs[1], x2 = xOffs[2];
        int d2 = 2 * dil;
        int q = 0;
        // steps of L columns; a row that is not a multiple of L ends with the vector over its last
        // L columns, which recomputes some of them (the same values again)
        for (int last = n - L; q <= last; q = q == last ? n : Math.min(q + L, last)) {
            FloatVector acc = bv;
            acc = w00.fma(FloatVector.fromArray(S, x, x0 + q), acc);
            acc = w01.fma(FloatVector.fromArray(S, x, x0 + q + dil), acc);
            acc = w02.fma(FloatVector.fromArray(S, x, x0 + q + d2), acc);
            acc = w10.fma(FloatVector.fromArray(S, x, x1 + q), acc);
            acc = w11.fma(FloatVector.fromArray(S, x, x1 + q + dil), acc);
            acc = w12.fma(FloatVector.fromArray(S, x, x1 + q + d2), acc);
            acc = w20.fma(FloatVector.fromArray(S, x, x2 + q), acc);
            acc = w21.fma(FloatVector.fromArray(S, x, x2 + q + dil), acc);
            acc = w22.fma(FloatVector.fromArray(S, x, x2 + q + d2), acc);
            acc.intoArray(out, outOff + q);
        }
        for (; q < n; q++) {
            float acc = bias;
            for (int s = 0; s < 3; s++) {
                acc = Math.fma(w[wa + s], x[x0 + q + s * dil], acc);
            }
            for (int s = 0; s < 3; s++) {
                acc = Math.fma(w[wb + s], x[x1 + q + s * dil], acc);
            }
            for (int s = 0; s < 3; s++) {
                acc = Math.fma(w[wc + s], x[x2 + q + s * dil], acc);
            }
            out[outOff + q] = acc;
        }
    }

    /**
     * Horizontal sum in a fixed lane order. reduceLanes(ADD) leaves the order unspecified, and the
     * interpreter and the compiled code may differ, which would break bitwise reproducibility.
     */
    private static float hsum(FloatVector v) {
        float s = hsum8(v, 0);
        for (int o = 8; o < L; o += 8) {
            s += hsum8(v, o);
        }
        return s;
    }

    /** Lanes o to o+7 as a fixed tree. */
    private static float hsum8(FloatVector v, int o) {
        return ((v.lane(o) + v.lane(o + 1)) + (v.lane(o + 2) + v.lane(o + 3)))
                + ((v.lane(o + 4) + v.lane(o + 5)) + (v.lane(o + 6) + v.lane(o + 7)));
    }

    @Override
    public void windowMaxRow(float[] row, int window, int stride, float[] out, int outOff, int ow) {
        VectorPooling.windowMaxRow(row, window, stride, out, outOff, ow);
    }

    @Override
    public int maxPicks(float[] x, int off, int rowStride, int rows, int window, int stride, float[] maxima, int mOff,
                        int n, float[] at, int atOff) {
        return VectorPooling.maxPicks(x, off, rowStride, rows, window, stride, maxima, mOff, n, at, atOff);
    }

    @Override
    public int max2x2BackwardRow(float[] x, int r0, int r1, float[] dy, int g0, float[] dx, int n) {
        return VectorPooling.max2x2BackwardRow(x, r0, r1, dy, g0, dx, n);
    }

    @Override
    public void axpy(int n, float a, float[] x, int xOff, float[] y, int yOff) {
        FloatVector av = FloatVector.broadcast(S, a);
        int i = 0;
        for (; i + L <= n; i += L) {
            av.fma(FloatVector.fromArray(S, x, xOff + i), FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(a, x[xOff + i], y[yOff + i]);
        }
    }

    @Override
    public void columnMax(float[] x, int off, int stride, int rows, int n, float[] out, int outOff) {
        int j = 0;
        if (rows == 3) {
            int o1 = off + stride, o2 = off + 2 * stride;
            for (; j + L <= n; j += L) {
                FloatVector.fromArray(S, x, off + j).max(FloatVector.fromArray(S, x, o1 + j))
                        .max(FloatVector.fromArray(S, x, o2 + j)).intoArray(out, outOff + j);
            }
        } else {
            for (; j + L <= n; j += L) {
                FloatVector m = FloatVector.fromArray(S, x, off + j);
                for (int r = 1; r < rows; r++) {
                    m = m.max(FloatVector.fromArray(S, x, off + r * stride + j));
                }
                m.intoArray(out, outOff + j);
            }
        }
        for (; j < n; j++) {
            float m = x[off + j];
            for (int r = 1; r < rows; r++) {
                m = Math.max(m, x[off + r * stride + j]);
            }
            out[outOff + j] = m;
        }
    }

    @Override
    public float dot(int n, float[] a, int aOff, float[] b, int bOff) {
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            s0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), s0);
            s1 = FloatVector.fromArray(S, a, aOff + i + L).fma(FloatVector.fromArray(S, b, bOff + i + L), s1);
        }
        float t = hsum(s0.add(s1));
        for (; i < n; i++) {
            t = Math.fma(a[aOff + i], b[bOff + i], t);
        }
        return t;
    }

    @Override
    public float dotRows(int rows, int n, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride) {
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
        float tail = 0f;
        int nv = n - n % L;
        for (int i = 0; i < rows; i++) {
            int ao = aOff + i * aStride, bo = bOff + i * bStride;
            int q = 0;
            for (; q + 2 * L <= nv; q += 2 * L) {
                s0 = FloatVector.fromArray(S, a, ao + q).fma(FloatVector.fromArray(S, b, bo + q), s0);
                s1 = FloatVector.fromArray(S, a, ao + q + L).fma(FloatVector.fromArray(S, b, bo + q + L), s1);
            }
            for (; q < nv; q += L) {
                s0 = FloatVector.fromArray(S, a, ao + q).fma(FloatVector.fromArray(S, b, bo + q), s0);
            }
            for (; q < n; q++) {
                tail = Math.fma(a[ao + q], b[bo + q], tail);
            }
        }
        return hsum(s0.add(s1)) + tail;
    }

    @Override
    public double sum(float[] x, int off, int n) {
        double total = 0;
        int i = 0;
        while (i < n) {
            int end = Math.min(n, i + 4096);
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
            int j = off + i;
            int e2 = off + i + (end - i) / (2 * L) * (2 * L);
            for (; j < e2; j += 2 * L) {
                s0 = s0.add(FloatVector.fromArray(S, x, j));
                s1 = s1.add(FloatVector.fromArray(S, x, j + L));
            }
            float t = hsum(s0.add(s1));
            for (; j < off + end; j++) {
                t += x[j];
            }
            total += t;
            i = end;
        }
        return total;
    }

    @Override
    public void centeredSums(float[] x, int off, int n, float shift, double[] out) {
        FloatVector sh = FloatVector.broadcast(S, shift);
        double t1 = 0, t2 = 0;
        int i = 0;
        while (i < n) {
            int end = Math.min(n, i + 4096);
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
            FloatVector q0 = FloatVector.zero(S), q1 = FloatVector.zero(S);
            int j = off + i;
            int e2 = off + i + (end - i) / (2 * L) * (2 * L);
            for (; j < e2; j += 2 * L) {
                FloatVector d0 = FloatVector.fromArray(S, x, j).sub(sh);
                FloatVector d1 = FloatVector.fromArray(S, x, j + L).sub(sh);
                s0 = s0.add(d0);
                s1 = s1.add(d1);
                q0 = d0.fma(d0, q0);
                q1 = d1.fma(d1, q1);
            }
            float a = hsum(s0.add(s1)), b = hsum(q0.add(q1));
            for (; j < off + end; j++) {
                float d = x[j] - shift;
                a += d;
                b = Math.fma(d, d, b);
            }
            t1 += a;
            t2 += b;
            i = end;
        }
        out[0] = t1;
        out[1] = t2;
    }

    @Override
    public void normalize(float[] x, float[] y, int off, int n, float shift, float scale, float bias) {
        FloatVector sh = FloatVector.broadcast(S, shift), a = FloatVector.broadcast(S, scale);
        FloatVector b = FloatVector.broadcast(S, bias);
        int end = off + n;
        int i = off;
        for (; i + 2 * L <= end; i += 2 * L) {
            FloatVector.fromArray(S, x, i).sub(sh).fma(a, b).intoArray(y, i);
            FloatVector.fromArray(S, x, i + L).sub(sh).fma(a, b).intoArray(y, i + L);
        }
        for (; i < end; i++) {
            y[i] = Math.fma(x[i] - shift, scale, bias);
        }
    }

    @Override
    public void sumAndDot(float[] dy, float[] x, int off, int n, float shift, double[] out) {
        FloatVector sh = FloatVector.broadcast(S, shift);
        double t1 = 0, t2 = 0;
        int i = 0;
        while (i < n) {
            int end = Math.min(n, i + 4096);
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
            FloatVector q0 = FloatVector.zero(S), q1 = FloatVector.zero(S);
            int j = off + i;
            int e2 = off + i + (end - i) / (2 * L) * (2 * L);
            for (; j < e2; j += 2 * L) {
                FloatVector g0 = FloatVector.fromArray(S, dy, j), g1 = FloatVector.fromArray(S, dy, j + L);
                s0 = s0.add(g0);
                s1 = s1.add(g1);
                q0 = g0.fma(FloatVector.fromArray(S, x, j).sub(sh), q0);
                q1 = g1.fma(FloatVector.fromArray(S, x, j + L).sub(sh), q1);
            }
            float a = hsum(s0.add(s1)), b = hsum(q0.add(q1));
            for (; j < off + end; j++) {
                a += dy[j];
                b = Math.fma(dy[j], x[j] - shift, b);
            }
            t1 += a;
            t2 += b;
            i = end;
        }
        out[0] = t1;
        out[1] = t2;
    }

    @Override
    public void normalizeBackward(float[] dy, float[] x, float[] dx, int off, int n, float shift, float a, float b,
                                  float c) {
        FloatVector sh = FloatVector.broadcast(S, shift), av = FloatVector.broadcast(S, a);
        FloatVector bv = FloatVector.broadcast(S, b), cv = FloatVector.broadcast(S, c);
        int end = off + n;
        int i = off;
        for (; i + L <= end; i += L) {
            FloatVector t = FloatVector.fromArray(S, x, i).sub(sh).fma(bv, cv);
            FloatVector.fromArray(S, dy, i).fma(av, t).intoArray(dx, i);
        }
        for (; i < end; i++) {
            dx[i] = Math.fma(a, dy[i], Math.fma(b, x[i] - shift, c));
        }
    }
}
