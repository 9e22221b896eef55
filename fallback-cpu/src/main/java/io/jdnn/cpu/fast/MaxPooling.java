package io.jdnn.cpu.fast;

import io.jdnn.PoolProblem;

import java.util.Arrays;

/**
 * Max pooling without dilation, one (image, channel) plane at a time (see {@link Pooling}). Each
 * output row's window maxima come from one padded row: the maxima of the window's input rows at
 * every column, the padding filled with the nearest edge column (a window reaching into the
 * padding holds that column, and a repeated element changes no maximum), so every window, at the
 * edges too, is the same contiguous stretch of that row and the kernels need no border cases.
 */
final class MaxPooling {
    private MaxPooling() {
    }

    /** Length of the padded row: the image row and its left padding, or the windows' reach, and one past it. */
    private static int rowLength(PoolProblem p) {
        return Math.max((p.outWidth() - 1) * p.strideW() + p.kernelW(), p.padW() + p.width()) + 1;
    }

    static void forwardPlane(Kernels kern, PoolProblem p, float[] x, int xo, float[] y, int yo, Workspace ws) {
        float[] row = ws.rowsC(1, Workspace.padTile(rowLength(p)))[0];
        for (int i = 0; i < p.outHeight(); i++) {
            rowMaxima(kern, p, x, xo, i, row, y, yo + i * p.outWidth());
        }
    }

    /**
     * Output row {@code i}'s window maxima into out[outOff ..]: the window's rows reduced to one
     * padded row of column maxima ({@code row}, at least {@link #rowLength} long), then each output
     * the maximum of its columns there.
     */
    private static void rowMaxima(Kernels kern, PoolProblem p, float[] x, int xo, int i, float[] row, float[] out,
                                  int outOff) {
        int hh = p.height(), ww = p.width(), pw = p.padW();
        int a0 = Math.max(i * p.strideH() - p.padH(), 0);
        int a1 = Math.min(i * p.strideH() - p.padH() + p.kernelH(), hh);
        kern.columnMax(x, xo + a0 * ww, ww, a1 - a0, ww, row, pw);
        for (int c = 0; c < pw; c++) { // a few elements: plain stores, not Arrays.fill's checked loop
            row[c] = row[pw];
        }
        for (int c = pw + ww, end = rowLength(p); c < end; c++) {
            row[c] = row[pw + ww - 1];
        }
        kern.windowMaxRow(row, p.kernelW(), p.strideW(), out, outOff, p.outWidth());
    }

    /** out[outOff + j] = max(row[j*stride + s] for s &lt; window), for j in [from, to): the scalar {@link Kernels#windowMaxRow}. */
    static void windowMax(float[] row, int window, int stride, float[] out, int outOff, int from, int to) {
        for (int j = from; j < to; j++) {
            int c = j * stride;
            float m = row[c];
            for (int s = 1; s < window; s++) {
                m = Math.max(m, row[c + s]);
            }
            out[outOff + j] = m;
        }
    }

    /**
     * Max-pooling backward of one plane without dilation, dx zeroed by the caller: each output
     * row's maxima as the forward pass computes them, then for each window the element its maximum
     * came from, the first element equal to it (the scan's first maximum: ties, also +0 against
     * -0, do not replace), or, for a NaN maximum, the last NaN (each NaN replaces); then the
     * gradients added in output order. The kernels search the windows inside the image L at a time
     * ({@link Kernels#maxPicks}) without data-dependent branches; the rest take a scalar search.
     */
    static void backwardPlane(Kernels kern, PoolProblem p, float[] x, int xo, float[] dy, int yo, float[] dx,
                              Workspace ws) {
        int hh = p.height(), ww = p.width(), oh = p.outHeight(), ow = p.outWidth();
        int kh = p.kernelH(), kw = p.kernelW(), sh = p.strideH(), sw = p.strideW(), ph = p.padH(), pw = p.padW();
        float[][] rows = ws.rowsC(3, Workspace.padTile(Math.max(rowLength(p), ow)));
        float[] maxima = rows[1], at = rows[2];
        // windows jLo .. jHi - 1 lie inside the row
        int jLo = Math.min(ow, (pw + sw - 1) / sw);
        int jHi = Math.max(jLo, Math.min(ow, Math.floorDiv(ww - kw + pw, sw) + 1));
        for (int i = 0; i < oh; i++) {
            rowMaxima(kern, p, x, xo, i, rows[0], maxima, 0);
            int a0 = Math.max(i * sh - ph, 0), a1 = Math.min(i * sh - ph + kh, hh);
            int off = xo + a0 * ww + jLo * sw - pw;
            int picked = jLo + kern.maxPicks(x, off, ww, a1 - a0, kw, sw, maxima, jLo, jHi - jLo, at, jLo);
            for (int j = 0; j < ow; j++) {
                int k;
                if (j >= jLo && j < picked && at[j] >= 0) {
                    k = off + (int) at[j];
                } else {
                    k = search(x, xo, ww, a0, a1, Math.max(j * sw - pw, 0), Math.min(j * sw - pw + kw, ww), maxima[j]);
                }
                dx[k] += dy[yo + i * ow + j];
            }
        }
    }

