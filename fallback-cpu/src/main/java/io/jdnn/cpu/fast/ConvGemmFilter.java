package io.jdnn.cpu.fast;

import io.jdnn.DirectConv;

import static io.jdnn.cpu.fast.ConvGemm.KC;
import static io.jdnn.cpu.fast.ConvGemm.MIN_ROWS;

/**
 * IM2COL_GEMM backward-filter for problems with few pixels per image and many response channels
 * (a transposed convolution's backward-filter: DCGAN's 4x4/2 layers see 8x8 pixels and 256
 * channels): dw (k, c*r*s) = dy (k, pixel) x col^T (pixel, c*r*s), dy's rows read in place as the
 * GEMM's A and each task packing col^T for its own block of dw's columns. {@link ConvGemm#backwardFilter}
 * computes dw^T instead, which for these problems moves more data than it computes: a dw-sized
 * transpose per image chunk and a dw-sized partial sum per chunk.
 *
 * <p>Every dw element gets the same float32 arithmetic as there (fma is symmetric in its two
 * factors): per image chunk ({@link ConvGemm#filterChunks}), each panel of KC pixels summed from 0
 * in pixel order, the panels added in order; the chunks added in order. So the two give the same
 * bits, and which one runs is a matter of speed alone.
 */
final class ConvGemmFilter {
    private ConvGemmFilter() {
    }

    /** Columns of dw (image channel x tap) per task: four 32-column panels. */
    static final int COLUMNS = 128;

    /**
     * Whether this path beats {@link ConvGemm#backwardFilter} on d: it transposes the column matrix
     * (c*r*s x pixels per image) where that one transposes dw^T (c*r*s x k per image chunk), so
     * where one chunk's pixels are fewer than the response channels. It needs packed-panel kernels.
     */
    static boolean suits(Kernels kern, DirectConv d) {
        int chunks = ConvGemm.filterChunks(d.n());
        long chunkPixels = (long) (d.n() + chunks - 1) / chunks * d.p() * d.q();
        return kern.panelWidth() > 0 && chunkPixels <= d.kPerGroup();
    }

    /** dw from image x and dy, the same bits as {@link ConvGemm#backwardFilter}; needs {@link #suits}. */
    static void backwardFilter(CpuDevice dev, DirectConv d, float[] image, float[] dy, float[] dw) {
        Kernels kern = dev.kernels();
        int nr = kern.panelWidth();
        int g = d.groups(), cg = d.cPerGroup(), kg = d.kPerGroup();
        int rs = d.r() * d.s(), crs = cg * rs;
        int pq = d.p() * d.q();
        int chunks = ConvGemm.filterChunks(d.n());
        int kcMax = Math.min(KC, pq);
        int colBlocks = (crs + COLUMNS - 1) / COLUMNS;
        int mb = dev.parallel().rowBlock(g * colBlocks, kg, MIN_ROWS, Parallel.TASKS_PER_WORKER);
        int mBlocks = (kg + mb - 1) / mb;
        dev.parallel().forEach(g * colBlocks * mBlocks, (task, worker) -> {
            int k0 = (task % mBlocks) * mb;
            int rows = Math.min(mb, kg - k0);
            int j0 = ((task / mBlocks) % colBlocks) * COLUMNS;
            int cols = Math.min(COLUMNS, crs - j0);
            int gi = task / mBlocks / colBlocks;
            int np = Workspace.padTile(cols);
            Workspace ws = dev.workspace(worker);
            float[][] total = ws.rowsC(rows, np);
            float[][] chunkSum = ws.rowsA(rows, np);
            float[][] panelSum = ws.rowsB(rows, np);
            float[] bp = ws.flatB(kcMax * np);
            for (int ch = 0; ch < chunks; ch++) {
                int nFrom = (int) Parallel.split(d.n(), chunks, ch), nTo = (int) Parallel.split(d.n(), chunks, ch + 1);
                float[][] sum = ch == 0 ? total : chunkSum; // this chunk's sum
                for (int n = nFrom; n < nTo; n++) {
                    for (int p0 = 0; p0 < pq; p0 += KC) {
                        int kc = Math.min(KC, pq - p0);
                        packColumns(d, image, n, gi, j0, cols, np, p0, kc, nr, bp);
                        boolean first = n == nFrom && p0 == 0;
                        int aOff = (int) (((long) n * d.k() + gi * kg + k0) * pq + p0);
                        kern.gemmPacked(rows, cols, kc, dy, aOff, pq, bp, 0, first ? sum : panelSum, 0, false);
                        if (!first) {
                            add(sum, panelSum, rows, cols);
                        }
                    }
                }
                if (ch > 0) {
                    add(total, chunkSum, rows, cols);
                }
            }
            for (int i = 0; i < rows; i++) {
                System.arraycopy(total[i], 0, dw, (gi * kg + k0 + i) * crs + j0, cols);
            }
        });
    }

