package io.jdnn.onnx;

import java.util.Arrays;

/**
 * Shape rules of the ops of shape subgraphs, each folding its output when its inputs are known:
 * Shape, Gather, Concat, Constant, ConstantOfShape, Reshape, Squeeze, Unsqueeze, Slice.
 */
final class ShapeOpRules {
    private ShapeOpRules() {
    }

    static void shape(InferContext c) {
        c.arity(1, 1, 1);
        long[] d = c.dims(0);
        int r = d.length;
        long start = c.node.getInt("start", 0);
        long end = c.node.getInt("end", r);
        int s = (int) Math.max(0, Math.min(r, start < 0 ? start + r : start));
        int e = (int) Math.max(0, Math.min(r, end < 0 ? end + r : end));
        long[] v = e > s ? Arrays.copyOfRange(d, s, e) : new long[0];
        c.outConstant(0, ConstantTensor.int64(c.node.output(0), v));
    }

    static void constant(InferContext c) {
        c.arity(0, 0, 1);
        if (c.node.attributes().size() != 1) {
            throw c.refuse("must have exactly one value attribute, got " + c.node.attributes().keySet());
        }
        String attr = c.node.attributes().keySet().iterator().next();
        String out = c.node.output(0);
        ConstantTensor v = switch (attr) {
            case "value" -> c.node.getTensor("value");
            case "value_float" -> ConstantTensor.ofFloats(new TensorInfo(out, DataType.FLOAT),
                    new float[]{c.node.getFloat(attr, 0)});
            case "value_floats" -> {
                float[] f = c.node.getFloats(attr, null);
                yield ConstantTensor.ofFloats(new TensorInfo(out, DataType.FLOAT, f.length), f);
            }
            case "value_int" -> ConstantTensor.ofLongs(new TensorInfo(out, DataType.INT64),
                    new long[]{c.node.getInt(attr, 0)});
            case "value_ints" -> ConstantTensor.int64(out, c.node.getInts(attr, null));
            default -> throw c.refuse("attribute '" + attr + "' is not supported (value, value_float, value_floats,"
                    + " value_int, value_ints are)");
        };
        c.outConstant(0, v);
    }

    static void constantOfShape(InferContext c) {
        c.arity(1, 1, 1);
        long[] dims = c.requireInts(0, "input");
        ConstantTensor value = c.node.getTensor("value");
        if (value == null) {
            value = ConstantTensor.ofFloats(new TensorInfo("value", DataType.FLOAT, 1), new float[]{0});
        } else if (value.size() != 1) {
            throw c.refuse("attribute 'value' must hold one element, got " + value.info());
        }
        c.out(0, value.type(), dims);
        if (Folding.count(dims) <= InferContext.MAX_FOLDED_ELEMENTS) {
            c.fold(0, Folding.fill(value, dims));
        }
    }

    static void gather(InferContext c) {
        c.arity(2, 2, 1);
        long[] data = c.dims(0);
        long[] idx = c.dims(1);
        if (!c.type(1).isInteger()) {
            throw c.refuse("indices must be integers, got " + c.type(1));
        }
        int axis = c.axis(c.node.getInt("axis", 0), data.length, "axis");
        long[] out = new long[data.length - 1 + idx.length];
        System.arraycopy(data, 0, out, 0, axis);
        System.arraycopy(idx, 0, out, axis, idx.length);
        System.arraycopy(data, axis + 1, out, axis + idx.length, data.length - axis - 1);
        c.out(0, c.type(0), out);
        ConstantTensor indices = c.constant(1);
        if (indices != null) {
            for (int i = 0; i < indices.size(); i++) {
                long k = indices.longAt(i);
                if (k < -data[axis] || k >= data[axis]) {
                    throw c.refuse("index " + k + " is out of range for extent " + data[axis] + " of axis " + axis);
                }
            }
        }
        ConstantTensor x = c.constant(0);
        if (x != null && indices != null && Folding.count(out) <= InferContext.MAX_FOLDED_ELEMENTS) {
            long inner = Folding.count(Arrays.copyOfRange(data, axis + 1, data.length));
            long n = indices.size();
            long extent = data[axis];
            c.fold(0, Folding.pick(x, x.type(), out, i -> {
                long in = i % inner;
                long k = (i / inner) % n;
                long outer = i / inner / n;
                long j = indices.longAt((int) k);
                j = j < 0 ? j + extent : j;
                return (int) ((outer * extent + j) * inner + in);
            }));
        }
    }

