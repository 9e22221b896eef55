package io.jdnn.cpu.fast;

import io.jdnn.Activation;
import io.jdnn.DirectConv;

/**
 * DIRECT: each output element is one straight float32 loop over its receptive field, in the
 * order the reference states it. Any problem, every direction; the baseline the faster algorithms
 * are measured against. Work is split by (image, channel) planes.
 */
final class ConvDirect {
    private ConvDirect() {
    }

    static void forward(CpuDevice dev, DirectConv d, float[] x, float[] w, float[] bias, Activation act, float[] y) {
        int cg = d.cPerGroup(), kg = d.kPerGroup();
        int hh = d.h(), ww = d.w(), pp = d.p(), qq = d.q(), rr = d.r(), ss = d.s();
        dev.parallel().forEach(d.n() * d.k(), (task, worker) -> {
            int n = task / d.k(), k = task % d.k();
            int gi = k / kg;
            int out = task * pp * qq;
            for (int p = 0; p < pp; p++) {
                for (int q = 0; q < qq; q++) {
                    float acc = bias == null ? 0f : bias[k];
                    for (int c = 0; c < cg; c++) {
                        int plane = (n * d.c() + gi * cg + c) * hh * ww;
                        int wb = (k * cg + c) * rr * ss;
                        for (int r = 0; r < rr; r++) {
                            int ih = p * d.strideH() - d.padH() + r * d.dilationH();
                            if (ih < 0 || ih >= hh) {
                                continue;
                            }
                            for (int s = 0; s < ss; s++) {
                                int iw = q * d.strideW() - d.padW() + s * d.dilationW();
                                if (iw >= 0 && iw < ww) {
                                    acc = Math.fma(w[wb + r * ss + s], x[plane + ih * ww + iw], acc);
                                }
                            }
                        }
                    }
                    y[out + p * qq + q] = acc;
                }
                Elementwise.epilogue(act, y, out + p * qq, out + (p + 1) * qq);
            }
        });
    }

    static void backwardData(CpuDevice dev, DirectConv d, float[] dy, float[] w, float[] bias, Activation act,
                             float[] dx) {
        int cg = d.cPerGroup(), kg = d.kPerGroup();
        int hh = d.h(), ww = d.w(), pp = d.p(), qq = d.q(), rr = d.r(), ss = d.s();
        dev.parallel().forEach(d.n() * d.c(), (task, worker) -> {
            int n = task / d.c(), c = task % d.c();
            int gi = c / cg, cl = c % cg;
            int out = task * hh * ww;
            for (int h = 0; h < hh; h++) {
                for (int x = 0; x < ww; x++) {
                    float acc = bias == null ? 0f : bias[c];
                    for (int k = gi * kg; k < (gi + 1) * kg; k++) {
                        int plane = (n * d.k() + k) * pp * qq;
                        int wb = (k * cg + cl) * rr * ss;
                        for (int r = 0; r < rr; r++) {
                            int ph = h + d.padH() - r * d.dilationH();
                            if (ph < 0 || ph % d.strideH() != 0 || ph / d.strideH() >= pp) {
                                continue;
                            }
                            int p = ph / d.strideH();
                            for (int s = 0; s < ss; s++) {
                                int qw = x + d.padW() - s * d.dilationW();
                                if (qw >= 0 && qw % d.strideW() == 0 && qw / d.strideW() < qq) {
                                    acc = Math.fma(w[wb + r * ss + s], dy[plane + p * qq + qw / d.strideW()], acc);
                                }
                            }
                        }
                    }
                    dx[out + h * ww + x] = acc;
                }
                Elementwise.epilogue(act, dx, out + h * ww, out + (h + 1) * ww);
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