    /** c[i][j] += s[i][j] for i &lt; rows, j &lt; cols. */
    private static void add(float[][] c, float[][] s, int rows, int cols) {
        for (int i = 0; i < rows; i++) {
            float[] ci = c[i], si = s[i];
            for (int j = 0; j < cols; j++) {
                ci[j] += si[j];
            }
        }
    }

    /**
     * col^T's pixels [p0, p0 + kc) of image n by group gi's columns [j0, j0 + cols) (image channel,
     * tap), packed in panels of nr columns into bp; columns up to np zero. Element by element from
     * the image (a pixel row is a few elements here: copies per segment cost more than they move).
     */
    private static void packColumns(DirectConv d, float[] x, int n, int gi, int j0, int cols, int np, int p0, int kc,
                                    int nr, float[] bp) {
        int rs = d.r() * d.s(), qq = d.q(), hh = d.h(), ww = d.w();
        for (int j = 0; j < cols; j++) {
            int idx = j0 + j;
            int ci = gi * d.cPerGroup() + idx / rs;
            int r = (idx % rs) / d.s();
            int s = idx % d.s();
            long plane = ((long) n * d.c() + ci) * hh * ww;
            long colOff = (long) s * d.dilationW() - d.padW(); // iw = q * strideW + colOff
            // the output columns whose iw lies in [0, W)
            long qlo = colOff >= 0 ? 0 : (-colOff + d.strideW() - 1) / d.strideW();
            long qhi = ww - 1 - colOff < 0 ? 0 : Math.min(qq, (ww - 1 - colOff) / d.strideW() + 1);
            int o = (j / nr) * kc * nr + j % nr;
            int p = p0 / qq, q = p0 % qq;
            for (int t = 0; t < kc; ) { // one output row's pixels [q, q + seg) at a time
                int seg = Math.min(qq - q, kc - t);
                long ih = (long) p * d.strideH() - d.padH() + (long) r * d.dilationH();
                int lo = (int) Math.max(q, qlo), hi = (int) Math.min(q + seg, qhi);
                int at = o + t * nr;
                if (ih < 0 || ih >= hh || hi <= lo) {
                    lo = hi = q + seg;
                }
                for (int e = q; e < lo; e++, at += nr) {
                    bp[at] = 0f;
                }
                long src = plane + ih * ww + colOff;
                for (int e = lo; e < hi; e++, at += nr) {
                    bp[at] = x[(int) (src + (long) e * d.strideW())];
                }
                for (int e = hi; e < q + seg; e++, at += nr) {
                    bp[at] = 0f;
                }
                t += seg;
                p++;
                q = 0;
            }
        }
        for (int j = cols; j < np; j++) {
            int o = (j / nr) * kc * nr + j % nr;
            for (int t = 0; t < kc; t++) {
                bp[o + t * nr] = 0f;
            }
        }
    }
}
