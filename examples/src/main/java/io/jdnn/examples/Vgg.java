package io.jdnn.examples;

import io.jdnn.Device;
import io.jdnn.nn.Layers;
import io.jdnn.nn.Module;
import io.jdnn.nn.Sequential;

import java.util.ArrayList;
import java.util.List;

/**
 * A scaled-down VGG (Simonyan and Zisserman 2014) on {@link SyntheticShapes}: 3x24x24 input; three
 * stages of two 3x3 convolutions (padding 1) each followed by ReLU, then 2x2 max pooling, at 8, 16
 * and 16 channels (24 to 12, 6 and 3 pixels); then 144 -> 64 fully connected, ReLU, dropout 0.5, and
 * 64 -> 3. He-normal weights; softmax cross-entropy; SGD with momentum 0.9, learning rate 0.01.
 * Default batch 16.
 */
public final class Vgg extends ClassifierExample {
    /** Images per step unless configured. */
    public static final int DEFAULT_BATCH = 16;
    /** SGD learning rate unless configured. */
    public static final double DEFAULT_LR = 0.01;
    /** Channels of the three stages. */
    static final int[] STAGES = {8, 16, 16};

    /** Builds the network and its optimizer on {@code device}; weights, dropout masks and data come from {@code cfg.seed()}. */
    public Vgg(Device device, ExampleConfig cfg) {
        super("vgg", device, cfg.batchOr(DEFAULT_BATCH), new SyntheticShapes(cfg.seed())::batch,
                build(Layers.on(device, cfg.seed()).convAlgorithms(cfg.algorithms())), cfg.learningRateOr(DEFAULT_LR));
    }

    /** The network: (N, 3, 24, 24) images to (N, 3) logits. */
    public static Sequential build(Layers nn) {
        List<Module> layers = new ArrayList<>();
        int in = SyntheticShapes.CHANNELS;
        int side = SyntheticShapes.SIZE;
        for (int out : STAGES) {
            layers.add(nn.conv2d(in, out).kernel(3).padding(1).build());
            layers.add(nn.relu());
            layers.add(nn.conv2d(out, out).kernel(3).padding(1).build());
            layers.add(nn.relu());
            layers.add(nn.maxPool2d(2));
            in = out;
            side /= 2;
        }
        layers.add(nn.flatten());
        layers.add(nn.linear(in * side * side, 64));
        layers.add(nn.relu());
        layers.add(nn.dropout(0.5));
        layers.add(nn.linear(64, SyntheticShapes.CLASSES));
        return nn.sequential(layers);
    }
}
