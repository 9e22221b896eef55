package io.jdnn.examples;

import io.jdnn.Device;
import io.jdnn.nn.Init;
import io.jdnn.nn.Layers;
import io.jdnn.nn.Sequential;

/**
 * LeNet-5 (LeCun et al. 1998) on {@link SyntheticDigits}, as published: tanh activations and
 * average-pooling subsampling. 1x32x32 input, conv 5x5 to 6 channels, pool, conv 5x5 to 16, pool, then
 * 400 -> 120 -> 84 -> 10 fully connected, with dropout 0.1 after the first; PyTorch's default weight
 * initialization; softmax cross-entropy; SGD with momentum 0.9, learning rate 0.05. Default batch 16.
 *
 * <p>Every op of this network is smooth in its input (no ReLU kink, no max-pooling argmax), so float32
 * and float64 runs follow the same path: its losses agree across backends to about 1e-7.
 */
public final class LeNet5 extends ClassifierExample {
    /** Images per step unless configured. */
    public static final int DEFAULT_BATCH = 16;
    /** SGD learning rate unless configured. */
    public static final double DEFAULT_LR = 0.05;

    /**
     * Builds the network and its optimizer on {@code device}; weights, dropout masks and data come from {@code
     * cfg.seed()}.
     */
    public LeNet5(Device device, ExampleConfig cfg) {
        super("lenet", device, cfg.batchOr(DEFAULT_BATCH), new SyntheticDigits(cfg.seed())::batch,
                build(Layers.on(device, cfg.seed()).convAlgorithms(cfg.algorithms()).defaultInit(Init.torchDefault())),
                cfg.learningRateOr(DEFAULT_LR));
    }

    /** The network: (N, 1, 32, 32) images to (N, 10) logits. */
    public static Sequential build(Layers nn) {
        return nn.sequential(
                nn.conv2d(1, 6).kernel(5).build(), nn.tanh(), nn.avgPool2d(2),
                nn.conv2d(6, 16).kernel(5).build(), nn.tanh(), nn.avgPool2d(2),
                nn.flatten(),
                nn.linear(16 * 5 * 5, 120), nn.tanh(), nn.dropout(0.1),
                nn.linear(120, 84), nn.tanh(),
                nn.linear(84, SyntheticDigits.CLASSES));
    }
}
