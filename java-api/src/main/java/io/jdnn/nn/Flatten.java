package io.jdnn.nn;

import io.jdnn.Shape;
import io.jdnn.Tensor;

/**
 * (batch, d1, d2, ...) to (batch, d1*d2*...), PyTorch's {@code nn.Flatten}: a {@link Tensor#view}, no
 * copy; backward views the gradient back to the input's shape. Made by {@link Layers#flatten}.
 */
public final class Flatten extends Layer {
    Flatten(Layers layers) {
        super(layers.device());
    }

    @Override
    public Tensor forward(Tensor x) {
        beginForward(x);
        Shape s = x.shape();
        return setOutput(x.view(Shape.of(s.dim(0), (int) (x.elements() / s.dim(0)))));
    }

    @Override
    public Tensor backward(Tensor dy) {
        beginBackward(dy);
        return setInputGrad(dy.view(input.shape()));
    }

    @Override
    public String toString() {
        return "flatten";
    }
}
