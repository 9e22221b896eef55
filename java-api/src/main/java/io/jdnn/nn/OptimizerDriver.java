package io.jdnn.nn;

import io.jdnn.optim.Optimizer;

import java.util.List;

/**
 * Steps a set of parameters with one update rule ({@link io.jdnn.optim.Sgd}, {@link io.jdnn.optim.Adam},
 * ...): {@link #step()} calls {@link io.jdnn.Device#step} on every parameter that received a gradient
 * since its last {@link #zeroGrad()}, PyTorch's {@code optimizer.step()}. The per-parameter state
 * (momentum, running averages) lives in each {@link Parameter}, on the device.
 */
public final class OptimizerDriver {
    private final List<Parameter> params;
    private Optimizer rule;

    /** A driver stepping {@code params} with {@code rule}; neither may be null. */
    public OptimizerDriver(Optimizer rule, List<Parameter> params) {
        if (rule == null || params == null) {
            throw new IllegalArgumentException("optimizer: expected a rule and parameters, got " + rule + ", " + params);
        }
        this.rule = rule;
        this.params = List.copyOf(params);
    }

    /** Convenience: every parameter of {@code module}. */
    public static OptimizerDriver of(Optimizer rule, Module module) {
        return new OptimizerDriver(rule, module.parameters());
    }

    /** The update rule of the next {@link #step()}. */
    public Optimizer rule() {
        return rule;
    }

    /** Replaces the rule's hyper-parameters (a learning-rate schedule); the kind must stay the same. */
    public void rule(Optimizer newRule) {
        if (newRule == null || !newRule.kind().equals(rule.kind()) || !newRule.stateNames().equals(rule.stateNames())) {
            throw new IllegalArgumentException("rule: expected a " + rule.kind() + " rule with state " + rule.stateNames()
                    + ", got " + newRule);
        }
        this.rule = newRule;
    }

    /** The parameters this driver steps, unmodifiable. */
    public List<Parameter> parameters() {
        return params;
    }

    /** Marks every gradient empty. */
    public void zeroGrad() {
        for (Parameter p : params) {
            p.zeroGrad();
        }
    }

    /** One update of every parameter that has a gradient. */
    public void step() {
        for (Parameter p : params) {
            p.step(rule);
        }
    }
}
