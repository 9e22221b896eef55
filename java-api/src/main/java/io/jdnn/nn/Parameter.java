package io.jdnn.nn;

import io.jdnn.Device;
import io.jdnn.OptimizerState;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.optim.Optimizer;

import java.util.function.Consumer;

/**
 * A trainable tensor with its gradient and optimizer state, all on one device.
 *
 * <p>jdnn's backward ops overwrite their outputs. A parameter therefore tracks whether its gradient
 * holds anything since {@link #zeroGrad()}: the first contribution ({@link #accumulate}) is written
 * straight into {@link #grad()}, each later one into a temporary that is then added to it. An
 * {@link OptimizerDriver} steps only parameters that received a gradient.
 */
public final class Parameter implements AutoCloseable {
    private final String name;
    private final Tensor value;
    private final Tensor grad;
    private OptimizerState state;
    private boolean hasGrad;

    /** Takes ownership of {@code value}; allocates the gradient beside it. */
    public Parameter(String name, Tensor value) {
        if (name == null || value == null) {
            throw new IllegalArgumentException("parameter: expected a name and a tensor, got " + name + ", " + value);
        }
        this.name = name;
        this.value = value;
        this.grad = value.device().allocate(value.shape());
    }

    /** What the parameter is, for messages: {@code conv2d(1->6, 5x5).weight}. */
    public String name() {
        return name;
    }

    /** The parameter's values, owned by the parameter. */
    public Tensor value() {
        return value;
    }

    /** The gradient tensor; its contents mean something only while {@link #hasGrad()}. */
    public Tensor grad() {
        return grad;
    }

    /** Shape of the values (and of the gradient). */
    public Shape shape() {
        return value.shape();
    }

    /** The device that holds the values, the gradient and the optimizer state. */
    public Device device() {
        return value.device();
    }

    /** True once a backward pass has written a gradient since the last {@link #zeroGrad()}. */
    public boolean hasGrad() {
        return hasGrad;
    }

    /** Marks the gradient empty (PyTorch's {@code zero_grad(set_to_none=True)}): no device work. */
    public void zeroGrad() {
        hasGrad = false;
    }

    /**
     * Adds one gradient contribution: {@code write} fills the tensor it is given (an op that
     * overwrites its output). The first contribution since {@link #zeroGrad()} lands in
     * {@link #grad()} directly, later ones are summed into it.
     */
    public void accumulate(Consumer<Tensor> write) {
        accumulate(new Parameter[] {this}, ts -> write.accept(ts[0]));
    }

    /**
     * {@link #accumulate} for an op that writes several parameters' gradients at once (batch norm's
     * dgamma and dbeta): {@code write} gets one target per parameter, in order.
     */
    public static void accumulate(Parameter[] params, Consumer<Tensor[]> write) {
        Tensor[] targets = new Tensor[params.length];
        try {
            for (int i = 0; i < params.length; i++) {
                Parameter p = params[i];
                targets[i] = p.hasGrad ? p.device().allocate(p.shape()) : p.grad;
            }
            write.accept(targets);
            for (int i = 0; i < params.length; i++) {
                Parameter p = params[i];
                if (targets[i] != p.grad) {
                    p.device().add(p.grad, targets[i], p.grad);
                }
                p.hasGrad = true;
            }
        } finally {
            for (int i = 0; i < params.length; i++) {
                if (targets[i] != null && targets[i] != params[i].grad) {
                    targets[i].close();
                }
            }
        }
    }

    /**
     * One optimizer step on this parameter from its gradient, creating the rule's state on the first
     * call. Nothing happens without a gradient. The rule may change between steps (a learning-rate
     * schedule) but not its kind.
     */
    public void step(Optimizer rule) {
        if (!hasGrad) {
            return;
        }
        Device d = device();
        if (state == null) {
            state = d.optimizerState(rule, value.shape());
        }
        d.step(rule, state, value, grad);
    }

    /** The optimizer state, or null before the first step. */
    public OptimizerState optimizerState() {
        return state;
    }

    /** Device tensors this parameter holds: value, gradient and each optimizer-state slot. */
    public long tensorCount() {
        return 2 + (state == null ? 0 : state.stateNames().size());
    }

    @Override
    public void close() {
        value.close();
        grad.close();
        if (state != null) {
            state.close();
        }
    }

    @Override
    public String toString() {
        return name + " " + value.shape();
    }
}
