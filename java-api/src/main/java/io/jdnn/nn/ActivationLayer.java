package io.jdnn.nn;

import io.jdnn.Activation;
import io.jdnn.Tensor;

/**
 * An element-wise activation (ReLU, LeakyReLU, ELU, sigmoid, tanh; see {@link Activation}) on a
 * tensor of any shape. Forward {@link io.jdnn.Device#activation}, backward
 * {@link io.jdnn.Device#activationBackward} from the saved input. Made by {@link Layers#relu} and
 * its siblings.
 */
public final class ActivationLayer extends Layer {
    private final Activation activation;

    ActivationLayer(Layers layers, Activation activation) {
        super(layers.device());
        if (activation == null) {
            throw new IllegalArgumentException("activation: expected an Activation, got null");
        }
        this.activation = activation;
    }

    /** The activation this layer applies. */
    public Activation activation() {
        return activation;
    }

    @Override
    public Tensor forward(Tensor x) {
        beginForward(x);
        return setOutput(device.activation(activation, x));
    }

    @Override
    public Tensor backward(Tensor dy) {
        beginBackward(dy);
        return setInputGrad(device.activationBackward(activation, input, dy));
    }

    @Override
    public String toString() {
        return activation.toString();
    }
}
