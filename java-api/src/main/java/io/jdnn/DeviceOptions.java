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
 */
public record DeviceOptions(boolean deterministic, boolean allowTf32) {

    /** Not deterministic, no TF32: PyTorch's defaults for convolutions. */
    public static final DeviceOptions DEFAULT = new DeviceOptions(false, false);

    public DeviceOptions withDeterministic(boolean d) {
        return new DeviceOptions(d, allowTf32);
    }

    public DeviceOptions withAllowTf32(boolean t) {
        return new DeviceOptions(deterministic, t);
    }
}
