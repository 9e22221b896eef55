package io.jdnn;

import io.jdnn.optim.Optimizer;

import java.util.List;

/**
 * The per-element state of one optimizer over one parameter tensor (momentum buffers, running
 * averages), resident on the device, plus the step count. Made by {@link Device#optimizerState},
 * advanced by {@link Device#step}. The rule passed to each step may change its hyper-parameters
 * (a learning-rate schedule) but not its kind or state layout.
 */
public final class OptimizerState implements AutoCloseable {
    private final Device device;
    private final Optimizer rule;
    private final Shape shape;
    private final List<String> stateNames;
    private final Tensor[] slots;
    private long step;

    OptimizerState(Device device, Optimizer rule, Shape shape, List<String> stateNames, Tensor[] slots) {
        this.device = device;
        this.rule = rule;
        this.shape = shape;
        this.stateNames = List.copyOf(stateNames);
        this.slots = slots;
    }

    /** The device the state tensors live on. */
    public Device device() {
        return device;
    }

    /** The rule the state was made for. */
    public Optimizer rule() {
        return rule;
    }

    /** Shape of the parameter (and of every state tensor). */
    public Shape shape() {
        return shape;
    }

    /** The names of the state tensors, in the rule's order (see {@link Optimizer#stateNames()}); may be empty. */
    public List<String> stateNames() {
        return stateNames;
    }

    /** The state tensor named {@code name} (see {@link Optimizer#stateNames()}). */
    public Tensor get(String name) {
        int i = stateNames.indexOf(name);
        Check.that(i >= 0, "name", "one of " + stateNames, name);
        return slots[i];
    }

    /** Steps taken so far. */
    public long steps() {
        return step;
    }

    Tensor[] slots() {
        return slots;
    }

    /** Counts the step about to run and returns its number (from 1). */
    long advance() {
        return ++step;
    }

    @Override
    public void close() {
        for (Tensor t : slots) {
            t.close();
        }
    }
}
