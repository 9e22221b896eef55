package io.jdnn.nn;

import io.jdnn.Shape;
import io.jdnn.Tensor;

import java.util.function.Consumer;

/**
 * The base of {@link GroupNorm}, {@link InstanceNorm} and {@link LayerNorm}: a learnable scale
 * (init 1) and shift (init 0), and a forward pass that saves per-row statistics for its backward
 * pass. The statistics are those of the input in training and in evaluation mode alike (no running
 * statistics). Subclasses say how an input shape maps onto their op's problem and make the calls.
 */
public abstract class AffineNorm extends Layer {
    private final Parameter weight;
    private final Parameter bias;
    private Shape statsShape;
    private Tensor saveMean;
    private Tensor saveInvStd;

    AffineNorm(Layers layers, String name, Shape paramShape) {
        super(layers.device());
        this.weight = addParameter(new Parameter(name + ".weight", device.full(paramShape, 1f)));
        this.bias = addParameter(new Parameter(name + ".bias", device.zeros(paramShape)));
    }

    /** The learnable scale, initialized to 1. */
    public Parameter weight() {
        return weight;
    }

    /** The learnable shift, initialized to 0. */
    public Parameter bias() {
        return bias;
    }

    /** Validates {@code x}'s shape, keeps the op's problem for it, and returns the statistics' shape. */
    abstract Shape prepare(Shape x);

    /** The op's forward call on the prepared problem (views of the arguments where the op's shapes differ). */
    abstract void forwardOp(Tensor x, Tensor w, Tensor b, Tensor y, Tensor mean, Tensor invStd);

    /** The op's backward call on the prepared problem, writing dx, dweight and dbias. */
    abstract void backwardOp(Tensor x, Tensor dy, Tensor w, Tensor mean, Tensor invStd, Tensor dx, Tensor dw,
                             Tensor db);

    @Override
    public final Tensor forward(Tensor x) {
        Shape stats = prepare(x.shape());
        beginForward(x);
        statsShape = stats;
        Tensor y = setOutput(device.allocate(x.shape()));
        saveMean = device.allocate(stats);
        saveInvStd = device.allocate(stats);
        forwardOp(x, weight.value(), bias.value(), y, saveMean, saveInvStd);
        return y;
    }

    @Override
    public final Tensor backward(Tensor dy) {
        beginBackward(dy);
        Tensor dx = setInputGrad(device.allocate(input.shape()));
        Parameter.accumulate(new Parameter[] {weight, bias},
                g -> backwardOp(input, dy, weight.value(), saveMean, saveInvStd, dx, g[0], g[1]));
        return dx;
    }

    /** The statistics' shape of the last forward pass, or null. */
    Shape statsShape() {
        return statsShape;
    }

    @Override
    protected void releaseSaved() {
        if (saveMean != null) {
            saveMean.close();
            saveInvStd.close();
        }
        saveMean = null;
        saveInvStd = null;
    }

    /**
     * Runs {@code call} with {@code ts} seen as {@code s} (each tensor itself where its shape is
     * {@code s} already, else a view closed afterwards).
     */
    static void viewed(Shape s, Tensor[] ts, Consumer<Tensor[]> call) {
        Tensor[] v = new Tensor[ts.length];
        try {
            for (int i = 0; i < ts.length; i++) {
                v[i] = ts[i].shape().equals(s) ? ts[i] : ts[i].view(s);
            }
            call.accept(v);
        } finally {
            for (int i = 0; i < ts.length; i++) {
                if (v[i] != null && v[i] != ts[i]) {
                    v[i].close();
                }
            }
        }
    }

    /**
     * The NCHW shape the channel-wise ops take for input {@code s} of rank at least 2: s itself at
     * rank 4, else (N, C, d2*d3*..., 1).
     */
    static Shape nchw(Shape s, String layer, int channels) {
        if (s.rank() < 2 || s.dim(1) != channels) {
            throw new IllegalArgumentException(layer + ".forward: argument 'x': expected shape (batch, " + channels
                    + ", ...), got " + s);
        }
        if (s.rank() == 4) {
            return s;
        }
        long spatial = s.elements() / ((long) s.dim(0) * s.dim(1));
        if (spatial > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(layer + ".forward: argument 'x': expected at most 2^31 - 1 elements per "
                    + "channel, got " + spatial);
        }
        return Shape.of(s.dim(0), s.dim(1), (int) spatial, 1);
    }
}
