package io.jdnn.cpu.fast;

import io.jdnn.Activation;
import io.jdnn.DirectConv;

import java.util.Arrays;

/**
 * DEPTHWISE: groups == input channels, so each response channel k filters the single image
 * channel k / multiplier. Per (image, channel) plane, the image plane is first copied once into a
 * zero-padded buffer; then, for stride 1 and any dilation, each output row is a sum of whole-row
 * multiply-adds ({@link Kernels#correlateRow}, nine taps per pass for 3x3) with no bound check in
 * the loop. Strided problems work on the plane's padded rows split into column phases modulo the
 * stride ({@link #splitPhases}), where every filter tap reads, or writes, a contiguous run:
 * forward is then the same row correlation with one tap per pass, and backward-data accumulates
 * each dy row times each tap into a phase-split dx buffer (a gather-free transposed correlation)
 * before copying it out. Backward-data of a stride-1 problem is the correlation with the flipped
 * filter on dy; backward-filter takes one float32 dot product per filter tap and image over all
 * valid rows, summed over images in float64 in a fixed order.
 */
final class ConvDepthwise {
    private ConvDepthwise() {
    }

    static void forward(CpuDevice dev, DirectConv d, float[] x, float[] w, float[] bias, Activation act, float[] y) {
        Kernels kern = dev.kernels();
        int mult = d.kPerGroup();
        int rr = d.r(), ss = d.s();
        dev.parallel().forEach(d.n() * d.k(), (task, worker) -> {
            int n = task / d.k(), k = task % d.k();
            int c = k / mult;
            Workspace ws = dev.workspace(worker);
            int srcOff = (n * d.c() + c) * d.h() * d.w();
            int outOff = task * d.p() * d.q();
            float b = bias == null ? 0f : bias[k];
            if (d.strideH() == 1 && d.strideW() == 1) {
                correlate(kern, ws, x, srcOff, d.h(), d.w(), w, k * rr * ss, rr, ss, d.dilationH(), d.dilationW(),
                        d.padH(), d.padW(), d.p(), d.q(), y, outOff, b, false);
            } else {
                strided(kern, ws, d, x, srcOff, w, k * rr * ss, y, outOff, b);
            }
            Elementwise.epilogue(act, y, outOff, outOff + d.p() * d.q());
        });
    }

    /**
     * Stride-1 correlation of one plane: out[o][q] (+)= bias + sum_{r,s} wk[r][s] *
     * src[o - padT + r*dh][q - padL + s*dw], 0 outside the source; pads may be negative.
     */
    static void correlate(Kernels kern, Workspace ws, float[] src, int srcOff, int hs, int wsz, float[] wk, int wOff,
                          int rr, int ss, int dh, int dw, int padT, int padL, int outH, int outW, float[] out,
                          int outOff, float bias, boolean accumulate) {
        int wp = outW + (ss - 1) * dw;
        float[] pad = ws.flatA(hs * wp);
        // Padded copy: column cc holds source column cc - padL. (Reading the image rows directly
        // leaves a scalar tail and edge columns in every row: measured twice as slow at 56x56.)
        int lo = Math.max(0, padL), hi = Math.min(wp, wsz + padL);
        for (int h = 0; h < hs; h++) {
            int rowB = h * wp;
            if (hi <= lo) {
                Arrays.fill(pad, rowB, rowB + wp, 0f);
                continue;
            }
            Arrays.fill(pad, rowB, rowB + lo, 0f);
            System.arraycopy(src, srcOff + h * wsz + lo - padL, pad, rowB + lo, hi - lo);
            Arrays.fill(pad, rowB + hi, rowB + wp, 0f);
        }
        int[] wOffs = ws.ints(2 * rr);
        int[] xOffs = ws.ints2(rr);
        // Rows whose every filter row lies inside the source: for narrow planes, one flat run.
        int oLo = Math.min(outH, Math.max(0, padT)), oHi = Math.max(oLo, Math.min(outH, hs + padT - (rr - 1) * dh));
        boolean flat = outW < FLAT_WIDTH && oHi - oLo >= 2;
        int flatLen = flat ? (oHi - oLo - 1) * wp + outW : 0;
        float[][] tmp = ws.rowsC(2, Workspace.padTile(Math.max(outW, flatLen)));
        if (flat) {
            correlateFlat(kern, ws, pad, wp, wk, wOff, rr, ss, dh, dw, oLo - padT, oLo, oHi, outW, out, outOff, bias,
                    accumulate, tmp, wOffs, xOffs, flatLen);
        }
        for (int o = 0; o < outH; o++) {
            if (flat && o >= oLo && o < oHi) {
                continue; // done above
            }
            int dst = outOff + o * outW;
            int rows = 0;
            for (int r = 0; r < rr; r++) {
                int ih = o - padT + r * dh;
                if (ih >= 0 && ih < hs) {
                    wOffs[rows] = wOff + r * ss;
                    xOffs[rows] = ih * wp;
                    rows++;
                }
            }
            kern.correlateRow(outW, rows, ss, dw, wk, wOffs, pad, xOffs, out, dst, accumulate, bias, tmp);
        }
    }

