package io.jdnn;

import java.util.Set;

/**
 * A 2-D pooling problem over NCHW tensors with PyTorch's semantics, validated on construction;
 * output sizes and byte counts are derived here and nowhere else.
 *
 * <p>MAX and AVG: output size {@code floor_or_ceil((H + 2*pad - dilation*(kernel-1) - 1) / stride) + 1};
 * in ceil mode the last window is dropped when it would start inside the right padding
 * ({@code (out-1)*stride >= H + pad}). Padding is at most {@code kernel - 1} on each side (ONNX allows
 * that much; PyTorch stops at half the kernel): every undilated window then still holds at least
 * one input cell, and a dilated window that holds none is refused. Padding may be
 * asymmetric ({@code [top, left, bottom, right]}, ONNX's order): then {@code 2*pad} reads
 * {@code top + bottom}, a window starts at {@code out*stride - top}, the ceil-mode rule compares
 * with {@code H + top}, and the count_include_pad divisor clips the window at {@code H + bottom}. AVG has no dilation;
 * its divisor counts the padded positions when {@code countIncludePad} (clipped at H + pad, as
 * PyTorch does) and only the in-image positions otherwise. Max pooling scans the window in
 * row-major order and keeps the first maximum; a NaN replaces whatever was kept, so the last NaN
 * in the window wins (PyTorch's {@code val > max || isnan(val)}), and its position receives the
 * gradient.
 *
 * <p>ADAPTIVE_AVG: the output size is given ({@code adaptiveH x adaptiveW}); window i covers rows
 * {@code [floor(i*H/OH), ceil((i+1)*H/OH))}. Global average pooling is adaptive with 1x1.
 *
 * <p>Canonical strings: {@code maxpool_mb32ic64ih112iw112kh3kw3sh2sw2ph1pw1dh1dw1ceil0},
 * {@code avgpool_mb32ic64ih112iw112kh3kw3sh2sw2ph1pw1ceil0cip1},
 * {@code adaptiveavgpool_mb32ic2048ih7iw7oh1ow1}; asymmetric padding adds {@code pb} (bottom) and
 * {@code pr} (right) after {@code pw}, printed only when they differ from {@code ph} and {@code pw}.
 *
 * @param mode            MAX, AVG or ADAPTIVE_AVG
 * @param batch           images per batch (positive)
 * @param channels        channels of x and y (positive)
 * @param height          height of x (positive)
 * @param width           width of x (positive)
 * @param kernelH         window height (MAX and AVG)
 * @param kernelW         window width (MAX and AVG)
 * @param strideH         vertical stride (MAX and AVG)
 * @param strideW         horizontal stride (MAX and AVG)
 * @param padH            padding above (and below, unless padBottom differs), at most kernelH - 1 (MAX and AVG)
 * @param padW            padding on the left (and right, unless padRight differs), at most kernelW - 1 (MAX and
 *                        AVG)
 * @param dilationH       vertical spacing of the window's taps (MAX only; 1 for AVG)
 * @param dilationW       horizontal spacing of the window's taps (MAX only; 1 for AVG)
 * @param ceilMode        round the output size up instead of down (MAX and AVG)
 * @param countIncludePad AVG only: padded positions count in the divisor
 * @param adaptiveH       ADAPTIVE_AVG only: the output height (unused otherwise)
 * @param adaptiveW       ADAPTIVE_AVG only: the output width (unused otherwise)
 * @param padBottom       padding below, at most kernelH - 1 (MAX and AVG; padH when symmetric)
 * @param padRight        padding on the right, at most kernelW - 1 (MAX and AVG; padW when symmetric)
 */
