package io.jdnn;

import java.util.Set;

/**
 * A 2-D convolution or transposed convolution over NCHW float32 tensors: every extent and
 * setting, validated on construction, and every derived size, flop and byte count, computed here
 * and nowhere else.
 *
 * <p>Names follow PyTorch: {@code inChannels} are the channels of the tensor the op takes
 * ({@code x}), {@code outChannels} those of the tensor it produces ({@code y}), for both kinds.
 * Weights are laid out as PyTorch lays them out: (outChannels, inChannels/groups, kernelH, kernelW)
 * for a convolution and (inChannels, outChannels/groups, kernelH, kernelW) for a transposed one.
 *
 * <p>Output size of a convolution: {@code (H + 2*pad - dilation*(kernel-1) - 1) / stride + 1}
 * (floor); of a transposed convolution: {@code (H-1)*stride - 2*pad + dilation*(kernel-1) + outputPadding + 1}.
 * Padding may be asymmetric ({@code [top, left, bottom, right]}, ONNX's order, as TensorFlow's and
 * ONNX's "SAME" need): then {@code 2*pad} reads {@code top + bottom} (or {@code left + right}),
 * and the taps index from the top and left pads alone (image row {@code oh*stride - top + r*dilation}).
 *
 * <p>Canonical string (see {@link ProblemString}):
 * {@code conv_mb32ic64ih56iw56oc64kh3kw3sh1sw1ph1pw1dh1dw1g1} and, for a transposed convolution,
 * {@code deconv_mb...g1oph0opw0}. {@link #parse} reads it back, and also shorter forms that leave out
 * defaults (iw=ih, kw=kh, stride 1, padding 0, dilation 1, groups 1). Asymmetric padding adds the
 * keys {@code pb} (bottom) and {@code pr} (right) after {@code pw}; they are printed only when they
 * differ from {@code ph} and {@code pw}, and default to them when parsed.
 *
 * @param batch       images per batch (positive)
 * @param inChannels  channels of x, the tensor the op takes (positive, a multiple of groups)
 * @param height      height of x (positive)
 * @param width       width of x (positive)
 * @param outChannels channels of y, the tensor the op produces (positive, a multiple of groups)
 * @param kernelH     kernel height (positive)
 * @param kernelW     kernel width (positive)
 * @param strideH     vertical stride (positive)
 * @param strideW     horizontal stride (positive)
 * @param padH        zero rows added above (and below, unless padBottom differs; non-negative)
 * @param padW        zero columns added on the left (and right, unless padRight differs; non-negative)
 * @param dilationH   vertical spacing of the kernel taps (positive; 1 is dense)
 * @param dilationW   horizontal spacing of the kernel taps (positive; 1 is dense)
 * @param groups      channel groups (positive; inChannels for a depthwise convolution)
 * @param transposed  true for a transposed convolution
 * @param outputPadH  rows added to one side of a transposed convolution's output (0 otherwise; less than max(strideH,
 *                    dilationH))
 * @param outputPadW  columns added to one side of a transposed convolution's output (0 otherwise; less than
 *                    max(strideW, dilationW))
 * @param padBottom   zero rows added below (non-negative; padH for symmetric padding)
 * @param padRight    zero columns added on the right (non-negative; padW for symmetric padding)
 */