    /**
     * Output rows of fewer columns than this that take every filter row run as one flat range (see
     * {@link #correlateFlat}): a row of 7 or 14 is shorter than a vector of 16 lanes.
     */
    static final int FLAT_WIDTH = 32;

    /**
     * Output rows [oLo, oHi) of {@link #correlate}, all of whose filter rows lie inside the padded
     * source {@code pad} (rows of {@code wp} columns, the first of them at source row {@code ih0}),
     * as one {@link Kernels#correlateRow} over the flat range of length {@code flatLen}: position
     * t = (o - oLo) * wp + q is output (o, q) for q &lt; outW (the other wp - outW positions of each
     * row are computed and dropped), reading the source exactly as the row-by-row call does, so
     * every output gets the same fused multiply-adds in the same order.
     */
    private static void correlateFlat(Kernels kern, Workspace ws, float[] pad, int wp, float[] wk, int wOff, int rr,
                                      int ss, int dh, int dw, int ih0, int oLo, int oHi, int outW, float[] out,
                                      int outOff, float bias, boolean accumulate, float[][] tmp, int[] wOffs,
                                      int[] xOffs, int flatLen) {
        float[] run = ws.flatB(flatLen);
        if (accumulate) {
            for (int o = oLo; o < oHi; o++) {
                System.arraycopy(out, outOff + o * outW, run, (o - oLo) * wp, outW);
            }
        }
        for (int r = 0; r < rr; r++) {
            wOffs[r] = wOff + r * ss;
            xOffs[r] = (ih0 + r * dh) * wp;
        }
        kern.correlateRow(flatLen, rr, ss, dw, wk, wOffs, pad, xOffs, run, 0, accumulate, bias, tmp);
        for (int o = oLo; o < oHi; o++) {
            System.arraycopy(run, (o - oLo) * wp, out, outOff + o * outW, outW);
        }
    }

    /**
     * Row {@code h} of a plane of width {@code ww}, zero-padded by {@code padW} on the left (and on
     * the right up to {@code sw * plen} columns), split into its column phases modulo {@code sw}:
     * padded column cc goes to {@code buf[h * sw * plen + (cc % sw) * plen + cc / sw]}. A tap at
     * padded column q * sw + col then reads phase col % sw at index q + col / sw: a contiguous
     * run over q. With sw = 1 this is the plain padded row.
     */
    static void splitPhases(float[] x, int srcOff, int hh, int ww, int padW, int sw, int plen, float[] buf) {
        int rowStride = sw * plen;
        for (int ph = 0; ph < sw; ph++) {
            // entries i of this phase whose image column i * sw + ph - padW lies in [0, ww)
            int lo = Math.min(plen, Math.max(0, Math.floorDiv(padW - ph + sw - 1, sw)));
            int hi = Math.max(lo, Math.min(plen, Math.floorDiv(ww - 1 + padW - ph, sw) + 1));
            for (int h = 0; h < hh; h++) {
                int dst = h * rowStride + ph * plen;
                int src = srcOff + h * ww + lo * sw + ph - padW;
                Arrays.fill(buf, dst, dst + lo, 0f);
                if (sw == 1) {
                    System.arraycopy(x, src, buf, dst + lo, hi - lo);
                } else {
                    for (int i = lo; i < hi; i++, src += sw) {
                        buf[dst + i] = x[src];
                    }
                }
                Arrays.fill(buf, dst + hi, dst + plen, 0f);
            }
        }
    }

