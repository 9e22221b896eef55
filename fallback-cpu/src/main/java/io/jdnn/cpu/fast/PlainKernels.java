package io.jdnn.cpu.fast;

/**
 * The kernels in plain Java for HotSpot's auto-vectorizer (SuperWord), which on JDK 17 vectorizes
 * a loop only when every array access in it uses the same index expression and the loop stores to
 * one array: hence the GEMM works on separate row arrays and updates one C row per loop, four
 * reduction steps at a time.
 */
final class PlainKernels implements Kernels {

    @Override
    public String name() {
        return "plain";
    }

    @Override
    public void gemm(int m, int n, int kc, float[] a, int aOff, int lda, float[][] b, int bRow, float[][] c, int cRow,
                     boolean accumulate) {
        int k4 = kc & ~3;
        for (int i = 0; i < m; i++) {
            float[] ci = c[cRow + i];
            if (!accumulate) {
                java.util.Arrays.fill(ci, 0, n, 0f);
            }
            int ai = aOff + i * lda;
            int k = 0;
            for (; k < k4; k += 4) {
                row4(n, a[ai + k], a[ai + k + 1], a[ai + k + 2], a[ai + k + 3],
                        b[bRow + k], b[bRow + k + 1], b[bRow + k + 2], b[bRow + k + 3], ci);
            }
            for (; k < kc; k++) {
                row1(n, a[ai + k], b[bRow + k], ci);
            }
        }
    }

    private static void row4(int n, float a0, float a1, float a2, float a3, float[] b0, float[] b1, float[] b2,
                             float[] b3, float[] c) {
        for (int j = 0; j < n; j++) {
            c[j] = Math.fma(a3, b3[j], Math.fma(a2, b2[j], Math.fma(a1, b1[j], Math.fma(a0, b0[j], c[j]))));
        }
    }

    private static void row1(int n, float a0, float[] b0, float[] c) {
        for (int j = 0; j < n; j++) {
            c[j] = Math.fma(a0, b0[j], c[j]);
        }
    }

    @Override
    public void rowTaps(int n, int taps, int dil, float[] w, int wOff, float[] x, int xOff, float[] acc, float[] tmp) {
        for (int s = 0; s < taps; s++) {
            // A copy to index 0 first: the update loop then indexes both arrays alike and vectorizes.
            System.arraycopy(x, xOff + s * dil, tmp, 0, n);
            axpy(n, w[wOff + s], tmp, acc);
        }
    }

    private static void axpy(int n, float a, float[] x, float[] acc) {
        for (int q = 0; q < n; q++) {
            acc[q] = Math.fma(a, x[q], acc[q]);
        }
    }

    @Override
    public void correlateRow(int n, int rows, int taps, int dil, float[] w, int[] wOffs, float[] x, int[] xOffs,
                             float[] out, int outOff, boolean accumulate, float bias, float[][] tmp) {
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

    @Override
    public void windowMaxRow(float[] row, int window, int stride, float[] out, int outOff, int ow) {
        MaxPooling.windowMax(row, window, stride, out, outOff, 0, ow);
    }

    @Override
    public void columnMax(float[] x, int off, int stride, int rows, int n, float[] out, int outOff) {
        System.arraycopy(x, off, out, outOff, n);
        for (int r = 1; r < rows; r++) {
            int o = off + r * stride;
            for (int j = 0; j < n; j++) {
                out[outOff + j] = Math.max(out[outOff + j], x[o + j]);
            }
        }
    }

    @Override
    public int maxPicks(float[] x, int off, int rowStride, int rows, int window, int stride, float[] maxima, int mOff,
                        int n, float[] at, int atOff) {
        return 0; // Pooling's scalar search is this kernel set's
    }

    @Override
    public int max2x2BackwardRow(float[] x, int r0, int r1, float[] dy, int g0, float[] dx, int n) {
        return 0; // Pooling's scalar loop is this kernel set's
    }

    @Override
    public void axpy(int n, float a, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = Math.fma(a, x[xOff + i], y[yOff + i]);
        }
    }

