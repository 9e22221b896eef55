package io.jdnn.optim;

import io.jdnn.Check;
import io.jdnn.ProblemString;

import java.util.List;
import java.util.Set;

/**
 * AdaGrad, {@code torch.optim.Adagrad}. Step t:
 * <pre>
 *   g = g + weightDecay * p
 *   clr = lr / (1 + (t - 1) * lrDecay)
 *   sum = sum + g * g
 *   p = p - clr * g / (sqrt(sum) + eps)
 * </pre>
 * State: {@code sum}, starting at {@code initialAccumulatorValue}.
 *
 * @param lr                      learning rate (positive)
 * @param lrDecay                 learning-rate decay per step (non-negative)
 * @param weightDecay             L2 penalty added to the gradient (non-negative)
 * @param initialAccumulatorValue the starting value of the sum (non-negative)
 * @param eps                     added to the denominator (positive)
 */
public record AdaGrad(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps)
        implements Optimizer {

    private static final Set<String> KEYS = Set.of("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps");

    /** Validates: lr and eps positive; lrDecay, weightDecay and initialAccumulatorValue non-negative. */
    public AdaGrad {
        Check.positive("lr", lr);
        Check.nonNegative("lrDecay", lrDecay);
        Check.nonNegative("weightDecay", weightDecay);
        Check.nonNegative("initialAccumulatorValue", initialAccumulatorValue);
        Check.positive("eps", eps);
    }

    /** PyTorch's defaults with the given learning rate. */
    public static AdaGrad of(double lr) {
        return new AdaGrad(lr, 0, 0, 0, 1e-10);
    }

    @Override
    public String kind() {
        return "adagrad";
    }

    @Override
    public List<String> stateNames() {
        return List.of("sum");
    }

    @Override
    public double initialState(int slot) {
        return initialAccumulatorValue;
    }

    @Override
    public String toString() {
        return ProblemString.of(kind()).d("lr", lr).d("lr_decay", lrDecay).d("weight_decay", weightDecay)
                .d("initial_accumulator_value", initialAccumulatorValue).d("eps", eps).toString();
    }

    static AdaGrad parse(ProblemString s) {
        s.allowOnly(KEYS);
        return new AdaGrad(s.doubleOr("lr", 0.01), s.doubleOr("lr_decay", 0), s.doubleOr("weight_decay", 0),
                s.doubleOr("initial_accumulator_value", 0), s.doubleOr("eps", 1e-10));
    }
}
