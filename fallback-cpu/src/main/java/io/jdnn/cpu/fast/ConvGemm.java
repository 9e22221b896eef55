package io.jdnn.cpu.fast;

import io.jdnn.Activation;
import io.jdnn.DirectConv;

import java.util.Arrays;

/**
 * Convolution as GEMM over column blocks packed on the fly (IM2COL_GEMM), per group:
 * <ul>
 *   <li>forward: y[n] (k, p*q) = w (k, c*r*s) x col (c*r*s, p*q); each task packs the columns of a
 *       block of output pixels, chunk by chunk of the reduction, into row arrays and accumulates a
 *       (k x block) tile that goes straight into y;</li>
 *   <li>backward-data: a gather by stride phases, in {@link ConvGemmData} (with the blocks and
 *       packing of this class);</li>
 *   <li>backward-filter: dw^T (c*r*s, k) = sum over images and pixels of col (c*r*s, pixel) x
 *       dy^T (pixel, k), the column rows packed like forward's and dy transposed chunk by chunk.
 *       The reduction runs in a fixed order inside a fixed number of image chunks
 *       (a function of the batch only), whose partial results are summed in chunk order:
 *       bitwise reproducible whatever the threads do.</li>
 * </ul>
 */
final class ConvGemm {
    private ConvGemm() {
    }

    /** Pixels per column block (multiple of 16). */
    static final int NC = 128;
    /** Reduction rows per packed chunk. */
    static final int KC = 256;
    /** At most this many image chunks in backward-filter. */
    static final int FILTER_CHUNKS = 4;
    /**
     * Fewest GEMM rows (output channels) a task takes when a problem with few pixel blocks is split
     * by channels too: each such task gathers its own copy of the columns.
     */
    static final int MIN_ROWS = 48;
    /** Most floats of columns {@link #forward} gathers once for all channel blocks (64 MiB). */
    static final long SHARED_COLUMNS = 16L << 20;

    // ------------------------------------------------------------------ forward

    static void forward(CpuDevice dev, DirectConv d, float[] image, float[] w, float[] bias, Activation act, float[] y) {
        if (ConvGemmPadded.applies(dev.kernels(), d)) {
            ConvGemmPadded.forward(dev, d, image, w, bias, act, y);
        } else {
            forwardGather(dev, d, image, w, bias, act, y);
        }
    }

    /**
     * The forward with the columns gathered segment by segment from x (the path for the plain
     * kernels, and where {@link ConvGemmPadded} would drop too many columns); the same bits as
     * {@link ConvGemmPadded#forward}.
     */
    static void forwardGather(CpuDevice dev, DirectConv d, float[] image, float[] w, float[] bias, Activation act,
                              float[] y) {
        Kernels kern = dev.kernels();
        float[] x = splitColumnPhases(dev, d, image);
        int g = d.groups(), kg = d.kPerGroup();
        int crs = d.cPerGroup() * d.r() * d.s();
        int pq = d.p() * d.q();
        int nc = Math.min(NC, Workspace.padTile(pq));
        int blocks = (pq + nc - 1) / nc;
        int colBlocks = d.n() * g * blocks; // (image, group, pixel block)
        // Few column blocks (batch 1, a 7x7 or 14x14 output) are also split by output channels. With
        // packed panels the columns are then gathered once, in parallel, into a block that every
        // channel block's GEMM reads; else each task gathers its own.
        int nr = kern.panelWidth();
        boolean share = nr > 0 && (long) colBlocks * crs * nc <= SHARED_COLUMNS;
        int mb = dev.parallel().rowBlock(colBlocks, kg, MIN_ROWS, share ? Parallel.TASKS_PER_WORKER : 1);
        int mBlocks = (kg + mb - 1) / mb;
        float[] shared = share && mBlocks > 1 ? gatherShared(dev, d, x, colBlocks, blocks, nc) : null;
        dev.parallel().forEach(colBlocks * mBlocks, (task, worker) -> {
            int k0 = (task % mBlocks) * mb;
            int rows = Math.min(mb, kg - k0);
            int cb = task / mBlocks;
            int jb = cb % blocks;
            int gi = (cb / blocks) % g;
            int n = cb / blocks / g;
            int j0 = jb * nc;
            int len = Math.min(nc, pq - j0);
            Workspace ws = dev.workspace(worker);
            float[][] c = ws.rowsC(rows, nc);
            Block own = shared == null ? Block.of(kern, ws, Math.min(KC, crs), nc) : null;
            int kFirst = gi * kg + k0; // the task's first output channel
            if (bias != null) {
                for (int k = 0; k < rows; k++) {
                    Arrays.fill(c[k], 0, nc, bias[kFirst + k]);
                }
            }
            for (int r0 = 0; r0 < crs; r0 += KC) {
                int kc = Math.min(KC, crs - r0);
                Block b = own;
                if (shared == null) {
                    gatherChunk(d, x, n, gi, r0, kc, j0, len, own);
                } else {
                    b = Block.packed(shared, ((long) cb * crs + r0) * nc, ws.panelRow(), nr);
                }
                b.gemm(kern, rows, len, kc, w, kFirst * crs + r0, crs, c, bias != null || r0 > 0);
            }
            for (int k = 0; k < rows; k++) {
                Elementwise.epilogue(act, c[k], 0, len);
                System.arraycopy(c[k], 0, y, (int) (((long) n * d.k() + kFirst + k) * pq + j0), len);
            }
        });
    }

