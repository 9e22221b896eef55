package io.jdnn.cpu.fast;

import io.jdnn.Activation;
import io.jdnn.DirectConv;

/**
 * DIRECT: each output element is one straight float32 chain of fused multiply-adds over its
 * receptive field, in the order the reference states it. Any problem, every direction; the
 * baseline the faster algorithms are measured against. Work is split by (image, channel) planes.
 * Forward and backward-data advance the chains of a whole output row together (one multiply-add
 * per tap and element, a vector axpy at stride 1), which changes no element's chain.
 */
final class ConvDirect {
    private ConvDirect() {
    }

    static void forward(CpuDevice dev, DirectConv d, float[] x, float[] w, float[] bias, Activation act, float[] y) {
        Kernels kern = dev.kernels();
        int cg = d.cPerGroup(), kg = d.kPerGroup();
        int hh = d.h(), ww = d.w(), pp = d.p(), qq = d.q(), rr = d.r(), ss = d.s();
        int sw = d.strideW(), dw = d.dilationW(), pw = d.padW();
        dev.parallel().forEach(d.n() * d.k(), (task, worker) -> {
            int n = task / d.k(), k = task % d.k();
            int gi = k / kg;
            int out = task * pp * qq;
            for (int p = 0; p < pp; p++) {
                // The whole output row at once: each element's chain of fused multiply-adds still
                // runs over (c, r, s) in order and skips the same taps, so the loop order changes no bit.
                int row = out + p * qq;
                java.util.Arrays.fill(y, row, row + qq, bias == null ? 0f : bias[k]);
                for (int c = 0; c < cg; c++) {
                    int plane = (n * d.c() + gi * cg + c) * hh * ww;
                    int wb = (k * cg + c) * rr * ss;
                    for (int r = 0; r < rr; r++) {
                        int ih = p * d.strideH() - d.padH() + r * d.dilationH();
                        if (ih < 0 || ih >= hh) {
                            continue;
                        }
                        for (int s = 0; s < ss; s++) {
                            // output columns q with 0 <= q*sw - pw + s*dw < ww
                            int off = s * dw - pw;
                            int qLo = off >= 0 ? 0 : (int) ((-(long) off + sw - 1) / sw);
                            int qHi = off >= ww ? 0 : (int) Math.min(qq, (ww - 1L - off) / sw + 1);
                            if (qHi <= qLo) {
                                continue;
                            }
                            float wv = w[wb + r * ss + s];
                            int xb = plane + ih * ww + off;
                            if (sw == 1) {
                                kern.axpy(qHi - qLo, wv, x, xb + qLo, y, row + qLo);
                            } else {
                                for (int q = qLo; q < qHi; q++) {
                                    y[row + q] = Math.fma(wv, x[xb + q * sw], y[row + q]);
                                }
                            }
                        }
                    }
                }
                Elementwise.epilogue(act, y, row, row + qq);
            }
        });
    }

    static void backwardData(CpuDevice dev, DirectConv d, float[] dy, float[] w, float[] bias, Activation act,
                             float[] dx) {
        Kernels kern = dev.kernels();
        int cg = d.cPerGroup(), kg = d.kPerGroup();
        int hh = d.h(), ww = d.w(), pp = d.p(), qq = d.q(), rr = d.r(), ss = d.s();
        int sw = d.strideW(), dw = d.dilationW(), pw = d.padW();
        dev.parallel().forEach(d.n() * d.c(), (task, worker) -> {
            int n = task / d.c(), c = task % d.c();
            int gi = c / cg, cl = c % cg;
            int out = task * hh * ww;
            for (int h = 0; h < hh; h++) {
                // The whole dx row at once, each element's chain over (k, r, s) in order as before.
                int row = out + h * ww;
                java.util.Arrays.fill(dx, row, row + ww, bias == null ? 0f : bias[c]);
                for (int k = gi * kg; k < (gi + 1) * kg; k++) {
                    int plane = (n * d.k() + k) * pp * qq;
                    int wb = (k * cg + cl) * rr * ss;
                    for (int r = 0; r < rr; r++) {
                        int ph = h + d.padH() - r * d.dilationH();
                        if (ph < 0 || ph % d.strideH() != 0 || ph / d.strideH() >= pp) {
                            continue;
                        }
                        int yb = plane + ph / d.strideH() * qq;
                        for (int s = 0; s < ss; s++) {
                            // dx columns x with qw = x + pw - s*dw >= 0, qw % sw == 0 and qw / sw < qq
                            int off = pw - s * dw;
                            // the smallest x >= 0 with qw >= 0 and qw % sw == 0
                            long first = off >= 0 ? Math.floorMod(-off, sw) : -(long) off;
                            long end = Math.min(ww, (long) qq * sw - off); // x < end <=> qw / sw < qq
                            if (first >= end) {
                                continue;
                            }
                            float wv = w[wb + r * ss + s];
                            int x0 = (int) first;
                            if (sw == 1) {
                                kern.axpy((int) (end - x0), wv, dy, yb + x0 + off, dx, row + x0);
                            } else {
                                for (long x = x0; x < end; x += sw) { // long: a stride may be 2^31 - 1
                                    int i = row + (int) x;
                                    dx[i] = Math.fma(wv, dy[yb + (int) ((x + off) / sw)], dx[i]);
                                }
                            }
                        }
                    }
                }
                Elementwise.epilogue(act, dx, row, row + ww);
            }
        });
    }

    static void backwardFilter(CpuDevice dev, DirectConv d, float[] x, float[] dy, float[] dw) {
        int cg = d.cPerGroup(), kg = d.kPerGroup();
        int hh = d.h(), ww = d.w(), pp = d.p(), qq = d.q(), rr = d.r(), ss = d.s();
        dev.parallel().forEach(d.k() * cg, (task, worker) -> {
            int k = task / cg, c = task % cg;
            int gi = k / kg;
            for (int r = 0; r < rr; r++) {
                for (int s = 0; s < ss; s++) {
                    double total = 0;
                    for (int n = 0; n < d.n(); n++) {
                        int xPlane = (n * d.c() + gi * cg + c) * hh * ww;
                        int yPlane = (n * d.k() + k) * pp * qq;
                        // a float32 chain per output row, rows summed in float64: one chain over
                        // the whole P*Q plane would drift like sqrt(P*Q) * 2^-24 (past the bound at 512x512)
                        for (int p = 0; p < pp; p++) {
                            int ih = p * d.strideH() - d.padH() + r * d.dilationH();
                            if (ih < 0 || ih >= hh) {
                                continue;
                            }
                            float row = 0f;
                            for (int q = 0; q < qq; q++) {
                                int iw = q * d.strideW() - d.padW() + s * d.dilationW();
                                if (iw >= 0 && iw < ww) {
                                    row = Math.fma(dy[yPlane + p * qq + q], x[xPlane + ih * ww + iw], row);
                                }
                            }
                            total += row;
                        }
                    }
                    dw[(k * cg + c) * rr * ss + r * ss + s] = (float) total;
                }
            }
        });
    }
}
