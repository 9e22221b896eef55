package io.jdnn.nn;

import io.jdnn.Device;
import io.jdnn.Loss;

/**
 * Mean squared error, PyTorch's {@code nn.MSELoss}: mean((x - t)^2), gradient 2 (x - t) / n
 * ({@link Loss#mse()}).
 */
public final class MseLoss extends ElementwiseLoss {
    /** A loss on {@code device}. */
    public MseLoss(Device device) {
        super(device, Loss.mse());
    }
}
