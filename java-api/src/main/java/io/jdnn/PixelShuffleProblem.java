package io.jdnn;

import java.util.Set;

/**
 * Pixel shuffle ({@code F.pixel_shuffle}, ONNX DepthToSpace in CRD mode) or its inverse, pixel
 * unshuffle ({@code F.pixel_unshuffle}), on x of (batch, channels, height, width) with factor r.
 * Shuffle: y (N, C/r², H*r, W*r), {@code y[n][c][h*r+i][w*r+j] = x[n][c*r*r + i*r + j][h][w]};
 * unshuffle is the inverse map. Each is the other's backward ({@link #inverse()}).
 *
 * <p>Canonical string: {@code pixelshuffle_mb1ic16ih8iw8r2} (or {@code pixelunshuffle_...}).
 */
public record PixelShuffleProblem(int batch, int channels, int height, int width, int factor, boolean unshuffle) {

    private static final Set<String> KEYS = Set.of("mb", "ic", "ih", "iw", "r");

    /** Validates every field: shuffle needs channels divisible by factor², unshuffle height and width divisible by factor. */
    public PixelShuffleProblem {
        Check.positive("batch", batch);
        Check.positive("channels", channels);
        Check.positive("height", height);
        Check.positive("width", width);
        Check.positive("factor", factor);
        if (unshuffle) {
            Check.that(height % factor == 0, "height", "a multiple of the downscale factor " + factor, height);
            Check.that(width % factor == 0, "width", "a multiple of the downscale factor " + factor, width);
            Check.that(channels * (long) factor * factor <= Integer.MAX_VALUE, "factor",
                    "output channels (channels * factor²) below 2^31", factor);
        } else {
            Check.that(channels % ((long) factor * factor) == 0, "channels",
                    "a multiple of the upscale factor squared (" + (long) factor * factor + ")", channels);
            Check.that((long) height * factor <= Integer.MAX_VALUE && (long) width * factor <= Integer.MAX_VALUE,
                    "factor", "an output height and width below 2^31", factor);
        }
        Shape.of(batch, channels, height, width);
    }

    /** Pixel shuffle of x (N, C, H, W) by upscale factor r. */
    public static PixelShuffleProblem shuffle(int batch, int channels, int height, int width, int factor) {
        return new PixelShuffleProblem(batch, channels, height, width, factor, false);
    }

    /** Pixel unshuffle of x (N, C, H, W) by downscale factor r. */
    public static PixelShuffleProblem unshuffle(int batch, int channels, int height, int width, int factor) {
        return new PixelShuffleProblem(batch, channels, height, width, factor, true);
    }

    /** Shape of x (and dx): (N, C, H, W). */
    public Shape inputShape() {
        return Shape.of(batch, channels, height, width);
    }

    /** Shape of y (and dy): (N, C/r², H*r, W*r) for shuffle, (N, C*r², H/r, W/r) for unshuffle. */
    public Shape outputShape() {
        int r2 = factor * factor;
        return unshuffle ? Shape.of(batch, channels * r2, height / factor, width / factor)
                : Shape.of(batch, channels / r2, height * factor, width * factor);
    }

    /** The opposite map from this problem's output shape back to its input shape: the backward pass. */
    public PixelShuffleProblem inverse() {
        Shape o = outputShape();
        return new PixelShuffleProblem(o.dim(0), o.dim(1), o.dim(2), o.dim(3), factor, !unshuffle);
    }

    /** Elements of x (and of y). */
    public long elements() {
        return inputShape().elements();
    }

    /** Minimal traffic: every element read once and written once, float32. */
    public long minimalBytes() {
        return 2 * inputShape().bytes();
    }

    @Override
    public String toString() {
        return ProblemString.of(unshuffle ? "pixelunshuffle" : "pixelshuffle").i("mb", batch).i("ic", channels)
                .i("ih", height).i("iw", width).i("r", factor).toString();
    }

    /** Reads a canonical string; mb defaults to 1 and iw to ih. */
    public static PixelShuffleProblem parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("pixelshuffle", "pixelunshuffle").allowOnly(KEYS);
        int ih = s.requireInt("ih");
        return new PixelShuffleProblem(s.intOr("mb", 1), s.requireInt("ic"), ih, s.intOr("iw", ih), s.requireInt("r"),
                s.kind().equals("pixelunshuffle"));
    }
}
