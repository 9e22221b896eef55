package io.jdnn.optim;

import io.jdnn.Check;
import io.jdnn.ProblemString;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * RMSprop, {@code torch.optim.RMSprop}. Step t:
 * <pre>
 *   g = g + weightDecay * p
 *   sq = alpha * sq + (1 - alpha) * g * g
 *   if centered: ga = alpha * ga + (1 - alpha) * g;  avg = sqrt(sq - ga * ga) + eps
 *   else:        avg = sqrt(sq) + eps
 *   if momentum > 0: buf = momentum * buf + g / avg;  p = p - lr * buf
 *   else:            p = p - lr * g / avg
 * </pre>
 * State: {@code square_avg}, then {@code momentum_buffer} if momentum > 0, then {@code grad_avg} if centered.
 *
 * @param lr          learning rate (positive)
 * @param alpha       decay of the squared-gradient average, in [0, 1]
 * @param eps         added to the denominator (positive)
 * @param weightDecay L2 penalty added to the gradient (non-negative)
 * @param momentum    momentum factor (non-negative; 0 for none)
 * @param centered    normalize by the variance estimate instead of the raw second moment
 */
public record RmsProp(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered)
        implements Optimizer {

    private static final Set<String> KEYS = Set.of("lr", "alpha", "eps", "weight_decay", "momentum", "centered");

    /** Validates: lr and eps positive, alpha in [0, 1], weightDecay and momentum non-negative. */
    public RmsProp {
        Check.positive("lr", lr);
        Check.inClosedRange("alpha", alpha, 0, 1);
        Check.positive("eps", eps);
        Check.nonNegative("weightDecay", weightDecay);
        Check.nonNegative("momentum", momentum);
    }

    /** PyTorch's defaults with the given learning rate. */
    public static RmsProp of(double lr) {
        return new RmsProp(lr, 0.99, 1e-8, 0, 0, false);
    }

    @Override
    public String kind() {
        return "rmsprop";
    }

    @Override
    public List<String> stateNames() {
        List<String> names = new ArrayList<>(List.of("square_avg"));
        if (momentum > 0) {
            names.add("momentum_buffer");
        }
        if (centered) {
            names.add("grad_avg");
        }
        return List.copyOf(names);
    }

    @Override
    public String toString() {
        return ProblemString.of(kind()).d("lr", lr).d("alpha", alpha).d("eps", eps).d("weight_decay", weightDecay)
                .d("momentum", momentum).b("centered", centered).toString();
    }

    static RmsProp parse(ProblemString s) {
        s.allowOnly(KEYS);
        return new RmsProp(s.doubleOr("lr", 0.01), s.doubleOr("alpha", 0.99), s.doubleOr("eps", 1e-8),
                s.doubleOr("weight_decay", 0), s.doubleOr("momentum", 0), s.boolOr("centered", false));
    }
}