public record PoolProblem(PoolMode mode, int batch, int channels, int height, int width,
                          int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                          int dilationH, int dilationW, boolean ceilMode, boolean countIncludePad,
                          int adaptiveH, int adaptiveW, int padBottom, int padRight) {

    private static final Set<String> KEYS = Set.of("mb", "ic", "ih", "iw", "kh", "kw", "sh", "sw", "ph", "pw",
            "pb", "pr", "dh", "dw", "ceil", "cip", "oh", "ow");

    /** A problem with symmetric padding: padBottom = padH, padRight = padW. */
    public PoolProblem(PoolMode mode, int batch, int channels, int height, int width,
                       int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                       int dilationH, int dilationW, boolean ceilMode, boolean countIncludePad,
                       int adaptiveH, int adaptiveW) {
        this(mode, batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH,
                dilationW, ceilMode, countIncludePad, adaptiveH, adaptiveW, padH, padW);
    }

    /** Validates every field; the message names the field, the expected and the given value. */
    public PoolProblem {
        if (mode == null) {
            throw new IllegalArgumentException("mode: expected MAX, AVG or ADAPTIVE_AVG, got null");
        }
        Check.positive("batch", batch);
        Check.positive("channels", channels);
        Check.positive("height", height);
        Check.positive("width", width);
        if (mode == PoolMode.ADAPTIVE_AVG) {
            Check.positive("adaptiveH", adaptiveH);
            Check.positive("adaptiveW", adaptiveW);
        } else {
            Check.positive("kernelH", kernelH);
            Check.positive("kernelW", kernelW);
            Check.positive("strideH", strideH);
            Check.positive("strideW", strideW);
            Check.nonNegative("padH", padH);
            Check.nonNegative("padW", padW);
            Check.nonNegative("padBottom", padBottom);
            Check.nonNegative("padRight", padRight);
            Check.positive("dilationH", dilationH);
            Check.positive("dilationW", dilationW);
            // ONNX: pads smaller than the kernel (PyTorch allows only up to kernel/2). A window then
            // always reaches into the image unless it is dilated (see firstEmptyWindow).
            Check.that(padH < kernelH, "padH", "at most kernelH - 1=" + (kernelH - 1), padH);
            Check.that(padW < kernelW, "padW", "at most kernelW - 1=" + (kernelW - 1), padW);
            Check.that(padBottom < kernelH, "padBottom", "at most kernelH - 1=" + (kernelH - 1), padBottom);
            Check.that(padRight < kernelW, "padRight", "at most kernelW - 1=" + (kernelW - 1), padRight);
            if (mode == PoolMode.AVG) {
                Check.that(dilationH == 1 && dilationW == 1, "dilation", "1x1 for average pooling",
                        dilationH + "x" + dilationW);
            }
            long oh = outSize(height, kernelH, strideH, padH, padBottom, dilationH, ceilMode);
            long ow = outSize(width, kernelW, strideW, padW, padRight, dilationW, ceilMode);
            Check.that(oh >= 1, "output height", "a value >= 1 (height " + height + ", kernelH " + kernelH
                    + ", strideH " + strideH + ", padH " + padH + ", dilationH " + dilationH + ")", oh);
            Check.that(ow >= 1, "output width", "a value >= 1 (width " + width + ", kernelW " + kernelW
                    + ", strideW " + strideW + ", padW " + padW + ", dilationW " + dilationW + ")", ow);
            // With dilation a window can fall entirely on padding (its taps straddle the image);
            // PyTorch then reads out of range, so such problems are refused here.
            int emptyH = firstEmptyWindow(height, kernelH, strideH, padH, dilationH, oh);
            Check.that(emptyH < 0, "dilationH", "windows that each cover at least one input row, but output row "
                    + emptyH + " covers none (height " + height + ", kernelH " + kernelH + ", strideH " + strideH
                    + ", padH " + padH + ")", dilationH);
            int emptyW = firstEmptyWindow(width, kernelW, strideW, padW, dilationW, ow);
            Check.that(emptyW < 0, "dilationW", "windows that each cover at least one input column, but output column "
                    + emptyW + " covers none (width " + width + ", kernelW " + kernelW + ", strideW " + strideW
                    + ", padW " + padW + ")", dilationW);
        }
        Shape.of(batch, channels, height, width); // x must be indexable: IllegalArgumentException past 2^63 - 1 elements
    }

    /** The first output index whose window has no tap inside [0, in), or -1 when every window has one. */
    static int firstEmptyWindow(long in, long k, long s, long p, long d, long out) {
        if (d == 1) {
            // An undilated window holds a cell of the image: the first starts at -top > -kernel, and
            // the last before H (floor mode: at most H + bottom - kernel; ceil mode: the rule of outSize).
            return -1;
        }
        for (long o = 0; o < out; o++) {
            long start = o * s - p;
            boolean any = false;
            for (long t = 0; t < k && !any; t++) {
                long i = start + t * d;
                any = i >= 0 && i < in;
            }
            if (!any) {
                return (int) o;
            }
        }
        return -1;
    }

    /** PyTorch's pooling_output_shape, with {@code 2*pad} read as {@code top + bottom}. */
    static long outSize(long in, long k, long s, long top, long bottom, long d, boolean ceil) {
        long out = Math.floorDiv(in + top + bottom - d * (k - 1) - 1 + (ceil ? s - 1 : 0), s) + 1;
        if (ceil && (out - 1) * s >= in + top) {
            out--;
        }
        return out;
    }

    /** Max pooling; stride defaults to the kernel in {@link Builder}. */
    public static Builder max() {
        return new Builder(PoolMode.MAX);
    }

    /** Average pooling; stride defaults to the kernel in {@link Builder}. */
    public static Builder avg() {
        return new Builder(PoolMode.AVG);
    }

    /** Adaptive average pooling to {@code outH x outW}. */
    public static PoolProblem adaptiveAvg(int batch, int channels, int height, int width, int outH, int outW) {
        return new PoolProblem(PoolMode.ADAPTIVE_AVG, batch, channels, height, width, 0, 0, 0, 0, 0, 0, 0, 0,
                false, false, outH, outW);
    }

    /** Global average pooling: adaptive to 1x1. */
    public static PoolProblem global(int batch, int channels, int height, int width) {
        return adaptiveAvg(batch, channels, height, width, 1, 1);
    }

    /** Output height. */
    public int outHeight() {
        return mode == PoolMode.ADAPTIVE_AVG ? adaptiveH : (int) outSize(height, kernelH, strideH, padH, padBottom,
                dilationH, ceilMode);
    }

    /** Output width. */
    public int outWidth() {
        return mode == PoolMode.ADAPTIVE_AVG ? adaptiveW : (int) outSize(width, kernelW, strideW, padW, padRight,
                dilationW, ceilMode);
    }

    /** First input row of adaptive window {@code o}: floor(o*H/OH). */
    public static int adaptiveStart(int o, int in, int out) {
        return (int) ((long) o * in / out);
    }

    /** One past the last input row of adaptive window {@code o}: ceil((o+1)*H/OH). */
    public static int adaptiveEnd(int o, int in, int out) {
        return (int) (((long) (o + 1) * in + out - 1) / out);
    }

    /** The most positions (height * width) an indexed plane may hold: 2^24, every one exact in a float32 index. */
    public static final int MAX_INDEXED_PLANE = 1 << 24;

    /**
     * This problem, checked for {@link Device#maxPoolWithIndices}: MAX mode over planes of at most
     * {@link #MAX_INDEXED_PLANE} positions, so that a float32 index {@code h * width + w} is exact.
     *
     * @throws IllegalArgumentException naming mode or height * width otherwise
     */
    public PoolProblem requireIndexable() {
        Check.that(mode == PoolMode.MAX, "mode", "MAX (only max pooling has indices)", mode);
        long plane = (long) height * width;
        Check.that(plane <= MAX_INDEXED_PLANE, "height * width", "at most 2^24 = " + MAX_INDEXED_PLANE
                + " (float32 indices are exact integers only up to 2^24)", height + " * " + width + " = " + plane);
        return this;
    }

    /** True when the padding differs between top and bottom or between left and right. */
    public boolean isAsymmetric() {
        return padBottom != padH || padRight != padW;
    }

    /** Shape of x: (batch, channels, height, width). */
    public Shape inputShape() {
        return Shape.of(batch, channels, height, width);
    }

    /** Shape of y: (batch, channels, outHeight, outWidth). */
    public Shape outputShape() {
        return Shape.of(batch, channels, outHeight(), outWidth());
    }

    /** Minimal bytes of the forward pass: x in, y out. */
    public long forwardBytes() {
        return inputShape().bytes() + outputShape().bytes();
    }

    /** Minimal bytes of the backward pass: x and dy in (max pooling re-finds its argmax in x), dx out. */
    public long backwardBytes() {
        return (mode == PoolMode.MAX ? inputShape().bytes() : 0) + outputShape().bytes() + inputShape().bytes();
    }

    /** The same problem with another batch size. */
    public PoolProblem withBatch(int newBatch) {
        return new PoolProblem(mode, newBatch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW,
                dilationH, dilationW, ceilMode, countIncludePad, adaptiveH, adaptiveW, padBottom, padRight);
    }

    @Override
    public String toString() {
        ProblemString.Builder b = ProblemString.of(mode.kind()).i("mb", batch).i("ic", channels).i("ih", height).i("iw", width);
        if (mode != PoolMode.ADAPTIVE_AVG) {
            b.i("kh", kernelH).i("kw", kernelW).i("sh", strideH).i("sw", strideW).i("ph", padH).i("pw", padW);
            if (isAsymmetric()) {
                b.i("pb", padBottom).i("pr", padRight);
            }
        }
        switch (mode) {
            case MAX -> b.i("dh", dilationH).i("dw", dilationW).i("ceil", ceilMode ? 1 : 0);
            case AVG -> b.i("ceil", ceilMode ? 1 : 0).i("cip", countIncludePad ? 1 : 0);
            case ADAPTIVE_AVG -> b.i("oh", adaptiveH).i("ow", adaptiveW);
        }
        return b.toString();
    }

    /** Reads a canonical string; shorter forms default iw=ih, kw=kh, stride=kernel, padding 0, dilation 1, ceil 0, cip 1. */
    public static PoolProblem parse(String text) {
        ProblemString s = ProblemString.parse(text).allowOnly(KEYS);
        PoolMode mode = null;
        for (PoolMode m : PoolMode.values()) {
            if (m.kind().equals(s.kind())) {
                mode = m;
            }
        }
        if (mode == null) {
            s.expectKind("maxpool", "avgpool", "adaptiveavgpool");
        }
        int n = s.intOr("mb", 1);
        int c = s.requireInt("ic");
        int ih = s.requireInt("ih");
        int iw = s.intOr("iw", ih);
        if (mode == PoolMode.ADAPTIVE_AVG) {
            int oh = s.requireInt("oh");
            return adaptiveAvg(n, c, ih, iw, oh, s.intOr("ow", oh));
        }
        int kh = s.requireInt("kh");
        int kw = s.intOr("kw", kh);
        int sh = s.intOr("sh", kh);
        int sw = s.intOr("sw", s.intOr("sh", -1) >= 0 ? sh : kw);
        int ph = s.intOr("ph", 0);
        int dh = s.intOr("dh", 1);
        int pw = s.intOr("pw", ph);
        boolean cip = mode == PoolMode.AVG && s.boolOr("cip", true);
        return new PoolProblem(mode, n, c, ih, iw, kh, kw, sh, sw, ph, pw, dh, s.intOr("dw", dh),
                s.boolOr("ceil", false), cip, 0, 0, s.intOr("pb", ph), s.intOr("pr", pw));
    }

    /** Builder for MAX and AVG pooling with PyTorch's defaults (stride = kernel, padding 0, dilation 1). */
    public static final class Builder {
        private final PoolMode mode;
        private int batch = 1;
        private int channels;
        private int height;
        private int width;
        private int kernelH;
        private int kernelW;
        private int strideH = -1;
        private int strideW = -1;
        private int padH;
        private int padW;
        private int padBottom;
        private int padRight;
        private int dilationH = 1;
        private int dilationW = 1;
        private boolean ceilMode;
        private boolean countIncludePad = true;

        private Builder(PoolMode mode) {
            this.mode = mode;
        }

        /** Images per batch (default 1). */
        public Builder batch(int n) {
            this.batch = n;
            return this;
        }

        /** Channels of x and y. */
        public Builder channels(int c) {
            this.channels = c;
            return this;
        }

        /** Input height and width. */
        public Builder size(int h, int w) {
            this.height = h;
            this.width = w;
            return this;
        }

        /** Window height and width. */
        public Builder kernel(int kh, int kw) {
            this.kernelH = kh;
            this.kernelW = kw;
            return this;
        }

        /** Vertical and horizontal stride (default: the kernel's size). */
        public Builder stride(int sh, int sw) {
            this.strideH = sh;
            this.strideW = sw;
            return this;
        }

        /** Padding on the top and bottom, and on the left and right (default 0; at most the kernel - 1). */
        public Builder padding(int ph, int pw) {
            return padding(ph, pw, ph, pw);
        }

        /** Asymmetric padding in ONNX's order: top, left, bottom, right (default 0; each at most the kernel - 1). */
        public Builder padding(int top, int left, int bottom, int right) {
            this.padH = top;
            this.padW = left;
            this.padBottom = bottom;
            this.padRight = right;
            return this;
        }

        /** Vertical and horizontal dilation of the window (default 1; max pooling only). */
        public Builder dilation(int dh, int dw) {
            this.dilationH = dh;
            this.dilationW = dw;
            return this;
        }

        /** Rounds the output size up instead of down (default false; see the class comment). */
        public Builder ceilMode(boolean ceil) {
            this.ceilMode = ceil;
            return this;
        }

        /** Average pooling only: whether padded positions count in the divisor (PyTorch's default: true). */
        public Builder countIncludePad(boolean include) {
            this.countIncludePad = include;
            return this;
        }

        /**
         * The problem, validated.
         *
         * @throws IllegalArgumentException naming the first setting that is out of range
         */
        public PoolProblem build() {
            return new PoolProblem(mode, batch, channels, height, width, kernelH, kernelW,
                    strideH < 0 ? kernelH : strideH, strideW < 0 ? kernelW : strideW, padH, padW, dilationH, dilationW,
                    ceilMode, mode == PoolMode.AVG ? countIncludePad : false, 0, 0, padBottom, padRight);
        }
    }
}
