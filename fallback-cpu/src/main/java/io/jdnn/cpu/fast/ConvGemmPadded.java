package io.jdnn.cpu.fast;

import io.jdnn.Activation;
import io.jdnn.DirectConv;

import java.util.Arrays;

/**
 * IM2COL_GEMM forward where every row of the column matrix is one contiguous slice of a prepared
 * copy of the input (an implicit im2col), so packing B is a vector copy per panel instead of a
 * gather of row segments and zero fills.
 *
 * <p>The copy ("phase planes"): for each image channel and each stride phase (a, b) that a filter
 * tap uses, a zero-padded plane of Hs x Ws elements, element (i, j) = x[i*sh + a - padH][j*sw + b - padW]
 * (0 outside the image). Tap (r, s) reads phase ((r*dh) mod sh, (s*dw) mod sw) shifted by
 * (floor(r*dh / sh), floor(s*dw / sw)). The GEMM's column axis is the "virtual pixel" v = p*Ws + q
 * with q in [0, Ws): output pixel (p, q) for q &lt; Q, and a column that is computed and dropped for
 * q &gt;= Q. Tap (r, s)'s column row is then {@code planes[start(r, s) + v]}, contiguous in v.
 *
 * <p>Each output is the same chain of fmas as in {@link ConvGemm#forward}'s gather path (same
 * reduction order, same chunks, bias first), so the two give identical bits; this path is taken where
 * the dropped columns cost little (see {@link #applies}). Work split: image x group x block of
 * virtual pixels x block of output channels; the copy is one pass over x, in parallel by plane.
 */
final class ConvGemmPadded {
    private ConvGemmPadded() {
    }

    /** The most dropped columns, as a share of the virtual pixels, for which this path is taken. */
    static final double MAX_WASTE = 0.15;
    /**
     * The most GEMM columns per image, panel padding included, relative to the gather path's: an 8x8
     * output of a 4x4/2 filter has 72 virtual pixels, padded to 96 columns, against 64 (the
     * transposed DCGAN layer's backward-data measured 1.95 -> 2.5 ms through this path).
     */
    static final double MAX_COLUMN_GROWTH = 1.1;

    /** GEMM columns of one image's n column (virtual) pixels in blocks of at most NC, each padded to whole tiles. */
    static long gemmColumns(long n) {
        int nc = (int) Math.min(ConvGemm.NC, Workspace.padTile((int) Math.min(n, ConvGemm.NC)));
        long rem = n % nc;
        return n / nc * nc + (rem > 0 ? Workspace.padTile((int) rem) : 0);
    }

    /** The largest copy, in floats, relative to the input: beyond it (huge dilation or padding) the gather path runs. */
    static final int MAX_GROWTH = 4;

    /** Geometry of the phase planes of one problem. */
    record Planes(int hs, int ws, int[] rowPhase, int[] colPhase, int slots, int[] tapStart, int slack) {
        /** Floats per image channel: one plane per phase slot. */
        long perChannel() {
            return (long) slots * hs * ws;
        }

        static Planes of(DirectConv d) {
            int sh = d.strideH(), sw = d.strideW();
            int rMax = (int) Math.min(Integer.MAX_VALUE, (long) (d.r() - 1) * d.dilationH() / sh);
            int sMax = (int) Math.min(Integer.MAX_VALUE, (long) (d.s() - 1) * d.dilationW() / sw);
            // distinct row and column phases the taps use, numbered in order of first use
            int[] rowSlot = new int[d.r()], colSlot = new int[d.s()];
            int[] rowPhase = phases(d.r(), d.dilationH(), sh, rowSlot);
            int[] colPhase = phases(d.s(), d.dilationW(), sw, colSlot);
            long hs = (long) d.p() + rMax, ws = (long) d.q() + sMax;
            int slots = rowPhase.length * colPhase.length;
            int[] start = new int[d.r() * d.s()];
            for (int r = 0; r < d.r(); r++) {
                for (int s = 0; s < d.s(); s++) {
                    long off = (((long) rowSlot[r] * colPhase.length + colSlot[s]) * hs + (long) r * d.dilationH() / sh) * ws
                            + (long) s * d.dilationW() / sw;
                    start[r * d.s() + s] = (int) Math.min(Integer.MAX_VALUE, off);
                }
            }
            return new Planes((int) Math.min(Integer.MAX_VALUE, hs), (int) Math.min(Integer.MAX_VALUE, ws), rowPhase,
                    colPhase, slots, start, sMax);
        }

