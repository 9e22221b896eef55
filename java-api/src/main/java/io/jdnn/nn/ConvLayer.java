package io.jdnn.nn;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;

/**
 * What {@link Conv2d} and {@link ConvTranspose2d} share: the weight (PyTorch's layout), the optional
 * bias, the algorithm, and the {@link ConvProblem} of the current input shape (built on the first
 * pass and again whenever the batch or image size changes).
 */
public abstract sealed class ConvLayer extends Layer permits Conv2d, ConvTranspose2d {
    private final ConvSettings settings;
    private final ConvAlgorithmChoice choice;
    private final Parameter weight;
    private final Parameter bias;
    private ConvProblem problem;
    /** The algorithm of each direction for {@link #problem}, indexed by {@link ConvDirection#ordinal()}. */
    private final ConvAlgorithm[] algorithms = new ConvAlgorithm[ConvDirection.values().length];

    ConvLayer(Layers layers, ConvSettings s) {
        super(layers.device());
        this.settings = s;
        this.choice = layers.convAlgorithms();
        int k = s.kernelH() * s.kernelW();
        String name = describe(s);
        Shape ws;
        long fanIn;
        long fanOut;
        if (s.transposed()) {
            ws = Shape.of(s.inChannels(), s.outChannels() / s.groups(), s.kernelH(), s.kernelW());
            fanIn = (long) s.outChannels() / s.groups() * k;
            fanOut = (long) s.inChannels() * k;
        } else {
            ws = Shape.of(s.outChannels(), s.inChannels() / s.groups(), s.kernelH(), s.kernelW());
            fanIn = (long) s.inChannels() / s.groups() * k;
            fanOut = (long) s.outChannels() * k;
        }
        this.weight = addParameter(layers.parameter(name + ".weight", ws, s.init(), fanIn, fanOut));
        this.bias = s.bias()
                ? addParameter(layers.parameter(name + ".bias", Shape.of(s.outChannels()), Init.constant(0), fanIn, fanOut))
                : null;
    }

    private static String describe(ConvSettings s) {
        return (s.transposed() ? "convTranspose2d(" : "conv2d(") + s.inChannels() + "->" + s.outChannels() + ", "
                + s.kernelH() + "x" + s.kernelW() + (s.strideH() != 1 || s.strideW() != 1 ? ", stride " + s.strideH() + "x" + s.strideW() : "")
                + ")";
    }

    /** The weights, in PyTorch's layout (see {@link io.jdnn.ConvProblem#weightShape()}). */
    public Parameter weight() {
        return weight;
    }

    /** The bias, or null for a layer built without one. */
    public Parameter bias() {
        return bias;
    }

    /** The layer's size-independent settings. */
    public ConvSettings settings() {
        return settings;
    }

    /** The problem of the last forward pass (null before the first). */
    public ConvProblem problem() {
        return problem;
    }

    /** The problem this layer runs on an input of shape {@code x}. */
    public ConvProblem problemFor(Shape x) {
        if (x.rank() != 4 || x.dim(1) != settings.inChannels()) {
            throw new IllegalArgumentException(this + ".forward: argument 'x': expected shape (batch, "
                    + settings.inChannels() + ", height, width), got " + x);
        }
        if (problem != null && problem.inputShape().equals(x)) {
            return problem;
        }
        ConvSettings s = settings;
        return s.pad(ConvProblem.builder()).batch(x.dim(0)).inChannels(s.inChannels()).size(x.dim(2), x.dim(3))
                .outChannels(s.outChannels()).kernel(s.kernelH(), s.kernelW()).stride(s.strideH(), s.strideW())
                .dilation(s.dilationH(), s.dilationW()).groups(s.groups())
                .transposed(s.transposed()).outputPadding(s.outputPadH(), s.outputPadW()).build();
    }

    /** The algorithm this layer runs for {@code direction} of the current problem (picked on first use). */
    public ConvAlgorithm algorithm(ConvDirection direction) {
        if (problem == null) {
            throw new IllegalStateException(this + ": no problem yet (run forward first)");
        }
        int i = direction.ordinal();
        if (algorithms[i] == null) {
            algorithms[i] = choice.pick(device, problem, direction);
        }
        return algorithms[i];
    }

    @Override
    public Tensor forward(Tensor x) {
        ConvProblem p = problemFor(x.shape());
        beginForward(x);
        if (!p.equals(problem)) {
            problem = p;
            java.util.Arrays.fill(algorithms, null);
        }
        return setOutput(device.conv2d(p, algorithm(ConvDirection.FORWARD), x, weight.value(),
                bias == null ? null : bias.value()));
    }

    @Override
    public Tensor backward(Tensor dy) {
        beginBackward(dy);
        ConvProblem p = problem;
        ConvAlgorithm filter = algorithm(ConvDirection.BACKWARD_FILTER);
        weight.accumulate(dw -> device.conv2dBackwardFilter(p, filter, input, dy, dw));
        if (bias != null) {
            bias.accumulate(db -> device.conv2dBackwardBias(p, dy, db));
        }
        return setInputGrad(device.conv2dBackwardData(p, algorithm(ConvDirection.BACKWARD_DATA), dy, weight.value()));
    }

    @Override
    public String toString() {
        return describe(settings);
    }
}