    /**
     * Offset of the element of rows [a0, a1) and columns [b0, b1) of a plane that the scan picks,
     * given the window's maximum m: the first equal to m, or for a NaN m the last NaN.
     */
    private static int search(float[] x, int xo, int ww, int a0, int a1, int b0, int b1, float m) {
        if (m == m) {
            for (int r = a0; r < a1; r++) {
                int row = xo + r * ww;
                for (int c = b0; c < b1; c++) {
                    if (x[row + c] == m) {
                        return row + c;
                    }
                }
            }
        } else {
            for (int r = a1 - 1; r >= a0; r--) {
                int row = xo + r * ww;
                for (int c = b1 - 1; c >= b0; c--) {
                    if (Float.isNaN(x[row + c])) {
                        return row + c;
                    }
                }
            }
        }
        throw new IllegalStateException("no element of the window equals its maximum " + m);
    }

    /**
     * Max-pooling backward of one plane for the disjoint 2x2 windows of kernel 2, stride 2, no
     * padding (VGG's pools): every dx element is written once, without a zero fill first. A
     * window's values a, b (upper row), c, d (lower row) are scanned in that order: the first equal
     * to the maximum takes dy, found by flags rather than branches (which would mispredict on
     * random data); a window with a NaN gives dy to its last NaN. Rows and columns no window
     * covers (odd sizes, ceil mode's last window) are zero, or, for ceil mode's partial windows,
     * handled by the general scan. The kernels take the first windows of each row pair L at a time
     * ({@link Kernels#max2x2BackwardRow}); this loop the rest.
     */
    static void backward2x2Plane(Kernels kern, PoolProblem p, float[] x, int xo, float[] dy, int yo, float[] dx) {
        int hh = p.height(), ww = p.width(), oh = p.outHeight(), ow = p.outWidth();
        int fullH = Math.min(oh, hh / 2), fullW = Math.min(ow, ww / 2);
        for (int i = 0; i < fullH; i++) {
            int r0 = xo + 2 * i * ww, r1 = r0 + ww;
            int g0 = yo + i * ow;
            for (int j = kern.max2x2BackwardRow(x, r0, r1, dy, g0, dx, fullW); j < fullW; j++) {
                int c0 = 2 * j;
                float a = x[r0 + c0], b = x[r0 + c0 + 1], c = x[r1 + c0], d = x[r1 + c0 + 1];
                float g = dy[g0 + j];
                float m = Math.max(Math.max(a, b), Math.max(c, d));
                boolean ea, eb, ec;
                if (m == m) {
                    ea = a == m;
                    eb = !ea && b == m;
                    ec = !ea && !eb && c == m;
                } else {
                    boolean nd = d != d, nc = c != c, nb = b != b;
                    ec = !nd && nc;
                    eb = !nd && !nc && nb;
                    ea = !nd && !nc && !nb;
                }
                boolean ed = !ea && !eb && !ec;
                dx[r0 + c0] = ea ? g : 0f;
                dx[r0 + c0 + 1] = eb ? g : 0f;
                dx[r1 + c0] = ec ? g : 0f;
                dx[r1 + c0 + 1] = ed ? g : 0f;
            }
            // columns past the full windows: a ceil-mode partial window, or none
            for (int c0 = 2 * fullW; c0 < ww; c0++) {
                dx[r0 + c0] = 0f;
                dx[r1 + c0] = 0f;
            }
            for (int j = fullW; j < ow; j++) {
                dx[argmaxIn(x, xo, ww, 2 * i, 2 * i + 2, 2 * j, Math.min(2 * j + 2, ww))] += dy[g0 + j];
            }
        }
        // rows past the full windows: a ceil-mode partial row of windows, or none
        Arrays.fill(dx, xo + 2 * fullH * ww, xo + hh * ww, 0f);
        for (int i = fullH; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                dx[argmaxIn(x, xo, ww, 2 * i, Math.min(2 * i + 2, hh), 2 * j, Math.min(2 * j + 2, ww))]
                        += dy[yo + i * ow + j];
            }
        }
    }

    /** The scan's pick in rows [a0, a1) and columns [b0, b1) of a plane: first maximum, last NaN. */
    private static int argmaxIn(float[] x, int xo, int ww, int a0, int a1, int b0, int b1) {
        int best = -1;
        float m = Float.NEGATIVE_INFINITY;
        for (int r = a0; r < a1; r++) {
            for (int c = b0; c < b1; c++) {
                float v = x[xo + r * ww + c];
                if (best < 0 || v > m || Float.isNaN(v)) {
                    best = xo + r * ww + c;
                    m = v;
                }
            }
        }
        return best;
    }
}
