package io.jdnn.kernels;

import io.jdnn.MatMulProblem;
import io.jdnn.spi.Buffer;

/**
 * torch.matmul with broadcasting batch dimensions ({@link MatMulProblem}) on a {@link KernelDevice}:
 * launches of the batched {@link Gemm} of gemm.cl over batch offsets. Where b holds a single
 * matrix, a's matrices stack into one (batch*M x K) operand: one launch per pass. Otherwise the
 * output matrices are walked as (outer, inner) with inner the last batch dimension: one launch per
 * outer index, batched over inner with stride 0 for an operand broadcast there (the kernel takes
 * one stride per operand, so broadcasting in the other batch dimensions needs the loop).
 * Gradients of a broadcast operand accumulate launch after launch with beta = 1 in a fixed order
 * (no atomics); a launch never holds two output matrices that add into the same gradient matrix.
 * Limits: as {@link Linear}'s, M (batch*M where a stack is one operand) within CUDA's grid y
 * extent of 65535 tiles.
 */
final class MatMul {
    private MatMul() {
    }

    /** The most matrices one launch takes: CUDA's grid z extent. */
    private static final int MAX_BATCH = CudaLimits.MAX_GRID_YZ;

    static void forward(KernelDevice device, MatMulProblem p, Buffer a, Buffer b, Buffer y) {
        int m = p.m();
        int n = p.n();
        int k = p.k();
        String problem = p.toString();
        if (p.bBatchCount() == 1) {
            Gemm.of(Math.toIntExact(p.batchCount() * m), n, k)
                    .a(a, 0, k, false).b(b, 0, n, false).c(y, 0, n)
                    .run(device, "matmul", problem);
            return;
        }
        Walk w = new Walk(p);
        for (long o0 = 0; o0 < p.batchCount(); o0 += w.inner) {
            for (int l0 = 0; l0 < w.inner; l0 += MAX_BATCH) {
                long o = o0 + l0;
                Gemm.of(m, n, k)
                        .a(a, p.aMatrix(o) * m * k, k, false)
                        .b(b, p.bMatrix(o) * k * n, n, false)
                        .c(y, o * m * n, n)
                        .batch(Math.min(MAX_BATCH, w.inner - l0), w.aStride * m * k, w.bStride * k * n, (long) m * n)
                        .run(device, "matmul", problem);
            }
        }
    }

    static void backward(KernelDevice device, MatMulProblem p, Buffer a, Buffer b, Buffer dy, Buffer da, Buffer db) {
        int m = p.m();
        int n = p.n();
        int k = p.k();
        String problem = p.toString();
        if (p.bBatchCount() == 1) {
            int rows = Math.toIntExact(p.batchCount() * m);
            if (da != null) {
                // da (rows x K) = dy (rows x N) b^T: op(B) = b^T reads b[j*N + l]
                Gemm.of(rows, k, n).a(dy, 0, n, false).b(b, 0, n, true).c(da, 0, k)
                        .run(device, "matmulBackward", problem);
            }
            if (db != null) {
                // db (K x N) = a^T (K x rows) dy (rows x N): op(A) = a^T reads a[l*K + i]
                Gemm.of(k, n, rows).a(a, 0, k, true).b(dy, 0, n, false).c(db, 0, n)
                        .run(device, "matmulBackward", problem);
            }
            return;
        }
        Walk w = new Walk(p);
        boolean[] aSeen = new boolean[Math.toIntExact(p.aBatchCount())];
        boolean[] bSeen = new boolean[Math.toIntExact(p.bBatchCount())];
        for (long o0 = 0; o0 < p.batchCount(); o0 += w.inner) {
            // One launch per run of output matrices whose gradient matrices are all distinct.
            int daRun = w.aStride == 0 ? 1 : Math.min(MAX_BATCH, w.inner);
            int dbRun = w.bStride == 0 ? 1 : Math.min(MAX_BATCH, w.inner);
            for (int l0 = 0; da != null && l0 < w.inner; l0 += daRun) {
                long o = o0 + l0;
                int count = Math.min(daRun, w.inner - l0);
                int ai = (int) p.aMatrix(o);
                // da_a(o) (M x K) (+)= dy_o (M x N) b_b(o)^T
                Gemm.of(m, k, n)
                        .a(dy, o * m * n, n, false)
                        .b(b, p.bMatrix(o) * k * n, n, true)
                        .c(da, (long) ai * m * k, k)
                        .beta(aSeen[ai] ? 1f : 0f)
                        .batch(count, (long) m * n, w.bStride * k * n, w.aStride * m * k)
                        .run(device, "matmulBackward", problem);
                for (int l = 0; l < count; l++) {
                    aSeen[(int) p.aMatrix(o + l)] = true;
                }
            }
            for (int l0 = 0; db != null && l0 < w.inner; l0 += dbRun) {
                long o = o0 + l0;
                int count = Math.min(dbRun, w.inner - l0);
                int bi = (int) p.bMatrix(o);
                // db_b(o) (K x N) (+)= a_a(o)^T (K x M) dy_o (M x N)
                Gemm.of(k, n, m)
                        .a(a, p.aMatrix(o) * m * k, k, true)
                        .b(dy, o * m * n, n, false)
                        .c(db, (long) bi * k * n, n)
                        .beta(bSeen[bi] ? 1f : 0f)
                        .batch(count, w.aStride * m * k, (long) m * n, w.bStride * k * n)
                        .run(device, "matmulBackward", problem);
                for (int l = 0; l < count; l++) {
                    bSeen[(int) p.bMatrix(o + l)] = true;
                }
            }
        }
    }

    /** The output matrices as (outer, inner), inner the last batch dimension, and each operand's matrix stride along it. */
    private static final class Walk {
        final int inner;
        final long aStride;
        final long bStride;

        Walk(MatMulProblem p) {
            int[] out = p.batchDims();
            int last = out.length - 1;
            inner = last < 0 ? 1 : out[last];
            aStride = last < 0 || p.paddedBatchA()[last] == 1 ? 0 : 1;
            bStride = last < 0 || p.paddedBatchB()[last] == 1 ? 0 : 1;
        }
    }
}
