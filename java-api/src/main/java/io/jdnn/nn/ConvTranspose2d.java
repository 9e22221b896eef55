package io.jdnn.nn;

/**
 * 2-D transposed convolution, PyTorch's {@code nn.ConvTranspose2d}: weight (in, out/groups, kh, kw),
 * optional bias (out), output size {@code (H-1)*stride - 2*pad + dilation*(k-1) + outputPadding + 1}.
 * Runs on {@link io.jdnn.ConvProblem#transposed()} problems: forward is {@link io.jdnn.Device#conv2d},
 * the backward passes the same calls as {@link Conv2d}'s. Made by {@link Layers#convTranspose2d}.
 */
public final class ConvTranspose2d extends ConvLayer {
    ConvTranspose2d(Layers layers, ConvSettings settings) {
        super(layers, settings);
    }
}
