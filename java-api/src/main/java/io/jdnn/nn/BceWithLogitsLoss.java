package io.jdnn.nn;

import io.jdnn.Device;
import io.jdnn.Loss;

/**
 * Binary cross-entropy of logits, PyTorch's {@code nn.BCEWithLogitsLoss}: mean(max(x, 0) - x t +
 * log1p(exp(-|x|))) for targets t in [0, 1], stable for any logit; gradient (sigmoid(x) - t) / n
 * ({@link Loss#bceWithLogits()}).
 */
public final class BceWithLogitsLoss extends ElementwiseLoss {
    /** A loss on {@code device}. */
    public BceWithLogitsLoss(Device device) {
        super(device, Loss.bceWithLogits());
    }
}
