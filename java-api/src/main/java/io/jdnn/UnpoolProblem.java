package io.jdnn;

import java.util.Set;

/**
 * Max unpooling of NCHW tensors, PyTorch's {@code F.max_unpool2d}: the partial inverse of a max
 * pooling with indices ({@link Device#maxPoolWithIndices}). x (N, C, H, W) and its indices (the
 * same shape, float32, each a position {@code h * outWidth + w} in the output plane) give
 * y (N, C, outHeight, outWidth): zeros, with {@code y[n][c][indices[n][c][i]] = x[n][c][i]}.
 *
 * <p>The output size defaults to the pooling's inverse, {@code (H - 1) * stride - 2 * padding + kernel}
 * per dimension; a given size must lie strictly between that default minus and plus the stride, as
 * PyTorch requires. Indices live on the device, so no host check can reject them: every backend
 * bounds-checks each one, and an index that is not an integer in {@code [0, outHeight * outWidth)}
 * (NaN included) is skipped, its value dropped. When several inputs of a plane name the same
 * output position (overlapping pooling windows), the input at the highest position {@code h * W + w}
 * wins, on every backend (PyTorch's "last writer" is nondeterministic on its GPUs). The backward
 * pass gathers: {@code dx[n][c][i] = dy[n][c][indices[n][c][i]]}, 0 for a skipped index (every
 * input naming a position receives its gradient, as in PyTorch).
 *
 * <p>Canonical string: {@code maxunpool_mb2ic3ih4iw5kh2kw2sh2sw2ph0pw0oh8ow10}; {@link #parse} also
 * reads shorter forms (iw = ih, kw = kh, stride = kernel, padding 0, the default output size).
 *
 * @param batch     images per batch (positive)
 * @param channels  channels (positive)
 * @param height    height H of x and of the indices (positive)
 * @param width     width W of x and of the indices (positive)
 * @param kernelH   the pooling window's height (positive)
 * @param kernelW   the pooling window's width (positive)
 * @param strideH   the pooling's vertical stride (positive)
 * @param strideW   the pooling's horizontal stride (positive)
 * @param padH      the pooling's padding above and below (non-negative)
 * @param padW      the pooling's padding left and right (non-negative)
 * @param outHeight output height, in PyTorch's range around {@link #defaultSize}
 * @param outWidth  output width, in PyTorch's range around {@link #defaultSize}
 */
