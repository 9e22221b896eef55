package io.jdnn.cpu.fast;

import io.jdnn.Activation;
import io.jdnn.DirectConv;

import java.util.Arrays;

/**
 * DIRECT: each output element is one straight float32 chain of fused multiply-adds over its
 * receptive field, in the order the reference states it. Any problem, every direction; the
 * baseline the faster algorithms are measured against. Work is split by (image, channel) planes.
 * Forward and backward-data advance the chains of a whole output plane together, tap by tap (one
 * fused multiply-add per tap and element, a vector axpy at stride 1, over the whole plane where its
 * rows are contiguous), and backward-filter four channels' chains side by side: no element's chain
 * changes.
 */
final class ConvDirect {
    private ConvDirect() {
    }

    static void forward(CpuDevice dev, DirectConv d, float[] x, float[] w, float[] bias, Activation act, float[] y) {
        Kernels kern = dev.kernels();
        int cg = d.cPerGroup(), kg = d.kPerGroup();
        int hh = d.h(), ww = d.w(), pp = d.p(), qq = d.q(), rr = d.r(), ss = d.s();
        int sh = d.strideH(), sw = d.strideW();
        // at a column stride above 1, rows split into column phases: every tap's run is contiguous
        float[] xs = ConvGemm.splitColumnPhases(dev, d, x);
        dev.parallel().forEach(d.n() * d.k(), (task, worker) -> {
            int n = task / d.k(), k = task % d.k();
            int gi = k / kg;
            int out = task * pp * qq;
            // The whole output plane at once, tap by tap: each element's chain of fused
            // multiply-adds still runs over (c, r, s) in order and skips the same taps.
            Arrays.fill(y, out, out + pp * qq, bias == null ? 0f : bias[k]);
            for (int c = 0; c < cg; c++) {
                int plane = (n * d.c() + gi * cg + c) * hh * ww;
                int wb = (k * cg + c) * rr * ss;
                for (int r = 0; r < rr; r++) {
                    // output rows p whose image row p*sh + rowOff lies inside the image
                    int rowOff = r * d.dilationH() - d.padH();
                    int pLo = rowOff >= 0 ? 0 : (int) ((-(long) rowOff + sh - 1) / sh);
                    int pHi = rowOff >= hh ? 0 : (int) Math.min(pp, (hh - 1L - rowOff) / sh + 1);
                    for (int s = 0; s < ss; s++) {
                        // output columns q whose image column q*sw + off lies inside the image
                        int off = s * d.dilationW() - d.padW();
                        int qLo = off >= 0 ? 0 : (int) ((-(long) off + sw - 1) / sw);
                        int qHi = off >= ww ? 0 : (int) Math.min(qq, (ww - 1L - off) / sw + 1);
                        if (qHi <= qLo || pHi <= pLo) {
                            continue;
                        }
                        float wv = w[wb + r * ss + s];
                        if (sh == 1 && sw == 1 && off == 0 && qq == ww) {
                            // rows of the plane follow each other in x and y alike: one run
                            int from = pLo * qq;
                            kern.axpy((pHi - pLo) * qq, wv, x, plane + (pLo + rowOff) * ww, y, out + from);
                            continue;
                        }
                        // image column q*sw + off = (q + a)*sw + b: entry q + a of column phase b
                        int b = Math.floorMod(off, sw), a = Math.floorDiv(off, sw);
                        int colAt = ConvGemm.phaseStart(ww, sw, b) + a;
                        for (int p = pLo; p < pHi; p++) {
                            kern.axpy(qHi - qLo, wv, xs, plane + (p * sh + rowOff) * ww + colAt + qLo, y, out + p * qq + qLo);
                        }
                    }
                }
            }
            Elementwise.epilogue(act, y, out, out + pp * qq);
        });
    }