        private static int[] phases(int taps, int dil, int stride, int[] slotOfTap) {
            int[] found = new int[taps];
            int n = 0;
            for (int t = 0; t < taps; t++) {
                int ph = (int) ((long) t * dil % stride);
                int slot = -1;
                for (int i = 0; i < n; i++) {
                    if (found[i] == ph) {
                        slot = i;
                    }
                }
                if (slot < 0) {
                    found[n] = ph;
                    slot = n++;
                }
                slotOfTap[t] = slot;
            }
            return Arrays.copyOf(found, n);
        }
    }

    /**
     * Whether this path runs {@code d}'s forward with {@code kern}: kernels that take packed panels,
     * at most {@link #MAX_WASTE} of the columns dropped and {@link #MAX_COLUMN_GROWTH} times the
     * gather path's padded GEMM columns, and a copy that fits an array and stays
     * within {@link #MAX_GROWTH} times the input.
     */
    static boolean applies(Kernels kern, DirectConv d) {
        if (kern.panelWidth() == 0) {
            return false;
        }
        long ws = (long) d.q() + (long) (d.s() - 1) * d.dilationW() / d.strideW();
        long hs = (long) d.p() + (long) (d.r() - 1) * d.dilationH() / d.strideH();
        if ((double) (ws - d.q()) / ws > MAX_WASTE
                || gemmColumns((long) d.p() * ws) > MAX_COLUMN_GROWTH * gemmColumns((long) d.p() * d.q())) {
            return false;
        }
        long slots = (long) Math.min(d.r(), d.strideH()) * Math.min(d.s(), d.strideW());
        long copy = (long) d.n() * d.c() * slots * hs * ws + ws + Workspace.padTile(1);
        return copy < Integer.MAX_VALUE - 64 && copy <= (long) MAX_GROWTH * d.imageElements() + ws + 64
                && (long) d.p() * ws <= Integer.MAX_VALUE / 2;
    }

    /**
     * True where the phase planes are x itself: one phase, no padding, the planes as large as the
     * image, and no reads past the last plane (no slack needed: a filter one column wide).
     */
    private static boolean isIdentity(DirectConv d, Planes pl) {
        return pl.slots() == 1 && pl.hs() == d.h() && pl.ws() == d.w() && d.padH() == 0 && d.padW() == 0
                && d.strideH() == 1 && d.strideW() == 1 && pl.slack() == 0;
    }

    /** The phase planes of x (x itself where they are the same), with {@code pl.slack()} zero floats after them. */
    static float[] prepare(CpuDevice dev, DirectConv d, Planes pl, float[] x) {
        if (isIdentity(d, pl)) {
            return x;
        }
        int hs = pl.hs(), ws = pl.ws();
        int planes = d.n() * d.c();
        long per = pl.perChannel();
        int total = (int) (planes * per);
        float[] out = dev.scratch(0, total + pl.slack());
        Arrays.fill(out, total, total + pl.slack(), 0f);
        int sh = d.strideH(), sw = d.strideW(), hh = d.h(), ww = d.w();
        int[] rowPhase = pl.rowPhase(), colPhase = pl.colPhase();
        dev.parallel().forEach(planes, (plane, worker) -> {
            int src = plane * hh * ww;
            int dst = (int) (plane * per);
            for (int a : rowPhase) {
                for (int b : colPhase) {
                    // columns j with 0 <= j*sw + b - padW < W: [jLo, jHi)
                    long first = (long) d.padW() - b;
                    int jLo = (int) Math.max(0, Math.min(ws, ceilDiv(first, sw)));
                    int jHi = (int) Math.max(jLo, Math.min(ws, ceilDiv(first + ww, sw)));
                    for (int i = 0; i < hs; i++, dst += ws) {
                        long ih = (long) i * sh + a - d.padH();
                        if (ih < 0 || ih >= hh) {
                            Arrays.fill(out, dst, dst + ws, 0f);
                            continue;
                        }
                        Arrays.fill(out, dst, dst + jLo, 0f);
                        int row = src + (int) ih * ww + (int) ((long) jLo * sw + b - d.padW());
                        if (sw == 1) {
                            System.arraycopy(x, row, out, dst + jLo, jHi - jLo);
                        } else {
                            for (int j = jLo, e = row; j < jHi; j++, e += sw) {
                                out[dst + j] = x[e];
                            }
                        }
                        Arrays.fill(out, dst + jHi, dst + ws, 0f);
                    }
                }
            }
        });
        return out;
    }

