package io.jdnn.cpu.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The Vector API GEMM micro-kernel at {@link VectorWidth}'s width: an MR x NR register tile
 * (NR = two vectors, 16 columns at 256 bits, 32 at 512) held across the whole reduction. B is
 * repacked into contiguous NR-column panels and read as two vectors per reduction step, A as MR
 * broadcast scalars. Each C element is one chain of fmas in reduction order, so the result does
 * not depend on the width or the tiling.
 */
final class VectorGemm {
    private VectorGemm() {
    }

    private static final VectorSpecies<Float> S = VectorWidth.S;
    private static final int L = VectorWidth.L;
    /** Columns of the register tile and of a packed B panel. */
    static final int NR = 2 * L;
    /**
     * Rows of the register tile: 2 x MR accumulators, 2 B vectors and a broadcast fit AVX2's 16
     * vector registers. (An 8-row tile for AVX-512's 32 registers measured slower here: 88 against
     * 99 GFLOP/s on one thread, JDK 17.)
     */
    static final int MR = 6;

    /** Per-thread packed copy of the B block: panels of NR columns, each (kc x NR) contiguous. */
    private static final ThreadLocal<float[][]> PACK = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    /** See {@link Kernels#gemm}; rows of b and c hold at least {@link Workspace#padTile}(n) floats. */
    static void gemm(int m, int n, int kc, float[] a, int aOff, int lda, float[][] b, int bRow, float[][] c, int cRow,
                     boolean accumulate) {
        int np = Workspace.padTile(n);
        float[][] holder = PACK.get();
        float[] bp = holder[0];
        if (bp.length < kc * np) {
            bp = new float[kc * np];
            holder[0] = bp;
        }
        // Repack B so that the tile loop streams one contiguous panel (measured: about twice the
        // rate of reading the row arrays directly, whose per-row loads and checks break the loop).
        for (int k = 0; k < kc; k++) {
            float[] row = b[bRow + k];
            for (int j = 0; j < np; j += NR) {
                int o = j * kc + k * NR;
                FloatVector.fromArray(S, row, j).intoArray(bp, o);
                FloatVector.fromArray(S, row, j + L).intoArray(bp, o + L);
            }
        }
        gemmPacked(m, n, kc, a, aOff, lda, bp, 0, c, cRow, accumulate);
    }

    /** See {@link Kernels#packSlices}: whole panels by vector copies, the last partial one element by element. */
    static void packSlices(float[] src, int[] start, int s0, int base, int kc, int n, float[] bp, int bOff) {
        int full = n - n % NR;
        int np = Workspace.padTile(n);
        for (int k = 0; k < kc; k++) {
            int from = base + start[s0 + k];
            int j = 0;
            for (; j < full; j += NR) {
                int o = bOff + j * kc + k * NR;
                FloatVector.fromArray(S, src, from + j).intoArray(bp, o);
                FloatVector.fromArray(S, src, from + j + L).intoArray(bp, o + L);
            }
            for (; j < np; j += NR) {
                int o = bOff + j * kc + k * NR;
                int m = Math.min(NR, n - j);
                for (int e = 0; e < m; e++) {
                    bp[o + e] = src[from + j + e];
                }
                Arrays.fill(bp, o + Math.max(m, 0), o + NR, 0f);
            }
        }
    }

    /** See {@link Kernels#gemmPacked}: B already in NR-column panels. */
    static void gemmPacked(int m, int n, int kc, float[] a, int aOff, int lda, float[] bp, int bOff, float[][] c,
                           int cRow, boolean accumulate) {
        int np = Workspace.padTile(n);
        if (!accumulate) {
            // Zeroed rows rather than zero accumulators: a vector that is either loaded or a
            // constant would merge two kinds of values, which keeps C2 from keeping it in registers.
            for (int i = 0; i < m; i++) {
                Arrays.fill(c[cRow + i], 0, np, 0f);
            }
        }
        // m = 6q + 2 (128, 512) ends in two 4-row tiles rather than a 6-row tile and two single rows
        // (a single row is two fma chains, latency-bound)
        int m6 = m % MR == 2 && m >= 8 ? m - 8 : m - m % MR;
        for (int j = 0; j < np; j += NR) {
            int pb = bOff + j * kc;
            int i = 0;
            for (; i < m6; i += MR) {
                tile6(kc, a, aOff + i * lda, lda, bp, pb, c, cRow + i, j);
            }
            if (m - i >= 8) {
                tile4(kc, a, aOff + i * lda, lda, bp, pb, c, cRow + i, j);
                i += 4;
            }
            if (m - i >= 4) {
                tile4(kc, a, aOff + i * lda, lda, bp, pb, c, cRow + i, j);
                i += 4;
            }
            for (; i < m; i++) {
                tile1(kc, a, aOff + i * lda, bp, pb, c[cRow + i], j);
            }
        }
    }

