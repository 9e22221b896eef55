package io.jdnn.nn;

import io.jdnn.Device;
import io.jdnn.Loss;

/**
 * Smooth L1, PyTorch's {@code nn.SmoothL1Loss}: quadratic 0.5 d^2 / beta below {@code beta}, d -
 * 0.5 beta above, d = |x - t| ({@link Loss#smoothL1(double)}); beta = 0 is L1.
 */
public final class SmoothL1Loss extends ElementwiseLoss {
    /** A loss on {@code device} with threshold {@code beta} (finite, non-negative; PyTorch's default is 1). */
    public SmoothL1Loss(Device device, double beta) {
        super(device, Loss.smoothL1(beta));
    }
}
