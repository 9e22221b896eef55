package io.jdnn.nn;

import io.jdnn.Device;
import io.jdnn.Loss;

/**
 * Mean absolute error, PyTorch's {@code nn.L1Loss}: mean(|x - t|), gradient sign(x - t) / n, 0
 * where x == t ({@link Loss#l1()}).
 */
public final class L1Loss extends ElementwiseLoss {
    /** A loss on {@code device}. */
    public L1Loss(Device device) {
        super(device, Loss.l1());
    }
}
