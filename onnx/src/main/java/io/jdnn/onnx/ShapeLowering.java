package io.jdnn.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ops that move or rename elements: Reshape, Flatten, Squeeze and Unsqueeze (views, no launch),
 * Transpose (permute), Concat (cat), Split and Slice with step 1 (split), Gather of constant
 * indices along an axis (split and cat), and the shape-data ops Shape, Constant and
 * ConstantOfShape where load left them unfolded.
 */
final class ShapeLowering {
    private ShapeLowering() {
    }

    /** Reshape, Flatten, Squeeze, Unsqueeze: the input under the extents load inferred (a view, no launch). */
    static void view(Lowerer l) {
        l.view(0, l.in(0), l.outDims(0));
    }

    static void transpose(Lowerer l) {
        Value x = l.in(0);
        long[] perm = l.node.getInts("perm", null);
        int[] p = new int[x.rank()];
        for (int i = 0; i < p.length; i++) {
            p[i] = perm == null ? p.length - 1 - i : l.axis(perm[i], p.length);
        }
        if (perm != null && perm.length != p.length) {
            throw l.refuse("perm " + Arrays.toString(perm) + " does not have the input's rank " + p.length);
        }
        int[] out = new int[p.length];
        boolean identity = true;
        for (int i = 0; i < p.length; i++) {
            out[i] = x.dims[p[i]];
            identity &= p[i] == i;
        }
        if (identity || x.rank() <= 1) {
            l.view(0, x, out);
            return;
        }
        permute(l, x, p, l.out(0, out));
    }

    static void permute(Lowerer l, Value x, int[] p, Value y) {
        l.step("permute " + Arrays.toString(x.dims) + " " + Arrays.toString(p), y,
                () -> l.device.permute(x.tensor(), p, y.tensor()), x);
    }

    static void concat(Lowerer l) {
        List<Value> xs = new ArrayList<>();
        for (int i = 0; i < l.node.inputs().size(); i++) {
            xs.add(l.in(i));
        }
        int rank = xs.get(0).rank();
        int axis = l.axis(l.node.requireInt("axis"), rank);
        int[] out = l.outDims(0);
        if (xs.size() == 1) {
            l.view(0, xs.get(0), out);
            return;
        }
        Value y = l.out(0, out);
        l.step("cat axis " + axis + " of " + xs.size(), xs, List.of(y), null,
                () -> l.device.cat(xs.stream().map(Value::tensor).toList(), axis, y.tensor()));
    }

    /** Split into the outputs' extents as load inferred them (from split, num_outputs or equal parts). */
    static void split(Lowerer l) {
        Value x = l.in(0);
        int axis = l.axis(l.node.getInt("axis", 0), x.rank());
        List<Value> outs = new ArrayList<>();
        for (int k = 0; k < l.node.outputs().size(); k++) {
            outs.add(l.out(k, l.outDims(k)));
        }
        split(l, x, axis, outs);
    }

    static void split(Lowerer l, Value x, int axis, List<Value> outs) {
        l.step("split axis " + axis + " of " + Arrays.toString(x.dims), List.of(x), outs, null,
                () -> l.device.split(x.tensor(), axis, outs.stream().map(Value::tensor).toList()));
    }

    /** {@code x}'s elements [start, start + len) along {@code axis} into a new temporary (or {@code into}). */
    static Value range(Lowerer l, Value x, int axis, int start, int len, Value into) {
        int total = x.dims[axis];
        if (start == 0 && len == total) {
            return x;
        }
        List<Value> pieces = new ArrayList<>();
        Value mid = null;
        int[] cuts = {start, len, total - start - len};
        for (int k = 0; k < 3; k++) {
            if (cuts[k] == 0) {
                continue;
            }
            int[] d = x.dims.clone();
            d[axis] = cuts[k];
            Value v = k == 1 && into != null ? into : l.temp(l.node.name() + ":piece" + k + "." + axis, d);
            if (k == 1) {
                mid = v;
            }
            pieces.add(v);
        }
        split(l, x, axis, pieces);
        return mid;
    }
}