    /**
     * Every column block's column matrix packed into panels, in {@code dev.scratch(2)}: block cb's
     * rows [r0, r0 + kc) (a chunk of at most KC rows) at offset (cb * crs + r0) * nc. One task per
     * (block, chunk).
     */
    private static float[] gatherShared(CpuDevice dev, DirectConv d, float[] x, int colBlocks, int blocks, int nc) {
        int crs = d.cPerGroup() * d.r() * d.s(), pq = d.p() * d.q();
        int chunks = (crs + KC - 1) / KC;
        int nr = dev.kernels().panelWidth();
        float[] shared = dev.scratch(2, colBlocks * crs * nc);
        dev.parallel().forEach(colBlocks * chunks, (task, worker) -> {
            int cb = task / chunks, r0 = (task % chunks) * KC;
            int j0 = (cb % blocks) * nc;
            Block b = Block.packed(shared, ((long) cb * crs + r0) * nc, dev.workspace(worker).panelRow(), nr);
            gatherChunk(d, x, cb / blocks / d.groups(), (cb / blocks) % d.groups(), r0, Math.min(KC, crs - r0), j0,
                    Math.min(nc, pq - j0), b);
        });
        return shared;
    }

    /** Rows [r0, r0 + kc) of group gi's column matrix of image n, pixels [j0, j0 + len), into b. */
    private static void gatherChunk(DirectConv d, float[] x, int n, int gi, int r0, int kc, int j0, int len, Block b) {
        int rs = d.r() * d.s(), cg = d.cPerGroup();
        for (int kk = 0; kk < kc; kk++) {
            int row = r0 + kk;
            int ci = gi * cg + row / rs;
            int r = (row % rs) / d.s();
            int s = row % d.s();
            im2colRow(d, x, ((long) n * d.c() + ci) * d.h() * d.w(), r, s, j0, len, b.row(kk, kc, len));
        }
    }

