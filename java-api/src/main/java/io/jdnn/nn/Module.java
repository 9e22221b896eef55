package io.jdnn.nn;

import io.jdnn.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A layer or a composition of layers with a forward and a backward pass over device tensors.
 *
 * <p><b>Ownership.</b> A module owns the tensors it returns: {@link #forward}'s result stays valid
 * until the module's next forward pass, {@link #release()} or {@link #close()}; {@link #backward}'s
 * result until its next backward pass, release or close. Callers never close them. The input of
 * a forward pass belongs to the caller, who keeps it open and unchanged until the matching backward
 * pass has run (the previous layer's output, in a {@link Sequential}, does exactly that). Because a
 * module keeps what its last pass needs, an instance appears at one place in a network, stateless
 * activations included: make one per use.
 *
 * <p><b>Gradients.</b> {@link #backward} uses what the most recent forward pass saved, returns the
 * gradient with respect to that pass's input, and adds the gradients of every parameter into
 * {@link Parameter#grad()}: the first contribution after {@link #zeroGrad()} overwrites, later ones
 * accumulate (a module run twice before an optimizer step, as a GAN's discriminator is, sums both
 * passes' gradients). Each forward must be followed by its backward before the module's next forward
 * if both gradients are wanted.
 *
 * <p><b>Modes.</b> A module starts in training mode; {@link #train(boolean) train(false)} switches
 * batch normalization to its running statistics and dropout to the identity.
 */
public interface Module extends AutoCloseable {

    /** Runs the layer on {@code x} (NCHW images or (batch, features) matrices, as the layer takes). */
    Tensor forward(Tensor x);

    /** The gradient with respect to the last forward pass's input, from {@code dy}, the gradient of its output. */
    Tensor backward(Tensor dy);

    /** The modules this one is made of, in forward order (empty for a single layer). */
    default List<Module> children() {
        return List.of();
    }

    /** Trainable parameters of this module and its children, each once, in a stable order. */
    default List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        for (Module m : children()) {
            for (Parameter p : m.parameters()) {
                if (!out.contains(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** Non-trainable state tensors (batch norm's running statistics) of this module and its children. */
    default List<Tensor> buffers() {
        List<Tensor> out = new ArrayList<>();
        for (Module m : children()) {
            out.addAll(m.buffers());
        }
        return out;
    }

    /** Training mode (batch statistics, dropout on) or evaluation mode; recursive. */
    default void train(boolean training) {
        for (Module m : children()) {
            m.train(training);
        }
    }

    /** Marks every parameter's gradient empty: the next contribution overwrites instead of adding. */
    default void zeroGrad() {
        for (Parameter p : parameters()) {
            p.zeroGrad();
        }
    }

    /**
     * Frees what the forward and backward passes hold (saved activations, returned tensors), keeping
     * parameters, their gradients and optimizer state, and buffers. Recursive; a later forward pass
     * allocates again.
     */
    default void release() {
        for (Module m : children()) {
            m.release();
        }
    }

    /**
     * Device tensors this module keeps between steps once {@link #release()} has run: parameter
     * values, gradients and optimizer state, and buffers. What {@code device.memory().liveTensors()}
     * returns after training when nothing else is open.
     */
    default long persistentTensors() {
        long n = buffers().size();
        for (Parameter p : parameters()) {
            n += p.tensorCount();
        }
        return n;
    }

    /** Frees everything: {@link #release()}, then parameters (with gradients and optimizer state) and buffers. */
    @Override
    void close();
}
