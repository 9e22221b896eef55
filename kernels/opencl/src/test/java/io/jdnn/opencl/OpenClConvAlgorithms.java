package io.jdnn.opencl;

import io.jdnn.ConvAlgorithm;
import io.jdnn.kernels.KernelConvAlgorithm;
import io.jdnn.kernels.KernelConvAlgorithms;

import java.util.List;

/**
 * The OpenCL backend's convolution algorithms: exactly the shared registry
 * {@link KernelConvAlgorithms#ALL} (module jdnn-kernels), where algorithms are added.
 */
final class OpenClConvAlgorithms {
    private OpenClConvAlgorithms() {
    }

    /** The registered algorithm with this id, or null. */
    static KernelConvAlgorithm find(ConvAlgorithm id) {
        return KernelConvAlgorithms.find(KernelConvAlgorithms.ALL, id);
    }

    /** The ids of the registry, in order. */
    static List<ConvAlgorithm> ids() {
        return KernelConvAlgorithms.ids(KernelConvAlgorithms.ALL);
    }
}
