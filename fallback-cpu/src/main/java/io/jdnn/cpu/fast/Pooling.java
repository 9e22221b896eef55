package io.jdnn.cpu.fast;

import io.jdnn.PoolMode;
import io.jdnn.PoolProblem;

import java.util.Arrays;

/**
 * Pooling, PyTorch's semantics (see {@link PoolProblem}), one task per (image, channel) plane. Max
 * pooling takes the first maximum in row-major window order and lets a NaN win; its backward
 * re-finds that position. Backward passes zero their plane and add window by window in output
 * order, so overlapping windows sum in a fixed order. Max pooling without dilation is
 * {@link MaxPooling}'s.
 */
final class Pooling {
    private Pooling() {
    }

    static void forward(CpuDevice dev, PoolProblem p, float[] x, float[] y) {
        int hh = p.height(), ww = p.width(), oh = p.outHeight(), ow = p.outWidth();
        dev.parallel().forEach(p.batch() * p.channels(), (plane, worker) -> {
            int xo = plane * hh * ww, yo = plane * oh * ow;
            switch (p.mode()) {
                case MAX -> {
                    if (p.dilationH() == 1 && p.dilationW() == 1) {
                        MaxPooling.forwardPlane(dev.kernels(), p, x, xo, y, yo, dev.workspace(worker));
                    } else {
                        for (int i = 0; i < oh; i++) {
                            for (int j = 0; j < ow; j++) {
                                y[yo + i * ow + j] = x[xo + argmax(p, x, xo, i, j)];
                            }
                        }
                    }
                }
                case AVG -> avgPlane(p, x, xo, y, yo, dev.workspace(worker));
                case ADAPTIVE_AVG -> {
                    for (int i = 0; i < oh; i++) {
                        int a0 = PoolProblem.adaptiveStart(i, hh, oh), a1 = PoolProblem.adaptiveEnd(i, hh, oh);
                        for (int j = 0; j < ow; j++) {
                            int b0 = PoolProblem.adaptiveStart(j, ww, ow), b1 = PoolProblem.adaptiveEnd(j, ww, ow);
                            float s = 0f;
                            for (int r = a0; r < a1; r++) {
                                for (int c = b0; c < b1; c++) {
                                    s += x[xo + r * ww + c];
                                }
                            }
                            y[yo + i * ow + j] = s / ((a1 - a0) * (b1 - b0));
                        }
                    }
                }
            }
        });
    }

    /**
     * Average pooling of one plane, one output row at a time: the window's rows summed into one row
     * of column sums (a pass of contiguous adds per row), then each output the sum of its columns
     * over the divisor: kh + kw adds per output and column instead of kh * kw bounds-checked ones.
     */
    private static void avgPlane(PoolProblem p, float[] x, int xo, float[] y, int yo, Workspace ws) {
        int hh = p.height(), ww = p.width(), oh = p.outHeight(), ow = p.outWidth();
        float[] colSum = ws.rowsC(1, ww)[0];
        for (int i = 0; i < oh; i++) {
            int h0 = i * p.strideH() - p.padH();
            int h1 = Math.min(h0 + p.kernelH(), hh + p.padBottom());
            int a0 = Math.max(h0, 0), a1 = Math.min(h1, hh);
            if (a1 > a0) {
                System.arraycopy(x, xo + a0 * ww, colSum, 0, ww);
            } else {
                Arrays.fill(colSum, 0, ww, 0f);
            }
            for (int r = a0 + 1; r < a1; r++) {
                int row = xo + r * ww;
                for (int c = 0; c < ww; c++) {
                    colSum[c] += x[row + c];
                }
            }
            for (int j = 0; j < ow; j++) {
                int w0 = j * p.strideW() - p.padW();
                int w1 = Math.min(w0 + p.kernelW(), ww + p.padRight());
                int b0 = Math.max(w0, 0), b1 = Math.min(w1, ww);
                float s = 0f;
                for (int c = b0; c < b1; c++) {
                    s += colSum[c];
                }
                int div = p.countIncludePad() ? (h1 - h0) * (w1 - w0) : (a1 - a0) * (b1 - b0);
                y[yo + i * ow + j] = s / div;
            }
        }
    }

    /**
     * Offset within the plane of output (i, j)'s maximum, PyTorch's scan in row-major window order:
     * a value replaces the kept one when it is larger or NaN ({@code val > max || isnan(val)}), so
     * the first maximum wins among numbers and the last NaN wins among NaNs.
     */
    static int argmax(PoolProblem p, float[] x, int xo, int i, int j) {
        int hh = p.height(), ww = p.width();
        int best = -1;
        float m = Float.NEGATIVE_INFINITY;
        for (int r = 0; r < p.kernelH(); r++) {
            int ih = i * p.strideH() - p.padH() + r * p.dilationH();
            if (ih < 0 || ih >= hh) {
                continue;
            }
            for (int s = 0; s < p.kernelW(); s++) {
                int iw = j * p.strideW() - p.padW() + s * p.dilationW();
                if (iw < 0 || iw >= ww) {
                    continue;
                }
                float v = x[xo + ih * ww + iw];
                if (best < 0 || v > m || Float.isNaN(v)) {
                    best = ih * ww + iw;
                    m = v;
                }
            }
        }
        return best;
    }

