package io.jdnn.nn;

import io.jdnn.InstanceNormProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;

/**
 * Instance normalization with a learnable affine transform, PyTorch's
 * {@code nn.InstanceNorm2d(C, affine=True)} (and its 1-D and 3-D siblings): each (sample, channel)
 * plane of (N, C, ...) input normalized with its own statistics in training and evaluation mode
 * alike (no running statistics), then scaled and shifted per channel by weight (init 1) and bias
 * (init 0). Forward {@link io.jdnn.Device#instanceNorm}, backward {@code instanceNormBackward}.
 * Made by {@link Layers#instanceNorm}.
 */
public final class InstanceNorm extends AffineNorm {
    private final int channels;
    private final double eps;
    private InstanceNormProblem problem;

    InstanceNorm(Layers layers, int channels, double eps) {
        super(layers, "instanceNorm(" + channels + ")", new InstanceNormProblem(1, channels, 1, 1, eps).channelShape());
        this.channels = channels;
        this.eps = eps;
    }

    /** The epsilon added to the variance before its square root. */
    public double eps() {
        return eps;
    }

    @Override
    Shape prepare(Shape x) {
        Shape v = nchw(x, toString(), channels);
        if (problem == null || !problem.inputShape().equals(v)) {
            problem = new InstanceNormProblem(v.dim(0), channels, v.dim(2), v.dim(3), eps);
        }
        return problem.statsShape();
    }

    @Override
    void forwardOp(Tensor x, Tensor w, Tensor b, Tensor y, Tensor mean, Tensor invStd) {
        InstanceNormProblem p = problem;
        viewed(p.inputShape(), new Tensor[] {x, y}, v -> device.instanceNorm(p, v[0], w, b, v[1], mean, invStd));
    }

    @Override
    void backwardOp(Tensor x, Tensor dy, Tensor w, Tensor mean, Tensor invStd, Tensor dx, Tensor dw, Tensor db) {
        InstanceNormProblem p = problem;
        viewed(p.inputShape(), new Tensor[] {x, dy, dx},
                v -> device.instanceNormBackward(p, v[0], v[1], w, mean, invStd, v[2], dw, db));
    }

    @Override
    public String toString() {
        return "instanceNorm(" + channels + ")";
    }
}
