package io.jdnn.nn;

/**
 * The size-independent settings of a convolution layer; the batch and image size come from the
 * input at run time and complete them into a {@link io.jdnn.ConvProblem}.
 *
 * @param inChannels  channels of the layer's input (positive, a multiple of groups)
 * @param outChannels channels of the layer's output (positive, a multiple of groups)
 * @param kernelH     kernel height
 * @param kernelW     kernel width
 * @param strideH     vertical stride
 * @param strideW     horizontal stride
 * @param padH        zero rows added above (and below, unless padBottom differs)
 * @param padW        zero columns added left (and right, unless padRight differs)
 * @param dilationH   vertical spacing of the kernel taps
 * @param dilationW   horizontal spacing of the kernel taps
 * @param groups      channel groups (positive)
 * @param transposed  true for a transposed convolution
 * @param outputPadH  rows added to one side of a transposed convolution's output (0 otherwise)
 * @param outputPadW  columns added to one side of a transposed convolution's output (0 otherwise)
 * @param bias        whether the layer has a bias
 * @param padBottom   zero rows added below (padH for symmetric padding)
 * @param padRight    zero columns added right (padW for symmetric padding)
 * @param init        how the weights are drawn (not null)
 */
public record ConvSettings(int inChannels, int outChannels, int kernelH, int kernelW, int strideH, int strideW,
                           int padH, int padW, int dilationH, int dilationW, int groups,
                           boolean transposed, int outputPadH, int outputPadW, boolean bias, Init init,
                           int padBottom, int padRight) {

    /**
     * Validates the settings with {@link io.jdnn.ConvProblem}'s rules.
     *
     * @throws IllegalArgumentException naming the first setting that is out of range, or a null {@code init}
     */
    public ConvSettings {
        io.jdnn.Check.positive("inChannels", inChannels);
        io.jdnn.Check.positive("outChannels", outChannels);
        io.jdnn.Check.positive("groups", groups);
        io.jdnn.Check.that(inChannels % groups == 0, "inChannels", "a multiple of groups=" + groups, inChannels);
        io.jdnn.Check.that(outChannels % groups == 0, "outChannels", "a multiple of groups=" + groups, outChannels);
        // The rest is validated by ConvProblem with the first input: one definition of each rule.
        io.jdnn.ConvProblem.builder().inChannels(inChannels).outChannels(outChannels).size(64 * kernelH * dilationH, 64 * kernelW * dilationW)
                .kernel(kernelH, kernelW).stride(strideH, strideW).padding(padH, padW, padBottom, padRight).dilation(dilationH, dilationW)
                .groups(groups).transposed(transposed).outputPadding(outputPadH, outputPadW).build();
        if (init == null) {
            throw new IllegalArgumentException("init: expected an Init, got null");
        }
    }

    /** Settings with symmetric padding: padBottom = padH, padRight = padW. */
    public ConvSettings(int inChannels, int outChannels, int kernelH, int kernelW, int strideH, int strideW,
                        int padH, int padW, int dilationH, int dilationW, int groups,
                        boolean transposed, int outputPadH, int outputPadW, boolean bias, Init init) {
        this(inChannels, outChannels, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, groups,
                transposed, outputPadH, outputPadW, bias, init, padH, padW);
    }

    /** Adds this layer's padding to a problem builder: symmetric, or [top, left, bottom, right]. */
    io.jdnn.ConvProblem.Builder pad(io.jdnn.ConvProblem.Builder b) {
        return b.padding(padH, padW, padBottom, padRight);
    }

    /** Builds a {@link Conv2d} or {@link ConvTranspose2d} with PyTorch's defaults (stride 1, padding 0, dilation 1, groups 1, bias). */
    public static final class Builder<T extends ConvLayer> {
        private final Layers layers;
        private final boolean transposed;
        private final int in;
        private final int out;
        private int kernelH = 1;
        private int kernelW = 1;
        private int strideH = 1;
        private int strideW = 1;
        private int padH;
        private int padW;
        private int padBottom;
        private int padRight;
        private int dilationH = 1;
        private int dilationW = 1;
        private int groups = 1;
        private int outputPadH;
        private int outputPadW;
        private boolean bias = true;
        private Init init;
        private final java.util.function.BiFunction<Layers, ConvSettings, T> make;

        Builder(Layers layers, boolean transposed, int in, int out, java.util.function.BiFunction<Layers, ConvSettings, T> make) {
            this.make = make;
            this.layers = layers;
            this.transposed = transposed;
            this.in = in;
            this.out = out;
            this.init = layers.defaultInit();
        }

        /** A square kernel. */
        public Builder<T> kernel(int k) {
            return kernel(k, k);
        }

        /** Kernel height and width (default 1x1). */
        public Builder<T> kernel(int kh, int kw) {
            this.kernelH = kh;
            this.kernelW = kw;
            return this;
        }

        /** The same stride in both directions (default 1). */
        public Builder<T> stride(int s) {
            return stride(s, s);
        }

        /** Vertical and horizontal stride (default 1). */
        public Builder<T> stride(int sh, int sw) {
            this.strideH = sh;
            this.strideW = sw;
            return this;
        }

        /** The same zero padding on every side (default 0). */
        public Builder<T> padding(int p) {
            return padding(p, p);
        }

        /** Zero padding on the top and bottom, and on the left and right (default 0). */
        public Builder<T> padding(int ph, int pw) {
            return padding(ph, pw, ph, pw);
        }

        /**
         * Asymmetric zero padding, in ONNX's and TensorFlow's "SAME" order of sides: rows above,
         * columns left, rows below, columns right.
         */
        public Builder<T> padding(int top, int left, int bottom, int right) {
            this.padH = top;
            this.padW = left;
            this.padBottom = bottom;
            this.padRight = right;
            return this;
        }

        /** The same dilation in both directions (default 1). */
        public Builder<T> dilation(int d) {
            this.dilationH = d;
            this.dilationW = d;
            return this;
        }

        /** Groups (default 1); both channel counts must be multiples of it. */
        public Builder<T> groups(int g) {
            this.groups = g;
            return this;
        }

        /** Transposed convolutions only: extra rows and columns on one side of the output. */
        public Builder<T> outputPadding(int op) {
            this.outputPadH = op;
            this.outputPadW = op;
            return this;
        }

        /** Whether the layer has a bias (default true; leave it out before batch norm). */
        public Builder<T> bias(boolean b) {
            this.bias = b;
            return this;
        }

        /** Weight initialization (default: the {@link Layers}' default, He normal unless changed). */
        public Builder<T> init(Init i) {
            this.init = i;
            return this;
        }

        /** The settings as given so far, validated; no layer is made. */
        public ConvSettings settings() {
            return new ConvSettings(in, out, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW,
                    groups, transposed, outputPadH, outputPadW, bias, init, padBottom, padRight);
        }

        /** The layer, its weights drawn now. */
        public T build() {
            return make.apply(layers, settings());
        }
    }
}
