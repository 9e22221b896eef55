package io.jdnn.onnx;

import java.util.Arrays;
import java.util.List;

/** Shape rules of Pad, Resize, Upsample, DepthToSpace and SpaceToDepth. */
final class ResampleRules {
    private static final List<String> COORDINATE_MODES = List.of("half_pixel", "pytorch_half_pixel", "align_corners",
            "asymmetric", "tf_half_pixel_for_nearest");
    private static final List<String> NEAREST_MODES = List.of("round_prefer_floor", "round_prefer_ceil", "floor",
            "ceil");

    private ResampleRules() {
    }

    static void pad(InferContext c) {
        long[] x = c.dims(0);
        long[] pads;
        long[] axes = null;
        if (c.opset() < 11) {
            c.arity(1, 1, 1);
            pads = c.node.getInts("pads", null);
            if (pads == null) {
                throw c.refuse("attribute 'pads' is required");
            }
        } else {
            c.arity(2, 4, 1);
            pads = c.requireInts(1, "pads");
            if (c.has(2)) {
                ConstantTensor value = c.requireConstant(2, "constant_value");
                if (value.size() != 1) {
                    throw c.refuse("constant_value must be one element, got " + value.info());
                }
            }
            axes = c.has(3) ? c.requireInts(3, "axes") : null;
        }
        String mode = c.node.getString("mode", "constant");
        if (!mode.equals("constant") && !mode.equals("reflect") && !mode.equals("edge")) {
            throw c.refuse("mode '" + mode + "' is not supported (constant, reflect and edge are)");
        }
        int n = axes == null ? x.length : axes.length;
        if (pads.length != 2 * n) {
            throw c.refuse("pads " + Arrays.toString(pads) + " must have " + 2 * n + " entries");
        }
        long[] out = x.clone();
        for (int j = 0; j < n; j++) {
            int a = axes == null ? j : c.axis(axes[j], x.length, "axis");
            out[a] = x[a] + pads[j] + pads[j + n];
            if (out[a] < 0 || (!mode.equals("constant") && x[a] == 0 && out[a] > 0)) {
                throw c.refuse("pads " + Arrays.toString(pads) + " do not fit extent " + x[a] + " of axis " + a);
            }
        }
        c.out(0, c.type(0), out);
    }

    static void resize(InferContext c) {
        c.arity(c.opset() < 11 ? 2 : 1, c.opset() < 11 ? 2 : 4, 1);
        c.requireFloat(0);
        String mode = c.node.getString("mode", "nearest");
        checkMode(c, mode);
        String coords = c.node.getString("coordinate_transformation_mode", "half_pixel");
        if (c.opset() >= 11 && !COORDINATE_MODES.contains(coords)) {
            throw c.refuse("coordinate_transformation_mode '" + coords + "' is not supported (" + COORDINATE_MODES
                    + " are)");
        }
        String nearest = c.node.getString("nearest_mode", "round_prefer_floor");
        if (!NEAREST_MODES.contains(nearest)) {
            throw c.refuse("nearest_mode '" + nearest + "' is not one of " + NEAREST_MODES);
        }
        if (c.node.getInt("antialias", 0) != 0) {
            throw c.refuse("antialias is not supported");
        }
        if (!c.node.getString("keep_aspect_ratio_policy", "stretch").equals("stretch")) {
            throw c.refuse("keep_aspect_ratio_policy other than stretch is not supported");
        }
        long[] x = c.dims(0);
        int scalesAt = c.opset() < 11 ? 1 : 2;
        ConstantTensor scales = c.has(scalesAt) ? c.requireConstant(scalesAt, "scales") : null;
        ConstantTensor sizes = c.has(3) ? c.requireConstant(3, "sizes") : null;
        if (scales != null && scales.size() == 0) {
            scales = null;
        }
        if ((scales == null) == (sizes == null || sizes.size() == 0)) {
            throw c.refuse("exactly one of scales and sizes must be given");
        }
        long[] axes = c.node.getInts("axes", null);
        int n = axes == null ? x.length : axes.length;
        long[] out = x.clone();
        for (int j = 0; j < n; j++) {
            int a = axes == null ? j : c.axis(axes[j], x.length, "axis");
            if ((scales != null ? scales.size() : sizes.size()) != n) {
                throw c.refuse((scales != null ? "scales " : "sizes ") + "must have " + n + " entries");
            }
            out[a] = scales != null ? scaled(c, x[a], scales.doubleAt(j)) : sizes.longAt(j);
        }
        spatialOnly(c, x, out);
        c.out(0, c.type(0), out);
    }

