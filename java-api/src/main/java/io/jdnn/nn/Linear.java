package io.jdnn.nn;

import io.jdnn.LinearProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;

/**
 * Fully connected layer, PyTorch's {@code nn.Linear}: y = x w^T + b with x (batch, in), w (out, in),
 * b (out). Forward {@link io.jdnn.Device#linear}; backward {@code linearBackwardData},
 * {@code linearBackwardWeight}, {@code linearBackwardBias}. Flatten images first ({@link Flatten}).
 * Made by {@link Layers#linear}.
 */
public final class Linear extends Layer {
    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;
    private LinearProblem problem;

    Linear(Layers layers, int in, int out, boolean withBias, Init init) {
        super(layers.device());
        new LinearProblem(1, in, out);
        this.in = in;
        this.out = out;
        String name = "linear(" + in + "->" + out + ")";
        this.weight = addParameter(layers.parameter(name + ".weight", Shape.of(out, in), init, in, out));
        this.bias = withBias ? addParameter(layers.parameter(name + ".bias", Shape.of(out), Init.constant(0), in, out)) : null;
    }

    /** The weights, shape (out, in), PyTorch's layout. */
    public Parameter weight() {
        return weight;
    }

    /** The bias, or null for a layer built without one. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        Shape s = x.shape();
        if (s.rank() != 2 || s.dim(1) != in) {
            throw new IllegalArgumentException(this + ".forward: argument 'x': expected shape (batch, " + in + "), got " + s
                    + (s.rank() > 2 ? " (flatten it first)" : ""));
        }
        LinearProblem p = problem != null && problem.batch() == s.dim(0) ? problem : new LinearProblem(s.dim(0), in, out);
        beginForward(x);
        problem = p;
        Tensor y = setOutput(device.allocate(p.outputShape()));
        device.linear(p, x, weight.value(), bias == null ? null : bias.value(), y);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        beginBackward(dy);
        LinearProblem p = problem;
        weight.accumulate(dw -> device.linearBackwardWeight(p, input, dy, dw));
        if (bias != null) {
            bias.accumulate(db -> device.linearBackwardBias(p, dy, db));
        }
        Tensor dx = setInputGrad(device.allocate(p.inputShape()));
        device.linearBackwardData(p, dy, weight.value(), dx);
        return dx;
    }

    @Override
    public String toString() {
        return "linear(" + in + "->" + out + ")";
    }
}
