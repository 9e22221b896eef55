package io.jdnn.cpu.fast;

import io.jdnn.BinaryOp;
import io.jdnn.BroadcastProblem;
import io.jdnn.CatProblem;
import io.jdnn.PermuteProblem;

/**
 * The tensor ops in float32: cat and split as block copies, permute and the broadcasting
 * arithmetic one output row (the last dimension) at a time, and the broadcasting gradients in
 * chunks of each gradient element's output positions, summed in float64 in a fixed order: the same
 * result for any thread count.
 */
final class TensorFamily {
    private TensorFamily() {
    }

    /** Rows per task: about {@link Elementwise#CHUNK} elements. */
    private static void rows(CpuDevice dev, long rows, long rowLength, Elementwise.Range r) {
        long perTask = Math.max(1, Elementwise.CHUNK / Math.max(1, rowLength));
        int tasks = (int) ((rows + perTask - 1) / perTask);
        dev.parallel().forEach(tasks, (t, worker) -> r.run((int) (t * perTask), (int) Math.min(rows, (t + 1) * perTask)));
    }

    // ---------------------------------------------------------------- cat and split

    static void cat(CpuDevice dev, CatProblem p, float[][] xs, float[] y) {
        copySlices(dev, p, xs, y, true);
    }

    static void split(CpuDevice dev, CatProblem p, float[] x, float[][] outs) {
        copySlices(dev, p, outs, x, false);
    }

    /** Block (i, o) is input i's (extent_i * inner) contiguous run at outer index o. */
    private static void copySlices(CpuDevice dev, CatProblem p, float[][] parts, float[] whole, boolean intoWhole) {
        long outer = p.outer();
        long inner = p.inner();
        long total = p.outputShape().dim(p.axis());
        for (int i = 0; i < p.count(); i++) {
            float[] part = parts[i];
            int run = (int) (p.extent(i) * inner);
            long offset = p.offset(i) * inner;
            rows(dev, outer, run, (from, to) -> {
                for (int o = from; o < to; o++) {
                    int w = (int) (o * total * inner + offset);
                    if (intoWhole) {
                        System.arraycopy(part, o * run, whole, w, run);
                    } else {
                        System.arraycopy(whole, w, part, o * run, run);
                    }
                }
            });
        }
    }

    // ---------------------------------------------------------------- permute

    static void permute(CpuDevice dev, PermuteProblem p, float[] x, float[] y) {
        int[] out = p.outputShape().dims();
        long[] stride = p.inputStrides();
        int last = out.length - 1;
        int n = out[last];
        long step = stride[last];
        rows(dev, p.elements() / n, n, (from, to) -> {
            for (int r = from; r < to; r++) {
                int src = (int) rowOffset(r, out, stride);
                int dst = r * n;
                for (int k = 0; k < n; k++) {
                    y[dst + k] = x[(int) (src + k * step)];
                }
            }
        });
    }

    /** Offset of row r (the coordinates of all but the last dimension of {@code dims}) under {@code stride}. */
    private static long rowOffset(long r, int[] dims, long[] stride) {
        long off = 0;
        for (int d = dims.length - 2; d >= 0; d--) {
            off += (r % dims[d]) * stride[d];
            r /= dims[d];
        }
        return off;
    }

    // ---------------------------------------------------------------- broadcasting arithmetic

    static void forward(CpuDevice dev, BroadcastProblem p, float[] a, float[] b, float[] y) {
        int[] out = p.outputShape().dims();
        long[] sa = BroadcastProblem.broadcastStrides(p.paddedA());
        long[] sb = BroadcastProblem.broadcastStrides(p.paddedB());
        int last = out.length - 1;
        int n = out[last];
        int stepA = (int) sa[last];
        int stepB = (int) sb[last];
        BinaryOp op = p.op();
        rows(dev, y.length / n, n, (from, to) -> {
            for (int r = from; r < to; r++) {
                int ia = (int) rowOffset(r, out, sa);
                int ib = (int) rowOffset(r, out, sb);
                int base = r * n;
                for (int k = 0; k < n; k++) {
                    y[base + k] = (float) op.apply(a[ia + k * stepA], b[ib + k * stepB]);
                }
            }
        });
    }

    static void backward(CpuDevice dev, BroadcastProblem p, float[] a, float[] b, float[] dy, float[] da, float[] db) {
        if (da != null) {
            gradient(dev, p, true, a, b, dy, da);
        }
        if (db != null) {
            gradient(dev, p, false, a, b, dy, db);
        }
    }

    /** Output positions one task sums for one gradient element. */
    private static final int GRAD_CHUNK = 1 << 14;

