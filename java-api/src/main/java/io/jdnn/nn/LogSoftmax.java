package io.jdnn.nn;

import io.jdnn.Shape;
import io.jdnn.Tensor;

/**
 * Log-softmax over the classes of (batch, classes) input, PyTorch's {@code nn.LogSoftmax(dim=1)};
 * followed by {@link NllLoss} it is the cross-entropy. Forward {@link io.jdnn.Device#logSoftmax},
 * backward {@code logSoftmaxBackward} from the saved output. Made by {@link Layers#logSoftmax}.
 */
public final class LogSoftmax extends Layer {
    LogSoftmax(Layers layers) {
        super(layers.device());
    }

    @Override
    public Tensor forward(Tensor x) {
        Shape s = x.shape();
        if (s.rank() != 2) {
            throw new IllegalArgumentException(this + ".forward: argument 'x': expected shape (batch, classes), got " + s
                    + (s.rank() > 2 ? " (flatten it first)" : ""));
        }
        beginForward(x);
        return setOutput(device.logSoftmax(x));
    }

    @Override
    public Tensor backward(Tensor dy) {
        beginBackward(dy);
        return setInputGrad(device.logSoftmaxBackward(output, dy));
    }

    @Override
    public String toString() {
        return "logSoftmax";
    }
}
