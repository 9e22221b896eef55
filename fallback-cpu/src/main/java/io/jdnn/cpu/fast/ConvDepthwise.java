package io.jdnn.cpu.fast;

import io.jdnn.DirectConv;

import java.util.Arrays;

/**
 * DEPTHWISE: groups == input channels, so each response channel k filters the single image
 * channel k / multiplier. Per (image, channel) plane, the image plane is first copied once into a
 * zero-padded buffer; then, for stride 1 and any dilation, each output row is a sum of whole-row
 * multiply-adds ({@link Kernels#correlateRow}, nine taps per pass for 3x3) with no bound check in
 * the loop; strided problems loop over the same buffer. Backward-data of a
 * stride-1 problem is the same correlation with the flipped filter on dy; backward-filter takes
 * one float32 dot product per filter tap and image over all valid rows, summed over images in
 * float64 in a fixed order.
 */
final class ConvDepthwise {
    private ConvDepthwise() {
    }

    static void forward(CpuDevice dev, DirectConv d, float[] x, float[] w, float[] bias, float[] y) {
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
                strided(ws, d, x, srcOff, w, k * rr * ss, y, outOff, b);
            }
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
        float[][] tmp = ws.rowsC(2, Workspace.pad16(outW));
        int[] wOffs = ws.ints(2 * rr);
        int[] xOffs = ws.ints2(rr);
        for (int o = 0; o < outH; o++) {
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

    /** Forward with a stride above 1: straight loops over a zero-padded copy of the plane. */
    private static void strided(Workspace ws, DirectConv d, float[] x, int srcOff, float[] w, int wOff, float[] y,
                                int outOff, float bias) {
        int hh = d.h(), ww = d.w(), rr = d.r(), ss = d.s();
        int sh = d.strideH(), sw = d.strideW(), dh = d.dilationH(), dw = d.dilationW();
        int wp = (d.q() - 1) * sw + (ss - 1) * dw + 1;
        float[] pad = ws.flatA(hh * wp);
        int lo = Math.max(0, d.padW()), hi = Math.min(wp, ww + d.padW());
        for (int h = 0; h < hh; h++) {
            Arrays.fill(pad, h * wp, (h + 1) * wp, 0f);
            if (hi > lo) {
                System.arraycopy(x, srcOff + h * ww + lo - d.padW(), pad, h * wp + lo, hi - lo);
            }
        }
        for (int p = 0; p < d.p(); p++) {
            for (int q = 0; q < d.q(); q++) {
                float acc = bias;
                for (int r = 0; r < rr; r++) {
                    int ih = p * sh - d.padH() + r * dh;
                    if (ih < 0 || ih >= hh) {
                        continue;
                    }
                    int base = ih * wp + q * sw;
                    for (int s = 0; s < ss; s++) {
                        acc = Math.fma(w[wOff + r * ss + s], pad[base + s * dw], acc);
                    }
                }
                y[outOff + p * d.q() + q] = acc;
            }
        }
    }

    static void backwardData(CpuDevice dev, DirectConv d, float[] dy, float[] w, float[] bias, float[] dx) {
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
                for (int h = 0; h < d.h(); h++) {
                    for (int x = 0; x < d.w(); x++) {
                        float acc = b;
                        for (int j = 0; j < mult; j++) {
                            int k = c * mult + j;
                            int plane = (n * d.k() + k) * d.p() * d.q();
                            for (int r = 0; r < rr; r++) {
                                int ph = h + d.padH() - r * d.dilationH();
                                if (ph < 0 || ph % d.strideH() != 0 || ph / d.strideH() >= d.p()) {
                                    continue;
                                }
                                int row = plane + ph / d.strideH() * d.q();
                                for (int s = 0; s < ss; s++) {
                                    int qw = x + d.padW() - s * d.dilationW();
                                    if (qw >= 0 && qw % d.strideW() == 0 && qw / d.strideW() < d.q()) {
                                        acc = Math.fma(w[k * rs + r * ss + s], dy[row + qw / d.strideW()], acc);
                                    }
                                }
                            }
                        }
                        dx[outOff + h * d.w() + x] = acc;
                    }
                }
            }
        });
    }

    static void backwardFilter(CpuDevice dev, DirectConv d, float[] x, float[] dy, float[] dw) {
        Kernels kern = dev.kernels();
        int mult = d.kPerGroup();
        int rr = d.r(), ss = d.s(), hh = d.h(), ww = d.w();
        int sw = d.strideW();
        int wp = (d.q() - 1) * sw + (ss - 1) * d.dilationW() + 1;
        dev.parallel().forEach(d.k(), (k, worker) -> {
            int c = k / mult;
            Workspace ws = dev.workspace(worker);
            double[] total = ws.doubles(rr * ss);
            Arrays.fill(total, 0, rr * ss, 0.0);
            float[] pad = ws.flatA(hh * wp);
            int lo = Math.max(0, d.padW()), hi = Math.min(wp, ww + d.padW());
            for (int n = 0; n < d.n(); n++) {
                int srcOff = (n * d.c() + c) * hh * ww;
                for (int h = 0; h < hh; h++) {
                    Arrays.fill(pad, h * wp, (h + 1) * wp, 0f);
                    if (hi > lo) {
                        System.arraycopy(x, srcOff + h * ww + lo - d.padW(), pad, h * wp + lo, hi - lo);
                    }
                }
                int yPlane = (n * d.k() + k) * d.p() * d.q();
                for (int r = 0; r < rr; r++) {
                    // output rows whose image row p*sh - ph + r*dh lies inside the image
                    int off = r * d.dilationH() - d.padH();
                    int pLo = off >= 0 ? 0 : (-off + d.strideH() - 1) / d.strideH();
                    int pHi = Math.min(d.p(), off >= hh ? 0 : (hh - 1 - off) / d.strideH() + 1);
                    if (pHi <= pLo) {
                        continue;
                    }
                    for (int s = 0; s < ss; s++) {
                        int xb = (pLo * d.strideH() + off) * wp + s * d.dilationW();
                        int yb = yPlane + pLo * d.q();
                        if (sw == 1) {
                            total[r * ss + s] += kern.dotRows(pHi - pLo, d.q(), dy, yb, d.q(), pad, xb, d.strideH() * wp);
                        } else {
                            double acc = 0;
                            for (int p = pLo; p < pHi; p++, xb += d.strideH() * wp, yb += d.q()) {
                                float a = 0f;
                                for (int q = 0; q < d.q(); q++) {
                                    a = Math.fma(dy[yb + q], pad[xb + q * sw], a);
                                }
                                acc += a;
                            }
                            total[r * ss + s] += acc;
                        }
                    }
                }
            }
            for (int i = 0; i < rr * ss; i++) {
                dw[k * rr * ss + i] = (float) total[i];
            }
        });
    }
}
