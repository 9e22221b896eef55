package io.jdnn.cpu.fast;

import io.jdnn.BinaryOp;
import io.jdnn.BroadcastProblem;
import io.jdnn.CatProblem;
import io.jdnn.PermuteProblem;

/**
 * The tensor ops in float32: cat and split as block copies, permute and the broadcasting
 * arithmetic one output row (the last dimension) at a time; the broadcasting gradients are
 * {@link BroadcastGradient}'s.
 */
final class TensorFamily {
    private TensorFamily() {
    }

    /** Rows per task: about {@link Elementwise#CHUNK} elements. */
    static void rows(CpuDevice dev, long rows, long rowLength, Elementwise.Range r) {
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
        rows(dev, p.outputShape().elements() / n, n, (from, to) -> {
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
            BroadcastGradient.of(p, true).run(dev, a, b, dy, da);
        }
        if (db != null) {
            BroadcastGradient.of(p, false).run(dev, a, b, dy, db);
        }
    }

    static long dot(int[] c, long[] stride) {
        long s = 0;
        for (int d = 0; d < c.length; d++) {
            s += c[d] * stride[d];
        }
        return s;
    }

    /** Advances c over the dimensions {@code dims} only (row-major among them); false (all back at 0) past the end. */
    static boolean advance(int[] c, int[] dims, int[] extents) {
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
