package io.jdnn.examples;

import io.jdnn.Activation;
import io.jdnn.Device;
import io.jdnn.nn.Init;
import io.jdnn.nn.Layers;
import io.jdnn.nn.Module;
import io.jdnn.nn.Sequential;

/**
 * A small ResNet (He et al. 2015) on {@link SyntheticShapes}: 3x24x24 input; stem conv 3x3 to
 * {@value #WIDTH} channels, batch norm, ELU, average pooling 2x2 (12x12); a basic block at
 * {@value #WIDTH} channels with the identity shortcut; a basic block to 2x{@value #WIDTH} channels
 * with stride 2 (6x6) and a 1x1 convolution plus batch norm as the shortcut; global average pooling;
 * linear to 3 classes. Softmax cross-entropy; SGD with momentum 0.9, learning rate 0.05. Default
 * batch 16.
 *
 * <p>The activation is ELU(1) rather than ReLU, and the stem pools by averaging rather than by
 * maximum, so that every op is continuously differentiable: with ReLU, a unit whose input lies within
 * float32 rounding of zero passes its gradient on one backend and blocks it on another (and a max
 * pooling window whose two largest values are that close routes it to different inputs). Over 20
 * steps of SGD such a flip grows past a 1e-4 relative difference of the loss in about one run in
 * ten; ELU(1) has slope 1 on both sides of zero, so a rounding of the input changes its gradient by a
 * rounding too. {@link #build(Layers, Activation)} makes the ReLU network.
 */
public final class SmallResNet extends ClassifierExample {
    /** Images per step unless configured. */
    public static final int DEFAULT_BATCH = 16;
    /** SGD learning rate unless configured. */
    public static final double DEFAULT_LR = 0.05;
    /** Channels of the stem and the first block. */
    public static final int WIDTH = 16;

    /** Builds the network and its optimizer on {@code device}; weights and data come from {@code cfg.seed()}. */
    public SmallResNet(Device device, ExampleConfig cfg) {
        super("resnet", device, cfg.batchOr(DEFAULT_BATCH), new SyntheticShapes(cfg.seed())::batch,
                build(Layers.on(device, cfg.seed()).convAlgorithms(cfg.algorithms())),
                cfg.learningRateOr(DEFAULT_LR));
    }

    /** The example's network: (N, 3, 24, 24) images to (N, 3) logits, with ELU(1) activations. */
    public static Sequential build(Layers nn) {
        return build(nn, Activation.elu(1));
    }

    /**
     * The network with {@code act} as every activation; with ReLU the stem pools with a 3x3 stride-2
     * maximum, as ResNet's does, otherwise with a 2x2 average.
     */
    public static Sequential build(Layers nn, Activation act) {
        int c = WIDTH;
        Module pool = act.kind() == Activation.Kind.RELU ? nn.maxPool2d(3, 2, 1) : nn.avgPool2d(2);
        return nn.sequential(
                nn.conv2d(SyntheticShapes.CHANNELS, c).kernel(3).padding(1).bias(false).build(), nn.batchNorm2d(c),
                nn.activation(act), pool,
                basicBlock(nn, c, c, 1, act),
                basicBlock(nn, c, 2 * c, 2, act),
                nn.globalAvgPool2d(), nn.flatten(),
                nn.linear(2 * c, SyntheticShapes.CLASSES, true, Init.torchDefault()));
    }

    /**
     * ResNet's basic block: act(bn(conv3x3(act(bn(conv3x3(x, stride))))) + shortcut(x)); the shortcut
     * is the identity, or a strided 1x1 convolution with batch norm where the shape changes.
     */
    public static Sequential basicBlock(Layers nn, int in, int out, int stride, Activation act) {
        Module main = nn.sequential(
                nn.conv2d(in, out).kernel(3).stride(stride).padding(1).bias(false).build(), nn.batchNorm2d(out),
                nn.activation(act),
                nn.conv2d(out, out).kernel(3).padding(1).bias(false).build(), nn.batchNorm2d(out));
        Module shortcut = in == out && stride == 1 ? null
                : nn.sequential(nn.conv2d(in, out).kernel(1).stride(stride).bias(false).build(), nn.batchNorm2d(out));
        return nn.sequential(nn.residual(main, shortcut), nn.activation(act));
    }
}
