package io.jdnn.nn;

import io.jdnn.PoolMode;

/** Max pooling, PyTorch's {@code nn.MaxPool2d} (no dilation). Made by {@link Layers#maxPool2d}. */
public final class MaxPool2d extends Pool2d {
    MaxPool2d(Layers layers, int kernel, int stride, int padding, boolean ceilMode) {
        super(layers, PoolMode.MAX, kernel, stride, padding, ceilMode, false, 0);
    }
}
