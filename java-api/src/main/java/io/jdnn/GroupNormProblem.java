package io.jdnn;

import java.util.Set;

/**
 * Group normalization over NCHW (PyTorch's {@code F.group_norm}): the C channels are split into
 * {@code groups} consecutive groups of C/groups channels, and each (sample, group) row of
 * (C/groups)*H*W values is normalized with its own mean and biased variance,
 * {@code y = (x - mean) / sqrt(var + eps) * weight[c] + bias[c]}. Instance norm is the case
 * groups = channels ({@link InstanceNormProblem}), layer norm the case H = W = 1, groups = 1
 * ({@link LayerNormProblem}). For (N, C, L) or (N, C, D, H, W) data use a view with H = the
 * product of the spatial extents and W = 1.
 *
 * <p>Canonical string: {@code gn_mb32ic64ih56iw56g8_eps=1e-05}.
 */
public record GroupNormProblem(int batch, int channels, int height, int width, int groups, double eps) {

    private static final Set<String> KEYS = Set.of("mb", "ic", "ih", "iw", "g", "eps");

    /** PyTorch's default eps. */
    public static final double DEFAULT_EPS = 1e-5;

    /** Validates every field: groups must divide channels. */
    public GroupNormProblem {
        Check.positive("batch", batch);
        Check.positive("channels", channels);
        Check.positive("height", height);
        Check.positive("width", width);
        Check.positive("groups", groups);
        Check.that(channels % groups == 0, "groups", "a divisor of channels " + channels, groups);
        Check.positive("eps", eps);
        Shape.of(batch, channels, height, width); // x must be indexable: IllegalArgumentException past 2^63 - 1 elements
    }

    /** With PyTorch's default eps 1e-5. */
    public static GroupNormProblem of(int batch, int channels, int height, int width, int groups) {
        return new GroupNormProblem(batch, channels, height, width, groups, DEFAULT_EPS);
    }

    /** Shape of x, y, dy and dx: (batch, channels, height, width). */
    public Shape inputShape() {
        return Shape.of(batch, channels, height, width);
    }

    /** Shape of weight, bias, dweight and dbias: (channels). */
    public Shape channelShape() {
        return Shape.of(channels);
    }

    /** Shape of the saved mean and inverse standard deviation: (batch, groups), one per row. */
    public Shape statsShape() {
        return Shape.of(batch, groups);
    }

    /** Channels per group: channels / groups. */
    public int channelsPerGroup() {
        return channels / groups;
    }

    /** Values per (sample, group) row that the statistics run over: (channels / groups) * height * width. */
    public long groupSize() {
        return (long) channelsPerGroup() * height * width;
    }

    /** Floating-point operations of forward: two passes for the statistics, four per value to normalize. */
    public long forwardFlops() {
        return 7 * inputShape().elements();
    }

    /** Floating-point operations of backward: the row and channel sums and dx, about eleven per value. */
    public long backwardFlops() {
        return 11 * inputShape().elements();
    }

    /** Minimal bytes of forward: x read once, y written once, weight, bias and the saved statistics. */
    public long forwardBytes() {
        return 2 * inputShape().bytes() + 2 * channelShape().bytes() + 2 * statsShape().bytes();
    }

    /** Minimal bytes of backward: x and dy in, dx out, weight, dweight, dbias and the saved statistics. */
    public long backwardBytes() {
        return 3 * inputShape().bytes() + 3 * channelShape().bytes() + 2 * statsShape().bytes();
    }

    /** The same problem with another batch size. */
    public GroupNormProblem withBatch(int newBatch) {
        return new GroupNormProblem(newBatch, channels, height, width, groups, eps);
    }

    @Override
    public String toString() {
        return ProblemString.of("gn").i("mb", batch).i("ic", channels).i("ih", height).i("iw", width).i("g", groups)
                .d("eps", eps).toString();
    }

    /** Reads a canonical string; iw defaults to ih, ih to 1, g to 1 and eps to PyTorch's default. */
    public static GroupNormProblem parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("gn").allowOnly(KEYS);
        int ih = s.intOr("ih", 1);
        return new GroupNormProblem(s.intOr("mb", 1), s.requireInt("ic"), ih, s.intOr("iw", ih), s.intOr("g", 1),
                s.doubleOr("eps", DEFAULT_EPS));
    }
}
