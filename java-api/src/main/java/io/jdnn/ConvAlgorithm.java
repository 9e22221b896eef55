package io.jdnn;

/**
 * Convolution algorithms, selectable by name. Ids are stable and never reused.
 *
 * <p>{@link #errorBound()} is the largest error an algorithm may show against the float64
 * reference, measured as max|out - ref| / max|ref| over the output tensor, for the float32
 * backends on inputs of magnitude about 1 and reductions of up to a few thousand terms. A
 * float32 dot product of length L has a worst-case relative error of about L * 2^-24; for random
 * data of mixed sign the error grows like sqrt(L) * 2^-24, and the normalisation by the largest
 * output keeps a cancelling element from dominating. The bounds leave a factor of about 10 over
 * what the conformance suite observes, no more.
 */
public enum ConvAlgorithm {
    /**
     * Let the device choose: it times the applicable algorithms once per problem and remembers the
     * fastest ({@link Device#plan} says which). Never reaches a backend.
     */
    AUTO(0, 0),
    /** One thread per output element, a straight loop over the receptive field. Plain float32 accumulation. */
    DIRECT(1, 1e-5),
    /** Unfold the input into columns, then a tiled GEMM. Float32 accumulation in tiles. */
    IM2COL_GEMM(2, 1e-5),
    /** GEMM whose operand tiles are gathered from the image on the fly, no column buffer. */
    IMPLICIT_GEMM(3, 1e-5),
    /**
     * Winograd minimal filtering for 3x3 kernels, stride 1, dilation 1. The input and filter
     * transforms mix values of different magnitudes (F(2x2,3x3) multiplies by 1/2; F(4x4,3x3)
     * by up to 1/4 and 4 in its transform matrices), which costs about a decimal digit over a
     * direct dot product.
     */
    WINOGRAD(4, 1e-4),
    /** One filter per channel (groups == input channels, one output channel per group). */
    DEPTHWISE(5, 1e-5),
    /**
     * Tensor cores with TF32 inputs (10 explicit mantissa bits, unit roundoff 2^-11, about
     * 4.9e-4) and float32 accumulation: each product carries up to two such roundings, so the
     * error against the float64 reference is of the order of 1e-3 of the output's scale.
     */
    TENSOR_CORE_TF32(6, 5e-3),
    /**
     * Grouped convolutions with few image channels per group (2 to 8: ResNeXt's grouped 3x3
     * layers), tiled per (image, group) in local memory for all channels of the group; plain
     * float32 accumulation.
     */
    GROUPED(7, 1e-5),
    /**
     * Tensor cores with BF16 inputs and float32 accumulation, an opt-in compute type: the
     * tensors stay float32, each input is rounded to BF16 (8 significant bits, round to nearest
     * even: unit roundoff u = 2^-8, about 3.9e-3) as it is staged, and the products of BF16
     * values (exact in float32) accumulate in float32. The bound is derived as
     * {@link #TENSOR_CORE_TF32}'s: each product carries up to two input roundings, a relative
     * error of at most 2u + u^2 (about 7.8e-3); for inputs of mixed sign these errors add like a
     * random walk while the sum grows like one too, so the error relative to the output's scale
     * is of the order of u (maxima of 1e-3 to 2.3e-3 over the outputs of the CUDA module's test
     * problems, eight times TF32's, in the CPU emulation of the kernels); the float32 accumulation
     * adds nothing visible at this scale. As TF32's 5e-3 is about 10 times
     * its unit roundoff, the bound is 10u, rounded to 4e-2 of max|out|: eight times TF32's
     * (2^-8 against 2^-11), too coarse for training by default, hence opt-in.
     */
    TENSOR_CORE_BF16(8, 4e-2);

    private final int id;
    private final double errorBound;

    ConvAlgorithm(int id, double errorBound) {
        this.id = id;
        this.errorBound = errorBound;
    }

    /** Stable numeric id. */
    public int id() {
        return id;
    }

    /** Error bound against the float64 reference (see the class comment); 0 for AUTO. */
    public double errorBound() {
        return errorBound;
    }

    /**
     * True when the algorithm rounds its inputs to TF32: AUTO considers it only on a device opened
     * with {@link DeviceOptions#allowTf32()} (an explicit request runs regardless).
     */
    public boolean usesTf32() {
        return this == TENSOR_CORE_TF32;
    }

    /**
     * True when the algorithm rounds its inputs to BF16: AUTO considers it only on a device opened
     * with {@link DeviceOptions#allowBf16()} (an explicit request runs regardless).
     */
    public boolean usesBf16() {
        return this == TENSOR_CORE_BF16;
    }

    /** Reads a name, case-insensitively, with '-' accepted for '_'. */
    public static ConvAlgorithm parse(String s) {
        String n = s.trim().replace('-', '_');
        for (ConvAlgorithm a : values()) {
            if (a.name().equalsIgnoreCase(n)) {
                return a;
            }
        }
        throw new IllegalArgumentException("algorithm: expected one of " + java.util.Arrays.toString(values()) + ", got '" + s + "'");
    }
}