    private static void tile6(int kc, float[] a, int ai, int lda, float[] b, int pb, float[][] c, int ci, int j) {
        float[] r0 = c[ci], r1 = c[ci + 1], r2 = c[ci + 2], r3 = c[ci + 3], r4 = c[ci + 4], r5 = c[ci + 5];
        FloatVector c00 = FloatVector.fromArray(S, r0, j), c01 = FloatVector.fromArray(S, r0, j + L);
        FloatVector c10 = FloatVector.fromArray(S, r1, j), c11 = FloatVector.fromArray(S, r1, j + L);
        FloatVector c20 = FloatVector.fromArray(S, r2, j), c21 = FloatVector.fromArray(S, r2, j + L);
        FloatVector c30 = FloatVector.fromArray(S, r3, j), c31 = FloatVector.fromArray(S, r3, j + L);
        FloatVector c40 = FloatVector.fromArray(S, r4, j), c41 = FloatVector.fromArray(S, r4, j + L);
        FloatVector c50 = FloatVector.fromArray(S, r5, j), c51 = FloatVector.fromArray(S, r5, j + L);
        int a0 = ai, a1 = ai + lda, a2 = ai + 2 * lda, a3 = ai + 3 * lda, a4 = ai + 4 * lda, a5 = ai + 5 * lda;
        for (int k = 0, bi = pb; k < kc; k++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector av = FloatVector.broadcast(S, a[a0 + k]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[a1 + k]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[a2 + k]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[a3 + k]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[a4 + k]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[a5 + k]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        c00.intoArray(r0, j);
        c01.intoArray(r0, j + L);
        c10.intoArray(r1, j);
        c11.intoArray(r1, j + L);
        c20.intoArray(r2, j);
        c21.intoArray(r2, j + L);
        c30.intoArray(r3, j);
        c31.intoArray(r3, j + L);
        c40.intoArray(r4, j);
        c41.intoArray(r4, j + L);
        c50.intoArray(r5, j);
        c51.intoArray(r5, j + L);
    }

    private static void tile4(int kc, float[] a, int ai, int lda, float[] b, int pb, float[][] c, int ci, int j) {
        float[] r0 = c[ci], r1 = c[ci + 1], r2 = c[ci + 2], r3 = c[ci + 3];
        FloatVector c00 = FloatVector.fromArray(S, r0, j), c01 = FloatVector.fromArray(S, r0, j + L);
        FloatVector c10 = FloatVector.fromArray(S, r1, j), c11 = FloatVector.fromArray(S, r1, j + L);
        FloatVector c20 = FloatVector.fromArray(S, r2, j), c21 = FloatVector.fromArray(S, r2, j + L);
        FloatVector c30 = FloatVector.fromArray(S, r3, j), c31 = FloatVector.fromArray(S, r3, j + L);
        int a0 = ai, a1 = ai + lda, a2 = ai + 2 * lda, a3 = ai + 3 * lda;
        for (int k = 0, bi = pb; k < kc; k++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector av = FloatVector.broadcast(S, a[a0 + k]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[a1 + k]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[a2 + k]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[a3 + k]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
        }
        c00.intoArray(r0, j);
        c01.intoArray(r0, j + L);
        c10.intoArray(r1, j);
        c11.intoArray(r1, j + L);
        c20.intoArray(r2, j);
        c21.intoArray(r2, j + L);
        c30.intoArray(r3, j);
        c31.intoArray(r3, j + L);
    }

    private static void tile1(int kc, float[] a, int ai, float[] b, int pb, float[] r0, int j) {
        FloatVector c00 = FloatVector.fromArray(S, r0, j), c01 = FloatVector.fromArray(S, r0, j + L);
        for (int k = 0, bi = pb; k < kc; k++, bi += NR) {
            FloatVector av = FloatVector.broadcast(S, a[ai + k]);
            c00 = av.fma(FloatVector.fromArray(S, b, bi), c00);
            c01 = av.fma(FloatVector.fromArray(S, b, bi + L), c01);
        }
        c00.intoArray(r0, j);
        c01.intoArray(r0, j + L);
    }
}
