package io.jdnn.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Slice with step 1 (one split per sliced axis), Gather of constant indices of any rank along an
 * axis (a split per index, then a cat; indices of rank 2 or more view the result), and the shape-data ops that load did not fold: Shape, Constant,
 * ConstantOfShape (host constants).
 */
final class SliceLowering {
    private SliceLowering() {
    }

    static void slice(Lowerer l) {
        Value x = l.in(0);
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (l.opset() < 10) {
            starts = l.node.getInts("starts", null);
            ends = l.node.getInts("ends", null);
            axes = l.node.getInts("axes", null);
        } else {
            starts = l.longs(1, "starts", null);
            ends = l.longs(2, "ends", null);
            axes = l.longs(3, "axes", null);
            steps = l.longs(4, "steps", null);
        }
        if (starts == null || ends == null || starts.length != ends.length) {
            throw l.refuse("starts and ends are required and must have one entry per sliced axis");
        }
        int[] out = x.dims.clone();
        int[] begin = new int[x.rank()];
        for (int i = 0; i < starts.length; i++) {
            int axis = l.axis(axes == null ? i : axes[i], x.rank());
            if (steps != null && steps[i] != 1) {
                throw l.refuse("step " + steps[i] + " is not supported (step 1 only: jdnn has no strided copy)");
            }
            long d = x.dims[axis];
            long s = clamp(starts[i] < 0 ? starts[i] + d : starts[i], d);
            long e = clamp(ends[i] < 0 ? ends[i] + d : ends[i], d);
            if (e <= s) {
                throw l.refuse("the slice of axis " + axis + " is empty: jdnn has no empty tensors");
            }
            begin[axis] = (int) s;
            out[axis] = (int) (e - s);
        }
        cut(l, x, begin, out);
    }

    /** Output 0 is the block of {@code x} starting at {@code begin} with extents {@code out}: one split per cut axis. */
    private static void cut(Lowerer l, Value x, int[] begin, int[] out) {
        List<Integer> cutAxes = new ArrayList<>();
        for (int a = 0; a < out.length; a++) {
            if (out[a] != x.dims[a]) {
                cutAxes.add(a);
            }
        }
        if (cutAxes.isEmpty()) {
            l.view(0, x, out);
            return;
        }
        Value v = x;
        for (int i = 0; i < cutAxes.size(); i++) {
            int a = cutAxes.get(i);
            boolean last = i == cutAxes.size() - 1;
            v = ShapeLowering.range(l, v, a, begin[a], out[a], last ? l.out(0, out) : null);
        }
    }

    private static long clamp(long v, long d) {
        return Math.max(0, Math.min(v, d));
    }

    static void gather(Lowerer l) {
        Value x = l.in(0);
        int axis = l.axis(l.node.getInt("axis", 0), x.rank());
        ConstantTensor idx = l.constant(1, "indices");
        int d = x.dims[axis];
        int[] index = new int[idx.size()];
        for (int k = 0; k < index.length; k++) {
            long v = idx.longAt(k);
            v = v < 0 ? v + d : v;
            if (v < 0 || v >= d) {
                throw l.refuse("index " + idx.longAt(k) + " is outside [-" + d + ", " + d + ")");
            }
            index[k] = (int) v;
        }
        int[] kept = x.dims.clone();
        kept[axis] = index.length;
        boolean consecutive = true;
        for (int k = 1; k < index.length; k++) {
            consecutive &= index[k] == index[k - 1] + 1;
        }
        if (idx.info().rank() == 0) {
            int[] one = x.dims.clone();
            one[axis] = 1;
            Value piece = ShapeLowering.range(l, x, axis, index[0], 1, null);
            int[] squeezed = new int[x.rank() - 1];
            for (int a = 0, k = 0; a < x.rank(); a++) {
                if (a != axis) {
                    squeezed[k++] = x.dims[a];
                }
            }
            l.view(0, piece, squeezed);
        } else if (idx.info().rank() > 1) {
            // Indices of rank r: the gather of the flattened indices, viewed with their r extents in place of the axis.
            int[] idxDims = idx.info().intDims();
            int[] out = new int[x.rank() - 1 + idxDims.length];
            System.arraycopy(x.dims, 0, out, 0, axis);
            System.arraycopy(idxDims, 0, out, axis, idxDims.length);
            System.arraycopy(x.dims, axis + 1, out, axis + idxDims.length, x.rank() - axis - 1);
            Value flat = consecutive ? ShapeLowering.range(l, x, axis, index[0], index.length, null)
                    : gatherRows(l, x, axis, index, l.temp(l.node.name() + ":gathered", kept));
            l.view(0, flat, out);
        } else if (consecutive) {
            int[] begin = new int[x.rank()];
            begin[axis] = index[0];
            cut(l, x, begin, kept);
        } else {
            gatherRows(l, x, axis, index, l.out(0, kept));
        }
    }

