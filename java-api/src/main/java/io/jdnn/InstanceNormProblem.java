package io.jdnn;

import java.util.Set;

/**
 * Instance normalization over NCHW without running statistics (PyTorch's {@code F.instance_norm}
 * with {@code use_input_stats=True}): each (sample, channel) plane of H*W values is normalized with
 * its own mean and biased variance, {@code y = (x - mean) / sqrt(var + eps) * weight[c] + bias[c]}.
 * It is {@link GroupNormProblem group norm} with one channel per group ({@link #asGroupNorm()}).
 *
 * <p>Canonical string: {@code in_mb32ic64ih56iw56_eps=1e-05}.
 */
public record InstanceNormProblem(int batch, int channels, int height, int width, double eps) {

    private static final Set<String> KEYS = Set.of("mb", "ic", "ih", "iw", "eps");

    /** Validates every field. */
    public InstanceNormProblem {
        Check.positive("batch", batch);
        Check.positive("channels", channels);
        Check.positive("height", height);
        Check.positive("width", width);
        Check.positive("eps", eps);
        Shape.of(batch, channels, height, width); // x must be indexable: IllegalArgumentException past 2^63 - 1 elements
    }

    /** With PyTorch's default eps 1e-5. */
    public static InstanceNormProblem of(int batch, int channels, int height, int width) {
        return new InstanceNormProblem(batch, channels, height, width, GroupNormProblem.DEFAULT_EPS);
    }

    /** The same normalization as group norm with groups = channels. */
    public GroupNormProblem asGroupNorm() {
        return new GroupNormProblem(batch, channels, height, width, channels, eps);
    }

    /** Shape of x, y, dy and dx: (batch, channels, height, width). */
    public Shape inputShape() {
        return Shape.of(batch, channels, height, width);
    }

    /** Shape of weight, bias, dweight and dbias: (channels). */
    public Shape channelShape() {
        return Shape.of(channels);
    }

    /** Shape of the saved mean and inverse standard deviation: (batch, channels). */
    public Shape statsShape() {
        return Shape.of(batch, channels);
    }

    @Override
    public String toString() {
        return ProblemString.of("in").i("mb", batch).i("ic", channels).i("ih", height).i("iw", width)
                .d("eps", eps).toString();
    }

    /** Reads a canonical string; iw defaults to ih, ih to 1 and eps to PyTorch's default. */
    public static InstanceNormProblem parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("in").allowOnly(KEYS);
        int ih = s.intOr("ih", 1);
        return new InstanceNormProblem(s.intOr("mb", 1), s.requireInt("ic"), ih, s.intOr("iw", ih),
                s.doubleOr("eps", GroupNormProblem.DEFAULT_EPS));
    }
}