public record UnpoolProblem(int batch, int channels, int height, int width, int kernelH, int kernelW, int strideH,
                            int strideW, int padH, int padW, int outHeight, int outWidth) {

    private static final Set<String> KEYS = Set.of("mb", "ic", "ih", "iw", "kh", "kw", "sh", "sw", "ph", "pw",
            "oh", "ow");

    /** Validates every field; the message names the field, the expected and the given value. */
    public UnpoolProblem {
        Check.positive("batch", batch);
        Check.positive("channels", channels);
        Check.positive("height", height);
        Check.positive("width", width);
        Check.positive("kernelH", kernelH);
        Check.positive("kernelW", kernelW);
        Check.positive("strideH", strideH);
        Check.positive("strideW", strideW);
        Check.nonNegative("padH", padH);
        Check.nonNegative("padW", padW);
        checkSize("outHeight", outHeight, defaultSize(height, kernelH, strideH, padH), strideH);
        checkSize("outWidth", outWidth, defaultSize(width, kernelW, strideW, padW), strideW);
        long plane = (long) outHeight * outWidth;
        Check.that(plane <= PoolProblem.MAX_INDEXED_PLANE, "outHeight * outWidth", "at most 2^24 = "
                + PoolProblem.MAX_INDEXED_PLANE + " (float32 indices are exact integers only up to 2^24)",
                outHeight + " * " + outWidth + " = " + plane);
        long in = (long) height * width;
        Check.that(in < Integer.MAX_VALUE, "height * width", "at most 2^31 - 2 (input positions are ranked as "
                + "32-bit integers)", height + " * " + width + " = " + in);
        Shape.of(batch, channels, height, width);
        Shape.of(batch, channels, outHeight, outWidth);
    }

    private static void checkSize(String name, int out, long dflt, int stride) {
        Check.that(out >= 1 && out > dflt - stride && out < dflt + stride, name, "a value >= 1 strictly between "
                + (dflt - stride) + " and " + (dflt + stride) + " (the default size " + dflt + " minus and plus the stride "
                + stride + ", PyTorch's range)", out);
    }

    /** PyTorch's default output size along one dimension: {@code (in - 1) * stride - 2 * pad + kernel}. */
    public static long defaultSize(int in, int kernel, int stride, int pad) {
        return (long) (in - 1) * stride - 2L * pad + kernel;
    }

    /** Unpooling to the default output size (an IllegalArgumentException if it is below 1 or too large). */
    public static UnpoolProblem of(int batch, int channels, int height, int width, int kernelH, int kernelW,
                                   int strideH, int strideW, int padH, int padW) {
        return new UnpoolProblem(batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW,
                clamp(defaultSize(height, kernelH, strideH, padH)), clamp(defaultSize(width, kernelW, strideW, padW)));
    }

    /** A size for the constructor to judge: out-of-int values become 0 or Integer.MAX_VALUE. */
    private static int clamp(long v) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, v));
    }

    /**
     * The unpooling that undoes max pooling {@code p}: x of p's output shape back to p's input size
     * (PyTorch's {@code MaxUnpool2d(...)(y, indices, output_size=x.size())}). p must be max pooling
     * without dilation and with symmetric padding, the settings F.max_unpool2d describes.
     */
    public static UnpoolProblem inverseOf(PoolProblem p) {
        Check.that(p.mode() == PoolMode.MAX, "mode", "MAX", p.mode());
        Check.that(p.dilationH() == 1 && p.dilationW() == 1, "dilation", "1x1 (unpooling has no dilation)",
                p.dilationH() + "x" + p.dilationW());
        Check.that(!p.isAsymmetric(), "padding", "symmetric (unpooling has one padding per dimension)",
                "[" + p.padH() + ", " + p.padW() + ", " + p.padBottom() + ", " + p.padRight() + "]");
        return new UnpoolProblem(p.batch(), p.channels(), p.outHeight(), p.outWidth(), p.kernelH(), p.kernelW(),
                p.strideH(), p.strideW(), p.padH(), p.padW(), p.height(), p.width());
    }

    /**
     * The output position ({@code h * outWidth + w}) that index value {@code index} names, or -1
     * when it is skipped: not an integer in {@code [0, outHeight * outWidth)}, or NaN.
     */
    public int target(double index) {
        if (!(index >= 0 && index < (double) outHeight * outWidth) || index != Math.floor(index)) {
            return -1;
        }
        return (int) index;
    }

    /** Shape of x, the indices and dx: (batch, channels, height, width). */
    public Shape inputShape() {
        return Shape.of(batch, channels, height, width);
    }

    /** Shape of y and dy: (batch, channels, outHeight, outWidth). */
    public Shape outputShape() {
        return Shape.of(batch, channels, outHeight, outWidth);
    }

    /** Minimal bytes of the forward pass: x and the indices in, y out. */
    public long forwardBytes() {
        return 2 * inputShape().bytes() + outputShape().bytes();
    }

    /** Minimal bytes of the backward pass: the indices in, one dy element gathered per input, dx out. */
    public long backwardBytes() {
        return 3 * inputShape().bytes();
    }

    @Override
    public String toString() {
        return ProblemString.of("maxunpool").i("mb", batch).i("ic", channels).i("ih", height).i("iw", width)
                .i("kh", kernelH).i("kw", kernelW).i("sh", strideH).i("sw", strideW).i("ph", padH).i("pw", padW)
                .i("oh", outHeight).i("ow", outWidth).toString();
    }

    /** Reads a canonical string; see the class comment for the defaults of a shorter form. */
    public static UnpoolProblem parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("maxunpool").allowOnly(KEYS);
        int ih = s.requireInt("ih");
        int iw = s.intOr("iw", ih);
        int kh = s.requireInt("kh");
        int kw = s.intOr("kw", kh);
        int sh = s.intOr("sh", kh);
        int sw = s.intOr("sw", s.intOr("sh", -1) >= 0 ? sh : kw);
        int ph = s.intOr("ph", 0);
        int pw = s.intOr("pw", ph);
        return new UnpoolProblem(s.intOr("mb", 1), s.requireInt("ic"), ih, iw, kh, kw, sh, sw, ph, pw,
                s.intOr("oh", clamp(defaultSize(ih, kh, sh, ph))), s.intOr("ow", clamp(defaultSize(iw, kw, sw, pw))));
    }
}
