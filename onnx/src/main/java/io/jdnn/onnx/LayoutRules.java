package io.jdnn.onnx;

import java.util.Arrays;

/** Shape rules of Slice, Flatten, Transpose, Split and ReduceMean (Slice, Flatten, Transpose and ReduceMean fold on known inputs). */
final class LayoutRules {
    private LayoutRules() {
    }

    static void slice(InferContext c) {
        long[] x = c.dims(0);
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (c.opset() < 10) {
            c.arity(1, 1, 1);
            starts = c.node.getInts("starts", null);
            ends = c.node.getInts("ends", null);
            axes = c.node.getInts("axes", null);
            if (starts == null || ends == null) {
                throw c.refuse("attributes 'starts' and 'ends' are required");
            }
        } else {
            c.arity(3, 5, 1);
            starts = c.requireInts(1, "starts");
            ends = c.requireInts(2, "ends");
            axes = c.has(3) ? c.requireInts(3, "axes") : null;
            steps = c.has(4) ? c.requireInts(4, "steps") : null;
        }
        int n = starts.length;
        if (ends.length != n || (axes != null && axes.length != n) || (steps != null && steps.length != n)) {
            throw c.refuse("starts, ends, axes and steps must have the same length");
        }
        long[] first = new long[x.length];
        long[] step = new long[x.length];
        long[] out = x.clone();
        Arrays.fill(step, 1);
        boolean[] seen = new boolean[x.length];
        for (int j = 0; j < n; j++) {
            int a = c.axis(axes == null ? j : axes[j], x.length, "axis");
            if (seen[a]) {
                throw c.refuse("axis " + a + " is sliced twice");
            }
            seen[a] = true;
            long s = steps == null ? 1 : steps[j];
            if (s == 0) {
                throw c.refuse("step 0 on axis " + a);
            }
            long dim = x[a];
            long b = starts[j] < 0 ? starts[j] + dim : starts[j];
            long e = ends[j] < 0 ? ends[j] + dim : ends[j];
            long count;
            if (s > 0) {
                b = clamp(b, 0, dim);
                e = clamp(e, 0, dim);
                count = e > b ? (e - b + s - 1) / s : 0;
            } else {
                b = clamp(b, 0, dim - 1);
                e = clamp(e, -1, dim - 1);
                count = b > e ? (b - e + (-s) - 1) / (-s) : 0;
            }
            first[a] = b;
            step[a] = s;
            out[a] = count;
        }
        c.out(0, c.type(0), out);
        ConstantTensor v = c.constant(0);
        if (v != null && Folding.count(out) <= InferContext.MAX_FOLDED_ELEMENTS) {
            long[] os = Folding.strides(out);
            long[] is = Folding.strides(x);
            c.fold(0, Folding.pick(v, v.type(), out, i -> {
                long src = 0;
                for (int d = 0; d < out.length; d++) {
                    long coord = (i / os[d]) % out[d];
                    src += (first[d] + coord * step[d]) * is[d];
                }
                return (int) src;
            }));
        }
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    static void flatten(InferContext c) {
        c.arity(1, 1, 1);
        long[] x = c.dims(0);
        long axis = c.node.getInt("axis", 1);
        if (axis < -x.length || axis > x.length) {
            throw c.refuse("axis " + axis + " is out of range for rank " + x.length);
        }
        int a = (int) (axis < 0 ? axis + x.length : axis);
        ShapeOpRules.reshaped(c, new long[]{Folding.count(Arrays.copyOf(x, a)),
                Folding.count(Arrays.copyOfRange(x, a, x.length))});
    }

    static void transpose(InferContext c) {
        c.arity(1, 1, 1);
        long[] x = c.dims(0);
        long[] perm = c.node.getInts("perm", null);
        if (perm == null) {
            perm = new long[x.length];
            for (int i = 0; i < x.length; i++) {
                perm[i] = x.length - 1 - i;
            }
        }
        if (perm.length != x.length) {
            throw c.refuse("perm " + Arrays.toString(perm) + " must have " + x.length + " entries");
        }
        boolean[] used = new boolean[x.length];
        long[] out = new long[x.length];
        for (int i = 0; i < perm.length; i++) {
            int p = c.axis(perm[i], x.length, "perm entry");
            if (used[p]) {
                throw c.refuse("perm " + Arrays.toString(perm) + " is not a permutation");
            }
            used[p] = true;
            out[i] = x[p];
        }
        c.out(0, c.type(0), out);
        ConstantTensor v = c.constant(0);
        if (v != null && Folding.count(out) <= InferContext.MAX_FOLDED_ELEMENTS) {
            long[] os = Folding.strides(out);
            long[] is = Folding.strides(x);
            long[] p = perm;
            c.fold(0, Folding.pick(v, v.type(), out, i -> {
                long src = 0;
                for (int d = 0; d < out.length; d++) {
                    src += ((i / os[d]) % out[d]) * is[(int) (p[d] < 0 ? p[d] + out.length : p[d])];
                }
                return (int) src;
            }));
        }
    }

    static void split(InferContext c) {
        c.arity(1, c.opset() < 13 ? 1 : 2, Integer.MAX_VALUE);
        long[] x = c.dims(0);
        int axis = c.axis(c.node.getInt("axis", 0), x.length, "axis");
        int outs = c.node.outputs().size();
        long[] sizes = c.opset() < 13 ? c.node.getInts("split", null) : c.has(1) ? c.requireInts(1, "split") : null;
        long dim = x[axis];
        if (sizes == null) {
            sizes = new long[outs];
            long numOutputs = c.node.getInt("num_outputs", -1);
            if (numOutputs >= 0 && numOutputs != outs) {
                throw c.refuse("num_outputs " + numOutputs + " differs from the " + outs + " outputs");
            }
            long chunk = numOutputs >= 0 ? (dim + outs - 1) / outs : dim / outs;
            if (numOutputs < 0 && dim % outs != 0) {
                throw c.refuse("extent " + dim + " of axis " + axis + " does not split into " + outs + " equal parts");
            }
            for (int i = 0; i < outs; i++) {
                sizes[i] = Math.max(0, Math.min(chunk, dim - chunk * i));
            }
        }
        if (sizes.length != outs || Arrays.stream(sizes).sum() != dim || Arrays.stream(sizes).anyMatch(s -> s < 0)) {
            throw c.refuse("split " + Arrays.toString(sizes) + " does not cut extent " + dim + " of axis " + axis
                    + " into " + outs + " outputs");
        }
        for (int i = 0; i < outs; i++) {
            long[] o = x.clone();
            o[axis] = sizes[i];
            c.out(i, c.type(0), o);
        }
    }

    static void reduceMean(InferContext c) {
        c.arity(1, c.opset() < 18 ? 1 : 2, 1);
        long[] x = c.dims(0);
        long[] axes = c.opset() < 18 ? c.node.getInts("axes", null) : c.has(1) ? c.requireInts(1, "axes") : null;
        boolean keep = c.node.getInt("keepdims", 1) != 0;
        boolean[] reduced = new boolean[x.length];
        if (axes == null || axes.length == 0) {
            if (c.node.getInt("noop_with_empty_axes", 0) != 0) {
                ElementwiseRules.identity(c);
                return;
            }
            Arrays.fill(reduced, true);
        } else {
            for (long a : axes) {
                reduced[c.axis(a, x.length, "axis")] = true;
            }
        }
        long[] kept = x.clone();
        long[] out = new long[x.length];
        int r = 0;
        for (int i = 0; i < x.length; i++) {
            if (reduced[i]) {
                kept[i] = 1;
                if (keep) {
                    out[r++] = 1;
                }
            } else {
                out[r++] = x[i];
            }
        }
        long[] outDims = Arrays.copyOf(out, r);
        if (!c.type(0).isFloat() && !c.type(0).isInteger()) {
            throw c.refuse("input must be numeric, got " + c.type(0));
        }
        c.out(0, c.type(0), outDims);
        ConstantTensor v = c.constant(0);
        if (v != null && v.size() <= InferContext.MAX_FOLDED_ELEMENTS) {
            int n = (int) Folding.count(kept);
            double[] sum = new double[n];
            int per = v.size() / Math.max(n, 1);
            for (int i = 0; i < v.size(); i++) {
                sum[Folding.reducedIndex(i, x, kept)] += v.doubleAt(i);
            }
            TensorInfo info = new TensorInfo(c.node.output(0), c.type(0), outDims);
            if (v.isFloat()) {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = (float) (sum[i] / per);
                }
                c.fold(0, ConstantTensor.ofFloats(info, f));
            } else {
                long[] l = new long[n];
                for (int i = 0; i < n; i++) {
                    l[i] = (long) (sum[i] / per);
                }
                c.fold(0, ConstantTensor.ofLongs(info, l));
            }
        }
    }
}
