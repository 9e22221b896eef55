package io.jdnn.cpu.fast;

/**
 * Blocked, packed single-precision GEMM on row-major matrices:
 * {@code C (m x n) = op(A) (m x k) op(B) (k x n) (+ bias per column)}, op = identity or transpose.
 * The output is split into (MC x NC) blocks, one task each; a task walks the reduction in KC
 * chunks in a fixed order, packs the B chunk into row arrays and (when transposed) the A chunk
 * into a row-major block, and runs the kernel on a C tile held in row arrays: each element's
 * summation order is fixed, whatever the threads do.
 */
final class Gemm {
    private Gemm() {
    }

    static final int MC = 96;
    static final int NC = 256;
    static final int KC = 256;
    /** Up to this many rows of A, C = A B^T runs as dot products ({@link #dots}). */
    static final int DOT_ROWS = 4;
    /** Columns of C per task of {@link #dots}. */
    private static final int DOT_COLUMNS = 64;

    /**
     * @param transA A stored (k x m) when true, (m x k) otherwise
     * @param transB B stored (n x k) when true, (k x n) otherwise
     * @param bias   added to every row of C (length n), or null
     */
    static void multiply(CpuDevice dev, int m, int n, int k, float[] a, boolean transA, float[] b, boolean transB,
                         float[] bias, float[] c) {
        if (m <= DOT_ROWS && !transA && transB) {
            dots(dev, m, n, k, a, b, bias, c);
            return;
        }
        Kernels kern = dev.kernels();
        int nc = Math.min(NC, Workspace.padTile(n));
        int mc = Math.min(MC, m);
        int mBlocks = (m + mc - 1) / mc, nBlocks = (n + nc - 1) / nc;
        dev.parallel().forEach(mBlocks * nBlocks, (task, worker) -> {
            int i0 = (task / nBlocks) * mc, j0 = (task % nBlocks) * nc;
            int mi = Math.min(mc, m - i0), nj = Math.min(nc, n - j0);
            Workspace ws = dev.workspace(worker);
            float[][] ct = ws.rowsC(mi, nc);
            float[][] bt = ws.rowsB(Math.min(KC, k), nc);
            if (bias != null) {
                for (int i = 0; i < mi; i++) {
                    System.arraycopy(bias, j0, ct[i], 0, nj);
                }
            }
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                for (int kk = 0; kk < kc; kk++) {
                    float[] row = bt[kk];
                    if (transB) {
                        for (int j = 0; j < nj; j++) {
                            row[j] = b[(j0 + j) * k + k0 + kk];
                        }
                    } else {
                        System.arraycopy(b, (k0 + kk) * n + j0, row, 0, nj);
                    }
                }
                float[] ap;
                int aOff, lda;
                if (transA) {
                    ap = ws.flatA(mi * kc);
                    for (int i = 0; i < mi; i++) {
                        for (int kk = 0; kk < kc; kk++) {
                            ap[i * kc + kk] = a[(k0 + kk) * m + i0 + i];
                        }
                    }
                    aOff = 0;
                    lda = kc;
                } else {
                    ap = a;
                    aOff = i0 * k + k0;
                    lda = k;
                }
                kern.gemm(mi, nj, kc, ap, aOff, lda, bt, 0, ct, 0, bias != null || k0 > 0);
            }
            for (int i = 0; i < mi; i++) {
                System.arraycopy(ct[i], 0, c, (i0 + i) * n + j0, nj);
            }
        });
    }

    /**
     * C = A B^T (+ bias) for a few rows of A (a linear layer at batch 1 to {@link #DOT_ROWS}): each
     * element is a dot product of a row of A and a row of B, both contiguous, so B (the weights) is
     * read once in place instead of being packed on every call. Each element is the same chain of
     * fused multiply-adds from the bias (or zero) over k in order as the kernels' path computes,
     * so the results are the same bits. Four columns at a time keep four independent chains.
     */
    private static void dots(CpuDevice dev, int m, int n, int k, float[] a, float[] b, float[] bias, float[] c) {
        int blocks = (n + DOT_COLUMNS - 1) / DOT_COLUMNS;
        dev.parallel().forEach(m * blocks, (task, worker) -> {
            int i = task / blocks;
            int j0 = (task % blocks) * DOT_COLUMNS, j1 = Math.min(n, j0 + DOT_COLUMNS);
            int ai = i * k;
            int j = j0;
            for (; j + 4 <= j1; j += 4) {
                int b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
                float c0 = bias == null ? 0f : bias[j], c1 = bias == null ? 0f : bias[j + 1];
                float c2 = bias == null ? 0f : bias[j + 2], c3 = bias == null ? 0f : bias[j + 3];
                for (int kk = 0; kk < k; kk++) {
                    float av = a[ai + kk];
                    c0 = Math.fma(av, b[b0 + kk], c0);
                    c1 = Math.fma(av, b[b1 + kk], c1);
                    c2 = Math.fma(av, b[b2 + kk], c2);
                    c3 = Math.fma(av, b[b3 + kk], c3);
                }
                c[i * n + j] = c0;
                c[i * n + j + 1] = c1;
                c[i * n + j + 2] = c2;
                c[i * n + j + 3] = c3;
            }
            for (; j < j1; j++) {
                int bj = j * k;
                float cj = bias == null ? 0f : bias[j];
                for (int kk = 0; kk < k; kk++) {
                    cj = Math.fma(a[ai + kk], b[bj + kk], cj);
                }
                c[i * n + j] = cj;
            }
        });
    }
}
