package io.jdnn.nn;

import io.jdnn.Device;
import io.jdnn.Tensor;

/**
 * Mean negative log-likelihood over (batch, classes) log-probabilities, PyTorch's {@code nn.NLLLoss}:
 * -mean over rows of x[r][target[r]], with one {@link Device#nllLoss} call computing the loss and
 * its gradient. After a {@link LogSoftmax} layer it is the cross-entropy of the logits.
 */
public final class NllLoss extends LossModule {

    /** A loss on {@code device}. */
    public NllLoss(Device device) {
        super(device, "NllLoss");
    }

    /**
     * Computes the loss of {@code logProbs} against {@code target} (one class index per row), keeps
     * the gradient for {@link #gradient()}, and returns the loss at the device's precision; reading it
     * waits for the device.
     */
    public double forward(Tensor logProbs, int[] target) {
        if (logProbs == null) {
            throw new IllegalArgumentException("NllLoss.forward: argument 'logProbs': expected a tensor, got null");
        }
        fit(logProbs.shape());
        device().nllLoss(logProbs, target, lossTensor(), gradient());
        return lossValue();
    }

    @Override
    public String toString() {
        return "nllLoss";
    }
}
