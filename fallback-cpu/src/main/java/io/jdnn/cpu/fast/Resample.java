package io.jdnn.cpu.fast;

import io.jdnn.InterpolateProblem;
import io.jdnn.PadProblem;
import io.jdnn.PixelShuffleProblem;

/**
 * Resampling and padding in float32, one output row (the last dimension) at a time in parallel:
 * interpolate (nearest, bilinear), pixel shuffle and unshuffle, pad; the backward passes of
 * interpolate and pad are gathers (each input cell sums the weighted gradients of the output cells
 * that read it, in ascending output order: bitwise the same for any thread count).
 */
final class Resample {
    private Resample() {
    }

    // ---------------------------------------------------------------- interpolate

    /** Each output index's sources along a dimension: i0 and i1 with weights w0 and w1 (nearest: i1 = i0, w1 = 0). */
    private record Taps(int[] i0, int[] i1, float[] w0, float[] w1) {
        static Taps of(InterpolateProblem p, int in, int out) {
            Taps t = new Taps(new int[out], new int[out], new float[out], new float[out]);
            double scale = p.bilinearScale(in, out);
            for (int o = 0; o < out; o++) {
                if (p.mode() == InterpolateProblem.Mode.NEAREST) {
                    t.i0[o] = InterpolateProblem.nearestSource(o, in, out);
                    t.i1[o] = t.i0[o];
                    t.w0[o] = 1;
                } else {
                    double real = p.bilinearSource(o, scale);
                    t.i0[o] = (int) real;
                    t.i1[o] = t.i0[o] < in - 1 ? t.i0[o] + 1 : t.i0[o];
                    t.w1[o] = (float) (real - t.i0[o]);
                    t.w0[o] = 1 - t.w1[o];
                }
            }
            return t;
        }
    }

    /** Output row (plane, oh): two rows of x blended, each a blend of two columns (nearest: a copy). */
    static void interpolate(CpuDevice dev, InterpolateProblem p, float[] x, float[] y) {
        int h = p.height();
        int w = p.width();
        int oh = p.outHeight();
        int ow = p.outWidth();
        Taps rows = Taps.of(p, h, oh);
        Taps cols = Taps.of(p, w, ow);
        boolean nearest = p.mode() == InterpolateProblem.Mode.NEAREST;
        TensorFamily.rows(dev, (long) p.batch() * p.channels() * oh, ow, (from, to) -> {
            for (int row = from; row < to; row++) {
                int r = row % oh;
                int a = ((row / oh) * h + rows.i0[r]) * w;
                int b = ((row / oh) * h + rows.i1[r]) * w;
                int dst = row * ow;
                for (int c = 0; c < ow; c++) {
                    int c0 = cols.i0[c];
                    if (nearest) {
                        y[dst + c] = x[a + c0];
                    } else {
                        int c1 = cols.i1[c];
                        float top = cols.w0[c] * x[a + c0] + cols.w1[c] * x[a + c1];
                        float bottom = cols.w0[c] * x[b + c0] + cols.w1[c] * x[b + c1];
                        y[dst + c] = rows.w0[r] * top + rows.w1[r] * bottom;
                    }
                }
            }
        });
    }

    /** Input row (plane, ih): each cell sums wr * (sum of wc * dy) over its reader rows and, per row, its reader columns, ascending. */
    static void interpolateBackward(CpuDevice dev, InterpolateProblem p, float[] dy, float[] dx) {
        int h = p.height();
        int w = p.width();
        int oh = p.outHeight();
        int ow = p.outWidth();
        Readers rows = Readers.of(Taps.of(p, h, oh), h);
        Readers cols = Readers.of(Taps.of(p, w, ow), w);
        TensorFamily.rows(dev, (long) p.batch() * p.channels() * h, w, (from, to) -> {
            for (int row = from; row < to; row++) {
                int plane = row / h;
                int ih = row % h;
                for (int c = 0; c < w; c++) {
                    float sum = 0;
                    for (int a = 0; a < rows.outs[ih].length; a++) {
                        int base = (plane * oh + rows.outs[ih][a]) * ow;
                        float inner = 0;
                        for (int k = 0; k < cols.outs[c].length; k++) {
                            inner += cols.weights[c][k] * dy[base + cols.outs[c][k]];
                        }
                        sum += rows.weights[ih][a] * inner;
                    }
                    dx[row * w + c] = sum;
                }
            }
        });
    }

