package io.jdnn.cpu.reference;

import io.jdnn.DirectConv;

import java.util.Arrays;

/**
 * Convolution of a {@link DirectConv}, NCHW, PyTorch's weight layout (k, c/groups, r, s). Image
 * row {@code ih = oh * strideH - padH + r * dilationH}; likewise for columns. Every term outside
 * the image (the padding) is zero. Output channel {@code k} belongs to group {@code k / (k/groups)}
 * and reads the image channels {@code group * (c/groups) ..} of that group. The backward passes
 * are the forward's sum read the other way round: the same loop nest, scattering each product
 * into the gradient of one of its factors.
 */
final class RefConv {
    private RefConv() {
    }

    // y (n,k,p,q) = sum_{c in group(k), r, s} x (n,c,h,w) * w (k,c/g,r,s) + bias (k); bias may be null
    static void forward(DirectConv d, double[] x, double[] w, double[] bias, double[] y) {
        int cpg = d.cPerGroup();
        int kpg = d.kPerGroup();
        for (int n = 0; n < d.n(); n++) {
            for (int k = 0; k < d.k(); k++) {
                int g = k / kpg;
                for (int op = 0; op < d.p(); op++) {
                    for (int oq = 0; oq < d.q(); oq++) {
                        double sum = bias == null ? 0 : bias[k];
                        for (int cl = 0; cl < cpg; cl++) {
                            int c = g * cpg + cl;
                            for (int r = 0; r < d.r(); r++) {
                                int ih = op * d.strideH() - d.padH() + r * d.dilationH();
                                if (ih < 0 || ih >= d.h()) {
                                    continue;
                                }
                                for (int s = 0; s < d.s(); s++) {
                                    int iw = oq * d.strideW() - d.padW() + s * d.dilationW();
                                    if (iw < 0 || iw >= d.w()) {
                                        continue;
                                    }
                                    sum += x[((n * d.c() + c) * d.h() + ih) * d.w() + iw]
                                            * w[((k * cpg + cl) * d.r() + r) * d.s() + s];
                                }
                            }
                        }
                        y[((n * d.k() + k) * d.p() + op) * d.q() + oq] = sum;
                    }
                }
            }
        }
    }

    // dx (n,c,h,w) = sum over the forward terms that read x[n][c][ih][iw] of dy (n,k,p,q) * w (k,c/g,r,s), + bias (c)
    static void backwardData(DirectConv d, double[] dy, double[] w, double[] bias, double[] dx) {
        int cpg = d.cPerGroup();
        int kpg = d.kPerGroup();
        int hw = d.h() * d.w();
        for (int n = 0; n < d.n(); n++) {
            for (int c = 0; c < d.c(); c++) {
                for (int i = 0; i < hw; i++) {
                    dx[(n * d.c() + c) * hw + i] = bias == null ? 0 : bias[c];
                }
            }
        }
        for (int n = 0; n < d.n(); n++) {
            for (int k = 0; k < d.k(); k++) {
                int g = k / kpg;
                for (int op = 0; op < d.p(); op++) {
                    for (int oq = 0; oq < d.q(); oq++) {
                        double g0 = dy[((n * d.k() + k) * d.p() + op) * d.q() + oq];
                        for (int cl = 0; cl < cpg; cl++) {
                            int c = g * cpg + cl;
                            for (int r = 0; r < d.r(); r++) {
                                int ih = op * d.strideH() - d.padH() + r * d.dilationH();
                                if (ih < 0 || ih >= d.h()) {
                                    continue;
                                }
                                for (int s = 0; s < d.s(); s++) {
                                    int iw = oq * d.strideW() - d.padW() + s * d.dilationW();
                                    if (iw < 0 || iw >= d.w()) {
                                        continue;
                                    }
                                    dx[((n * d.c() + c) * d.h() + ih) * d.w() + iw]
                                            += g0 * w[((k * cpg + cl) * d.r() + r) * d.s() + s];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // dw (k,c/g,r,s) = sum over n, p, q of x (n,c,h,w) * dy (n,k,p,q), overwritten
    static void backwardFilter(DirectConv d, double[] x, double[] dy, double[] dw) {
        int cpg = d.cPerGroup();
        int kpg = d.kPerGroup();
        Arrays.fill(dw, 0, d.k() * cpg * d.r() * d.s(), 0.0);
        for (int n = 0; n < d.n(); n++) {
            for (int k = 0; k < d.k(); k++) {
                int g = k / kpg;
                for (int op = 0; op < d.p(); op++) {
                    for (int oq = 0; oq < d.q(); oq++) {
                        double g0 = dy[((n * d.k() + k) * d.p() + op) * d.q() + oq];
                        for (int cl = 0; cl < cpg; cl++) {
                            int c = g * cpg + cl;
                            for (int r = 0; r < d.r(); r++) {
                                int ih = op * d.strideH() - d.padH() + r * d.dilationH();
                                if (ih < 0 || ih >= d.h()) {
                                    continue;
                                }
                                for (int s = 0; s < d.s(); s++) {
                                    int iw = oq * d.strideW() - d.padW() + s * d.dilationW();
                                    if (iw < 0 || iw >= d.w()) {
                                        continue;
                                    }
                                    dw[((k * cpg + cl) * d.r() + r) * d.s() + s]
                                            += g0 * x[((n * d.c() + c) * d.h() + ih) * d.w() + iw];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // out (c) = sum over n and i of x (n, c, inner): every bias gradient
    static void channelSum(int n, int c, long inner, double[] x, double[] out) {
        for (int ci = 0; ci < c; ci++) {
            double sum = 0;
            for (int ni = 0; ni < n; ni++) {
                long base = ((long) ni * c + ci) * inner;
                for (long i = 0; i < inner; i++) {
                    sum += x[(int) (base + i)];
                }
            }
            out[ci] = sum;
        }
    }
}
