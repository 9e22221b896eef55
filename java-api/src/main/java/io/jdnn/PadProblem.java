package io.jdnn;

import java.util.Arrays;
import java.util.Set;

/**
 * Padding of the last two dimensions ({@code F.pad} with pad {@code [left, right, top, bottom]})
 * of x (batch, channels, height, width): y (N, C, H + top + bottom, W + left + right), where
 * output (oh, ow) reads input (oh - top, ow - left) mapped back into the input by the mode. A
 * negative pad crops (constant mode only, as in PyTorch); reflect pads must be below the padded
 * dimension; reflect and replicate pads are non-negative. The backward pass sends each output's
 * gradient to the input element it read (cells of the constant border are dropped).
 *
 * <p>Canonical string: {@code reflectpad_mb2ic3ih5iw7_pad=1x2x0x3} ({@code constpad_..._value=0.5},
 * {@code replicatepad_...}).
 */
public record PadProblem(int batch, int channels, int height, int width, int left, int right, int top, int bottom,
                         Mode mode, double value) {

    private static final Set<String> KEYS = Set.of("mb", "ic", "ih", "iw", "pad", "value");

    /** How an output cell outside the input reads it. */
    public enum Mode {
        /** The cell holds {@code value}. */
        CONSTANT("constpad"),
        /** The input mirrored about its edge cell, which is not repeated ({@code x[-i] = x[i]}). */
        REFLECT("reflectpad"),
        /** The nearest edge cell of the input. */
        REPLICATE("replicatepad");

        private final String kind;

        Mode(String kind) {
            this.kind = kind;
        }

        /** The problem string's kind for this mode. */
        public String kind() {
            return kind;
        }
    }

    /** Validates every field (the output must hold at least one cell per plane). */
    public PadProblem {
        Check.positive("batch", batch);
        Check.positive("channels", channels);
        Check.positive("height", height);
        Check.positive("width", width);
        Check.that(mode != null, "mode", "a pad mode", "null");
        Check.finite("value", value);
        if (mode != Mode.CONSTANT) {
            Check.nonNegative("left", left);
            Check.nonNegative("right", right);
            Check.nonNegative("top", top);
            Check.nonNegative("bottom", bottom);
            Check.that(value == 0, "value", "0 (only constant padding has a value)", value);
        }
        if (mode == Mode.REFLECT) {
            Check.that(left < width && right < width, "pad", "left and right below the input width " + width,
                    "[" + left + ", " + right + "]");
            Check.that(top < height && bottom < height, "pad", "top and bottom below the input height " + height,
                    "[" + top + ", " + bottom + "]");
        }
        long oh = (long) height + top + bottom;
        long ow = (long) width + left + right;
        Check.that(oh >= 1 && oh <= Integer.MAX_VALUE, "pad", "an output height (height + top + bottom) of at least 1",
                oh);
        Check.that(ow >= 1 && ow <= Integer.MAX_VALUE, "pad", "an output width (width + left + right) of at least 1",
                ow);
        Shape.of(batch, channels, (int) oh, (int) ow);
        Shape.of(batch, channels, height, width);
    }

    /** Padding of x (N, C, H, W) with F.pad's {@code pad = [left, right, top, bottom]}. */
    public static PadProblem of(int batch, int channels, int height, int width, int[] pad, Mode mode, double value) {
        Check.that(pad != null && pad.length == 4, "pad", "4 values [left, right, top, bottom]",
                pad == null ? "null" : Arrays.toString(pad));
        return new PadProblem(batch, channels, height, width, pad[0], pad[1], pad[2], pad[3], mode, value);
    }

    /** Output height: height + top + bottom. */
    public int outHeight() {
        return height + top + bottom;
    }

    /** Output width: width + left + right. */
    public int outWidth() {
        return width + left + right;
    }

    /** Shape of x (and dx): (N, C, H, W). */
    public Shape inputShape() {
        return Shape.of(batch, channels, height, width);
    }

    /** Shape of y (and dy): (N, C, outHeight, outWidth). */
    public Shape outputShape() {
        return Shape.of(batch, channels, outHeight(), outWidth());
    }

    /**
     * The input index (along a dimension of {@code extent} cells padded by {@code before} in front)
     * that output index {@code o} reads, or -1 for a constant-border cell.
     */
    public int source(int o, int before, int extent) {
        int i = o - before;
        return switch (mode) {
            case CONSTANT -> i >= 0 && i < extent ? i : -1;
            case REFLECT -> i < 0 ? -i : i >= extent ? 2 * (extent - 1) - i : i;
            case REPLICATE -> Math.min(Math.max(i, 0), extent - 1);
        };
    }

    /** Minimal traffic: x read once, y written once, float32. */
    public long minimalBytes() {
        return inputShape().bytes() + outputShape().bytes();
    }

    @Override
    public String toString() {
        ProblemString.Builder b = ProblemString.of(mode.kind()).i("mb", batch).i("ic", channels).i("ih", height)
                .i("iw", width).dims("pad", left, right, top, bottom);
        return (mode == Mode.CONSTANT ? b.d("value", value) : b).toString();
    }

    /** Reads a canonical string; mb defaults to 1, iw to ih, value to 0. */
    public static PadProblem parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("constpad", "reflectpad", "replicatepad").allowOnly(KEYS);
        Mode mode = Mode.CONSTANT;
        for (Mode m : Mode.values()) {
            if (m.kind().equals(s.kind())) {
                mode = m;
            }
        }
        int ih = s.requireInt("ih");
        return of(s.intOr("mb", 1), s.requireInt("ic"), ih, s.intOr("iw", ih), s.requireDims("pad"), mode,
                s.doubleOr("value", 0));
    }
}
