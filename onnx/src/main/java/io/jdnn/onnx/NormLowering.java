package io.jdnn.onnx;

import io.jdnn.GroupNormProblem;
import io.jdnn.InstanceNormProblem;
import io.jdnn.LayerNormProblem;
import io.jdnn.LrnProblem;
import io.jdnn.PoolProblem;
import io.jdnn.Shape;

import java.util.Arrays;
import java.util.List;

/**
 * Row-wise ops and normalizations: Softmax and LogSoftmax (over the last axis as rows; another
 * axis is permuted last and back), ReduceMean (the reduced axes permuted last, then an adaptive
 * average pool of each row to one cell), InstanceNormalization, LayerNormalization,
 * GroupNormalization (opset 18's per-group scale and bias spread over the channels) and LRN.
 */
final class NormLowering {
    private NormLowering() {
    }

    static void softmax(Lowerer l, boolean log) {
        Value x = l.in(0);
        int r = x.rank();
        int axis = l.axis(l.node.getInt("axis", l.opset() < 13 ? 1 : -1), r);
        Value y = l.out(0, x.dims);
        if (l.opset() < 13 || axis == r - 1) { // before opset 13: rows of the flattened [:axis] x [axis:]
            long rows = Lowerer.countOf(Arrays.copyOfRange(x.dims, 0, axis));
            Shape m = Shape.of((int) rows, (int) (x.elements() / rows));
            rows(l, log, x, y, m);
            return;
        }
        int[] perm = new int[r];
        for (int i = 0, k = 0; i < r; i++) {
            if (i != axis) {
                perm[k++] = i;
            }
        }
        perm[r - 1] = axis;
        int[] moved = new int[r];
        int[] back = new int[r];
        for (int i = 0; i < r; i++) {
            moved[i] = x.dims[perm[i]];
            back[perm[i]] = i;
        }
        Value t = l.temp(l.node.name() + ":moved", moved);
        ShapeLowering.permute(l, x, perm, t);
        Value u = l.temp(l.node.name() + ":rows", moved);
        rows(l, log, t, u, Shape.of((int) (x.elements() / x.dims[axis]), x.dims[axis]));
        ShapeLowering.permute(l, u, back, y);
    }

    private static void rows(Lowerer l, boolean log, Value x, Value y, Shape m) {
        l.step((log ? "logSoftmax " : "softmax ") + m, y, () -> {
            if (log) {
                l.device.logSoftmax(x.as(m), y.as(m));
            } else {
                l.device.softmax(x.as(m), y.as(m));
            }
        }, x);
    }

    static void reduceMean(Lowerer l) {
        Value x = l.in(0);
        int r = x.rank();
        long[] axes = l.opset() < 18 ? l.node.getInts("axes", null) : l.longs(1, "axes", null);
        boolean keep = l.node.getInt("keepdims", 1) != 0;
        boolean[] reduced = new boolean[r];
        if (axes == null || axes.length == 0) {
            if (axes != null && l.node.getInt("noop_with_empty_axes", 0) != 0) {
                l.view(0, x, x.dims);
                return;
            }
            Arrays.fill(reduced, true);
        } else {
            for (long a : axes) {
                reduced[l.axis(a, r)] = true;
            }
        }
        int[] perm = new int[r];
        int k = 0;
        long rows = 1;
        for (int i = 0; i < r; i++) {
            if (!reduced[i]) {
                perm[k++] = i;
                rows *= x.dims[i];
            }
        }
        boolean inOrder = true;
        for (int i = 0; i < r; i++) {
            if (reduced[i]) {
                inOrder &= k == i;
                perm[k++] = i;
            }
        }
        int cols = (int) (x.elements() / rows);
        int[] out = new int[keep ? r : r - count(reduced)];
        for (int i = 0, j = 0; i < r; i++) {
            if (keep) {
                out[i] = reduced[i] ? 1 : x.dims[i];
            } else if (!reduced[i]) {
                out[j++] = x.dims[i];
            }
        }
        Value src = x;
        if (!inOrder) {
            int[] moved = new int[r];
            for (int i = 0; i < r; i++) {
                moved[i] = x.dims[perm[i]];
            }
            src = l.temp(l.node.name() + ":moved", moved);
            ShapeLowering.permute(l, x, perm, src);
        }
        PoolProblem p = PoolProblem.adaptiveAvg((int) rows, 1, cols, 1, 1, 1);
        Value y = l.out(0, out);
        Value s = src;
        l.step("pool " + p + " (mean of " + cols + ")", y,
                () -> l.device.pool(p, s.as(p.inputShape()), y.as(p.outputShape())), s);
    }

    private static int count(boolean[] b) {
        int n = 0;
        for (boolean v : b) {
            n += v ? 1 : 0;
        }
        return n;
    }

    /** (N, C, spatial...) as (N, C, product of spatial, 1). */
    private static int[] ncs(Lowerer l, int[] d) {
        if (d.length < 3) {
            throw l.refuse("takes (N, C, ...) data with a spatial dimension, got rank " + d.length);
        }
        return new int[] {d[0], d[1], (int) (Lowerer.countOf(d) / d[0] / d[1]), 1};
    }

