package io.jdnn.nn;

import io.jdnn.PixelShuffleProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;

/**
 * Pixel shuffle, PyTorch's {@code nn.PixelShuffle(r)}: (N, C*r², H, W) to (N, C, H*r, W*r), or with
 * {@code unshuffle} its inverse {@code nn.PixelUnshuffle(r)}. No parameters. Forward
 * {@link io.jdnn.Device#pixelShuffle}, backward {@link io.jdnn.Device#pixelShuffleBackward} (the
 * inverse rearrangement of dy). Made by {@link Layers#pixelShuffle} and {@link Layers#pixelUnshuffle}.
 */
public final class PixelShuffle extends Layer {
    private final int factor;
    private final boolean unshuffle;
    private PixelShuffleProblem problem;

    PixelShuffle(Layers layers, int factor, boolean unshuffle) {
        super(layers.device());
        if (factor < 1) {
            throw new IllegalArgumentException("factor: expected a positive integer, got " + factor);
        }
        this.factor = factor;
        this.unshuffle = unshuffle;
    }

    /** The upscale (or, unshuffling, downscale) factor r. */
    public int factor() {
        return factor;
    }

    /** True for pixel unshuffle (space to channels), false for pixel shuffle (channels to space). */
    public boolean unshuffle() {
        return unshuffle;
    }

    @Override
    public Tensor forward(Tensor x) {
        beginForward(x);
        Shape s = x.shape();
        if (s.rank() != 4) {
            throw new IllegalArgumentException(this + ".forward: argument 'x': expected shape (batch, channels, height, width), got "
                    + s);
        }
        PixelShuffleProblem p = problem != null && problem.inputShape().equals(s) ? problem
                : new PixelShuffleProblem(s.dim(0), s.dim(1), s.dim(2), s.dim(3), factor, unshuffle);
        problem = p;
        Tensor y = setOutput(device.allocate(p.outputShape()));
        device.pixelShuffle(p, x, y);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        beginBackward(dy);
        Tensor dx = setInputGrad(device.allocate(input.shape()));
        device.pixelShuffleBackward(problem, dy, dx);
        return dx;
    }

    @Override
    public String toString() {
        return (unshuffle ? "pixelUnshuffle(" : "pixelShuffle(") + factor + ")";
    }
}