    static void backwardData(CpuDevice dev, DirectConv d, float[] dy, float[] w, float[] bias, Activation act,
                             float[] dx) {
        Kernels kern = dev.kernels();
        int cg = d.cPerGroup(), kg = d.kPerGroup();
        int hh = d.h(), ww = d.w(), pp = d.p(), qq = d.q(), rr = d.r(), ss = d.s();
        int sh = d.strideH(), sw = d.strideW();
        dev.parallel().forEach(d.n() * d.c(), (task, worker) -> {
            int n = task / d.c(), c = task % d.c();
            int gi = c / cg, cl = c % cg;
            int out = task * hh * ww;
            // The whole dx plane at once, tap by tap: each element's chain over (k, r, s) in order as
            // before. At a column stride above 1 the chains run in a copy of the plane whose rows are
            // split into column phases (every tap's run contiguous), copied out at the end.
            float[] acc = sw == 1 ? dx : dev.workspace(worker).flatA(hh * ww);
            int accOut = sw == 1 ? out : 0;
            Arrays.fill(acc, accOut, accOut + hh * ww, bias == null ? 0f : bias[c]);
            for (int k = gi * kg; k < (gi + 1) * kg; k++) {
                int plane = (n * d.k() + k) * pp * qq;
                int wb = (k * cg + cl) * rr * ss;
                for (int r = 0; r < rr; r++) {
                    // dx rows h with ph = h - rowOff >= 0, ph % sh == 0 and ph / sh < pp
                    int rowOff = r * d.dilationH() - d.padH();
                    long hFirst = rowOff >= 0 ? rowOff : Math.floorMod(rowOff, sh);
                    long hEnd = Math.min(hh, (long) (pp - 1) * sh + rowOff + 1);
                    for (int s = 0; s < ss; s++) {
                        // dx columns x with qw = x - off >= 0, qw % sw == 0 and qw / sw < qq
                        int off = s * d.dilationW() - d.padW();
                        long first = off >= 0 ? off : Math.floorMod(off, sw);
                        long end = Math.min(ww, (long) (qq - 1) * sw + off + 1);
                        if (first >= end || hFirst >= hEnd) {
                            continue;
                        }
                        float wv = w[wb + r * ss + s];
                        int x0 = (int) first;
                        int count = (int) ((end - 1 - x0) / sw + 1);
                        int colAt = ConvGemm.phaseStart(ww, sw, (int) (x0 % sw)) + x0 / sw; // column x0 in acc's rows
                        if (sh == 1 && sw == 1 && off == 0 && qq == ww) {
                            // rows of the plane follow each other in dy and dx alike: one run
                            int h0 = (int) hFirst;
                            kern.axpy((int) (hEnd - h0) * ww, wv, dy, plane + (h0 - rowOff) * qq, dx, out + h0 * ww);
                            continue;
                        }
                        for (long h = hFirst; h < hEnd; h += sh) { // long: a stride may be 2^31 - 1
                            int yb = plane + (int) ((h - rowOff) / sh) * qq;
                            kern.axpy(count, wv, dy, yb + (x0 - off) / sw, acc, accOut + (int) h * ww + colAt);
                        }
                    }
                }
            }
            if (sw > 1) {
                int phases = Math.min(sw, ww);
                for (int h = 0; h < hh; h++) {
                    for (int b = 0, o = h * ww; b < phases; b++) {
                        for (long xx = b; xx < ww; xx += sw) {
                            dx[out + h * ww + (int) xx] = acc[o++];
                        }
                    }
                }
            }
            Elementwise.epilogue(act, dx, out, out + hh * ww);
        });
    }

    /** Image channels whose backward-filter chains one task advances together (independent chains: no latency wait). */
    private static final int FILTER_CHANNELS = 4;

    static void backwardFilter(CpuDevice dev, DirectConv d, float[] x, float[] dy, float[] dw) {
        int cg = d.cPerGroup(), kg = d.kPerGroup();
        int hh = d.h(), ww = d.w(), pp = d.p(), qq = d.q(), rr = d.r(), ss = d.s();
        int sw = d.strideW(), plane = hh * ww;
        int cBlocks = (cg + FILTER_CHANNELS - 1) / FILTER_CHANNELS;
        dev.parallel().forEach(d.k() * cBlocks, (task, worker) -> {
            int k = task / cBlocks, c0 = (task % cBlocks) * FILTER_CHANNELS;
            int cn = Math.min(FILTER_CHANNELS, cg - c0);
            int gi = k / kg;
            for (int r = 0; r < rr; r++) {
                for (int s = 0; s < ss; s++) {
                    // image columns q*sw + off inside the image for q in [qLo, qHi)
                    int off = s * d.dilationW() - d.padW();
                    int qLo = off >= 0 ? 0 : (int) ((-(long) off + sw - 1) / sw);
                    int qHi = off >= ww ? 0 : (int) Math.min(qq, (ww - 1L - off) / sw + 1);
                    double t0 = 0, t1 = 0, t2 = 0, t3 = 0;
                    for (int n = 0; n < d.n(); n++) {
                        int xPlane = (n * d.c() + gi * cg + c0) * plane;
                        int yPlane = (n * d.k() + k) * pp * qq;
                        // a float32 chain per output row, rows summed in float64: one chain over
                        // the whole P*Q plane would drift like sqrt(P*Q) * 2^-24 (past the bound at 512x512)
                        for (int p = 0; p < pp; p++) {
                            int ih = p * d.strideH() - d.padH() + r * d.dilationH();
                            if (ih < 0 || ih >= hh) {
                                continue;
                            }
                            int yb = yPlane + p * qq, xb = xPlane + ih * ww + off;
                            if (cn == FILTER_CHANNELS) {
                                // four channels' chains side by side, each in q order as alone
                                float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
                                for (int q = qLo; q < qHi; q++) {
                                    float g = dy[yb + q];
                                    int xi = xb + q * sw;
                                    a0 = Math.fma(g, x[xi], a0);
                                    a1 = Math.fma(g, x[xi + plane], a1);
                                    a2 = Math.fma(g, x[xi + 2 * plane], a2);
                                    a3 = Math.fma(g, x[xi + 3 * plane], a3);
                                }
                                t0 += a0;
                                t1 += a1;
                                t2 += a2;
                                t3 += a3;
                            } else {
                                for (int c = 0; c < cn; c++) {
                                    float a = 0f;
                                    for (int q = qLo, xi = xb + c * plane + qLo * sw; q < qHi; q++, xi += sw) {
                                        a = Math.fma(dy[yb + q], x[xi], a);
                                    }
                                    switch (c) {
                                        case 0 -> t0 += a;
                                        case 1 -> t1 += a;
                                        default -> t2 += a;
                                    }
                                }
                            }
                        }
                    }
                    for (int c = 0; c < cn; c++) {
                        double t = c == 0 ? t0 : c == 1 ? t1 : c == 2 ? t2 : t3;
                        dw[(k * cg + c0 + c) * rr * ss + r * ss + s] = (float) t;
                    }
                }
            }
        });
    }
}
