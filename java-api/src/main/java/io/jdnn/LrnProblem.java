package io.jdnn;

import java.util.Set;

/**
 * Local response normalization across channels over NCHW (PyTorch's {@code F.local_response_norm}):
 * {@code y[n,c,i] = x[n,c,i] / (k + alpha / size * sum_{c'} x[n,c',i]^2)^beta}, the sum over the
 * channels c' in [c - size/2, c + (size-1)/2] that exist (the window is padded with zeros, so
 * alpha is always divided by the full size, and an even size reaches one channel further down than
 * up). For (N, C, L) or (N, C, D, H, W) data use a view with H = the product of the spatial extents
 * and W = 1.
 *
 * <p>Canonical string: {@code lrn_mb32ic96ih55iw55ls5_alpha=0.0001_beta=0.75_k=1}.
 */
public record LrnProblem(int batch, int channels, int height, int width, int size, double alpha, double beta,
                         double k) {

    private static final Set<String> KEYS = Set.of("mb", "ic", "ih", "iw", "ls", "alpha", "beta", "k");

    /** PyTorch's default alpha. */
    public static final double DEFAULT_ALPHA = 1e-4;
    /** PyTorch's default beta. */
    public static final double DEFAULT_BETA = 0.75;
    /** PyTorch's default k. */
    public static final double DEFAULT_K = 1.0;

    /** Validates every field; k must be positive so that the base of the power is. */
    public LrnProblem {
        Check.positive("batch", batch);
        Check.positive("channels", channels);
        Check.positive("height", height);
        Check.positive("width", width);
        Check.positive("size", size);
        Check.nonNegative("alpha", Check.finite("alpha", alpha));
        Check.finite("beta", beta);
        Check.positive("k", Check.finite("k", k));
        Shape.of(batch, channels, height, width); // x must be indexable: IllegalArgumentException past 2^63 - 1 elements
    }

    /** With PyTorch's defaults alpha 1e-4, beta 0.75, k 1. */
    public static LrnProblem of(int batch, int channels, int height, int width, int size) {
        return new LrnProblem(batch, channels, height, width, size, DEFAULT_ALPHA, DEFAULT_BETA, DEFAULT_K);
    }

    /** Shape of x, y, dy and dx: (batch, channels, height, width). */
    public Shape inputShape() {
        return Shape.of(batch, channels, height, width);
    }

    /** Channels below c in the window of channel c: size / 2, at most channels (no window reaches further). */
    public int lowerReach() {
        return Math.min(size / 2, channels);
    }

    /** Channels above c in the window of channel c: (size - 1) / 2, at most channels (no window reaches further). */
    public int upperReach() {
        return Math.min((size - 1) / 2, channels);
    }

    /** Floating-point operations of forward: a window of squares summed and a power per value. */
    public long forwardFlops() {
        return (2L * size + 4) * inputShape().elements();
    }

    /** Floating-point operations of backward: the forward's window sums again and a second window sum. */
    public long backwardFlops() {
        return (4L * size + 10) * inputShape().elements();
    }

    /** Minimal bytes of forward: x read once, y written once. */
    public long forwardBytes() {
        return 2 * inputShape().bytes();
    }

    /** Minimal bytes of backward: x and dy in, dx out. */
    public long backwardBytes() {
        return 3 * inputShape().bytes();
    }

    /** The same problem with another batch size. */
    public LrnProblem withBatch(int newBatch) {
        return new LrnProblem(newBatch, channels, height, width, size, alpha, beta, k);
    }

    @Override
    public String toString() {
        return ProblemString.of("lrn").i("mb", batch).i("ic", channels).i("ih", height).i("iw", width).i("ls", size)
                .d("alpha", alpha).d("beta", beta).d("k", k).toString();
    }

    /** Reads a canonical string; iw defaults to ih, ih to 1, alpha, beta and k to PyTorch's defaults. */
    public static LrnProblem parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("lrn").allowOnly(KEYS);
        int ih = s.intOr("ih", 1);
        return new LrnProblem(s.intOr("mb", 1), s.requireInt("ic"), ih, s.intOr("iw", ih), s.requireInt("ls"),
                s.doubleOr("alpha", DEFAULT_ALPHA), s.doubleOr("beta", DEFAULT_BETA), s.doubleOr("k", DEFAULT_K));
    }
}