    /**
     * Row (c, r, s) of the column matrix for output pixels [j0, j0+len) of one image channel
     * whose plane starts at {@code plane}: element t = x[ih][iw] of pixel j0 + t, 0 outside the image.
     * Where strideW &gt; 1, x is the image with its rows split into column phases
     * ({@link #splitColumnPhases}), so that every segment is a contiguous copy.
     */
    static void im2colRow(DirectConv d, float[] x, long plane, int r, int s, int j0, int len, PanelRow dst) {
        int q0 = d.q(), hh = d.h(), ww = d.w(), sw = d.strideW();
        int p = j0 / q0, q = j0 % q0;
        int t = 0;
        int colOff = s * d.dilationW() - d.padW();
        while (t < len) {
            int seg = Math.min(q0 - q, len - t);
            int ih = p * d.strideH() - d.padH() + r * d.dilationH();
            if (ih < 0 || ih >= hh) {
                dst.zero(t, seg);
            } else {
                int rowBase = (int) (plane + (long) ih * ww);
                if (sw == 1) {
                    // iw = q + colOff for q in [q, q+seg): valid where 0 <= iw < W
                    int lo = Math.max(q, -colOff);
                    int hi = Math.min(q + seg, ww - colOff);
                    if (hi <= lo) {
                        dst.zero(t, seg);
                    } else {
                        dst.zero(t, lo - q);
                        dst.copy(x, rowBase + lo + colOff, t + (lo - q), hi - lo);
                        dst.zero(t + (hi - q), q + seg - hi);
                    }
                } else {
                    // x's rows are split into column phases ({@link #splitColumnPhases}): iw = (q + a)*sw + b
                    // is column q + a of phase b, so the segment is one contiguous run of that phase
                    int b = Math.floorMod(colOff, sw), a = Math.floorDiv(colOff, sw);
                    int wb = b < ww ? (ww - b - 1) / sw + 1 : 0;
                    int lo = Math.max(q, -a);
                    int hi = Math.min(q + seg, wb - a);
                    if (hi <= lo) {
                        dst.zero(t, seg);
                    } else {
                        dst.zero(t, lo - q);
                        dst.copy(x, rowBase + phaseStart(ww, sw, b) + lo + a, t + (lo - q), hi - lo);
                        dst.zero(t + (hi - q), q + seg - hi);
                    }
                }
            }
            t += seg;
            p++;
            q = 0;
        }
    }

    /** Where column phase b starts in a row of width w split modulo sw: the columns c &lt; w with c mod sw &lt; b. */
    static int phaseStart(int w, int sw, int b) {
        return (w / sw) * b + Math.min(w % sw, b);
    }

    /**
     * The image for {@link #im2colRow} at strideW &gt; 1: every row's columns regrouped by phase modulo
     * the stride (columns 0, sw, 2sw, ..., then 1, 1+sw, ...), in {@code dev.scratch(0)}; x itself at
     * stride 1. One pass over x instead of a strided read per filter tap.
     */
    static float[] splitColumnPhases(CpuDevice dev, DirectConv d, float[] x) {
        int sw = d.strideW(), ww = d.w();
        if (sw == 1) {
            return x;
        }
        int rows = d.n() * d.c() * d.h();
        float[] out = dev.scratch(0, rows * ww);
        int phases = Math.min(sw, ww);
        int parts = dev.parallel().threads() * 4;
        dev.parallel().forEach(parts, (part, worker) -> {
            int from = (int) Parallel.split(rows, parts, part), to = (int) Parallel.split(rows, parts, part + 1);
            for (int row = from; row < to; row++) {
                int base = row * ww;
                for (int b = 0, o = base; b < phases; b++) {
                    int count = (ww - b - 1) / sw + 1; // columns b, b + sw, ... below ww (no overflow for a huge stride)
                    for (int j = 0; j < count; j++) {
                        out[o++] = x[base + b + j * sw];
                    }
                }
            }
        });
        return out;
    }

    /**
     * One worker's B block for a GEMM whose rows a gather writes: packed straight into the kernels'
     * panels where they take packed B ({@link Kernels#panelWidth()} &gt; 0: the gather is the
     * packing), else row arrays.
     */
    record Block(float[][] rows, float[] panels, int off, PanelRow target, int nr) {
        static Block of(Kernels kern, Workspace ws, int kcMax, int nc) {
            int nr = kern.panelWidth();
            return nr == 0 ? new Block(ws.rowsB(kcMax, nc), null, 0, ws.panelRow(), 0)
                    : new Block(null, ws.flatB(kcMax * nc), 0, ws.panelRow(), nr);
        }

        /** A block packed in panels of nr columns at {@code panels[off]}. */
        static Block packed(float[] panels, long off, PanelRow target, int nr) {
            return new Block(null, panels, Math.toIntExact(off), target, nr);
        }

        /** The target of row k of a block of kc rows of which the gather fills len columns. */
        PanelRow row(int k, int kc, int len) {
            if (nr == 0) {
                return target.row(rows[k], 0);
            }
            target.panel(panels, off, k, kc, nr);
            target.zero(len, Workspace.padTile(len) - len); // finite padding columns
            return target;
        }