    /** y = the slices {@code index[0], index[1], ...} of x along axis, concatenated: one split each, then a cat. */
    private static Value gatherRows(Lowerer l, Value x, int axis, int[] index, Value y) {
        List<Value> pieces = new ArrayList<>();
        for (int i : index) {
            pieces.add(ShapeLowering.range(l, x, axis, i, 1, null));
        }
        l.step("cat axis " + axis + " of " + pieces.size(), pieces, List.of(y), null,
                () -> l.device.cat(pieces.stream().map(Value::tensor).toList(), axis, y.tensor()));
        return y;
    }

    static void shape(Lowerer l) {
        int[] d = l.dims(0);
        int r = d.length;
        int start = (int) l.node.getInt("start", 0);
        int end = (int) l.node.getInt("end", r);
        start = (int) clamp(start < 0 ? start + r : start, r);
        end = (int) clamp(end < 0 ? end + r : end, r);
        long[] v = Value.longs(Arrays.copyOfRange(d, start, Math.max(start, end)));
        l.constantOut(0, ConstantTensor.int64(l.node.output(0), v));
    }

    static void constant(Lowerer l) {
        String out = l.node.output(0);
        ConstantTensor t = l.node.getTensor("value");
        if (t == null && l.node.has("value_float")) {
            t = ConstantTensor.ofFloats(new TensorInfo(out, DataType.FLOAT), new float[] {l.node.getFloat("value_float", 0)});
        } else if (t == null && l.node.has("value_floats")) {
            float[] f = l.node.getFloats("value_floats", null);
            t = ConstantTensor.ofFloats(new TensorInfo(out, DataType.FLOAT, f.length), f);
        } else if (t == null && l.node.has("value_int")) {
            t = ConstantTensor.ofLongs(new TensorInfo(out, DataType.INT64), new long[] {l.node.getInt("value_int", 0)});
        } else if (t == null && l.node.has("value_ints")) {
            t = ConstantTensor.int64(out, l.node.getInts("value_ints", null));
        }
        if (t == null) {
            throw l.refuse("no supported value attribute (value, value_float(s), value_int(s))");
        }
        l.constantOut(0, t.withName(out));
    }

    static void constantOfShape(Lowerer l) {
        long[] shape = l.longs(0, "shape", null);
        ConstantTensor value = l.node.getTensor("value");
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw l.refuse("shape " + Arrays.toString(shape) + " is too large");
        }
        String out = l.node.output(0);
        if (value == null || value.isFloat()) {
            float[] f = new float[(int) n];
            Arrays.fill(f, value == null ? 0f : (float) value.doubleAt(0));
            l.constantOut(0, ConstantTensor.ofFloats(new TensorInfo(out, DataType.FLOAT, shape), f));
        } else if (value.isInteger()) {
            long[] v = new long[(int) n];
            Arrays.fill(v, value.longAt(0));
            l.constantOut(0, ConstantTensor.ofLongs(new TensorInfo(out, value.type(), shape), v));
        } else {
            throw l.refuse("a " + value.type() + " fill value is not supported");
        }
    }
}