    static void instanceNorm(Lowerer l) {
        int[] d = ncs(l, l.dims(0));
        InstanceNormProblem p = new InstanceNormProblem(d[0], d[1], d[2], d[3], l.node.getFloat("epsilon", 1e-5f));
        normalize(l, p.inputShape(), p.channelShape(), p.statsShape(), (x, w, b, y, m, s) ->
                l.device.instanceNorm(p, x, w, b, y, m, s), "instanceNorm " + p, l.in(1), l.in(2), null);
    }

    static void groupNorm(Lowerer l) {
        int[] d = ncs(l, l.dims(0));
        int groups = (int) l.node.requireInt("num_groups");
        GroupNormProblem p = new GroupNormProblem(d[0], d[1], d[2], d[3], groups, l.node.getFloat("epsilon", 1e-5f));
        Value w = l.in(1);
        Value b = l.in(2);
        if (l.opset() < 21 && w.elements() == groups && groups != d[1]) { // opset 18: one scale and bias per group
            w = l.constant("scale", new int[] {d[1]}, perChannel(l, l.constant(1, "scale"), groups, d[1]));
            b = l.constant("bias", new int[] {d[1]}, perChannel(l, l.constant(2, "bias"), groups, d[1]));
        }
        normalize(l, p.inputShape(), p.channelShape(), p.statsShape(), (x, ww, bb, y, m, s) ->
                l.device.groupNorm(p, x, ww, bb, y, m, s), "groupNorm " + p, w, b, null);
    }

    private static float[] perChannel(Lowerer l, ConstantTensor perGroup, int groups, int channels) {
        float[] out = new float[channels];
        int per = channels / groups;
        for (int c = 0; c < channels; c++) {
            out[c] = (float) perGroup.doubleAt(c / per);
        }
        return out;
    }

    static void layerNorm(Lowerer l) {
        Value x = l.in(0);
        int axis = l.axis(l.node.getInt("axis", -1), x.rank());
        long rows = Lowerer.countOf(Arrays.copyOfRange(x.dims, 0, axis));
        int features = (int) (x.elements() / rows);
        LayerNormProblem p = new LayerNormProblem((int) rows, features, l.node.getFloat("epsilon", 1e-5f));
        Value w = l.in(1);
        Value b = l.has(2) ? l.in(2) : l.constant("bias", new int[] {features}, new float[features]);
        if (w.elements() != features || b.elements() != features) {
            throw l.refuse("scale and bias must hold the " + features + " normalized elements (broadcast ones are not supported)");
        }
        int[] stats = x.dims.clone(); // ONNX's Mean and InvStdDev: the input's extents with the normalized ones 1
        Arrays.fill(stats, axis, stats.length, 1);
        normalize(l, Shape.of((int) rows, features), Shape.of(features), Shape.of((int) rows), (xx, ww, bb, y, m, s) ->
                l.device.layerNorm(p, xx, ww, bb, y, m, s), "layerNorm " + p, w, b, stats);
    }

    /**
     * A normalization that writes y and per-row statistics: temporaries that die at once, or with
     * {@code stats} extents, outputs 1 and 2 (layer norm's Mean and InvStdDev).
     */
    private interface Norm {
        void run(io.jdnn.Tensor x, io.jdnn.Tensor w, io.jdnn.Tensor b, io.jdnn.Tensor y, io.jdnn.Tensor mean,
                 io.jdnn.Tensor invStd);
    }

    private static void normalize(Lowerer l, Shape xs, Shape cs, Shape ss, Norm norm, String label, Value w, Value b,
                                  int[] stats) {
        Value x = l.in(0);
        if (w.elements() != cs.elements() || b.elements() != cs.elements()) {
            throw l.refuse("scale and bias must have " + cs.elements() + " elements, got " + w.elements() + " and "
                    + b.elements());
        }
        Value y = l.out(0, x.dims);
        boolean kept = stats != null && l.node.outputs().size() > 1;
        Value mean = kept && !l.node.output(1).isEmpty() ? l.out(1, stats) : l.temp(l.node.name() + ":mean", ss.dims());
        Value inv = kept && !l.node.output(2).isEmpty() ? l.out(2, stats) : l.temp(l.node.name() + ":invstd", ss.dims());
        l.step(label, List.of(x, w, b), List.of(y, mean, inv), null, () -> norm.run(x.as(xs), w.as(cs), b.as(cs),
                y.as(xs), mean.as(ss), inv.as(ss)));
    }

    static void lrn(Lowerer l) {
        int[] d = l.dims(0);
        int size = (int) l.node.requireInt("size");
        if (size % 2 == 0) {
            throw l.refuse("even size " + size + ": ONNX's window reaches one channel further up, PyTorch's "
                    + "(jdnn's) one further down; only odd sizes coincide");
        }
        if (d.length < 3) {
            throw l.refuse("takes (N, C, ...) data, got rank " + d.length);
        }
        int[] x = ncs(l, d);
        LrnProblem p = new LrnProblem(x[0], x[1], x[2], x[3], size, l.node.getFloat("alpha", 1e-4f),
                l.node.getFloat("beta", 0.75f), l.node.getFloat("bias", 1f));
        Value in = l.in(0);
        Value y = l.out(0, d);
        l.step("localResponseNorm " + p, y, () -> l.device.localResponseNorm(p, in.as(p.inputShape()),
                y.as(p.inputShape())), in);
    }
}
