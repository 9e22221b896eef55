package io.jdnn.optim;

import io.jdnn.ProblemString;

import java.util.List;

/**
 * AdamW, {@code torch.optim.AdamW}: Adam with decoupled weight decay. Step t:
 * <pre>
 *   p = p * (1 - lr * weightDecay)
 *   then Adam's update with weightDecay = 0 (see {@link Adam})
 * </pre>
 * State: {@code exp_avg}, {@code exp_avg_sq}, and {@code max_exp_avg_sq} with AMSGrad.
 *
 * @param lr          learning rate (positive)
 * @param beta1       decay of the first-moment average, in [0, 1)
 * @param beta2       decay of the second-moment average, in [0, 1)
 * @param eps         added to the denominator (positive)
 * @param weightDecay decoupled weight decay, applied to the parameter before the update (non-negative)
 * @param amsgrad     use the maximum of the second-moment averages so far
 */
public record AdamW(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad)
        implements Optimizer {

    /** Validates as {@link Adam} does: lr and eps positive, beta1 and beta2 in [0, 1), weightDecay non-negative. */
    public AdamW {
        Adam.checkAdam(lr, beta1, beta2, eps, weightDecay);
    }

    /** PyTorch's defaults (weight decay 0.01) with the given learning rate. */
    public static AdamW of(double lr) {
        return new AdamW(lr, 0.9, 0.999, 1e-8, 0.01, false);
    }

    @Override
    public String kind() {
        return "adamw";
    }

    @Override
    public List<String> stateNames() {
        return amsgrad ? List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq") : List.of("exp_avg", "exp_avg_sq");
    }

    @Override
    public String toString() {
        return Adam.format(kind(), lr, beta1, beta2, eps, weightDecay, amsgrad);
    }

    static AdamW parse(ProblemString s) {
        s.allowOnly(Adam.KEYS);
        return new AdamW(s.doubleOr("lr", 0.001), s.doubleOr("beta1", 0.9), s.doubleOr("beta2", 0.999),
                s.doubleOr("eps", 1e-8), s.doubleOr("weight_decay", 0.01), s.boolOr("amsgrad", false));
    }
}
