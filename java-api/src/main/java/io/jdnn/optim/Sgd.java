package io.jdnn.optim;

import io.jdnn.Check;
import io.jdnn.ProblemString;

import java.util.List;
import java.util.Set;

/**
 * Stochastic gradient descent, {@code torch.optim.SGD}. Step t:
 * <pre>
 *   g = g + weightDecay * p
 *   if momentum != 0:
 *       buf = (t == 1) ? g : momentum * buf + (1 - dampening) * g
 *       g = nesterov ? g + momentum * buf : buf
 *   p = p - lr * g
 * </pre>
 * State: {@code momentum_buffer} when momentum != 0, none otherwise.
 *
 * @param lr          learning rate (positive)
 * @param momentum    momentum factor (non-negative; 0 for none)
 * @param dampening   damping of the momentum's new gradient (non-negative; 0 with Nesterov)
 * @param nesterov    Nesterov momentum (needs momentum &gt; 0)
 * @param weightDecay L2 penalty added to the gradient (non-negative)
 */
public record Sgd(double lr, double momentum, double dampening, boolean nesterov, double weightDecay) implements Optimizer {

    private static final Set<String> KEYS = Set.of("lr", "momentum", "dampening", "nesterov", "weight_decay");

    /**
     * Validates: lr positive; momentum, dampening and weightDecay non-negative; Nesterov needs momentum &gt; 0 and
     * dampening 0.
     */
    public Sgd {
        Check.positive("lr", lr);
        Check.nonNegative("momentum", momentum);
        Check.nonNegative("dampening", dampening);
        Check.nonNegative("weightDecay", weightDecay);
        if (nesterov) {
            Check.that(momentum > 0, "momentum", "a value > 0 with nesterov", momentum);
            Check.that(dampening == 0, "dampening", "0 with nesterov", dampening);
        }
    }

    /** Plain SGD without momentum or weight decay. */
    public static Sgd of(double lr) {
        return new Sgd(lr, 0, 0, false, 0);
    }

    /** SGD with classical momentum. */
    public static Sgd withMomentum(double lr, double momentum) {
        return new Sgd(lr, momentum, 0, false, 0);
    }

    @Override
    public String kind() {
        return "sgd";
    }

    @Override
    public List<String> stateNames() {
        return momentum != 0 ? List.of("momentum_buffer") : List.of();
    }

    @Override
    public String toString() {
        return ProblemString.of(kind()).d("lr", lr).d("momentum", momentum).d("dampening", dampening)
                .b("nesterov", nesterov).d("weight_decay", weightDecay).toString();
    }

    static Sgd parse(ProblemString s) {
        s.allowOnly(KEYS);
        return new Sgd(s.doubleOr("lr", 0.001), s.doubleOr("momentum", 0), s.doubleOr("dampening", 0),
                s.boolOr("nesterov", false), s.doubleOr("weight_decay", 0));
    }
}
