package io.jdnn.nn;

import io.jdnn.PoolMode;
import io.jdnn.PoolProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;

/**
 * What {@link MaxPool2d} and {@link AvgPool2d} share: the window settings, the {@link PoolProblem}
 * of the current input shape, forward {@link io.jdnn.Device#pool} and backward
 * {@link io.jdnn.Device#poolBackward} (which takes the forward input: max pooling re-finds its argmax).
 */
public abstract sealed class Pool2d extends Layer permits MaxPool2d, AvgPool2d {
    private final PoolMode mode;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean ceilMode;
    private final boolean countIncludePad;
    private final int outSize;
    private PoolProblem problem;

    /** Windowed pooling (MAX or AVG), or for ADAPTIVE_AVG an output of outSize x outSize. */
    Pool2d(Layers layers, PoolMode mode, int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad,
           int outSize) {
        super(layers.device());
        this.mode = mode;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        this.outSize = outSize;
        // Validates the settings with the problem record's rules on an image the window fits.
        problemFor(Shape.of(1, 1, Math.max(1, 4 * kernel), Math.max(1, 4 * kernel)));
    }

    /** The problem this layer runs on an input of shape {@code x}. */
    public PoolProblem problemFor(Shape x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(this + ".forward: argument 'x': expected shape (batch, channels, height, width), got " + x);
        }
        if (problem != null && problem.inputShape().equals(x)) {
            return problem;
        }
        if (mode == PoolMode.ADAPTIVE_AVG) {
            return PoolProblem.adaptiveAvg(x.dim(0), x.dim(1), x.dim(2), x.dim(3), outSize, outSize);
        }
        PoolProblem.Builder b = mode == PoolMode.MAX ? PoolProblem.max() : PoolProblem.avg().countIncludePad(countIncludePad);
        return b.batch(x.dim(0)).channels(x.dim(1)).size(x.dim(2), x.dim(3)).kernel(kernel, kernel)
                .stride(stride, stride).padding(padding, padding).ceilMode(ceilMode).build();
    }

    @Override
    public Tensor forward(Tensor x) {
        PoolProblem p = problemFor(x.shape());
        beginForward(x);
        problem = p;
        return setOutput(device.pool(p, x));
    }

    @Override
    public Tensor backward(Tensor dy) {
        beginBackward(dy);
        return setInputGrad(device.poolBackward(problem, input, dy));
    }

    @Override
    public String toString() {
        if (mode == PoolMode.ADAPTIVE_AVG) {
            return "adaptiveAvgPool2d(" + outSize + "x" + outSize + ")";
        }
        return (mode == PoolMode.MAX ? "maxPool2d(" : "avgPool2d(") + kernel + ", stride " + stride + ", padding " + padding + ")";
    }
}