    /** Columns per phase of a padded row of {@code wp} columns split modulo {@code sw}. */
    static int phaseLength(int wp, int sw) {
        return (int) (((long) wp + sw - 1) / sw);
    }

    /**
     * The column stride to split rows by: the problem's, except with a single output column, where
     * only the taps of column 0 are read and any split serves (a stride of 2^31 - 1 would otherwise
     * make a row of that many phases).
     */
    static int splitStride(DirectConv d) {
        return d.q() == 1 ? 1 : d.strideW();
    }

    /**
     * Forward with a stride above 1, one plane: the plane split into column phases
     * ({@link #splitPhases}), then each output row the correlation of its valid taps, one
     * contiguous run per tap, in (r, s) order.
     */
    private static void strided(Kernels kern, Workspace ws, DirectConv d, float[] x, int srcOff, float[] w, int wOff,
                                float[] y, int outOff, float bias) {
        int hh = d.h(), rr = d.r(), ss = d.s(), qq = d.q();
        int sh = d.strideH(), sw = splitStride(d), dh = d.dilationH(), dw = d.dilationW();
        int wp = (qq - 1) * sw + (ss - 1) * dw + 1;
        int plen = phaseLength(wp, sw), rowStride = sw * plen;
        float[] buf = ws.flatA(hh * rowStride);
        splitPhases(x, srcOff, hh, d.w(), d.padW(), sw, plen, buf);
        float[][] tmp = ws.rowsC(2, Workspace.padTile(qq));
        int[] wOffs = ws.ints(rr * ss);
        int[] xOffs = ws.ints2(rr * ss);
        for (int p = 0; p < d.p(); p++) {
            int taps = 0;
            for (int r = 0; r < rr; r++) {
                int ih = p * sh - d.padH() + r * dh;
                if (ih < 0 || ih >= hh) {
                    continue;
                }
                for (int s2 = 0; s2 < ss; s2++) {
                    int col = s2 * dw;
                    wOffs[taps] = wOff + r * ss + s2;
                    xOffs[taps] = ih * rowStride + (col % sw) * plen + col / sw;
                    taps++;
                }
            }
            kern.correlateRow(qq, taps, 1, 1, w, wOffs, buf, xOffs, y, outOff + p * qq, false, bias, tmp);
        }
    }

    static void backwardData(CpuDevice dev, DirectConv d, float[] dy, float[] w, float[] bias, Activation act,
                             float[] dx) {
        Kernels kern = dev.kernels();
        int mult = d.kPerGroup();
        int rr = d.r(), ss = d.s(), rs = rr * ss;
        boolean unit = d.strideH() == 1 && d.strideW() == 1;
        float[] flipped = dev.scratch(0, d.k() * rs);
        for (int k = 0; k < d.k(); k++) {
            for (int i = 0; i < rs; i++) {
                flipped[k * rs + i] = w[k * rs + rs - 1 - i];
            }
        }
        dev.parallel().forEach(d.n() * d.c(), (task, worker) -> {
            int n = task / d.c(), c = task % d.c();
            Workspace ws = dev.workspace(worker);
            int outOff = task * d.h() * d.w();
            float b = bias == null ? 0f : bias[c];
            if (unit) {
                for (int j = 0; j < mult; j++) {
                    int k = c * mult + j;
                    correlate(kern, ws, dy, (n * d.k() + k) * d.p() * d.q(), d.p(), d.q(), flipped, k * rs, rr, ss,
                            d.dilationH(), d.dilationW(), (rr - 1) * d.dilationH() - d.padH(),
                            (ss - 1) * d.dilationW() - d.padW(), d.h(), d.w(), dx, outOff, b, j > 0);
                }
            } else {
                stridedBackwardData(kern, ws, d, dy, n, c, w, dx, outOff, b);
            }
            Elementwise.epilogue(act, dx, outOff, outOff + d.h() * d.w());
        });
    }