    static void concat(InferContext c) {
        c.arity(1, Integer.MAX_VALUE, 1);
        long[] first = c.dims(0);
        int axis = c.axis(c.node.requireInt("axis"), first.length, "axis");
        long[] out = first.clone();
        out[axis] = 0;
        int n = c.node.inputs().size();
        for (int i = 0; i < n; i++) {
            long[] d = c.dims(i);
            if (c.type(i) != c.type(0)) {
                throw c.refuse("input " + i + " is " + c.type(i) + ", input 0 is " + c.type(0));
            }
            for (int k = 0; k < out.length; k++) {
                if (d.length != first.length || (k != axis && d[k] != first[k])) {
                    throw c.refuse("input " + i + " " + Arrays.toString(d) + " does not match input 0 "
                            + Arrays.toString(first) + " outside axis " + axis);
                }
            }
            out[axis] += d[axis];
        }
        c.out(0, c.type(0), out);
        if (c.allConstant() && Folding.count(out) <= InferContext.MAX_FOLDED_ELEMENTS) {
            long inner = Folding.count(Arrays.copyOfRange(first, axis + 1, first.length));
            long[] offsets = new long[n + 1];
            for (int i = 0; i < n; i++) {
                offsets[i + 1] = offsets[i] + c.dims(i)[axis];
            }
            ConstantTensor[] parts = new ConstantTensor[n];
            for (int i = 0; i < n; i++) {
                parts[i] = c.constant(i);
            }
            // Element i of the output: its row (outer), position along the axis (which input), inner offset.
            long total = out[axis];
            float[] f = parts[0].isFloat() ? new float[(int) Folding.count(out)] : null;
            long[] l = parts[0].isFloat() ? null : new long[(int) Folding.count(out)];
            for (int i = 0; i < (f != null ? f.length : l.length); i++) {
                long in = i % inner;
                long a = (i / inner) % total;
                long outer = i / inner / total;
                int p = 0;
                while (offsets[p + 1] <= a) {
                    p++;
                }
                long extent = offsets[p + 1] - offsets[p];
                int src = (int) ((outer * extent + (a - offsets[p])) * inner + in);
                if (f != null) {
                    f[i] = (float) parts[p].doubleAt(src);
                } else {
                    l[i] = parts[p].longAt(src);
                }
            }
            TensorInfo info = new TensorInfo(c.node.output(0), c.type(0), out);
            c.fold(0, f != null ? ConstantTensor.wrap(info, f, null, null) : parts[0].isBool()
                    ? Folding.cast(ConstantTensor.wrap(info.withType(DataType.INT64), null, l, null), DataType.BOOL)
                    : ConstantTensor.wrap(info, null, l, null));
        }
    }

    static void reshape(InferContext c) {
        c.arity(2, 2, 1);
        long[] x = c.dims(0);
        long[] shape = c.requireInts(1, "shape");
        boolean allowZero = c.node.getInt("allowzero", 0) != 0;
        long[] out = new long[shape.length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            long s = shape[i];
            if (s == -1) {
                if (infer >= 0) {
                    throw c.refuse("shape " + Arrays.toString(shape) + " has more than one -1");
                }
                infer = i;
                continue;
            } else if (s == 0 && !allowZero) {
                if (i >= x.length) {
                    throw c.refuse("shape " + Arrays.toString(shape) + " copies extent " + i + " (0) of an input of"
                            + " rank " + x.length);
                }
                s = x[i];
            } else if (s < 0) {
                throw c.refuse("shape " + Arrays.toString(shape) + " has the negative extent " + s);
            }
            out[i] = s;
            known = s == 0 ? 0 : Math.multiplyExact(known, s);
        }
        long n = Folding.count(x);
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw c.refuse("cannot infer the -1 of shape " + Arrays.toString(shape) + " for input "
                        + Arrays.toString(x));
            }
            out[infer] = n / known;
        } else if (known != n) {
            throw c.refuse("shape " + Arrays.toString(shape) + " holds " + known + " elements, the input "
                    + Arrays.toString(x) + " " + n);
        }
        c.out(0, c.type(0), out);
        ConstantTensor v = c.constant(0);
        if (v != null) {
            c.fold(0, Folding.reshape(v, out));
        }
    }

    static void squeeze(InferContext c) {
        c.arity(1, c.opset() < 13 ? 1 : 2, 1);
        long[] x = c.dims(0);
        long[] axes = c.opset() < 13 ? c.node.getInts("axes", null) : c.has(1) ? c.requireInts(1, "axes") : null;
        boolean[] drop = new boolean[x.length];
        if (axes == null) {
            for (int i = 0; i < x.length; i++) {
                drop[i] = x[i] == 1;
            }
        } else {
            for (long a : axes) {
                int k = c.axis(a, x.length, "axis");
                if (x[k] != 1) {
                    throw c.refuse("axis " + a + " of " + Arrays.toString(x) + " is not 1 and cannot be squeezed");
                }
                drop[k] = true;
            }
        }
        long[] out = new long[x.length];
        int r = 0;
        for (int i = 0; i < x.length; i++) {
            if (!drop[i]) {
                out[r++] = x[i];
            }
        }
        reshaped(c, Arrays.copyOf(out, r));
    }

    static void unsqueeze(InferContext c) {
        c.arity(1, c.opset() < 13 ? 1 : 2, 1);
        long[] x = c.dims(0);
        long[] axes = c.opset() < 13 ? c.node.getInts("axes", null) : c.requireInts(1, "axes");
        if (axes == null) {
            throw c.refuse("attribute 'axes' is required");
        }
        int r = x.length + axes.length;
        boolean[] inserted = new boolean[r];
        for (long a : axes) {
            int k = c.axis(a, r, "axis");
            if (inserted[k]) {
                throw c.refuse("axis " + a + " is given twice");
            }
            inserted[k] = true;
        }
        long[] out = new long[r];
        for (int i = 0, j = 0; i < r; i++) {
            out[i] = inserted[i] ? 1 : x[j++];
        }
        reshaped(c, out);
    }

    /** Output 0 holds input 0's elements with extents {@code out}. */
    static void reshaped(InferContext c, long[] out) {
        c.out(0, c.type(0), out);
        ConstantTensor v = c.constant(0);
        if (v != null) {
            c.fold(0, Folding.reshape(v, out));
        }
    }
}
