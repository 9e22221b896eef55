package io.jdnn.optim;

import io.jdnn.Check;
import io.jdnn.ProblemString;

import java.util.List;
import java.util.Set;

/**
 * AdaDelta, {@code torch.optim.Adadelta}. Step t:
 * <pre>
 *   g = g + weightDecay * p
 *   sq = rho * sq + (1 - rho) * g * g
 *   delta = sqrt(acc + eps) / sqrt(sq + eps) * g
 *   acc = rho * acc + (1 - rho) * delta * delta
 *   p = p - lr * delta
 * </pre>
 * State: {@code square_avg}, {@code acc_delta}.
 *
 * @param lr          learning rate (positive)
 * @param rho         decay of the running averages, in [0, 1]
 * @param eps         added under both square roots (positive)
 * @param weightDecay L2 penalty added to the gradient (non-negative)
 */
public record AdaDelta(double lr, double rho, double eps, double weightDecay) implements Optimizer {

    private static final Set<String> KEYS = Set.of("lr", "rho", "eps", "weight_decay");

    /** Validates: lr and eps positive, rho in [0, 1], weightDecay non-negative. */
    public AdaDelta {
        Check.positive("lr", lr);
        Check.inClosedRange("rho", rho, 0, 1);
        Check.positive("eps", eps);
        Check.nonNegative("weightDecay", weightDecay);
    }

    /** PyTorch's defaults (lr 1, rho 0.9, eps 1e-6). */
    public static AdaDelta defaults() {
        return new AdaDelta(1.0, 0.9, 1e-6, 0);
    }

    @Override
    public String kind() {
        return "adadelta";
    }

    @Override
    public List<String> stateNames() {
        return List.of("square_avg", "acc_delta");
    }

    @Override
    public String toString() {
        return ProblemString.of(kind()).d("lr", lr).d("rho", rho).d("eps", eps).d("weight_decay", weightDecay).toString();
    }

    static AdaDelta parse(ProblemString s) {
        s.allowOnly(KEYS);
        return new AdaDelta(s.doubleOr("lr", 1.0), s.doubleOr("rho", 0.9), s.doubleOr("eps", 1e-6),
                s.doubleOr("weight_decay", 0));
    }
}
