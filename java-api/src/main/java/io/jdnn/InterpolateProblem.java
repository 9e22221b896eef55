package io.jdnn;

import java.util.Set;

/**
 * Resizing of x (batch, channels, height, width) to (N, C, outHeight, outWidth) by
 * {@code F.interpolate} with {@code size = [outHeight, outWidth]}: mode "nearest" (PyTorch's
 * legacy nearest, source index {@code floor(dst * (float) (in / out))} in float32 as PyTorch
 * computes it, at most in - 1) or "bilinear" with {@code align_corners} false (source coordinate
 * {@code (dst + 0.5) * in / out - 0.5}, clamped at 0) or true ({@code dst * (in - 1) / (out - 1)}).
 * The backward pass is the adjoint: each output's gradient goes to the input cells it read, with
 * the weights it read them with.
 *
 * <p>Canonical string: {@code resizebilinear_mb1ic3ih8iw8oh16ow16_ac=0} ({@code resizenearest_...}).
 */
public record InterpolateProblem(int batch, int channels, int height, int width, int outHeight, int outWidth,
                                 Mode mode, boolean alignCorners) {

    private static final Set<String> KEYS = Set.of("mb", "ic", "ih", "iw", "oh", "ow", "ac");

    /** How an output cell is computed from the input. */
    public enum Mode {
        /** The input cell at PyTorch's legacy nearest source index. */
        NEAREST("resizenearest"),
        /** Bilinear interpolation of the four input cells around the source coordinate. */
        BILINEAR("resizebilinear");

        private final String kind;

        Mode(String kind) {
            this.kind = kind;
        }

        /** The problem string's kind for this mode. */
        public String kind() {
            return kind;
        }
    }

    /** Validates every field; align_corners is for bilinear only. */
    public InterpolateProblem {
        Check.positive("batch", batch);
        Check.positive("channels", channels);
        Check.positive("height", height);
        Check.positive("width", width);
        Check.positive("outHeight", outHeight);
        Check.positive("outWidth", outWidth);
        Check.that(mode != null, "mode", "an interpolation mode", "null");
        Check.that(!alignCorners || mode == Mode.BILINEAR, "alignCorners", "false for mode nearest", alignCorners);
        Shape.of(batch, channels, height, width);
        Shape.of(batch, channels, outHeight, outWidth);
    }

    /** Shape of x (and dx): (N, C, H, W). */
    public Shape inputShape() {
        return Shape.of(batch, channels, height, width);
    }

    /** Shape of y (and dy): (N, C, outHeight, outWidth). */
    public Shape outputShape() {
        return Shape.of(batch, channels, outHeight, outWidth);
    }

    /** PyTorch's legacy nearest source index along a dimension of {@code in} cells resized to {@code out}, in float32. */
    public static int nearestSource(int dst, int in, int out) {
        float scale = (float) in / out;
        return Math.min((int) (dst * scale), in - 1);
    }

    /**
     * The bilinear source scale along a dimension of {@code in} cells resized to {@code out}:
     * {@code in / out}, or with align_corners {@code (in - 1) / (out - 1)} (0 for one output cell).
     */
    public double bilinearScale(int in, int out) {
        if (alignCorners) {
            return out > 1 ? (double) (in - 1) / (out - 1) : 0;
        }
        return (double) in / out;
    }

    /** The bilinear source coordinate of output index {@code dst} under {@code scale} (never below 0). */
    public double bilinearSource(int dst, double scale) {
        if (alignCorners) {
            return dst * scale;
        }
        return Math.max((dst + 0.5) * scale - 0.5, 0);
    }

    /** Elements of y: N * C * outHeight * outWidth. */
    public long elements() {
        return outputShape().elements();
    }

    /** Arithmetic of the forward pass: none for nearest; bilinear 9 per output (two lerps along the width, one along the height: 2 multiplies and 1 add each). */
    public long flops() {
        return mode == Mode.NEAREST ? 0 : 9 * elements();
    }

    /** Minimal traffic: x read once, y written once, float32. */
    public long minimalBytes() {
        return inputShape().bytes() + outputShape().bytes();
    }

    @Override
    public String toString() {
        ProblemString.Builder b = ProblemString.of(mode.kind()).i("mb", batch).i("ic", channels).i("ih", height)
                .i("iw", width).i("oh", outHeight).i("ow", outWidth);
        return (mode == Mode.BILINEAR ? b.b("ac", alignCorners) : b).toString();
    }

    /** Reads a canonical string; mb defaults to 1, iw to ih, ow to oh, ac to 0. */
    public static InterpolateProblem parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("resizenearest", "resizebilinear").allowOnly(KEYS);
        Mode mode = s.kind().equals("resizenearest") ? Mode.NEAREST : Mode.BILINEAR;
        int ih = s.requireInt("ih");
        int oh = s.requireInt("oh");
        return new InterpolateProblem(s.intOr("mb", 1), s.requireInt("ic"), ih, s.intOr("iw", ih), oh, s.intOr("ow", oh),
                mode, s.boolOr("ac", false));
    }
}
