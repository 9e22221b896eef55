package io.jdnn.nn;

import io.jdnn.Shape;
import io.jdnn.Tensor;

/**
 * PReLU with learnable slopes, PyTorch's {@code nn.PReLU(num_parameters, init)}: y = x where x &gt; 0,
 * else weight[c] * x, with one slope per channel (dimension 1 of the input) or one shared slope.
 * Forward {@link io.jdnn.Device#prelu}, backward {@code preluBackward} (input and slope gradients).
 * Made by {@link Layers#prelu}.
 */
public final class PRelu extends Layer {
    private final int slopes;
    private final Parameter weight;

    PRelu(Layers layers, int slopes, double init) {
        super(layers.device());
        if (slopes < 1) {
            throw new IllegalArgumentException("numParameters: expected at least 1, got " + slopes);
        }
        if (!Double.isFinite(init)) {
            throw new IllegalArgumentException("init: expected a finite slope, got " + init);
        }
        this.slopes = slopes;
        this.weight = addParameter(new Parameter(this + ".weight", device.full(Shape.of(slopes), (float) init)));
    }

    /** The slopes, shape (numParameters): one per channel, or one shared. */
    public Parameter weight() {
        return weight;
    }

    @Override
    public Tensor forward(Tensor x) {
        Shape s = x.shape();
        if (slopes > 1 && (s.rank() < 2 || s.dim(1) != slopes)) {
            throw new IllegalArgumentException(this + ".forward: argument 'x': expected shape (batch, " + slopes
                    + ", ...), got " + s);
        }
        beginForward(x);
        return setOutput(device.prelu(x, weight.value()));
    }

    @Override
    public Tensor backward(Tensor dy) {
        beginBackward(dy);
        Tensor dx = setInputGrad(device.allocate(input.shape()));
        weight.accumulate(dw -> device.preluBackward(input, weight.value(), dy, dx, dw));
        return dx;
    }

    @Override
    public String toString() {
        return "prelu(" + slopes + ")";
    }
}
