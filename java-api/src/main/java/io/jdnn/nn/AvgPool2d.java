package io.jdnn.nn;

import io.jdnn.PoolMode;

/**
 * Average pooling, PyTorch's {@code nn.AvgPool2d}, or adaptive average pooling
 * ({@code nn.AdaptiveAvgPool2d}; global average pooling with an output of 1x1). Made by
 * {@link Layers#avgPool2d} and {@link Layers#globalAvgPool2d}.
 */
public final class AvgPool2d extends Pool2d {
    AvgPool2d(Layers layers, int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        super(layers, PoolMode.AVG, kernel, stride, padding, ceilMode, countIncludePad, 0);
    }

    AvgPool2d(Layers layers, int outSize) {
        super(layers, PoolMode.ADAPTIVE_AVG, 0, 0, 0, false, false, outSize);
    }
}
