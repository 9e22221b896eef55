package io.jdnn.optim;

import io.jdnn.Check;
import io.jdnn.ProblemString;

import java.util.List;
import java.util.Set;

/**
 * Adam, {@code torch.optim.Adam} (L2 weight decay added to the gradient). Step t:
 * <pre>
 *   g = g + weightDecay * p
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * g * g
 *   vhat = amsgrad ? (vmax = max(vmax, v)) : v
 *   p = p - lr / (1 - beta1^t) * m / (sqrt(vhat) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * State: {@code exp_avg}, {@code exp_avg_sq}, and {@code max_exp_avg_sq} with AMSGrad.
 * {@link AdamW} is the same rule with decoupled weight decay.
 *
 * @param lr          learning rate (positive)
 * @param beta1       decay of the first-moment average, in [0, 1)
 * @param beta2       decay of the second-moment average, in [0, 1)
 * @param eps         added to the denominator (positive)
 * @param weightDecay L2 penalty added to the gradient (non-negative)
 * @param amsgrad     use the maximum of the second-moment averages so far
 */
public record Adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad)
        implements Optimizer {

    static final Set<String> KEYS = Set.of("lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad");

    /** Validates: lr and eps positive, beta1 and beta2 in [0, 1), weightDecay non-negative. */
    public Adam {
        checkAdam(lr, beta1, beta2, eps, weightDecay);
    }

    static void checkAdam(double lr, double beta1, double beta2, double eps, double weightDecay) {
        Check.positive("lr", lr);
        Check.inRange("beta1", beta1, 0, 1);
        Check.inRange("beta2", beta2, 0, 1);
        Check.positive("eps", eps);
        Check.nonNegative("weightDecay", weightDecay);
    }

    /** PyTorch's defaults with the given learning rate. */
    public static Adam of(double lr) {
        return new Adam(lr, 0.9, 0.999, 1e-8, 0, false);
    }

    @Override
    public String kind() {
        return "adam";
    }

    @Override
    public List<String> stateNames() {
        return amsgrad ? List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq") : List.of("exp_avg", "exp_avg_sq");
    }

    @Override
    public String toString() {
        return format(kind(), lr, beta1, beta2, eps, weightDecay, amsgrad);
    }

    static String format(String kind, double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        return ProblemString.of(kind).d("lr", lr).d("beta1", beta1).d("beta2", beta2).d("eps", eps)
                .d("weight_decay", weightDecay).b("amsgrad", amsgrad).toString();
    }

    static Adam parse(ProblemString s) {
        s.allowOnly(KEYS);
        return new Adam(s.doubleOr("lr", 0.001), s.doubleOr("beta1", 0.9), s.doubleOr("beta2", 0.999),
                s.doubleOr("eps", 1e-8), s.doubleOr("weight_decay", 0), s.boolOr("amsgrad", false));
    }
}