    static void upsample(InferContext c) {
        c.arity(c.opset() < 9 ? 1 : 2, c.opset() < 9 ? 1 : 2, 1);
        c.requireFloat(0);
        checkMode(c, c.node.getString("mode", "nearest"));
        long[] x = c.dims(0);
        float[] scales;
        if (c.opset() < 9) {
            scales = c.node.getFloats("scales", null);
            if (scales == null) {
                throw c.refuse("attribute 'scales' is required");
            }
        } else {
            scales = c.requireConstant(1, "scales").floats();
        }
        if (scales.length != x.length) {
            throw c.refuse("scales " + Arrays.toString(scales) + " must have " + x.length + " entries");
        }
        long[] out = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = scaled(c, x[i], scales[i]);
        }
        spatialOnly(c, x, out);
        c.out(0, c.type(0), out);
    }

    static void depthToSpace(InferContext c) {
        c.arity(1, 1, 1);
        c.requireRank(0, 4, 4);
        long[] x = c.dims(0);
        long b = blocksize(c);
        String mode = c.node.getString("mode", "DCR");
        if (!mode.equals("DCR") && !mode.equals("CRD")) {
            throw c.refuse("mode '" + mode + "' is not one of DCR, CRD");
        }
        if (x[1] % (b * b) != 0) {
            throw c.refuse("channels " + x[1] + " are not a multiple of blocksize^2 = " + b * b);
        }
        c.out(0, c.type(0), x[0], x[1] / (b * b), x[2] * b, x[3] * b);
    }

    static void spaceToDepth(InferContext c) {
        c.arity(1, 1, 1);
        c.requireRank(0, 4, 4);
        long[] x = c.dims(0);
        long b = blocksize(c);
        if (x[2] % b != 0 || x[3] % b != 0) {
            throw c.refuse("height " + x[2] + " and width " + x[3] + " must be multiples of blocksize " + b);
        }
        c.out(0, c.type(0), x[0], x[1] * b * b, x[2] / b, x[3] / b);
    }

    private static long blocksize(InferContext c) {
        long b = c.node.requireInt("blocksize");
        if (b < 1 || b > 1 << 16) {
            throw c.refuse("blocksize " + b + " must be in [1, 65536]");
        }
        return b;
    }

    private static void checkMode(InferContext c, String mode) {
        if (!mode.equals("nearest") && !mode.equals("linear") && !mode.equals("bilinear")) {
            throw c.refuse("mode '" + mode + "' is not supported (nearest and linear are)");
        }
    }

    /** floor(extent * scale), ONNX's rule for an output size from a scale. */
    private static long scaled(InferContext c, long extent, double scale) {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw c.refuse("scale " + scale + " must be positive and finite");
        }
        double v = Math.floor(extent * (double) (float) scale);
        if (v > Integer.MAX_VALUE) {
            throw c.refuse("scale " + scale + " makes extent " + extent + " too large");
        }
        return (long) v;
    }

    /** Resizing is 2-D: an NCHW input whose N and C stay. */
    private static void spatialOnly(InferContext c, long[] x, long[] out) {
        if (x.length != 4 || out[0] != x[0] || out[1] != x[1]) {
            throw c.refuse("only the height and width of an NCHW input can be resized, got "
                    + Arrays.toString(x) + " to " + Arrays.toString(out));
        }
    }
}