    private static long ceilDiv(long a, long b) {
        return Math.floorDiv(a + b - 1, b);
    }

    /** See {@link ConvGemm#forward}; call only where {@link #applies}. */
    static void forward(CpuDevice dev, DirectConv d, float[] image, float[] w, float[] bias, Activation act, float[] y) {
        Kernels kern = dev.kernels();
        Planes pl = Planes.of(d);
        float[] x = prepare(dev, d, pl, image);
        int g = d.groups(), kg = d.kPerGroup(), cg = d.cPerGroup();
        int rs = d.r() * d.s();
        int crs = cg * rs;
        int ws = pl.ws(), qq = d.q(), pq = d.p() * qq;
        int virtual = d.p() * ws;
        int nc = Math.min(ConvGemm.NC, Workspace.padTile(virtual));
        int blocks = (virtual + nc - 1) / nc;
        int colBlocks = d.n() * g * blocks; // (image, group, block of virtual pixels)
        int mb = dev.parallel().rowBlock(colBlocks, kg, ConvGemm.MIN_ROWS, Parallel.TASKS_PER_WORKER);
        int mBlocks = (kg + mb - 1) / mb;
        long perChannel = isIdentity(d, pl) ? (long) d.h() * d.w() : pl.perChannel();
        // column row (c, r, s) of a group starts at c * perChannel + tapStart[r*S + s] from its first channel
        int[] rowStart = new int[crs];
        for (int c = 0; c < cg; c++) {
            for (int t = 0; t < rs; t++) {
                rowStart[c * rs + t] = (int) (c * perChannel + pl.tapStart()[t]);
            }
        }
        dev.parallel().forEach(colBlocks * mBlocks, (task, worker) -> {
            int k0 = (task % mBlocks) * mb;
            int rows = Math.min(mb, kg - k0);
            int cb = task / mBlocks;
            int v0 = (cb % blocks) * nc;
            int gi = (cb / blocks) % g;
            int n = cb / blocks / g;
            int len = Math.min(nc, virtual - v0);
            Workspace ws2 = dev.workspace(worker);
            float[][] c = ws2.rowsC(rows, nc);
            float[] bp = ws2.flatB(Math.min(ConvGemm.KC, crs) * nc);
            int kFirst = gi * kg + k0;
            int base = (int) (((long) n * d.c() + (long) gi * cg) * perChannel) + v0;
            if (bias != null) {
                for (int k = 0; k < rows; k++) {
                    Arrays.fill(c[k], 0, nc, bias[kFirst + k]);
                }
            }
            for (int r0 = 0; r0 < crs; r0 += ConvGemm.KC) {
                int kc = Math.min(ConvGemm.KC, crs - r0);
                kern.packSlices(x, rowStart, r0, base, kc, len, bp, 0);
                kern.gemmPacked(rows, len, kc, w, kFirst * crs + r0, crs, bp, 0, c, 0, bias != null || r0 > 0);
            }
            // store the columns of real pixels: q < Q of each virtual row the block covers
            long yPlane = ((long) n * d.k() + kFirst) * pq;
            for (int k = 0; k < rows; k++) {
                float[] ck = c[k];
                Elementwise.epilogue(act, ck, 0, len);
                int yk = (int) (yPlane + (long) k * pq);
                for (int t = 0; t < len; ) {
                    int v = v0 + t, p = v / ws, q = v % ws;
                    int seg = Math.min(ws - q, len - t);
                    if (q < qq) {
                        System.arraycopy(ck, t, y, yk + p * qq + q, Math.min(seg, qq - q));
                    }
                    t += seg;
                }
            }
        });
    }
}
