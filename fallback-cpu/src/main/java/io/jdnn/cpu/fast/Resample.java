package io.jdnn.cpu.fast;

import io.jdnn.PadProblem;
import io.jdnn.PixelShuffleProblem;

/**
 * Resampling and padding in float32, one output row (the last dimension) at a time in parallel:
 * pixel shuffle and unshuffle, pad, and pad's backward as a gather (each input cell sums the
 * gradients of the output cells that read it, in ascending output order: bitwise the same for any
 * thread count).
 */
final class Resample {
    private Resample() {
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
