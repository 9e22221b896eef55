package io.jdnn.cpu.reference;

import io.jdnn.PoolProblem;
import io.jdnn.UnpoolProblem;

import java.util.Arrays;

/**
 * Pooling over NCHW with PyTorch's semantics (see {@link PoolProblem}). Each plane (n, c) is
 * pooled on its own; {@code plane} below is the offset of plane (n, c) in x or dx, {@code oplane}
 * in y or dy.
 */
final class RefPool {
    private RefPool() {
    }

    static void forward(PoolProblem p, double[] x, double[] y) {
        switch (p.mode()) {
            case MAX -> maxForward(p, x, y, null);
            case AVG -> avgForward(p, x, y);
            case ADAPTIVE_AVG -> adaptiveForward(p, x, y);
        }
    }

    static void backward(PoolProblem p, double[] x, double[] dy, double[] dx) {
        switch (p.mode()) {
            case MAX -> maxBackward(p, x, dy, dx);
            case AVG -> avgBackward(p, dy, dx);
            case ADAPTIVE_AVG -> adaptiveBackward(p, dy, dx);
        }
    }

    /**
     * The index in x of the maximum of window (oh, ow) of the plane at {@code plane}: window positions
     * in row-major order, padded positions skipped, the first maximum kept unless a later value is
     * larger or NaN (PyTorch's {@code val > max || isnan(val)}, so the last NaN wins). A window whose
     * in-image values are all -inf yields its first in-image position, as PyTorch's does; -1 for a
     * window with no in-image position at all.
     */
    static int argmax(PoolProblem p, double[] x, int plane, int oh, int ow) {
        int best = -1;
        double max = Double.NEGATIVE_INFINITY;
        for (int kh = 0; kh < p.kernelH(); kh++) {
            int ih = oh * p.strideH() - p.padH() + kh * p.dilationH();
            if (ih < 0 || ih >= p.height()) {
                continue;
            }
            for (int kw = 0; kw < p.kernelW(); kw++) {
                int iw = ow * p.strideW() - p.padW() + kw * p.dilationW();
                if (iw < 0 || iw >= p.width()) {
                    continue;
                }
                int i = plane + ih * p.width() + iw;
                double v = x[i];
                if (best < 0 || v > max || Double.isNaN(v)) {
                    best = i;
                    max = v;
                }
            }
        }
        return best;
    }