    @Override
    public float dot(int n, float[] a, int aOff, float[] b, int bOff) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 = Math.fma(a[aOff + i], b[bOff + i], s0);
            s1 = Math.fma(a[aOff + i + 1], b[bOff + i + 1], s1);
            s2 = Math.fma(a[aOff + i + 2], b[bOff + i + 2], s2);
            s3 = Math.fma(a[aOff + i + 3], b[bOff + i + 3], s3);
        }
        for (; i < n; i++) {
            s0 = Math.fma(a[aOff + i], b[bOff + i], s0);
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public float dotRows(int rows, int n, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride) {
        float total = 0f;
        for (int i = 0; i < rows; i++) {
            total += dot(n, a, aOff + i * aStride, b, bOff + i * bStride);
        }
        return total;
    }

    @Override
    public double sum(float[] x, int off, int n) {
        double total = 0;
        int i = 0;
        // Blocks of 1024 summed in 8 float lanes, blocks combined in double: error about log2 terms.
        while (i < n) {
            int end = Math.min(n, i + 1024);
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
            int j = off + i;
            int e8 = off + i + ((end - i) & ~7);
            for (; j < e8; j += 8) {
                s0 += x[j];
                s1 += x[j + 1];
                s2 += x[j + 2];
                s3 += x[j + 3];
                s4 += x[j + 4];
                s5 += x[j + 5];
                s6 += x[j + 6];
                s7 += x[j + 7];
            }
            for (; j < off + end; j++) {
                s0 += x[j];
            }
            total += (double) ((s0 + s1) + (s2 + s3)) + (double) ((s4 + s5) + (s6 + s7));
            i = end;
        }
        return total;
    }

    @Override
    public void centeredSums(float[] x, int off, int n, float shift, double[] out) {
        double t1 = 0, t2 = 0;
        int i = 0;
        while (i < n) {
            int end = Math.min(n, i + 1024);
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
            int j = off + i;
            int e4 = off + i + ((end - i) & ~3);
            for (; j < e4; j += 4) {
                float d0 = x[j] - shift, d1 = x[j + 1] - shift, d2 = x[j + 2] - shift, d3 = x[j + 3] - shift;
                s0 += d0;
                s1 += d1;
                s2 += d2;
                s3 += d3;
                q0 = Math.fma(d0, d0, q0);
                q1 = Math.fma(d1, d1, q1);
                q2 = Math.fma(d2, d2, q2);
                q3 = Math.fma(d3, d3, q3);
            }
            for (; j < off + end; j++) {
                float d = x[j] - shift;
                s0 += d;
                q0 = Math.fma(d, d, q0);
            }
            t1 += (double) ((s0 + s1) + (s2 + s3));
            t2 += (double) ((q0 + q1) + (q2 + q3));
            i = end;
        }
        out[0] = t1;
        out[1] = t2;
    }

    @Override
    public void normalize(float[] x, float[] y, int off, int n, float shift, float scale, float bias) {
        for (int i = off; i < off + n; i++) {
            y[i] = Math.fma(x[i] - shift, scale, bias);
        }
    }

    @Override
    public void sumAndDot(float[] dy, float[] x, int off, int n, float shift, double[] out) {
        double t1 = 0, t2 = 0;
        int i = 0;
        while (i < n) {
            int end = Math.min(n, i + 1024);
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
            int j = off + i;
            int e4 = off + i + ((end - i) & ~3);
            for (; j < e4; j += 4) {
                float g0 = dy[j], g1 = dy[j + 1], g2 = dy[j + 2], g3 = dy[j + 3];
                s0 += g0;
                s1 += g1;
                s2 += g2;
                s3 += g3;
                q0 = Math.fma(g0, x[j] - shift, q0);
                q1 = Math.fma(g1, x[j + 1] - shift, q1);
                q2 = Math.fma(g2, x[j + 2] - shift, q2);
                q3 = Math.fma(g3, x[j + 3] - shift, q3);
            }
            for (; j < off + end; j++) {
                s0 += dy[j];
                q0 = Math.fma(dy[j], x[j] - shift, q0);
            }
            t1 += (double) ((s0 + s1) + (s2 + s3));
            t2 += (double) ((q0 + q1) + (q2 + q3));
            i = end;
        }
        out[0] = t1;
        out[1] = t2;
    }

    @Override
    public void normalizeBackward(float[] dy, float[] x, float[] dx, int off, int n, float shift, float a, float b,
                                  float c) {
        for (int i = off; i < off + n; i++) {
            dx[i] = Math.fma(a, dy[i], Math.fma(b, x[i] - shift, c));
        }
    }
}
