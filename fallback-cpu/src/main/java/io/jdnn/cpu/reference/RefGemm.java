package io.jdnn.cpu.reference;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A float64 matrix product in which every output is one sequential sum, computed in blocks:
 * {@code out(o, j) = init(o) + a(0, o) * b(0, j) + a(1, o) * b(1, j) + ...}, the terms added one
 * at a time in the order of t, each step the plain double {@code sum += a * b} (no fused
 * multiply-add, no reassociation). Blocking changes only the memory traversal: terms are gathered
 * into panels of up to {@value #TERMS} terms by {@value #ROWS} rows and by {@value #COLS} columns,
 * a 4x4 tile of sums walks each pair of panels term by term, and an output's partial sum waits in
 * its block between panels. So each output is bitwise the sum a loop over t would give.
 *
 * <p>Blocks are independent, so they run in parallel (the common fork-join pool) when the product
 * is large enough to pay for it; each block writes its own outputs, so the result does not depend
 * on the thread count.
 */
final class RefGemm {
    /** Rows (outputs sharing a column of b) per block. */
    static final int ROWS = 32;
    /** Columns (outputs sharing a row of a) per block. */
    static final int COLS = 64;
    /** Terms per panel. */
    static final int TERMS = 256;
    /** Multiply-adds below which a product runs on the calling thread. */
    private static final long PARALLEL_WORK = 1L << 20;

    /** One product: its extents, how its operands are gathered and where its outputs go. */
    interface Product {
        /** Output rows o. */
        int rows();

        /** Output columns j. */
        int cols();

        /** Terms t of every output's sum. */
        int terms();

        /** The value every sum of row {@code o} starts from. */
        double init(int o);

        /** {@code a[(t - t0) * stride + (o - o0)] = a(t, o)} for t in [t0, t1), o in [o0, o1). */
        void gatherA(int t0, int t1, int o0, int o1, double[] a, int stride);

        /** {@code b[(t - t0) * stride + (j - j0)] = b(t, j)} for t in [t0, t1), j in [j0, j1). */
        void gatherB(int t0, int t1, int j0, int j1, double[] b, int stride);

        /** Writes the finished output (o, j). */
        void store(int o, int j, double value);
    }

    /** One block: rows [o0, o0 + ROWS) and columns [j0, j0 + COLS) of a product, clipped to it. */
    private record Block(Product product, int o0, int j0) {
    }

    /** Per-thread panels and sums. */
    private static final class Scratch {
        final double[] a = new double[TERMS * ROWS];
        final double[] b = new double[TERMS * COLS];
        final double[] sums = new double[ROWS * COLS];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private RefGemm() {
    }

    /** Computes every output of every product. */
    static void run(List<? extends Product> products) {
        List<Block> blocks = new ArrayList<>();
        long work = 0;
        for (Product p : products) {
            for (int o0 = 0; o0 < p.rows(); o0 += ROWS) {
                for (int j0 = 0; j0 < p.cols(); j0 += COLS) {
                    blocks.add(new Block(p, o0, j0));
                }
            }
            work += (long) p.rows() * p.cols() * p.terms();
        }
        IntStream tasks = IntStream.range(0, blocks.size());
        if (work >= PARALLEL_WORK) {
            tasks = tasks.parallel();
        }
        tasks.forEach(i -> compute(blocks.get(i), SCRATCH.get()));
    }

    private static void compute(Block block, Scratch s) {
        Product p = block.product();
        int rows = Math.min(ROWS, p.rows() - block.o0());
        int cols = Math.min(COLS, p.cols() - block.j0());
        // Tiles are 4x4: rows and columns past the block's own are computed from zeros and dropped.
        int rowStride = (rows + 3) & ~3;
        int colStride = (cols + 3) & ~3;
        for (int o = 0; o < rowStride; o++) {
            double init = o < rows ? p.init(block.o0() + o) : 0;
            for (int j = 0; j < colStride; j++) {
                s.sums[o * colStride + j] = init;
            }
        }
        for (int t0 = 0; t0 < p.terms(); t0 += TERMS) {
            int t1 = Math.min(p.terms(), t0 + TERMS);
            p.gatherA(t0, t1, block.o0(), block.o0() + rows, s.a, rowStride);
            p.gatherB(t0, t1, block.j0(), block.j0() + cols, s.b, colStride);
            for (int t = 0; t < t1 - t0; t++) {
                for (int o = rows; o < rowStride; o++) {
                    s.a[t * rowStride + o] = 0;
                }
                for (int j = cols; j < colStride; j++) {
                    s.b[t * colStride + j] = 0;
                }
            }
            accumulate(s.a, s.b, s.sums, t1 - t0, rowStride, colStride);
        }
        for (int o = 0; o < rows; o++) {
            for (int j = 0; j < cols; j++) {
                p.store(block.o0() + o, block.j0() + j, s.sums[o * colStride + j]);
            }
        }
    }

    /**
     * {@code sums[o][j] += a[t][o] * b[t][j]} for t = 0, 1, ... terms - 1 in that order, for every o
     * and j, 4x4 sums at a time held in locals.
     */
    static void accumulate(double[] a, double[] b, double[] sums, int terms, int rowStride, int colStride) {
        for (int o = 0; o < rowStride; o += 4) {
            for (int j = 0; j < colStride; j += 4) {
                int c0 = o * colStride + j;
                int c1 = c0 + colStride;
                int c2 = c1 + colStride;
                int c3 = c2 + colStride;
                double s00 = sums[c0], s01 = sums[c0 + 1], s02 = sums[c0 + 2], s03 = sums[c0 + 3];
                double s10 = sums[c1], s11 = sums[c1 + 1], s12 = sums[c1 + 2], s13 = sums[c1 + 3];
                double s20 = sums[c2], s21 = sums[c2 + 1], s22 = sums[c2 + 2], s23 = sums[c2 + 3];
                double s30 = sums[c3], s31 = sums[c3 + 1], s32 = sums[c3 + 2], s33 = sums[c3 + 3];
                for (int t = 0, ai = o, bi = j; t < terms; t++, ai += rowStride, bi += colStride) {
                    double a0 = a[ai], a1 = a[ai + 1], a2 = a[ai + 2], a3 = a[ai + 3];
                    double b0 = b[bi], b1 = b[bi + 1], b2 = b[bi + 2], b3 = b[bi + 3];
                    s00 += a0 * b0;
                    s01 += a0 * b1;
                    s02 += a0 * b2;
                    s03 += a0 * b3;
                    s10 += a1 * b0;
                    s11 += a1 * b1;
                    s12 += a1 * b2;
                    s13 += a1 * b3;
                    s20 += a2 * b0;
                    s21 += a2 * b1;
                    s22 += a2 * b2;
                    s23 += a2 * b3;
                    s30 += a3 * b0;
                    s31 += a3 * b1;
                    s32 += a3 * b2;
                    s33 += a3 * b3;
                }
                sums[c0] = s00;
                sums[c0 + 1] = s01;
                sums[c0 + 2] = s02;
                sums[c0 + 3] = s03;
                sums[c1] = s10;
                sums[c1 + 1] = s11;
                sums[c1 + 2] = s12;
                sums[c1 + 3] = s13;
                sums[c2] = s20;
                sums[c2 + 1] = s21;
                sums[c2 + 2] = s22;
                sums[c2 + 3] = s23;
                sums[c3] = s30;
                sums[c3 + 1] = s31;
                sums[c3 + 2] = s32;
                sums[c3 + 3] = s33;
            }
        }
    }
}
