package io.jdnn.cpu.reference;

import io.jdnn.InterpolateProblem;
import io.jdnn.PadProblem;
import io.jdnn.PixelShuffleProblem;

/**
 * Resampling and padding in float64: interpolate (nearest, bilinear), pixel shuffle and unshuffle,
 * pad. Forward passes loop over the output's elements; backward passes scatter each output's
 * gradient onto the input cells it read (the adjoint, written as the forward's loop).
 */
final class RefResample {
    private RefResample() {
    }

    // ---------------------------------------------------------------- interpolate

    /** One output cell's sources along a dimension: indices i0, i1 and weights w0, w1 (nearest: i0 alone, weight 1). */
    private record Tap(int i0, int i1, double w0, double w1) {
    }

    private static Tap tap(InterpolateProblem p, int dst, int in, int out) {
        if (p.mode() == InterpolateProblem.Mode.NEAREST) {
            return new Tap(InterpolateProblem.nearestSource(dst, in, out), 0, 1, 0);
        }
        double real = p.bilinearSource(dst, p.bilinearScale(in, out));
        int i0 = (int) real;
        int i1 = i0 < in - 1 ? i0 + 1 : i0;
        double lambda = real - i0;
        return new Tap(i0, i1, 1 - lambda, lambda);
    }

    // y[n][c][oh][ow] = sum over the taps (ih, wh) x (iw, ww) of wh * ww * x[n][c][ih][iw]
    static void interpolate(InterpolateProblem p, double[] x, double[] y) {
        resize(p, x, y, false);
    }

    // dx = 0; for every output cell: dx[its taps] += weight * dy[the cell]
    static void interpolateBackward(InterpolateProblem p, double[] dy, double[] dx) {
        java.util.Arrays.fill(dx, 0, (int) p.inputShape().elements(), 0);
        resize(p, dx, dy, true);
    }

    private static void resize(InterpolateProblem p, double[] in, double[] out, boolean adjoint) {
        int h = p.height();
        int w = p.width();
        int oh = p.outHeight();
        int ow = p.outWidth();
        int taps = p.mode() == InterpolateProblem.Mode.NEAREST ? 1 : 2; // nearest reads one cell
        long planes = (long) p.batch() * p.channels();
        for (long pl = 0; pl < planes; pl++) {
            for (int r = 0; r < oh; r++) {
                Tap th = tap(p, r, h, oh);
                for (int c = 0; c < ow; c++) {
                    Tap tw = tap(p, c, w, ow);
                    int[] rows = {th.i0(), th.i1()};
                    int[] cols = {tw.i0(), tw.i1()};
                    double[] wr = {th.w0(), th.w1()};
                    double[] wc = {tw.w0(), tw.w1()};
                    int o = (int) ((pl * oh + r) * ow + c);
                    double sum = 0;
                    for (int a = 0; a < taps; a++) {
                        for (int b = 0; b < taps; b++) {
                            int i = (int) ((pl * h + rows[a]) * w + cols[b]);
                            if (adjoint) {
                                in[i] += wr[a] * wc[b] * out[o];
                            } else {
                                sum += wr[a] * wc[b] * in[i];
                            }
                        }
                    }
                    if (!adjoint) {
                        out[o] = sum;
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- pixel shuffle

    // shuffle: y[n][c][h*r+i][w*r+j] = x[n][c*r*r + i*r + j][h][w]; unshuffle: the same cells, x and y swapped
    static void pixelShuffle(PixelShuffleProblem p, double[] x, double[] y) {
        PixelShuffleProblem s = p.unshuffle() ? p.inverse() : p; // the shuffle between the two shapes
        int r = s.factor();
        int c2 = s.channels() / (r * r);
        int h = s.height();
        int w = s.width();
        for (int n = 0; n < s.batch(); n++) {
            for (int c = 0; c < c2; c++) {
                for (int i = 0; i < r; i++) {
                    for (int j = 0; j < r; j++) {
                        for (int hh = 0; hh < h; hh++) {
                            for (int ww = 0; ww < w; ww++) {
                                int small = ((n * s.channels() + c * r * r + i * r + j) * h + hh) * w + ww;
                                int big = ((n * c2 + c) * h * r + hh * r + i) * w * r + ww * r + j;
                                if (p.unshuffle()) {
                                    y[small] = x[big];
                                } else {
                                    y[big] = x[small];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- pad

    /** Called with each output cell's index and the input cell it reads (-1: a constant-border cell). */
    private interface Cell {
        void visit(int out, int in);
    }

    private static void forEachCell(PadProblem p, Cell cell) {
        int h = p.height();
        int w = p.width();
        int oh = p.outHeight();
        int ow = p.outWidth();
        long planes = (long) p.batch() * p.channels();
        for (long pl = 0; pl < planes; pl++) {
            for (int r = 0; r < oh; r++) {
                int sr = p.source(r, p.top(), h);
                for (int c = 0; c < ow; c++) {
                    int sc = p.source(c, p.left(), w);
                    cell.visit((int) ((pl * oh + r) * ow + c), sr < 0 || sc < 0 ? -1 : (int) ((pl * h + sr) * w + sc));
                }
            }
        }
    }

    // y[n][c][oh][ow] = x[n][c][source(oh)][source(ow)], or value where either source is -1
    static void pad(PadProblem p, double[] x, double[] y) {
        forEachCell(p, (o, i) -> y[o] = i < 0 ? p.value() : x[i]);
    }

    // dx = 0; for every output cell that read x: dx[source(oh)][source(ow)] += dy[oh][ow]
    static void padBackward(PadProblem p, double[] dy, double[] dx) {
        java.util.Arrays.fill(dx, 0, (int) p.inputShape().elements(), 0);
        forEachCell(p, (o, i) -> {
            if (i >= 0) {
                dx[i] += dy[o];
            }
        });
    }
}