    /** For each input index along a dimension, the output indices that read it (ascending) and the weights they read it with. */
    private record Readers(int[][] outs, float[][] weights) {
        static Readers of(Taps t, int in) {
            int[] count = new int[in];
            for (int o = 0; o < t.i0.length; o++) {
                count[t.i0[o]]++;
                if (t.i1[o] != t.i0[o]) {
                    count[t.i1[o]]++;
                }
            }
            Readers r = new Readers(new int[in][], new float[in][]);
            for (int i = 0; i < in; i++) {
                r.outs[i] = new int[count[i]];
                r.weights[i] = new float[count[i]];
                count[i] = 0;
            }
            for (int o = 0; o < t.i0.length; o++) {
                int i = t.i0[o];
                r.outs[i][count[i]] = o;
                r.weights[i][count[i]++] = t.i1[o] == i ? t.w0[o] + t.w1[o] : t.w0[o];
                if (t.i1[o] != i) {
                    int j = t.i1[o];
                    r.outs[j][count[j]] = o;
                    r.weights[j][count[j]++] = t.w1[o];
                }
            }
            return r;
        }
    }

    // ---------------------------------------------------------------- pixel shuffle

    /** Output row (n, c, oh) of a shuffle or an unshuffle, read from x with a fixed column stride. */
    static void pixelShuffle(CpuDevice dev, PixelShuffleProblem p, float[] x, float[] y) {
        int r = p.factor();
        io.jdnn.Shape out = p.outputShape();
        int oc = out.dim(1);
        int oh = out.dim(2);
        int ow = out.dim(3);
        int ic = p.channels();
        int h = p.height();
        int w = p.width();
        TensorFamily.rows(dev, (long) p.batch() * oc * oh, ow, (from, to) -> {
            for (int row = from; row < to; row++) {
                int hh = row % oh;
                int c = (row / oh) % oc;
                int n = row / (oh * oc);
                int dst = row * ow;
                if (p.unshuffle()) {
                    // y[n][c][hh][ww] = x[n][c / r²][hh*r + i][ww*r + j], (i, j) = ((c % r²) / r, c % r)
                    int src = ((n * ic + c / (r * r)) * h + hh * r + (c % (r * r)) / r) * w + c % r;
                    for (int k = 0; k < ow; k++) {
                        y[dst + k] = x[src + k * r];
                    }
                } else {
                    // y[n][c][hh][ww] = x[n][c*r² + (hh % r)*r + ww % r][hh / r][ww / r]
                    int plane = (n * ic + c * r * r + (hh % r) * r) * h + hh / r;
                    for (int k = 0; k < ow; k++) {
                        y[dst + k] = x[(plane + (k % r) * h) * w + k / r];
                    }
                }
            }
        });
    }

    // ---------------------------------------------------------------- pad

    static void pad(CpuDevice dev, PadProblem p, float[] x, float[] y) {
        int h = p.height();
        int w = p.width();
        int oh = p.outHeight();
        int ow = p.outWidth();
        int[] cols = new int[ow];
        for (int c = 0; c < ow; c++) {
            cols[c] = p.source(c, p.left(), w);
        }
        float value = (float) p.value();
        TensorFamily.rows(dev, (long) p.batch() * p.channels() * oh, ow, (from, to) -> {
            for (int row = from; row < to; row++) {
                int sr = p.source(row % oh, p.top(), h);
                int dst = row * ow;
                int src = ((row / oh) * h + sr) * w;
                for (int c = 0; c < ow; c++) {
                    y[dst + c] = sr < 0 || cols[c] < 0 ? value : x[src + cols[c]];
                }
            }
        });
    }

    /** Input row (plane, ih): each cell sums dy over its reader rows, then its reader columns, in ascending order. */
    static void padBackward(CpuDevice dev, PadProblem p, float[] dy, float[] dx) {
        int h = p.height();
        int w = p.width();
        int oh = p.outHeight();
        int ow = p.outWidth();
        int[][] rowReaders = readers(p, p.top(), h, oh);
        int[][] colReaders = readers(p, p.left(), w, ow);
        TensorFamily.rows(dev, (long) p.batch() * p.channels() * h, w, (from, to) -> {
            for (int row = from; row < to; row++) {
                int plane = row / h;
                int[] rs = rowReaders[row % h];
                for (int c = 0; c < w; c++) {
                    float sum = 0;
                    for (int r : rs) {
                        int base = (plane * oh + r) * ow;
                        for (int k : colReaders[c]) {
                            sum += dy[base + k];
                        }
                    }
                    dx[row * w + c] = sum;
                }
            }
        });
    }

    /** For each input index along a dimension, the output indices that read it, ascending. */
    private static int[][] readers(PadProblem p, int before, int extent, int out) {
        int[] count = new int[extent];
        for (int o = 0; o < out; o++) {
            int s = p.source(o, before, extent);
            if (s >= 0) {
                count[s]++;
            }
        }
        int[][] lists = new int[extent][];
        for (int i = 0; i < extent; i++) {
            lists[i] = new int[count[i]];
            count[i] = 0;
        }
        for (int o = 0; o < out; o++) {
            int s = p.source(o, before, extent);
            if (s >= 0) {
                lists[s][count[s]++] = o;
            }
        }
        return lists;
    }
}
