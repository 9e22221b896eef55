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

    static void reshape(Lowerer l) {
        Value x = l.in(0);
        long[] shape = l.opset() < 5 ? l.node.getInts("shape", null) : l.longs(1, "shape", null);
        if (shape == null) {
            throw l.refuse("the target shape is required");
        }
        boolean allowZero = l.node.getInt("allowzero", 0) != 0;
        int[] out = new int[shape.length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            long s = shape[i];
            if (s == 0 && !allowZero) {
                if (i >= x.rank()) {
                    throw l.refuse("shape entry " + i + " is 0 (copy) past the input's rank " + x.rank());
                }
                s = x.dims[i];
            }
            if (s == -1) {
                if (infer >= 0) {
                    throw l.refuse("shape " + Arrays.toString(shape) + " has more than one -1");
                }
                infer = i;
                continue;
            }
            if (s < 0 || s > Integer.MAX_VALUE) {
                throw l.refuse("shape entry " + s + " is invalid");
            }
            out[i] = (int) s;
            known *= s;
        }
        if (infer >= 0) {
            if (known == 0 || x.elements() % known != 0) {
                throw l.refuse("cannot infer the -1 of " + Arrays.toString(shape) + " for " + x.elements() + " elements");
            }
            out[infer] = (int) (x.elements() / known);
        }
        l.view(0, x, out);
    }

    static void flatten(Lowerer l) {
        Value x = l.in(0);
        int axis = (int) l.node.getInt("axis", 1);
        axis = axis < 0 ? axis + x.rank() : axis;
        if (axis < 0 || axis > x.rank()) {
            throw l.refuse("axis " + l.node.getInt("axis", 1) + " is outside [0, " + x.rank() + "]");
        }
        long outer = Lowerer.countOf(Arrays.copyOfRange(x.dims, 0, axis));
        l.view(0, x, new int[] {(int) outer, (int) (x.elements() / outer)});
    }

    static void squeeze(Lowerer l) {
        Value x = l.in(0);
        long[] axes = l.opset() < 13 ? l.node.getInts("axes", null) : l.longs(1, "axes", null);
        boolean[] drop = new boolean[x.rank()];
        if (axes == null) {
            for (int i = 0; i < x.rank(); i++) {
                drop[i] = x.dims[i] == 1;
            }
        } else {
            for (long a : axes) {
                int ax = l.axis(a, x.rank());
                if (x.dims[ax] != 1) {
                    throw l.refuse("cannot squeeze axis " + a + " of extent " + x.dims[ax]);
                }
                drop[ax] = true;
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            if (!drop[i]) {
                out.add(x.dims[i]);
            }
        }
        l.view(0, x, out.stream().mapToInt(Integer::intValue).toArray());
    }

    static void unsqueeze(Lowerer l) {
        Value x = l.in(0);
        long[] axes = l.opset() < 13 ? l.node.getInts("axes", null) : l.longs(1, "axes", null);
        if (axes == null) {
            throw l.refuse("axes are required");
        }
        int r = x.rank() + axes.length;
        boolean[] added = new boolean[r];
        for (long a : axes) {
            int ax = l.axis(a, r);
            if (added[ax]) {
                throw l.refuse("axis " + a + " is given twice");
            }
            added[ax] = true;
        }
        int[] out = new int[r];
        for (int i = 0, k = 0; i < r; i++) {
            out[i] = added[i] ? 1 : x.dims[k++];
        }
        l.view(0, x, out);
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
        int[] out = xs.get(0).dims.clone();
        out[axis] = 0;
        for (Value v : xs) {
            if (v.rank() != rank) {
                throw l.refuse("inputs of ranks " + rank + " and " + v.rank() + " do not concatenate");
            }
            out[axis] += v.dims[axis];
        }
        if (xs.size() == 1) {
            l.view(0, xs.get(0), out);
            return;
        }
        Value y = l.out(0, out);
        l.step("cat axis " + axis + " of " + xs.size(), xs, List.of(y), null,
                () -> l.device.cat(xs.stream().map(Value::tensor).toList(), axis, y.tensor()));
    }

    static void split(Lowerer l) {
        Value x = l.in(0);
        int axis = l.axis(l.node.getInt("axis", 0), x.rank());
        int n = l.node.outputs().size();
        long[] sizes = l.opset() < 13 ? l.node.getInts("split", null) : l.longs(1, "split", null);
        if (sizes == null) {
            int parts = (int) l.node.getInt("num_outputs", n);
            int each = (x.dims[axis] + parts - 1) / parts;
            sizes = new long[parts];
            for (int i = 0; i < parts; i++) {
                sizes[i] = Math.min(each, x.dims[axis] - (long) each * i);
            }
        }
        if (sizes.length != n || Arrays.stream(sizes).sum() != x.dims[axis]) {
            throw l.refuse("split " + Arrays.toString(sizes) + " does not cut extent " + x.dims[axis] + " into "
                    + n + " outputs");
        }
        List<Value> outs = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            int[] d = x.dims.clone();
            d[axis] = (int) sizes[k];
            outs.add(l.out(k, d));
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
