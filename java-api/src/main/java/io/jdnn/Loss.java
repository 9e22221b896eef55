package io.jdnn;

import java.util.Locale;
import java.util.Set;

/**
 * An element-wise loss of a prediction x against a target t of the same shape, PyTorch's
 * definitions, reduced by the mean over all n elements (the only reduction jdnn computes):
 * <ul>
 *   <li>MSE [F.mse_loss]: (x - t)^2; dx = 2 (x - t) / n.</li>
 *   <li>L1 [F.l1_loss]: |x - t|; dx = sign(x - t) / n, 0 where x == t.</li>
 *   <li>SMOOTH_L1(beta) [F.smooth_l1_loss]: with d = |x - t|, 0.5 d^2 / beta where d &lt; beta, else
 *       d - 0.5 beta; dx = clamp((x - t) / beta, -1, 1) / n. beta = 0 is L1.</li>
 *   <li>BCE_WITH_LOGITS [F.binary_cross_entropy_with_logits]: x a logit, t in [0, 1]:
 *       max(x, 0) - x t + log1p(exp(-|x|)), stable for any |x|; dx = (sigmoid(x) - t) / n.</li>
 * </ul>
 * {@link Device#loss} computes the mean loss (one element) and dx, the gradient of that mean.
 */
public record Loss(Kind kind, double beta, String reduction) {

    /** The loss functions. */
    public enum Kind {
        /** Mean squared error. */
        MSE,
        /** Mean absolute error. */
        L1,
        /** Huber-like: quadratic below {@code beta}, linear above (PyTorch's smooth_l1_loss). */
        SMOOTH_L1,
        /** Binary cross-entropy of sigmoid(x) against targets in [0, 1], computed stably from the logits. */
        BCE_WITH_LOGITS
    }

    /** The one reduction jdnn computes: the mean over every element. */
    public static final String MEAN = "mean";

    /** Validates kind, beta (finite and non-negative; 0 unless SMOOTH_L1) and reduction (only "mean"). */
    public Loss {
        if (kind == null) {
            throw new IllegalArgumentException("kind: expected one of MSE, L1, SMOOTH_L1, BCE_WITH_LOGITS, got null");
        }
        Check.finite("beta", beta);
        Check.nonNegative("beta", beta);
        Check.that(kind == Kind.SMOOTH_L1 || beta == 0, "beta", "0 (only SMOOTH_L1 takes a beta)", beta);
        Check.that(MEAN.equals(reduction), "reduction", "\"mean\" (the only reduction jdnn computes)",
                reduction == null ? "null" : "\"" + reduction + "\"");
    }

    /** Mean squared error. */
    public static Loss mse() {
        return new Loss(Kind.MSE, 0, MEAN);
    }

    /** Mean absolute error. */
    public static Loss l1() {
        return new Loss(Kind.L1, 0, MEAN);
    }

    /** Smooth L1 (Huber divided by beta); PyTorch's default beta is 1. */
    public static Loss smoothL1(double beta) {
        return new Loss(Kind.SMOOTH_L1, beta, MEAN);
    }

    /** Binary cross-entropy of logits against targets in [0, 1]. */
    public static Loss bceWithLogits() {
        return new Loss(Kind.BCE_WITH_LOGITS, 0, MEAN);
    }

    /** Reads {@code mse}, {@code l1}, {@code smoothl1_beta=1} (beta defaults to 1) or {@code bcewithlogits}. */
    public static Loss parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("mse", "l1", "smoothl1", "bcewithlogits");
        return switch (s.kind()) {
            case "mse" -> mse();
            case "l1" -> l1();
            case "smoothl1" -> smoothL1(s.allowOnly(Set.of("beta")).doubleOr("beta", 1.0));
            default -> bceWithLogits();
        };
    }

    /** Minimal bytes of one loss call over {@code n} elements: x and target in, dx and the loss out. */
    public static long bytes(long n) {
        return (3 * n + 1) * Float.BYTES;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case SMOOTH_L1 -> ProblemString.of("smoothl1").d("beta", beta).toString();
            case BCE_WITH_LOGITS -> "bcewithlogits";
            default -> kind.name().toLowerCase(Locale.ROOT);
        };
    }
}