    // y (n,c,oh,ow) = max over the window of x (n,c,h,w); -inf for a window with no in-image position;
    // indices (n,c,oh,ow), when given, = the argmax's position ih*W + iw in its plane (-1 for none)
    static void maxForward(PoolProblem p, double[] x, double[] y, double[] indices) {
        int planes = p.batch() * p.channels();
        int oh = p.outHeight();
        int ow = p.outWidth();
        for (int pl = 0; pl < planes; pl++) {
            int plane = pl * p.height() * p.width();
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int a = argmax(p, x, plane, i, j);
                    y[(pl * oh + i) * ow + j] = a < 0 ? Double.NEGATIVE_INFINITY : x[a];
                    if (indices != null) {
                        indices[(pl * oh + i) * ow + j] = a < 0 ? -1 : a - plane;
                    }
                }
            }
        }
    }

    // dx (n,c,h,w) = sum over the windows whose argmax is (h,w) of dy (n,c,oh,ow)
    static void maxBackward(PoolProblem p, double[] x, double[] dy, double[] dx) {
        Arrays.fill(dx, 0, (int) p.inputShape().elements(), 0.0);
        int planes = p.batch() * p.channels();
        int oh = p.outHeight();
        int ow = p.outWidth();
        for (int pl = 0; pl < planes; pl++) {
            int plane = pl * p.height() * p.width();
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int a = argmax(p, x, plane, i, j);
                    if (a >= 0) {
                        dx[a] += dy[(pl * oh + i) * ow + j];
                    }
                }
            }
        }
    }

    // y (n,c,·) = 0; then for i in order, y (n,c,target(indices (n,c,i))) = x (n,c,i): a later i overwrites
    static void unpool(UnpoolProblem p, double[] x, double[] indices, double[] y) {
        int planes = p.batch() * p.channels();
        int in = p.height() * p.width();
        int out = p.outHeight() * p.outWidth();
        Arrays.fill(y, 0, planes * out, 0.0);
        for (int pl = 0; pl < planes; pl++) {
            for (int i = 0; i < in; i++) {
                int t = p.target(indices[pl * in + i]);
                if (t >= 0) {
                    y[pl * out + t] = x[pl * in + i];
                }
            }
        }
    }

    // dx (n,c,i) = dy (n,c,target(indices (n,c,i))), 0 for a skipped index
    static void unpoolBackward(UnpoolProblem p, double[] indices, double[] dy, double[] dx) {
        int planes = p.batch() * p.channels();
        int in = p.height() * p.width();
        int out = p.outHeight() * p.outWidth();
        for (int pl = 0; pl < planes; pl++) {
            for (int i = 0; i < in; i++) {
                int t = p.target(indices[pl * in + i]);
                dx[pl * in + i] = t >= 0 ? dy[pl * out + t] : 0.0;
            }
        }
    }

    /**
     * Window (oh, ow) of average pooling as PyTorch's avg_pool2d computes it:
     * {@code {h0, h1, w0, w1, divisor}}, the in-image rows [h0, h1) and columns [w0, w1) and the
     * divisor. The window first runs from {@code oh*stride - pad} to at most {@code H + padBottom}; its
     * size then (padding included) is the divisor with countIncludePad; it is then clipped to the
     * image, and the clipped area is the divisor without countIncludePad.
     */
    static int[] avgWindow(PoolProblem p, int oh, int ow) {
        int h0 = oh * p.strideH() - p.padH();
        int w0 = ow * p.strideW() - p.padW();
        int h1 = Math.min(h0 + p.kernelH(), p.height() + p.padBottom());
        int w1 = Math.min(w0 + p.kernelW(), p.width() + p.padRight());
        int poolSize = (h1 - h0) * (w1 - w0);
        h0 = Math.max(h0, 0);
        w0 = Math.max(w0, 0);
        h1 = Math.min(h1, p.height());
        w1 = Math.min(w1, p.width());
        int divisor = p.countIncludePad() ? poolSize : (h1 - h0) * (w1 - w0);
        return new int[] {h0, h1, w0, w1, divisor};
    }

    // y (n,c,oh,ow) = sum over the clipped window of x (n,c,h,w) / divisor
    static void avgForward(PoolProblem p, double[] x, double[] y) {
        int planes = p.batch() * p.channels();
        int oh = p.outHeight();
        int ow = p.outWidth();
        for (int pl = 0; pl < planes; pl++) {
            int plane = pl * p.height() * p.width();
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int[] win = avgWindow(p, i, j);
                    double sum = 0;
                    for (int ih = win[0]; ih < win[1]; ih++) {
                        for (int iw = win[2]; iw < win[3]; iw++) {
                            sum += x[plane + ih * p.width() + iw];
                        }
                    }
                    y[(pl * oh + i) * ow + j] = sum / win[4];
                }
            }
        }
    }

    // dx (n,c,h,w) = sum over the windows that hold (h,w) of dy (n,c,oh,ow) / divisor
    static void avgBackward(PoolProblem p, double[] dy, double[] dx) {
        Arrays.fill(dx, 0, (int) p.inputShape().elements(), 0.0);
        int planes = p.batch() * p.channels();
        int oh = p.outHeight();
        int ow = p.outWidth();
        for (int pl = 0; pl < planes; pl++) {
            int plane = pl * p.height() * p.width();
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int[] win = avgWindow(p, i, j);
                    double g = dy[(pl * oh + i) * ow + j] / win[4];
                    for (int ih = win[0]; ih < win[1]; ih++) {
                        for (int iw = win[2]; iw < win[3]; iw++) {
                            dx[plane + ih * p.width() + iw] += g;
                        }
                    }
                }
            }
        }
    }

    // y (n,c,oh,ow) = mean of x (n,c,h,w) over rows [floor(oh*H/OH), ceil((oh+1)*H/OH)), columns likewise
    static void adaptiveForward(PoolProblem p, double[] x, double[] y) {
        int planes = p.batch() * p.channels();
        int oh = p.outHeight();
        int ow = p.outWidth();
        for (int pl = 0; pl < planes; pl++) {
            int plane = pl * p.height() * p.width();
            for (int i = 0; i < oh; i++) {
                int h0 = PoolProblem.adaptiveStart(i, p.height(), oh);
                int h1 = PoolProblem.adaptiveEnd(i, p.height(), oh);
                for (int j = 0; j < ow; j++) {
                    int w0 = PoolProblem.adaptiveStart(j, p.width(), ow);
                    int w1 = PoolProblem.adaptiveEnd(j, p.width(), ow);
                    double sum = 0;
                    for (int ih = h0; ih < h1; ih++) {
                        for (int iw = w0; iw < w1; iw++) {
                            sum += x[plane + ih * p.width() + iw];
                        }
                    }
                    y[(pl * oh + i) * ow + j] = sum / ((h1 - h0) * (w1 - w0));
                }
            }
        }
    }

    // dx (n,c,h,w) = sum over the adaptive windows that hold (h,w) of dy (n,c,oh,ow) / window area
    static void adaptiveBackward(PoolProblem p, double[] dy, double[] dx) {
        Arrays.fill(dx, 0, (int) p.inputShape().elements(), 0.0);
        int planes = p.batch() * p.channels();
        int oh = p.outHeight();
        int ow = p.outWidth();
        for (int pl = 0; pl < planes; pl++) {
            int plane = pl * p.height() * p.width();
            for (int i = 0; i < oh; i++) {
                int h0 = PoolProblem.adaptiveStart(i, p.height(), oh);
                int h1 = PoolProblem.adaptiveEnd(i, p.height(), oh);
                for (int j = 0; j < ow; j++) {
                    int w0 = PoolProblem.adaptiveStart(j, p.width(), ow);
                    int w1 = PoolProblem.adaptiveEnd(j, p.width(), ow);
                    double g = dy[(pl * oh + i) * ow + j] / ((h1 - h0) * (w1 - w0));
                    for (int ih = h0; ih < h1; ih++) {
                        for (int iw = w0; iw < w1; iw++) {
                            dx[plane + ih * p.width() + iw] += g;
                        }
                    }
                }
            }
        }
    }
}
