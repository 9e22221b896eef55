package io.jdnn.cpu.fast;

import io.jdnn.MatMulProblem;

/**
 * torch.matmul with broadcasting batch dimensions ({@link MatMulProblem}) on the packed
 * {@link Gemm}, one call per output matrix (each call parallel over its blocks). Where b holds a
 * single matrix, a's matrices stack into one (batch*M x K) operand and each pass is one call.
 * Otherwise each output matrix's operands are copied into contiguous scratch arrays first, and
 * gradients of broadcast operands are summed over the output matrices in increasing order, so
 * every result is bitwise the same for any thread count.
 */
final class MatMul {
    private MatMul() {
    }

    static void forward(CpuDevice dev, MatMulProblem p, float[] a, float[] b, float[] y) {
        int m = p.m();
        int n = p.n();
        int k = p.k();
        if (p.bBatchCount() == 1) {
            Gemm.multiply(dev, Math.toIntExact(p.batchCount() * m), n, k, a, false, b, false, null, y);
            return;
        }
        float[] as = new float[m * k];
        float[] bs = new float[k * n];
        float[] ys = new float[m * n];
        for (long o = 0; o < p.batchCount(); o++) {
            System.arraycopy(a, (int) (p.aMatrix(o) * m * k), as, 0, m * k);
            System.arraycopy(b, (int) (p.bMatrix(o) * k * n), bs, 0, k * n);
            Gemm.multiply(dev, m, n, k, as, false, bs, false, null, ys);
            System.arraycopy(ys, 0, y, (int) (o * m * n), m * n);
        }
    }

    static void backward(CpuDevice dev, MatMulProblem p, float[] a, float[] b, float[] dy, float[] da, float[] db) {
        int m = p.m();
        int n = p.n();
        int k = p.k();
        if (p.bBatchCount() == 1) {
            int rows = Math.toIntExact(p.batchCount() * m);
            if (da != null) {
                // da (rows x K) = dy (rows x N) b^T; b is (K x N), stored as op(B)'s transpose
                Gemm.multiply(dev, rows, k, n, dy, false, b, true, null, da);
            }
            if (db != null) {
                // db (K x N) = a^T dy; a is (rows x K), stored as op(A)'s transpose
                Gemm.multiply(dev, k, n, rows, a, true, dy, false, null, db);
            }
            return;
        }
        float[] as = new float[m * k];
        float[] bs = new float[k * n];
        float[] dys = new float[m * n];
        float[] daPart = da == null ? null : new float[m * k];
        float[] dbPart = db == null ? null : new float[k * n];
        boolean[] aSeen = new boolean[Math.toIntExact(p.aBatchCount())];
        boolean[] bSeen = new boolean[Math.toIntExact(p.bBatchCount())];
        for (long o = 0; o < p.batchCount(); o++) {
            int ai = (int) p.aMatrix(o);
            int bi = (int) p.bMatrix(o);
            System.arraycopy(dy, (int) (o * m * n), dys, 0, m * n);
            if (da != null) {
                System.arraycopy(b, bi * k * n, bs, 0, k * n);
                Gemm.multiply(dev, m, k, n, dys, false, bs, true, null, daPart);
                accumulate(daPart, da, ai * m * k, aSeen[ai]);
                aSeen[ai] = true;
            }
            if (db != null) {
                System.arraycopy(a, ai * m * k, as, 0, m * k);
                Gemm.multiply(dev, k, n, m, as, true, dys, false, null, dbPart);
                accumulate(dbPart, db, bi * k * n, bSeen[bi]);
                bSeen[bi] = true;
            }
        }
    }

    private static void accumulate(float[] part, float[] into, int offset, boolean add) {
        if (!add) {
            System.arraycopy(part, 0, into, offset, part.length);
            return;
        }
        for (int i = 0; i < part.length; i++) {
            into[offset + i] += part[i];
        }
    }
}