    /**
     * Average-pooling backward of one plane with stride 1 (Inception's 3x3/1 pools): a gather, not
     * the scatter of kh*kw read-modify-writes per output. With g = dy / (each window's divisor),
     * dx[h][c] = sum of g over the windows covering (h, c), which for stride 1 is a box sum: first
     * along each row of g (the kw windows j = c + padW - s), then down the columns (the kh rows
     * i = h + padH - r); every dx element is written once.
     */
    private static void avgStride1BackwardPlane(PoolProblem p, float[] dy, int yo, float[] dx, int xo, Workspace ws) {
        int hh = p.height(), ww = p.width(), oh = p.outHeight(), ow = p.outWidth();
        int kh = p.kernelH(), kw = p.kernelW(), ph = p.padH(), pw = p.padW();
        float[] rows = ws.flatA(oh * (ow + ww));
        int hOff = oh * ow; // g at [0, oh*ow), the row sums at [hOff, hOff + oh*ww)
        for (int i = 0; i < oh; i++) {
            int h0 = i - ph, h1 = Math.min(h0 + kh, hh + p.padBottom());
            int a = Math.min(h1, hh) - Math.max(h0, 0);
            for (int j = 0; j < ow; j++) {
                int w0 = j - pw, w1 = Math.min(w0 + kw, ww + p.padRight());
                int div = p.countIncludePad() ? (h1 - h0) * (w1 - w0) : a * (Math.min(w1, ww) - Math.max(w0, 0));
                rows[i * ow + j] = dy[yo + i * ow + j] / div;
            }
            for (int c = 0; c < ww; c++) {
                int jLo = Math.max(0, c + pw - kw + 1), jHi = Math.min(ow - 1, c + pw);
                float sum = 0f;
                for (int j = jLo; j <= jHi; j++) {
                    sum += rows[i * ow + j];
                }
                rows[hOff + i * ww + c] = sum;
            }
        }
        for (int h = 0; h < hh; h++) {
            int iLo = Math.max(0, h + ph - kh + 1), iHi = Math.min(oh - 1, h + ph);
            int row = xo + h * ww;
            if (iHi < iLo) {
                Arrays.fill(dx, row, row + ww, 0f);
                continue;
            }
            System.arraycopy(rows, hOff + iLo * ww, dx, row, ww);
            for (int i = iLo + 1; i <= iHi; i++) {
                int src = hOff + i * ww;
                for (int c = 0; c < ww; c++) {
                    dx[row + c] += rows[src + c];
                }
            }
        }
    }

    static void backward(CpuDevice dev, PoolProblem p, float[] x, float[] dy, float[] dx) {
        int hh = p.height(), ww = p.width(), oh = p.outHeight(), ow = p.outWidth();
        dev.parallel().forEach(p.batch() * p.channels(), (plane, worker) -> {
            int xo = plane * hh * ww, yo = plane * oh * ow;
            if (p.mode() == PoolMode.MAX && p.kernelH() == 2 && p.kernelW() == 2 && p.strideH() == 2
                    && p.strideW() == 2 && p.padH() == 0 && p.padW() == 0 && p.dilationH() == 1 && p.dilationW() == 1) {
                MaxPooling.backward2x2Plane(dev.kernels(), p, x, xo, dy, yo, dx);
                return;
            }
            if (p.mode() == PoolMode.AVG && p.strideH() == 1 && p.strideW() == 1) {
                avgStride1BackwardPlane(p, dy, yo, dx, xo, dev.workspace(worker));
                return;
            }
            Arrays.fill(dx, xo, xo + hh * ww, 0f);
            if (p.mode() == PoolMode.MAX && p.dilationH() == 1 && p.dilationW() == 1) {
                MaxPooling.backwardPlane(dev.kernels(), p, x, xo, dy, yo, dx, dev.workspace(worker));
                return;
            }
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    float g = dy[yo + i * ow + j];
                    if (p.mode() == PoolMode.MAX) {
                        dx[xo + argmax(p, x, xo, i, j)] += g;
                        continue;
                    }
                    int a0, a1, b0, b1, div;
                    if (p.mode() == PoolMode.AVG) {
                        int h0 = i * p.strideH() - p.padH();
                        int h1 = Math.min(h0 + p.kernelH(), hh + p.padBottom());
                        int w0 = j * p.strideW() - p.padW();
                        int w1 = Math.min(w0 + p.kernelW(), ww + p.padRight());
                        int size = (h1 - h0) * (w1 - w0);
                        a0 = Math.max(h0, 0);
                        a1 = Math.min(h1, hh);
                        b0 = Math.max(w0, 0);
                        b1 = Math.min(w1, ww);
                        div = p.countIncludePad() ? size : (a1 - a0) * (b1 - b0);
                    } else {
                        a0 = PoolProblem.adaptiveStart(i, hh, oh);
                        a1 = PoolProblem.adaptiveEnd(i, hh, oh);
                        b0 = PoolProblem.adaptiveStart(j, ww, ow);
                        b1 = PoolProblem.adaptiveEnd(j, ww, ow);
                        div = (a1 - a0) * (b1 - b0);
                    }
                    float v = g / div;
                    for (int r = a0; r < a1; r++) {
                        for (int c = b0; c < b1; c++) {
                            dx[xo + r * ww + c] += v;
                        }
                    }
                }
            }
        });
    }
}
