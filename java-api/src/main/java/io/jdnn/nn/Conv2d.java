package io.jdnn.nn;

/**
 * 2-D convolution, PyTorch's {@code nn.Conv2d}: weight (out, in/groups, kh, kw), optional bias
 * (out). Forward {@link io.jdnn.Device#conv2d}; backward {@code conv2dBackwardData},
 * {@code conv2dBackwardFilter} and {@code conv2dBackwardBias}. Made by {@link Layers#conv2d}.
 */
public final class Conv2d extends ConvLayer {
    Conv2d(Layers layers, ConvSettings settings) {
        super(layers, settings);
    }
}