    /**
     * Backward-data with a stride above 1, image channel c of image n: every dy row of every
     * response channel of c, times every tap, accumulated (fma, in (j, p, r, s) order) into a
     * zero-initialized buffer that holds dx padded by (padH, padW) and split into column phases
     * ({@link #splitPhases}'s layout), where each tap's target is a contiguous run; then dx is that
     * buffer's valid region plus the bias. Rows and columns of dx no tap reaches hold the bias.
     */
    private static void stridedBackwardData(Kernels kern, Workspace ws, DirectConv d, float[] dy, int n, int c,
                                            float[] w, float[] dx, int outOff, float bias) {
        int mult = d.kPerGroup(), rr = d.r(), ss = d.s(), rs = rr * ss;
        int pp = d.p(), qq = d.q(), hh = d.h(), ww = d.w();
        int sh = d.strideH(), sw = splitStride(d), dh = d.dilationH(), dw = d.dilationW();
        int hp = (pp - 1) * sh + (rr - 1) * dh + 1;
        int wp = (qq - 1) * sw + (ss - 1) * dw + 1;
        int plen = phaseLength(wp, sw), rowStride = sw * plen;
        float[] buf = ws.flatA(hp * rowStride);
        Arrays.fill(buf, 0, hp * rowStride, 0f);
        for (int j = 0; j < mult; j++) {
            int k = c * mult + j;
            int plane = (n * d.k() + k) * pp * qq;
            for (int p = 0; p < pp; p++) {
                for (int r = 0; r < rr; r++) {
                    int base = (p * sh + r * dh) * rowStride;
                    for (int s2 = 0; s2 < ss; s2++) {
                        int col = s2 * dw;
                        kern.axpy(qq, w[k * rs + r * ss + s2], dy, plane + p * qq, buf,
                                base + (col % sw) * plen + col / sw);
                    }
                }
            }
        }
        for (int h = 0; h < hh; h++) {
            int hpos = h + d.padH();
            int row = outOff + h * ww;
            if (hpos >= hp) {
                Arrays.fill(dx, row, row + ww, bias);
                continue;
            }
            for (int x = 0; x < ww; x++) {
                int cc = x + d.padW();
                dx[row + x] = cc < wp ? buf[hpos * rowStride + (cc % sw) * plen + cc / sw] + bias : bias;
            }
        }
    }

    static void backwardFilter(CpuDevice dev, DirectConv d, float[] x, float[] dy, float[] dw) {
        Kernels kern = dev.kernels();
        int mult = d.kPerGroup();
        int rr = d.r(), ss = d.s(), hh = d.h(), ww = d.w();
        int sw = splitStride(d);
        int wp = (d.q() - 1) * sw + (ss - 1) * d.dilationW() + 1;
        int plen = phaseLength(wp, sw), rowStride = sw * plen;
        dev.parallel().forEach(d.k(), (k, worker) -> {
            int c = k / mult;
            Workspace ws = dev.workspace(worker);
            double[] total = ws.doubles(rr * ss);
            Arrays.fill(total, 0, rr * ss, 0.0);
            float[] pad = ws.flatA(hh * rowStride);
            for (int n = 0; n < d.n(); n++) {
                int srcOff = (n * d.c() + c) * hh * ww;
                splitPhases(x, srcOff, hh, ww, d.padW(), sw, plen, pad);
                int yPlane = (n * d.k() + k) * d.p() * d.q();
                for (int r = 0; r < rr; r++) {
                    // output rows whose image row p*sh - ph + r*dh lies inside the image
                    int off = r * d.dilationH() - d.padH();
                    int pLo = off >= 0 ? 0 : (int) ((-(long) off + d.strideH() - 1) / d.strideH());
                    int pHi = Math.min(d.p(), off >= hh ? 0 : (hh - 1 - off) / d.strideH() + 1);
                    if (pHi <= pLo) {
                        continue;
                    }
                    for (int s = 0; s < ss; s++) {
                        int col = s * d.dilationW();
                        int xb = (pLo * d.strideH() + off) * rowStride + (col % sw) * plen + col / sw;
                        int yb = yPlane + pLo * d.q();
                        total[r * ss + s] += kern.dotRows(pHi - pLo, d.q(), dy, yb, d.q(), pad, xb,
                                d.strideH() * rowStride);
                    }
                }
            }
            for (int i = 0; i < rr * ss; i++) {
                dw[k * rr * ss + i] = (float) total[i];
            }
        });
    }
}
