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

    /**
     * @param transA A stored (k x m) when true, (m x k) otherwise
     * @param transB B stored (n x k) when true, (k x n) otherwise
     * @param bias   added to every row of C (length n), or null
     */
    static void multiply(CpuDevice dev, int m, int n, int k, float[] a, boolean transA, float[] b, boolean transB,
                         float[] bias, float[] c) {
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
}
