package io.jdnn.nn;

import io.jdnn.GroupNormProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;

/**
 * Group normalization, PyTorch's {@code nn.GroupNorm}: the channels of (N, C, ...) input split into
 * {@code groups} groups, each (sample, group) normalized with its own statistics, then scaled and
 * shifted per channel by weight (init 1) and bias (init 0). Forward {@link io.jdnn.Device#groupNorm}
 * saving the statistics, backward {@code groupNormBackward}; inputs of rank other than 4 run as the
 * (N, C, product of the rest, 1) view. Made by {@link Layers#groupNorm}.
 */
public final class GroupNorm extends AffineNorm {
    private final int groups;
    private final int channels;
    private final double eps;
    private GroupNormProblem problem;

    GroupNorm(Layers layers, int groups, int channels, double eps) {
        super(layers, "groupNorm(" + groups + ", " + channels + ")", checked(groups, channels, eps));
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
    }

    private static Shape checked(int groups, int channels, double eps) {
        return new GroupNormProblem(1, channels, 1, 1, groups, eps).channelShape();
    }

    /** The number of groups. */
    public int groups() {
        return groups;
    }

    /** The epsilon added to the variance before its square root. */
    public double eps() {
        return eps;
    }

    @Override
    Shape prepare(Shape x) {
        Shape v = nchw(x, toString(), channels);
        if (problem == null || !problem.inputShape().equals(v)) {
            problem = new GroupNormProblem(v.dim(0), channels, v.dim(2), v.dim(3), groups, eps);
        }
        return problem.statsShape();
    }

    @Override
    void forwardOp(Tensor x, Tensor w, Tensor b, Tensor y, Tensor mean, Tensor invStd) {
        GroupNormProblem p = problem;
        viewed(p.inputShape(), new Tensor[] {x, y}, v -> device.groupNorm(p, v[0], w, b, v[1], mean, invStd));
    }

    @Override
    void backwardOp(Tensor x, Tensor dy, Tensor w, Tensor mean, Tensor invStd, Tensor dx, Tensor dw, Tensor db) {
        GroupNormProblem p = problem;
        viewed(p.inputShape(), new Tensor[] {x, dy, dx},
                v -> device.groupNormBackward(p, v[0], v[1], w, mean, invStd, v[2], dw, db));
    }

    @Override
    public String toString() {
        return "groupNorm(" + groups + ", " + channels + ")";
    }
}
