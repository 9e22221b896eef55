package io.jdnn.nn;

import io.jdnn.Tensor;

/**
 * Dropout, PyTorch's {@code nn.Dropout}: in training mode each element is zeroed with probability p
 * and the rest scaled by 1/(1-p); in evaluation mode the identity. The mask of the k-th training pass
 * is the {@link io.jdnn.Philox} stream (seed, base + k): every backend draws the same masks, and the
 * backward pass reuses its forward pass's (seed, offset). Made by {@link Layers#dropout}.
 */
public final class Dropout extends Layer {
    private final double p;
    private final long seed;
    private final long offsetBase;
    private long passes;
    private long offset = -1;

    Dropout(Layers layers, double p, long seed, long offsetBase) {
        super(layers.device());
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("p: expected a probability in [0, 1), got " + p);
        }
        this.p = p;
        this.seed = seed;
        this.offsetBase = offsetBase;
    }

    /** The probability of zeroing an element, in [0, 1). */
    public double p() {
        return p;
    }

    /** Training passes run so far: the next mask is offset {@code base + passes()}. */
    public long passes() {
        return passes;
    }

    @Override
    public Tensor forward(Tensor x) {
        beginForward(x);
        if (!isTraining()) {
            offset = -1;
            return x;
        }
        offset = offsetBase + passes++;
        Tensor y = setOutput(device.allocate(x.shape()));
        device.dropout(p, seed, offset, x, y);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        beginBackward(dy);
        if (offset < 0) {
            return dy;
        }
        Tensor dx = setInputGrad(device.allocate(dy.shape()));
        device.dropoutBackward(p, seed, offset, dy, dx);
        return dx;
    }

    @Override
    public String toString() {
        return "dropout(" + p + ")";
    }
}