        /** {@link Kernels#gemm} or {@link Kernels#gemmPacked} of this block into c. */
        void gemm(Kernels kern, int m, int len, int kc, float[] a, int aOff, int lda, float[][] c, boolean accumulate) {
            if (nr == 0) {
                kern.gemm(m, len, kc, a, aOff, lda, rows, 0, c, 0, accumulate);
            } else {
                kern.gemmPacked(m, len, kc, a, aOff, lda, panels, off, c, 0, accumulate);
            }
        }
    }

    // ------------------------------------------------------------------ backward-filter

    /** Most floats of dy^T panels {@link #packDyPanels} builds (256 MiB); beyond, each task transposes its own chunks. */
    static final long DY_PANELS = 64L << 20;

    /**
     * dy^T packed once for every backward-filter task, in {@code dev.scratch(2)}, or null where the
     * kernels take no panels or it would exceed {@link #DY_PANELS}: per (image, group, chunk of KC
     * pixels, block of kb output channels), at slot ((n*g + gi)*chunks + chunk)*kBlocks + block
     * times KC*padTile(kb), the kc x cols matrix dy^T in the kernels' panels (element (t, k) =
     * dy[n][gi*kg + block*kb + k][chunk*KC + t]), columns from cols to padTile(kb) zero. Without it
     * every row block of every task transposed and repacked the same chunks again.
     */
    private static float[] packDyPanels(CpuDevice dev, DirectConv d, float[] dy, int kb, int kBlocks) {
        int nr = dev.kernels().panelWidth();
        int g = d.groups(), kg = d.kPerGroup(), pq = d.p() * d.q();
        int pChunks = (pq + KC - 1) / KC;
        int kbPad = Workspace.padTile(kb);
        long slots = (long) d.n() * g * pChunks * kBlocks;
        if (nr == 0 || slots * KC * kbPad > DY_PANELS) {
            return null;
        }
        float[] out = dev.scratch(2, (int) (slots * KC * kbPad));
        dev.parallel().forEach((int) slots, (slot, worker) -> {
            int blk = slot % kBlocks, chunk = (slot / kBlocks) % pChunks;
            int gi = (slot / kBlocks / pChunks) % g, n = slot / kBlocks / pChunks / g;
            int k0 = blk * kb, cols = Math.min(kb, kg - k0), p0 = chunk * KC, kc = Math.min(KC, pq - p0);
            int base = slot * KC * kbPad;
            for (int k = 0; k < kbPad; k++) {
                int panel = base + (k / nr) * kc * nr + k % nr;
                if (k >= cols) {
                    for (int t = 0; t < kc; t++) {
                        out[panel + t * nr] = 0f;
                    }
                    continue;
                }
                int src = (int) (((long) n * d.k() + gi * kg + k0 + k) * pq + p0);
                for (int t = 0; t < kc; t++) {
                    out[panel + t * nr] = dy[src + t];
                }
            }
        });
        return out;
    }

    /** Number of image chunks backward-filter reduces separately: a function of the batch alone. */
    static int filterChunks(int n) {
        return Math.min(n, FILTER_CHUNKS);
    }

    /** Rows of dw^T (image channel x tap) per backward-filter task. */
    static final int FILTER_ROWS = 144;

