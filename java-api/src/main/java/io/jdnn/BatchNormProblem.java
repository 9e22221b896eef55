package io.jdnn;

import java.util.Set;

/**
 * Spatial batch normalization over NCHW (statistics per channel over N, H and W), PyTorch's
 * semantics: training normalizes with the biased batch variance and updates
 * {@code running = (1 - momentum) * running + momentum * batch}, using the unbiased variance
 * (times m/(m-1), m = N*H*W) for {@code running_var}; inference normalizes with the running
 * statistics. {@code eps} is added to the variance under the square root. For BatchNorm1d on
 * (N, C) data use height = width = 1.
 *
 * <p>Canonical string: {@code bn_mb32ic64ih112iw112_eps=1e-05_momentum=0.1}.
 *
 * @param batch    images per batch, N (positive)
 * @param channels channels, C (positive): the statistics are per channel
 * @param height   image height, H (positive)
 * @param width    image width, W (positive)
 * @param eps      added to the variance under the square root (positive)
 * @param momentum weight of the batch statistics in the running ones, in [0, 1]
 */
public record BatchNormProblem(int batch, int channels, int height, int width, double eps, double momentum) {

    private static final Set<String> KEYS = Set.of("mb", "ic", "ih", "iw", "eps", "momentum");

    /** PyTorch's defaults. */
    public static final double DEFAULT_EPS = 1e-5;
    /** PyTorch's defaults. */
    public static final double DEFAULT_MOMENTUM = 0.1;

    /** Validates every field. */
    public BatchNormProblem {
        Check.positive("batch", batch);
        Check.positive("channels", channels);
        Check.positive("height", height);
        Check.positive("width", width);
        Check.positive("eps", eps);
        Check.inClosedRange("momentum", momentum, 0, 1);
        Shape.of(batch, channels, height, width); // x must be indexable: IllegalArgumentException past 2^63 - 1 elements
    }

    /** With PyTorch's default eps 1e-5 and momentum 0.1. */
    public static BatchNormProblem of(int batch, int channels, int height, int width) {
        return new BatchNormProblem(batch, channels, height, width, DEFAULT_EPS, DEFAULT_MOMENTUM);
    }

    /** Shape of x and y: (batch, channels, height, width). */
    public Shape inputShape() {
        return Shape.of(batch, channels, height, width);
    }

    /** Shape of gamma, beta, the running and the saved statistics: (channels). */
    public Shape channelShape() {
        return Shape.of(channels);
    }

    /** Values per channel that the statistics run over: N*H*W. */
    public long reductionSize() {
        return (long) batch * height * width;
    }

    /** Minimal bytes of training forward: x read once, y written once (per-channel vectors are negligible but counted). */
    public long trainForwardBytes() {
        return 2 * inputShape().bytes() + 6 * channelShape().bytes();
    }

    /** Minimal bytes of inference forward: x in, y out, four per-channel vectors in. */
    public long inferenceBytes() {
        return 2 * inputShape().bytes() + 4 * channelShape().bytes();
    }

    /** Minimal bytes of backward: x and dy in, dx out, per-channel vectors. */
    public long backwardBytes() {
        return 3 * inputShape().bytes() + 5 * channelShape().bytes();
    }

    /** The same problem with another batch size. */
    public BatchNormProblem withBatch(int newBatch) {
        return new BatchNormProblem(newBatch, channels, height, width, eps, momentum);
    }

    @Override
    public String toString() {
        return ProblemString.of("bn").i("mb", batch).i("ic", channels).i("ih", height).i("iw", width)
                .d("eps", eps).d("momentum", momentum).toString();
    }

    /** Reads a canonical string; iw defaults to ih, eps and momentum to PyTorch's defaults. */
    public static BatchNormProblem parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("bn").allowOnly(KEYS);
        int ih = s.intOr("ih", 1);
        return new BatchNormProblem(s.intOr("mb", 1), s.requireInt("ic"), ih, s.intOr("iw", ih),
                s.doubleOr("eps", DEFAULT_EPS), s.doubleOr("momentum", DEFAULT_MOMENTUM));
    }
}
