package io.jdnn.kernels;

import io.jdnn.Activation;
import io.jdnn.DirectConv;
import io.jdnn.spi.Buffer;

/**
 * A {@link KernelConvAlgorithm} whose forward kernel applies an activation where it stores y (the
 * fused epilogue of {@link io.jdnn.spi.DeviceBackend#convActivationForward}): its kernel takes
 * {@link KernelLaunch#epilogue}'s arguments, and the plain forward pass is the one with none.
 * {@link KernelDevice} fuses the activation for these algorithms and runs it as a second launch
 * for the others.
 */
public interface EpilogueConvAlgorithm extends KernelConvAlgorithm {

    /** y = activation(conv(x, w) + bias), the activation applied as the kernel stores y; null: none. */
    void forward(KernelDevice device, DirectConv conv, Buffer x, Buffer w, Buffer bias, Activation activation,
                 Buffer y);

    /** The forward pass without an activation. */
    @Override
    default void forward(KernelDevice device, DirectConv conv, Buffer x, Buffer w, Buffer bias, Buffer y) {
        forward(device, conv, x, w, bias, null, y);
    }
}
