package io.jdnn.onnx;

import io.jdnn.ConvProblem;
import io.jdnn.PoolMode;
import io.jdnn.PoolProblem;

import java.util.Arrays;

/**
 * Shape rules of Conv, ConvTranspose, MaxPool, AveragePool and the global pools. Output extents
 * come from {@link ConvProblem} and {@link PoolProblem} (one definition of each formula): the ONNX
 * attributes are mapped onto a problem record, 1-D ops as 2-D ones of height 1, and auto_pad onto
 * explicit pads. The record's validation message becomes the refusal.
 */
final class ConvPoolRules {
    private ConvPoolRules() {
    }

    /** The ONNX attributes of a windowed op, spatial extents innermost; for 1-D ops arrays have one entry. */
    private record Window(long[] in, long[] kernel, long[] strides, long[] dilations, long[] begin, long[] end) {
        /** Entry {@code axis} of {@code a} in the 2-D problem: axis 0 is height (1 for 1-D), 1 is width. */
        static int hw(InferContext c, long[] a, int axis, int fill) {
            long v = a.length == 1 ? (axis == 0 ? fill : a[0]) : a[axis];
            if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
                throw c.refuse("extent or attribute value " + v + " does not fit in 32 bits");
            }
            return (int) v;
        }
    }

    static void conv(InferContext c) {
        ConvProblem p = convProblem(c);
        c.out(0, c.type(0), outDims(c.dims(0), p.outChannels(), p.outHeight(), p.outWidth()));
    }

    /** The problem record of a Conv node (1-D as height 1), its attributes checked. */
    static ConvProblem convProblem(InferContext c) {
        c.arity(2, 3, 1);
        c.requireFloat(0);
        c.requireFloat(1);
        long[] x = spatialInput(c);
        long[] w = c.dims(1);
        if (w.length != x.length) {
            throw c.refuse("weight " + Arrays.toString(w) + " must have the rank of the input " + Arrays.toString(x));
        }
        long group = c.node.getInt("group", 1);
        if (group < 1 || w[1] * group != x[1]) {
            throw c.refuse("weight " + Arrays.toString(w) + " with group " + group + " does not take the input's "
                    + x[1] + " channels (weight extent 1 times group must equal them)");
        }
        bias(c, w[0]);
        Window win = window(c, x, Arrays.copyOfRange(w, 2, w.length), false);
        return problem(c, () -> new ConvProblem(toInt(c, x[0]), toInt(c, x[1]),
                Window.hw(c, win.in, 0, 1), Window.hw(c, win.in, 1, 1), toInt(c, w[0]),
                Window.hw(c, win.kernel, 0, 1), Window.hw(c, win.kernel, 1, 1),
                Window.hw(c, win.strides, 0, 1), Window.hw(c, win.strides, 1, 1),
                Window.hw(c, win.begin, 0, 0), Window.hw(c, win.begin, 1, 0),
                Window.hw(c, win.dilations, 0, 1), Window.hw(c, win.dilations, 1, 1), (int) group,
                false, 0, 0, Window.hw(c, win.end, 0, 0), Window.hw(c, win.end, 1, 0)));
    }

    static void convTranspose(InferContext c) {
        ConvProblem p = convTransposeProblem(c);
        c.out(0, c.type(0), outDims(c.dims(0), p.outChannels(), p.outHeight(), p.outWidth()));
    }

    /** The problem record of a ConvTranspose node (1-D as height 1), output_shape and auto_pad mapped to pads. */
    static ConvProblem convTransposeProblem(InferContext c) {
        c.arity(2, 3, 1);
        c.requireFloat(0);
        c.requireFloat(1);
        long[] x = spatialInput(c);
        long[] w = c.dims(1);
        if (w.length != x.length || w[0] != x[1]) {
            throw c.refuse("weight " + Arrays.toString(w) + " must have the input's rank and its " + x[1]
                    + " channels first");
        }
        long group = c.node.getInt("group", 1);
        if (group < 1 || x[1] % group != 0) {
            throw c.refuse("group " + group + " must divide the input's " + x[1] + " channels");
        }
        long outChannels = w[1] * group;
        bias(c, outChannels);
        int sp = x.length - 2;
        Window win = window(c, x, Arrays.copyOfRange(w, 2, w.length), true);
        long[] outPad = ints(c, "output_padding", sp, 0);
        long[] outShape = c.node.getInts("output_shape", null);
        String autoPad = c.node.getString("auto_pad", "NOTSET");
        if (outShape != null || autoPad.startsWith("SAME")) {
            for (int i = 0; i < sp; i++) {
                long target = outShape != null ? outShape[outShape.length - sp + i] : win.in[i] * win.strides[i];
                long total = win.strides[i] * (win.in[i] - 1) + outPad[i] + (win.kernel[i] - 1) * win.dilations[i]
                        + 1 - target;
                if (total < 0) { // rows the kernel does not reach: output padding (as ONNX Runtime reads it)
                    outPad[i] -= total;
                    total = 0;
                }
                boolean upper = autoPad.equals("SAME_UPPER");
                win.begin[i] = upper ? total / 2 : total - total / 2;
                win.end[i] = total - win.begin[i];
            }
        }
        return problem(c, () -> new ConvProblem(toInt(c, x[0]), toInt(c, x[1]),
                Window.hw(c, win.in, 0, 1), Window.hw(c, win.in, 1, 1), toInt(c, outChannels),
                Window.hw(c, win.kernel, 0, 1), Window.hw(c, win.kernel, 1, 1),
                Window.hw(c, win.strides, 0, 1), Window.hw(c, win.strides, 1, 1),
                Window.hw(c, win.begin, 0, 0), Window.hw(c, win.begin, 1, 0),
                Window.hw(c, win.dilations, 0, 1), Window.hw(c, win.dilations, 1, 1), (int) group,
                true, Window.hw(c, outPad, 0, 0), Window.hw(c, outPad, 1, 0),
                Window.hw(c, win.end, 0, 0), Window.hw(c, win.end, 1, 0)));
    }

    static void maxPool(InferContext c) {
        pool(c, PoolMode.MAX);
    }

    static void averagePool(InferContext c) {
        pool(c, PoolMode.AVG);
    }

    private static void pool(InferContext c, PoolMode mode) {
        long[] x = c.dims(0);
        PoolProblem p = poolProblem(c, mode);
        c.out(0, c.type(0), outDims(x, x[1], p.outHeight(), p.outWidth()));
    }

    /** The problem record of a MaxPool (MAX) or AveragePool (AVG) node (1-D as height 1), auto_pad mapped to pads. */
    static PoolProblem poolProblem(InferContext c, PoolMode mode) {
        c.arity(1, 1, 2);
        c.requireFloat(0);
        if (!c.node.output(1).isEmpty()) {
            throw c.refuse("the Indices output of MaxPool is not supported");
        }
        long[] x = spatialInput(c);
        long[] kernel = c.node.getInts("kernel_shape", null);
        if (kernel == null) {
            throw c.refuse("attribute 'kernel_shape' is required");
        }
        if (mode == PoolMode.MAX && c.node.getInt("storage_order", 0) != 0) {
            throw c.refuse("storage_order 1 (column-major indices) is not supported");
        }
        Window win = window(c, x, kernel, false);
        boolean ceil = c.node.getInt("ceil_mode", 0) != 0;
        boolean cip = mode == PoolMode.AVG && c.node.getInt("count_include_pad", 0) != 0;
        return problem(c, () -> new PoolProblem(mode, toInt(c, x[0]), toInt(c, x[1]),
                Window.hw(c, win.in, 0, 1), Window.hw(c, win.in, 1, 1),
                Window.hw(c, win.kernel, 0, 1), Window.hw(c, win.kernel, 1, 1),
                Window.hw(c, win.strides, 0, 1), Window.hw(c, win.strides, 1, 1),
                Window.hw(c, win.begin, 0, 0), Window.hw(c, win.begin, 1, 0),
                Window.hw(c, win.dilations, 0, 1), Window.hw(c, win.dilations, 1, 1), ceil, cip, 0, 0,
                Window.hw(c, win.end, 0, 0), Window.hw(c, win.end, 1, 0)));
    }

    /** GlobalAveragePool and GlobalMaxPool: (N, C, 1, ...). */
    static void globalPool(InferContext c) {
        c.arity(1, 1, 1);
        c.requireFloat(0);
        c.requireRank(0, 3, 8);
        long[] d = c.dims(0);
        for (int i = 2; i < d.length; i++) {
            d[i] = 1;
        }
        c.out(0, c.type(0), d);
    }

    private static long[] spatialInput(InferContext c) {
        long[] x = c.dims(0);
        if (x.length != 3 && x.length != 4) {
            throw c.refuse("only 1-D and 2-D windows are supported (input of rank 3 or 4), got input "
                    + Arrays.toString(x));
        }
        return x;
    }

    private static void bias(InferContext c, long channels) {
        if (c.has(2)) {
            c.requireFloat(2);
            long[] b = c.dims(2);
            if (b.length != 1 || b[0] != channels) {
                throw c.refuse("bias " + Arrays.toString(b) + " must be [" + channels + "]");
            }
        }
    }

    /** kernel_shape (checked against {@code kernel}), strides, dilations and pads, auto_pad mapped to pads. */
    private static Window window(InferContext c, long[] x, long[] kernel, boolean transposed) {
        int sp = x.length - 2;
        long[] k = c.node.getInts("kernel_shape", kernel);
        if (k.length != sp || !Arrays.equals(k, kernel)) {
            throw c.refuse("kernel_shape " + Arrays.toString(k) + " must have " + sp + " entries and match "
                    + Arrays.toString(kernel));
        }
        long[] in = Arrays.copyOfRange(x, 2, x.length);
        long[] s = ints(c, "strides", sp, 1);
        long[] d = ints(c, "dilations", sp, 1);
        long[] pads = ints(c, "pads", 2 * sp, 0);
        long[] begin = Arrays.copyOfRange(pads, 0, sp);
        long[] end = Arrays.copyOfRange(pads, sp, 2 * sp);
        String autoPad = c.node.getString("auto_pad", "NOTSET");
        switch (autoPad) {
            case "NOTSET" -> { }
            case "VALID" -> {
                Arrays.fill(begin, 0);
                Arrays.fill(end, 0);
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                if (!transposed) {
                    for (int i = 0; i < sp; i++) {
                        long out = s[i] < 1 ? 1 : (in[i] + s[i] - 1) / s[i];
                        long total = Math.max(0, (out - 1) * s[i] + (k[i] - 1) * d[i] + 1 - in[i]);
                        begin[i] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                        end[i] = total - begin[i];
                    }
                }
            }
            default -> throw c.refuse("auto_pad '" + autoPad + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER,"
                    + " VALID");
        }
        return new Window(in, k, s, d, begin, end);
    }

    /** An INTS attribute of {@code n} entries, all {@code fill} when absent. */
    static long[] ints(InferContext c, String attr, int n, long fill) {
        long[] v = c.node.getInts(attr, null);
        if (v == null) {
            v = new long[n];
            Arrays.fill(v, fill);
        }
        if (v.length != n) {
            throw c.refuse("attribute '" + attr + "' " + Arrays.toString(v) + " must have " + n + " entries");
        }
        return v;
    }

    private static long[] outDims(long[] x, long channels, int oh, int ow) {
        return x.length == 3 ? new long[]{x[0], channels, ow} : new long[]{x[0], channels, oh, ow};
    }

    static int toInt(InferContext c, long v) {
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw c.refuse("extent " + v + " must be in [1, 2^31)");
        }
        return (int) v;
    }

    private static <T> T problem(InferContext c, java.util.function.Supplier<T> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw c.refuse(e.getMessage());
        }
    }
}