    /**
     * One input's gradient (a's when {@code ofA}). Element j is read by the {@code count} output
     * positions with j's coordinates in the dimensions the input keeps and every coordinate in those
     * where it was broadcast, numbered row-major among those dimensions (ascending output order).
     * Chunk c of element j sums positions [c * GRAD_CHUNK, (c + 1) * GRAD_CHUNK) in float64, the
     * innermost broadcast dimension as a strided inner loop, into partial[c * n + j]; the chunks are
     * then added in chunk order. The same sums in the same order for any thread count.
     */
    private static void gradient(CpuDevice dev, BroadcastProblem p, boolean ofA, float[] a, float[] b, float[] dy,
                                 float[] grad) {
        int[] out = p.outputShape().dims();
        int[] own = ofA ? p.paddedA() : p.paddedB();
        long[] sOut = BroadcastProblem.broadcastStrides(out);
        long[] sA = BroadcastProblem.broadcastStrides(p.paddedA());
        long[] sB = BroadcastProblem.broadcastStrides(p.paddedB());
        int rank = out.length;
        int[] red = new int[rank];
        int reduced = 0;
        for (int d = 0; d < rank; d++) {
            if (own[d] == 1 && out[d] > 1) {
                red[reduced++] = d;
            }
        }
        int[] redDims = java.util.Arrays.copyOf(red, reduced);
        int[] outer = java.util.Arrays.copyOf(red, Math.max(0, reduced - 1)); // the broadcast dims but the innermost
        int inner = reduced == 0 ? -1 : red[reduced - 1];
        int innerExtent = inner < 0 ? 1 : out[inner];
        int stepO = inner < 0 ? 0 : (int) sOut[inner];
        int stepA = inner < 0 ? 0 : (int) sA[inner];
        int stepB = inner < 0 ? 0 : (int) sB[inner];
        int n = grad.length;
        long count = p.elements() / n;
        int chunks = (int) ((count + GRAD_CHUNK - 1) / GRAD_CHUNK);
        double[] partial = new double[chunks == 1 ? 0 : n * chunks];
        BinaryOp op = p.op();
        rows(dev, (long) n * chunks, Math.min(count, GRAD_CHUNK), (from, to) -> {
            int[] c = new int[rank];
            for (int i = from; i < to; i++) {
                int chunk = i / n;
                long rest = i - (long) chunk * n;
                for (int d = rank - 1; d >= 0; d--) {
                    c[d] = (int) (rest % own[d]);
                    rest /= own[d];
                }
                long k = (long) chunk * GRAD_CHUNK;
                long end = Math.min(count, k + GRAD_CHUNK);
                long r = k;
                for (int m = redDims.length - 1; m >= 0; m--) {
                    c[redDims[m]] = (int) (r % out[redDims[m]]);
                    r /= out[redDims[m]];
                }
                double sum = 0;
                while (k < end) {
                    int t0 = inner < 0 ? 0 : c[inner];
                    int len = (int) Math.min(innerExtent - t0, end - k);
                    int io = (int) dot(c, sOut);
                    int ia = (int) dot(c, sA);
                    int ib = (int) dot(c, sB);
                    for (int t = 0; t < len; t++) {
                        float va = a[ia + t * stepA];
                        float vb = b[ib + t * stepB];
                        float g = dy[io + t * stepO];
                        sum += ofA ? op.gradA(va, vb, g) : op.gradB(va, vb, g);
                    }
                    k += len;
                    if (inner >= 0) {
                        c[inner] = 0; // the next row starts at 0 (t0 + len reached the row's end unless k == end)
                    }
                    advance(c, outer, out);
                }
                if (chunks == 1) {
                    grad[i] = (float) sum;
                } else {
                    partial[i] = sum;
                }
            }
        });
        if (chunks > 1) {
            rows(dev, n, chunks, (from, to) -> {
                for (int j = from; j < to; j++) {
                    double sum = 0;
                    for (int k = 0; k < chunks; k++) {
                        sum += partial[k * n + j];
                    }
                    grad[j] = (float) sum;
                }
            });
        }
    }

    private static long dot(int[] c, long[] stride) {
        long s = 0;
        for (int d = 0; d < c.length; d++) {
            s += c[d] * stride[d];
        }
        return s;
    }

    /** Advances c over the dimensions {@code dims} only (row-major among them); false (all back at 0) past the end. */
    private static boolean advance(int[] c, int[] dims, int[] extents) {
        for (int i = dims.length - 1; i >= 0; i--) {
            int d = dims[i];
            if (++c[d] < extents[d]) {
                return true;
            }
            c[d] = 0;
        }
        return false;
    }
}
