package io.jdnn.nn;

import io.jdnn.Tensor;

/**
 * y = x, dx = dy: PyTorch's {@code nn.Identity}, e.g. the branch of a {@link Concat} that passes the
 * previous features on unchanged, as a dense block's layers do. Owns no tensors. Made by
 * {@link Layers#identity}.
 */
public final class Identity implements Module {
    /** The identity; it has no device and no state. */
    public Identity() {
    }

    @Override
    public Tensor forward(Tensor x) {
        return x;
    }

    @Override
    public Tensor backward(Tensor dy) {
        return dy;
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "identity";
    }
}