public record ConvProblem(int batch, int inChannels, int height, int width, int outChannels,
                          int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                          int dilationH, int dilationW, int groups,
                          boolean transposed, int outputPadH, int outputPadW, int padBottom, int padRight) {

    private static final Set<String> KEYS = Set.of("mb", "ic", "ih", "iw", "oc", "kh", "kw", "sh", "sw", "ph", "pw",
            "pb", "pr", "dh", "dw", "g", "oph", "opw");

    /** A problem with symmetric padding: padBottom = padH, padRight = padW. */
    public ConvProblem(int batch, int inChannels, int height, int width, int outChannels,
                       int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                       int dilationH, int dilationW, int groups,
                       boolean transposed, int outputPadH, int outputPadW) {
        this(batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padH, padW,
                dilationH, dilationW, groups, transposed, outputPadH, outputPadW, padH, padW);
    }

    /** Validates every field; the message names the field, the expected and the given value. */
    public ConvProblem {
        Check.positive("batch", batch);
        Check.positive("inChannels", inChannels);
        Check.positive("height", height);
        Check.positive("width", width);
        Check.positive("outChannels", outChannels);
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
        Check.positive("groups", groups);
        Check.nonNegative("outputPadH", outputPadH);
        Check.nonNegative("outputPadW", outputPadW);
        Check.that(inChannels % groups == 0, "inChannels", "a multiple of groups=" + groups, inChannels);
        Check.that(outChannels % groups == 0, "outChannels", "a multiple of groups=" + groups, outChannels);
        if (transposed) {
            // PyTorch: "output padding must be smaller than either stride or dilation"
            Check.that(outputPadH < Math.max(strideH, dilationH), "outputPadH",
                    "less than max(strideH, dilationH)=" + Math.max(strideH, dilationH), outputPadH);
            Check.that(outputPadW < Math.max(strideW, dilationW), "outputPadW",
                    "less than max(strideW, dilationW)=" + Math.max(strideW, dilationW), outputPadW);
        } else {
            Check.that(outputPadH == 0, "outputPadH", "0 for a convolution that is not transposed", outputPadH);
            Check.that(outputPadW == 0, "outputPadW", "0 for a convolution that is not transposed", outputPadW);
        }
        long oh = outSize(transposed, height, kernelH, strideH, padH + (long) padBottom, dilationH, outputPadH);
        long ow = outSize(transposed, width, kernelW, strideW, padW + (long) padRight, dilationW, outputPadW);
        if (oh < 1 || oh > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("output height: expected a value in [1, 2^31), got " + oh + " "
                    + sizeFormula(transposed, "height", height, "kernelH", kernelH, "strideH", strideH,
                    padTerm("padH", padH, "padBottom", padBottom), "dilationH", dilationH, "outputPadH", outputPadH));
        }
        if (ow < 1 || ow > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("output width: expected a value in [1, 2^31), got " + ow + " "
                    + sizeFormula(transposed, "width", width, "kernelW", kernelW, "strideW", strideW,
                    padTerm("padW", padW, "padRight", padRight), "dilationW", dilationW, "outputPadW", outputPadW));
        }
        // Every tensor of the problem must be indexable: element counts fit in a long.
        Shape.of(batch, Math.max(inChannels, outChannels), (int) Math.max(height, oh), (int) Math.max(width, ow));
    }

    /** Output extent; {@code pads} is the sum of both sides' padding. */
    static long outSize(boolean transposed, long in, long k, long s, long pads, long d, long op) {
        if (transposed) {
            return (in - 1) * s - pads + d * (k - 1) + op + 1;
        }
        return Math.floorDiv(in + pads - d * (k - 1) - 1, s) + 1;
    }

    /** The padding term of a size formula: {@code 2 * padH 1}, or {@code (padH 1 + padBottom 2)} when asymmetric. */
    private static String padTerm(String first, int firstV, String second, int secondV) {
        return firstV == secondV ? "2 * " + first + " " + firstV
                : "(" + first + " " + firstV + " + " + second + " " + secondV + ")";
    }

    private static String sizeFormula(boolean transposed, String in, int inV, String k, int kV, String s, int sV,
                                      String pads, String d, int dV, String op, int opV) {
        if (transposed) {
            return "= (" + in + " " + inV + " - 1) * " + s + " " + sV + " - " + pads + " + " + d + " " + dV
                    + " * (" + k + " " + kV + " - 1) + " + op + " " + opV + " + 1";
        }
        return "= floor((" + in + " " + inV + " + " + pads + " - " + d + " " + dV + " * (" + k + " " + kV
                + " - 1) - 1) / " + s + " " + sV + ") + 1";
    }

    /** A builder with PyTorch's defaults: stride 1, padding 0, dilation 1, groups 1, not transposed. */
    public static Builder builder() {
        return new Builder();
    }

    /** Output height. */
    public int outHeight() {
        return (int) outSize(transposed, height, kernelH, strideH, padH + (long) padBottom, dilationH, outputPadH);
    }

    /** Output width. */
    public int outWidth() {
        return (int) outSize(transposed, width, kernelW, strideW, padW + (long) padRight, dilationW, outputPadW);
    }

    /** True when the padding differs between top and bottom or between left and right. */
    public boolean isAsymmetric() {
        return padBottom != padH || padRight != padW;
    }

    /** True when the direct convolution is depthwise (see {@link DirectConv#isDepthwise()}). */
    public boolean isDepthwise() {
        return direct().isDepthwise();
    }

    /** Shape of x: (batch, inChannels, height, width). */
    public Shape inputShape() {
        return Shape.of(batch, inChannels, height, width);
    }

    /** Shape of y: (batch, outChannels, outHeight, outWidth). */
    public Shape outputShape() {
        return Shape.of(batch, outChannels, outHeight(), outWidth());
    }

    /** Shape of w in PyTorch's layout (see the class comment). */
    public Shape weightShape() {
        return transposed
                ? Shape.of(inChannels, outChannels / groups, kernelH, kernelW)
                : Shape.of(outChannels, inChannels / groups, kernelH, kernelW);
    }

    /** Shape of the bias: (outChannels). */
    public Shape biasShape() {
        return Shape.of(outChannels);
    }

    /**
     * The pass of {@link #direct()} that runs {@code direction} of this problem: the same one for a
     * convolution; for a transposed convolution, forward runs as direct backward-data, backward-data
     * as direct forward, backward-filter as direct backward-filter (see {@link DirectConv}).
     */
    public ConvDirection directDirection(ConvDirection direction) {
        if (!transposed) {
            return direction;
        }
        return switch (direction) {
            case FORWARD -> ConvDirection.BACKWARD_DATA;
            case BACKWARD_DATA -> ConvDirection.FORWARD;
            case BACKWARD_FILTER -> ConvDirection.BACKWARD_FILTER;
        };
    }

    /** The direct convolution this problem runs on (see {@link DirectConv}). */
    public DirectConv direct() {
        return transposed
                ? new DirectConv(this, batch, outChannels, outHeight(), outWidth(), inChannels, height, width,
                kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, groups)
                : new DirectConv(this, batch, inChannels, height, width, outChannels, outHeight(), outWidth(),
                kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, groups);
    }

    /** Multiply-adds times two, the same for each of the three directions (bias excluded). */
    public long flops() {
        return direct().flops();
    }

    /**
     * Minimal bytes moved by one pass in {@code direction}: each operand read once, each result
     * written once, float32. Forward: x, w and bias (if {@code withBias}) in, y out; backward-data:
     * dy and w in, dx out; backward-filter: x and dy in, dw out.
     */
    public long bytes(ConvDirection direction, boolean withBias) {
        long x = inputShape().bytes();
        long y = outputShape().bytes();
        long w = weightShape().bytes();
        return switch (direction) {
            case FORWARD -> x + w + y + (withBias ? biasShape().bytes() : 0);
            case BACKWARD_DATA -> y + w + x;
            case BACKWARD_FILTER -> x + y + w;
        };
    }

    /** The same problem with another batch size. */
    public ConvProblem withBatch(int newBatch) {
        return new ConvProblem(newBatch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW,
                padH, padW, dilationH, dilationW, groups, transposed, outputPadH, outputPadW, padBottom, padRight);
    }

    /** The canonical string, e.g. {@code conv_mb32ic64ih56iw56oc64kh3kw3sh1sw1ph1pw1dh1dw1g1}. */
    @Override
    public String toString() {
        ProblemString.Builder b = ProblemString.of(transposed ? "deconv" : "conv")
                .i("mb", batch).i("ic", inChannels).i("ih", height).i("iw", width).i("oc", outChannels)
                .i("kh", kernelH).i("kw", kernelW).i("sh", strideH).i("sw", strideW).i("ph", padH).i("pw", padW);
        if (isAsymmetric()) {
            b.i("pb", padBottom).i("pr", padRight);
        }
        b.i("dh", dilationH).i("dw", dilationW).i("g", groups);
        if (transposed) {
            b.i("oph", outputPadH).i("opw", outputPadW);
        }
        return b.toString();
    }

    /** Reads a canonical string; see the class comment for the defaults of a shorter form. */
    public static ConvProblem parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("conv", "deconv").allowOnly(KEYS);
        boolean transposed = s.kind().equals("deconv");
        int ih = s.requireInt("ih");
        int kh = s.requireInt("kh");
        int sh = s.intOr("sh", 1);
        int ph = s.intOr("ph", 0);
        int dh = s.intOr("dh", 1);
        int oph = s.intOr("oph", 0);
        int pw = s.intOr("pw", ph);
        return new ConvProblem(s.intOr("mb", 1), s.requireInt("ic"), ih, s.intOr("iw", ih), s.requireInt("oc"),
                kh, s.intOr("kw", kh), sh, s.intOr("sw", sh), ph, pw, dh, s.intOr("dw", dh),
                s.intOr("g", 1), transposed, oph, s.intOr("opw", oph), s.intOr("pb", ph), s.intOr("pr", pw));
    }

    /** Builder; every setter validates when {@link #build} runs. */
    public static final class Builder {
        private int batch = 1;
        private int inChannels;
        private int height;
        private int width;
        private int outChannels;
        private int kernelH;
        private int kernelW;
        private int strideH = 1;
        private int strideW = 1;
        private int padH;
        private int padW;
        private int padBottom;
        private int padRight;
        private int dilationH = 1;
        private int dilationW = 1;
        private int groups = 1;
        private boolean transposed;
        private int outputPadH;
        private int outputPadW;

        private Builder() {
        }

        /** Images per batch (default 1). */
        public Builder batch(int n) {
            this.batch = n;
            return this;
        }

        /** Channels of x, the tensor the op takes. */
        public Builder inChannels(int c) {
            this.inChannels = c;
            return this;
        }

        /** Channels of y, the tensor the op produces. */
        public Builder outChannels(int k) {
            this.outChannels = k;
            return this;
        }

        /** Input height and width. */
        public Builder size(int h, int w) {
            this.height = h;
            this.width = w;
            return this;
        }

        /** Kernel height and width. */
        public Builder kernel(int r, int s) {
            this.kernelH = r;
            this.kernelW = s;
            return this;
        }

        /** Vertical and horizontal stride (default 1). */
        public Builder stride(int sh, int sw) {
            this.strideH = sh;
            this.strideW = sw;
            return this;
        }

        /** Zero padding added to the top and bottom, and to the left and right (default 0). */
        public Builder padding(int ph, int pw) {
            return padding(ph, pw, ph, pw);
        }

        /** Asymmetric zero padding in ONNX's order: top, left, bottom, right (default 0). */
        public Builder padding(int top, int left, int bottom, int right) {
            this.padH = top;
            this.padW = left;
            this.padBottom = bottom;
            this.padRight = right;
            return this;
        }

        /** Vertical and horizontal dilation of the kernel (default 1). */
        public Builder dilation(int dh, int dw) {
            this.dilationH = dh;
            this.dilationW = dw;
            return this;
        }

        /** Groups (default 1); both channel counts must be multiples of it. */
        public Builder groups(int g) {
            this.groups = g;
            return this;
        }

        /** Makes this a transposed convolution ("deconvolution"). */
        public Builder transposed(boolean t) {
            this.transposed = t;
            return this;
        }

        /** Extra size added to one side of a transposed convolution's output. */
        public Builder outputPadding(int oph, int opw) {
            this.outputPadH = oph;
            this.outputPadW = opw;
            return this;
        }

        /**
         * The problem, validated.
         *
         * @throws IllegalArgumentException naming the first setting that is out of range
         */
        public ConvProblem build() {
            return new ConvProblem(batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW,
                    padH, padW, dilationH, dilationW, groups, transposed, outputPadH, outputPadW, padBottom, padRight);
        }
    }
}
