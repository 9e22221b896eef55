package io.jdnn;

/**
 * Settings fixed when a device opens.
 *
 * @param deterministic run only algorithms that give bitwise-identical results run after run
 *                      (no floating-point atomics): backward-filter, batch-norm backward and
 *                      pooling backward pick their deterministic variants, and AUTO considers
 *                      deterministic convolution algorithms only
 * @param allowTf32     let AUTO consider TF32 tensor-core algorithms (an explicit
 *                      {@link ConvAlgorithm#TENSOR_CORE_TF32} request runs regardless)
 * @param allowBf16     let AUTO consider BF16 tensor-core algorithms, whose inputs are rounded to
 *                      BF16 (an explicit {@link ConvAlgorithm#TENSOR_CORE_BF16} request runs
 *                      regardless)
 */
public record DeviceOptions(boolean deterministic, boolean allowTf32, boolean allowBf16) {

    /** Not deterministic, no TF32, no BF16: PyTorch's defaults for convolutions. */
    public static final DeviceOptions DEFAULT = new DeviceOptions(false, false, false);

    /** The options without BF16 (the settings before BF16 existed). */
    public DeviceOptions(boolean deterministic, boolean allowTf32) {
        this(deterministic, allowTf32, false);
    }

    /** These options with {@link #deterministic()} set to {@code d}. */
    public DeviceOptions withDeterministic(boolean d) {
        return new DeviceOptions(d, allowTf32, allowBf16);
    }

    /** These options with {@link #allowTf32()} set to {@code t}. */
    public DeviceOptions withAllowTf32(boolean t) {
        return new DeviceOptions(deterministic, t, allowBf16);
    }

    /** These options with {@link #allowBf16()} set to {@code b}. */
    public DeviceOptions withAllowBf16(boolean b) {
        return new DeviceOptions(deterministic, allowTf32, b);
    }
}
