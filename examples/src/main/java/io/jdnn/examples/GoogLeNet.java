package io.jdnn.examples;

import io.jdnn.Device;
import io.jdnn.nn.Concat;
import io.jdnn.nn.Layers;
import io.jdnn.nn.Sequential;

/**
 * A scaled-down GoogLeNet (Szegedy et al. 2014) on {@link SyntheticShapes}: 3x24x24 input; stem conv
 * 3x3 padding 1 to 16 channels, ReLU, 3x3 stride-2 max pooling (12x12), local response normalization
 * (size 5, PyTorch's alpha, beta and k); an Inception block to 8 + 12 + 4 + 4 = 28 channels; 3x3
 * stride-2 max pooling (6x6); an Inception block to 12 + 16 + 6 + 6 = 40 channels; global average
 * pooling; linear to 3 classes. He-normal weights; softmax cross-entropy; SGD with momentum 0.9,
 * learning rate 0.01. Default batch 16.
 */
public final class GoogLeNet extends ClassifierExample {
    /** Images per step unless configured. */
    public static final int DEFAULT_BATCH = 16;
    /** SGD learning rate unless configured. */
    public static final double DEFAULT_LR = 0.01;

    /** Builds the network and its optimizer on {@code device}; weights and data come from {@code cfg.seed()}. */
    public GoogLeNet(Device device, ExampleConfig cfg) {
        super("googlenet", device, cfg.batchOr(DEFAULT_BATCH), new SyntheticShapes(cfg.seed())::batch,
                build(Layers.on(device, cfg.seed()).convAlgorithms(cfg.algorithms())), cfg.learningRateOr(DEFAULT_LR));
    }

    /** The network: (N, 3, 24, 24) images to (N, 3) logits. */
    public static Sequential build(Layers nn) {
        return nn.sequential(
                nn.conv2d(SyntheticShapes.CHANNELS, 16).kernel(3).padding(1).build(), nn.relu(),
                nn.maxPool2d(3, 2, 1), nn.localResponseNorm(5),
                inception(nn, 16, 8, 8, 12, 2, 4, 4),
                nn.maxPool2d(3, 2, 1),
                inception(nn, 28, 12, 12, 16, 4, 6, 6),
                nn.globalAvgPool2d(), nn.flatten(),
                nn.linear(40, SyntheticShapes.CLASSES));
    }

    /**
     * GoogLeNet's Inception block on {@code in} channels: four branches joined along the channels, a
     * 1x1 conv to {@code c1}; a 1x1 conv to {@code c3r} then a 3x3 conv to {@code c3}; a 1x1 conv to
     * {@code c5r} then a 5x5 conv to {@code c5}; a 3x3 stride-1 max pooling then a 1x1 conv to
     * {@code pool}; every conv followed by ReLU. Output channels c1 + c3 + c5 + pool, same height and width.
     */
    public static Concat inception(Layers nn, int in, int c1, int c3r, int c3, int c5r, int c5, int pool) {
        return nn.concat(
                nn.sequential(nn.conv2d(in, c1).kernel(1).build(), nn.relu()),
                nn.sequential(nn.conv2d(in, c3r).kernel(1).build(), nn.relu(),
                        nn.conv2d(c3r, c3).kernel(3).padding(1).build(), nn.relu()),
                nn.sequential(nn.conv2d(in, c5r).kernel(1).build(), nn.relu(),
                        nn.conv2d(c5r, c5).kernel(5).padding(2).build(), nn.relu()),
                nn.sequential(nn.maxPool2d(3, 1, 1), nn.conv2d(in, pool).kernel(1).build(), nn.relu()));
    }
}