    /**
     * dw^T (c*r*s, k) = sum over pixels of col (c*r*s, pixel) x dy^T (pixel, k): the column rows are
     * contiguous copies of image rows (as in forward), and dy^T is a small transpose per chunk. The
     * sum over pixels is two-level (each K panel of KC pixels from zero, then the panels in order),
     * so that its float32 error stays within the GEMM bound at 224x224 and beyond.
     */
    static void backwardFilter(CpuDevice dev, DirectConv d, float[] image, float[] dy, float[] dw) {
        Kernels kern = dev.kernels();
        float[] x = splitColumnPhases(dev, d, image);
        int g = d.groups(), cg = d.cPerGroup(), kg = d.kPerGroup();
        int rs = d.r() * d.s(), crs = cg * rs;
        int pq = d.p() * d.q();
        int rowBlocks = (crs + FILTER_ROWS - 1) / FILTER_ROWS;
        int mb = (crs + rowBlocks - 1) / rowBlocks;
        int chunks = filterChunks(d.n());
        int weights = (int) d.weightElements();
        float[] partial = chunks == 1 ? dw : dev.scratch(1, chunks * weights);
        int kcMax = Math.min(KC, pq);
        // Few row blocks (batch 1, few image channels) are also split by output channels (dw^T's columns).
        int kb = dev.parallel().rowBlock(chunks * g * rowBlocks, kg, MIN_ROWS, Parallel.TASKS_PER_WORKER);
        int kBlocks = (kg + kb - 1) / kb;
        int kbPad = Workspace.padTile(kb);
        float[] dyPanels = packDyPanels(dev, d, dy, kb, kBlocks);
        int pChunks = (pq + KC - 1) / KC;
        dev.parallel().forEach(chunks * g * rowBlocks * kBlocks, (task, worker) -> {
            int k0 = (task % kBlocks) * kb;
            int cols = Math.min(kb, kg - k0);
            int blk = (task / kBlocks) % rowBlocks;
            int gi = (task / kBlocks / rowBlocks) % g;
            int ch = task / kBlocks / rowBlocks / g;
            int r0 = blk * mb;
            int rows = Math.min(mb, crs - r0);
            int nFrom = (int) Parallel.split(d.n(), chunks, ch);
            int nTo = (int) Parallel.split(d.n(), chunks, ch + 1);
            Workspace ws = dev.workspace(worker);
            float[][] c = ws.rowsC(rows, kbPad);
            float[][] panelSum = ws.rowsA(rows, kbPad);
            float[][] dyT = dyPanels == null ? ws.rowsB(kcMax, kbPad) : null;
            float[] a = ws.flatA(rows * kcMax);
            for (int n = nFrom; n < nTo; n++) {
                for (int p0 = 0; p0 < pq; p0 += KC) {
                    int kc = Math.min(KC, pq - p0);
                    if (dyT != null) {
                        int yBase = (int) (((long) n * d.k() + gi * kg + k0) * pq + p0);
                        for (int t = 0; t < kc; t++) {
                            float[] row = dyT[t];
                            for (int k = 0; k < cols; k++) {
                                row[k] = dy[yBase + k * pq + t];
                            }
                        }
                    }
                    for (int i = 0; i < rows; i++) {
                        int idx = r0 + i;
                        int ci = gi * cg + idx / rs;
                        int r = (idx % rs) / d.s();
                        int s = idx % d.s();
                        im2colRow(d, x, ((long) n * d.c() + ci) * d.h() * d.w(), r, s, p0, kc, ws.panelRow().row(a, i * kc));
                    }
                    // each K panel sums its KC terms from zero, then joins the running sum: one
                    // float32 chain over all N*P*Q pixels would drift like sqrt(N*P*Q) * 2^-24
                    boolean first = n == nFrom && p0 == 0;
                    if (dyT != null) {
                        kern.gemm(rows, cols, kc, a, 0, kc, dyT, 0, first ? c : panelSum, 0, false);
                    } else {
                        long slot = (((long) n * g + gi) * pChunks + p0 / KC) * kBlocks + k0 / kb;
                        kern.gemmPacked(rows, cols, kc, a, 0, kc, dyPanels, (int) (slot * KC * kbPad), first ? c : panelSum,
                                0, false);
                    }
                    if (!first) {
                        for (int i = 0; i < rows; i++) {
                            float[] ci = c[i];
                            float[] pi = panelSum[i];
                            for (int k = 0; k < cols; k++) {
                                ci[k] += pi[k];
                            }
                        }
                    }
                }
            }
            int out = ch * weights;
            for (int k = 0; k < cols; k++) {
                int base = out + (gi * kg + k0 + k) * crs + r0;
                for (int i = 0; i < rows; i++) {
                    partial[base + i] = c[i][k];
                }
            }
        });
        if (chunks > 1) {
            int parts = dev.parallel().threads() * 4;
            dev.parallel().forEach(parts, (part, worker) -> {
                int from = (int) Parallel.split(weights, parts, part);
                int to = (int) Parallel.split(weights, parts, part + 1);
                for (int i = from; i < to; i++) {
                    float s = partial[i];
                    for (int ch = 1; ch < chunks; ch++) {
                        s += partial[ch * weights + i];
                    }
                    dw[i] = s;
                }
            });
        }
    }

}
