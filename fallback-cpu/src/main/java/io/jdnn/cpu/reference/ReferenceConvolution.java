package io.jdnn.cpu.reference;

import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;

import java.util.Objects;

/**
 * One output element of a pass of a {@link DirectConv}, computed alone in float64: the sum of the
 * reference's definition ({@code RefConv}'s loops) for that element, its terms in the loops' order,
 * so bitwise the value the {@code reference} device writes there. What a check of a random subset
 * of a large convolution's outputs ({@code jdnn bench --verify sample}) compares with.
 */
public final class ReferenceConvolution {
    private ReferenceConvolution() {
    }

    /**
     * The element {@code index} (row-major) of the output of {@code direction} of {@code d}: y (n, k,
     * p, q) of the forward pass from {@code first} = x and {@code second} = w; dx (n, c, h, w) of
     * backward-data from dy and w; dw (k, c/groups, r, s) of backward-filter from x and dy (the
     * operands in the order of the backend SPI). {@code bias} (of y's or dx's channels) may be null;
     * backward-filter takes none.
     */
    public static double output(DirectConv d, ConvDirection direction, double[] first, double[] second, double[] bias,
                                long index) {
        Objects.requireNonNull(d, "d");
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        long size = switch (direction) {
            case FORWARD -> d.responseElements();
            case BACKWARD_DATA -> d.imageElements();
            case BACKWARD_FILTER -> d.weightElements();
        };
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index: expected [0, " + size + "), got " + index);
        }
        return switch (direction) {
            case FORWARD -> forward(d, first, second, bias, (int) index);
            case BACKWARD_DATA -> backwardData(d, first, second, bias, (int) index);
            case BACKWARD_FILTER -> backwardFilter(d, first, second, (int) index);
        };
    }

    private static double forward(DirectConv d, double[] x, double[] w, double[] bias, int index) {
        int oq = index % d.q();
        int op = index / d.q() % d.p();
        int k = index / (d.q() * d.p()) % d.k();
        int n = index / (d.q() * d.p() * d.k());
        int cpg = d.cPerGroup();
        int g = k / d.kPerGroup();
        int[] rows = RefConvGemm.tapsInside(op, d.r(), d.strideH(), d.padH(), d.dilationH(), d.h());
        int[] cols = RefConvGemm.tapsInside(oq, d.s(), d.strideW(), d.padW(), d.dilationW(), d.w());
        double sum = bias == null ? 0 : bias[k];
        for (int cl = 0; cl < cpg; cl++) {
            int c = g * cpg + cl;
            for (int r : rows) {
                int ih = op * d.strideH() - d.padH() + r * d.dilationH();
                for (int s : cols) {
                    int iw = oq * d.strideW() - d.padW() + s * d.dilationW();
                    sum += x[((n * d.c() + c) * d.h() + ih) * d.w() + iw] * w[((k * cpg + cl) * d.r() + r) * d.s() + s];
                }
            }
        }
        return sum;
    }

    private static double backwardData(DirectConv d, double[] dy, double[] w, double[] bias, int index) {
        int iw = index % d.w();
        int ih = index / d.w() % d.h();
        int c = index / (d.w() * d.h()) % d.c();
        int n = index / (d.w() * d.h() * d.c());
        int cpg = d.cPerGroup();
        int kpg = d.kPerGroup();
        int g = c / cpg;
        int cl = c - g * cpg;
        int[] rows = RefConvGemm.tapsReaching(ih, d.r(), d.strideH(), d.padH(), d.dilationH(), d.p());
        int[] cols = RefConvGemm.tapsReaching(iw, d.s(), d.strideW(), d.padW(), d.dilationW(), d.q());
        double sum = bias == null ? 0 : bias[c];
        for (int kl = 0; kl < kpg; kl++) {
            int k = g * kpg + kl;
            for (int r : rows) {
                int op = (ih + d.padH() - r * d.dilationH()) / d.strideH();
                for (int s : cols) {
                    int oq = (iw + d.padW() - s * d.dilationW()) / d.strideW();
                    sum += dy[((n * d.k() + k) * d.p() + op) * d.q() + oq] * w[((k * cpg + cl) * d.r() + r) * d.s() + s];
                }
            }
        }
        return sum;
    }

    private static double backwardFilter(DirectConv d, double[] x, double[] dy, int index) {
        int s = index % d.s();
        int r = index / d.s() % d.r();
        int cl = index / (d.s() * d.r()) % d.cPerGroup();
        int k = index / (d.s() * d.r() * d.cPerGroup());
        int c = k / d.kPerGroup() * d.cPerGroup() + cl;
        int[] rows = RefConvGemm.outputsInside(r, d.p(), d.strideH(), d.padH(), d.dilationH(), d.h());
        int[] cols = RefConvGemm.outputsInside(s, d.q(), d.strideW(), d.padW(), d.dilationW(), d.w());
        double sum = 0;
        for (int n = 0; n < d.n(); n++) {
            for (int op : rows) {
                int ih = op * d.strideH() - d.padH() + r * d.dilationH();
                for (int oq : cols) {
                    int iw = oq * d.strideW() - d.padW() + s * d.dilationW();
                    sum += dy[((n * d.k() + k) * d.p() + op) * d.q() + oq] * x[((n * d.c() + c) * d.h() + ih) * d.w() + iw];
                }
            }
        }
        return sum;
    }
}
