package io.jdnn.examples;

import io.jdnn.Device;
import io.jdnn.nn.Layers;
import io.jdnn.nn.Sequential;

/**
 * A scaled-down AlexNet (Krizhevsky et al. 2012) on {@link SyntheticShapes}: 3x24x24 input; conv 5x5
 * stride 2 padding 2 to 16 channels (12x12), ReLU, local response normalization (size 5, alpha 1e-4,
 * beta 0.75, k 2 as in the paper), overlapping 3x3 stride-2 max pooling (5x5); conv 3x3 padding 1 to
 * 24, ReLU, LRN, 3x3 stride-2 max pooling (2x2); three convs 3x3 padding 1 (32, 32, 24 channels) each
 * with ReLU; then 96 -> 64 -> 64 -> 3 fully connected with ReLU, dropout 0.5 after the first. (The
 * paper's last max pooling and its second dropout are left out: at this size they leave too little to
 * learn from in 20 steps.) He-normal weights; softmax cross-entropy; SGD with momentum 0.9, learning
 * rate 0.02. Default batch 16.
 */
public final class AlexNet extends ClassifierExample {
    /** Images per step unless configured. */
    public static final int DEFAULT_BATCH = 16;
    /** SGD learning rate unless configured. */
    public static final double DEFAULT_LR = 0.02;

    /** Builds the network and its optimizer on {@code device}; weights, dropout masks and data come from {@code cfg.seed()}. */
    public AlexNet(Device device, ExampleConfig cfg) {
        super("alexnet", device, cfg.batchOr(DEFAULT_BATCH), new SyntheticShapes(cfg.seed())::batch,
                build(Layers.on(device, cfg.seed()).convAlgorithms(cfg.algorithms())), cfg.learningRateOr(DEFAULT_LR));
    }

    /** The network: (N, 3, 24, 24) images to (N, 3) logits. */
    public static Sequential build(Layers nn) {
        return nn.sequential(
                nn.conv2d(SyntheticShapes.CHANNELS, 16).kernel(5).stride(2).padding(2).build(), nn.relu(),
                nn.localResponseNorm(5, 1e-4, 0.75, 2), nn.maxPool2d(3, 2, 0),
                nn.conv2d(16, 24).kernel(3).padding(1).build(), nn.relu(),
                nn.localResponseNorm(5, 1e-4, 0.75, 2), nn.maxPool2d(3, 2, 0),
                nn.conv2d(24, 32).kernel(3).padding(1).build(), nn.relu(),
                nn.conv2d(32, 32).kernel(3).padding(1).build(), nn.relu(),
                nn.conv2d(32, 24).kernel(3).padding(1).build(), nn.relu(),
                nn.flatten(),
                nn.linear(24 * 2 * 2, 64), nn.relu(), nn.dropout(0.5),
                nn.linear(64, 64), nn.relu(),
                nn.linear(64, SyntheticShapes.CLASSES));
    }
}
