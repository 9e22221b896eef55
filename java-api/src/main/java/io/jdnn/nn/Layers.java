package io.jdnn.nn;

import io.jdnn.Activation;
import io.jdnn.BatchNormProblem;
import io.jdnn.Device;
import io.jdnn.GroupNormProblem;
import io.jdnn.LrnProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;

import java.util.List;

/**
 * Makes layers on one device from one seed. Each parameter tensor is drawn from its own
 * {@link io.jdnn.Philox} stream: the seed, and an offset that counts the parameters made so far
 * (0, 1, 2, ...); each dropout layer gets the offsets from {@code (k+1) * 2^40} on for the k-th
 * dropout layer made. Building the same network in the same order from the same seed therefore
 * gives the same weights and masks on every backend.
 *
 * <pre>{@code
 * Layers nn = Layers.on(device, 42);
 * Sequential net = nn.sequential(
 *     nn.conv2d(1, 6).kernel(5).build(), nn.relu(), nn.maxPool2d(2),
 *     nn.flatten(), nn.linear(6 * 14 * 14, 10).build());
 * }</pre>
 */
public final class Layers {
    private static final long DROPOUT_STREAM = 1L << 40;

    private final Device device;
    private final long seed;
    private long nextOffset;
    private long dropoutLayers;
    private ConvAlgorithmChoice convAlgorithms = ConvAlgorithmChoice.auto();
    private Init defaultInit = Init.heNormal();

    private Layers(Device device, long seed) {
        if (device == null) {
            throw new IllegalArgumentException("device: expected a Device, got null");
        }
        this.device = device;
        this.seed = seed;
    }

    /** A factory for layers on {@code device} whose random draws come from {@code seed}. */
    public static Layers on(Device device, long seed) {
        return new Layers(device, seed);
    }

    /** The device every layer made here lives on. */
    public Device device() {
        return device;
    }

    /** The seed of every parameter's and dropout mask's Philox stream. */
    public long seed() {
        return seed;
    }

    /** How convolution layers made from now on pick their algorithms (default {@link ConvAlgorithmChoice#auto()}). */
    public Layers convAlgorithms(ConvAlgorithmChoice choice) {
        if (choice == null) {
            throw new IllegalArgumentException("choice: expected a ConvAlgorithmChoice, got null");
        }
        this.convAlgorithms = choice;
        return this;
    }

    /** How convolution layers made from now on pick their algorithms. */
    public ConvAlgorithmChoice convAlgorithms() {
        return convAlgorithms;
    }

    /** The weight initialization of convolution and linear layers made from now on (default He normal). */
    public Layers defaultInit(Init init) {
        if (init == null) {
            throw new IllegalArgumentException("init: expected an Init, got null");
        }
        this.defaultInit = init;
        return this;
    }

    /** The weight initialization of convolution and linear layers made from now on. */
    public Init defaultInit() {
        return defaultInit;
    }

    /** A new parameter of {@code shape} initialized by {@code init} from the next Philox stream. */
    public Parameter parameter(String name, Shape shape, Init init, long fanIn, long fanOut) {
        Tensor t = device.allocate(shape);
        try {
            init.fill(device, t, fanIn, fanOut, seed, nextOffset++);
            return new Parameter(name, t);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** A 2-D convolution; set kernel, stride, padding, ... on the builder, then {@code build()}. */
    public ConvSettings.Builder<Conv2d> conv2d(int inChannels, int outChannels) {
        return new ConvSettings.Builder<>(this, false, inChannels, outChannels, Conv2d::new);
    }

    /** A 2-D transposed convolution; set kernel, stride, padding, outputPadding, ... then {@code build()}. */
    public ConvSettings.Builder<ConvTranspose2d> convTranspose2d(int inChannels, int outChannels) {
        return new ConvSettings.Builder<>(this, true, inChannels, outChannels, ConvTranspose2d::new);
    }

    /** Batch normalization with PyTorch's defaults (eps 1e-5, momentum 0.1). */
    public BatchNorm2d batchNorm2d(int channels) {
        return batchNorm2d(channels, BatchNormProblem.DEFAULT_EPS, BatchNormProblem.DEFAULT_MOMENTUM);
    }

    /**
     * Batch normalization over {@code channels} channels; {@code eps} must be positive and {@code momentum} in [0, 1].
     */
    public BatchNorm2d batchNorm2d(int channels, double eps, double momentum) {
        return new BatchNorm2d(this, channels, eps, momentum);
    }

    /** Max pooling with stride equal to the kernel, no padding. */
    public MaxPool2d maxPool2d(int kernel) {
        return maxPool2d(kernel, kernel, 0);
    }

    /** Max pooling with a square window; padding at most the kernel - 1. */
    public MaxPool2d maxPool2d(int kernel, int stride, int padding) {
        return new MaxPool2d(this, kernel, stride, padding, false);
    }

    /** Average pooling with stride equal to the kernel, no padding. */
    public AvgPool2d avgPool2d(int kernel) {
        return avgPool2d(kernel, kernel, 0);
    }

    /** Average pooling; padded positions count in the divisor (PyTorch's default). */
    public AvgPool2d avgPool2d(int kernel, int stride, int padding) {
        return new AvgPool2d(this, kernel, stride, padding, false, true);
    }

    /** Global average pooling: (N, C, H, W) to (N, C, 1, 1), for any H and W. */
    public AvgPool2d globalAvgPool2d() {
        return new AvgPool2d(this, 1);
    }

    /** A fully connected layer with a bias, weights from {@link #defaultInit()}. */
    public Linear linear(int in, int out) {
        return linear(in, out, true, defaultInit);
    }

    /**
     * A fully connected layer from {@code in} to {@code out} features, with or without a bias, weights from {@code
     * init}.
     */
    public Linear linear(int in, int out, boolean bias, Init init) {
        return new Linear(this, in, out, bias, init);
    }

    /** An element-wise activation layer applying {@code a}. */
    public ActivationLayer activation(Activation a) {
        return new ActivationLayer(this, a);
    }

    /** An element-wise ReLU layer. */
    public ActivationLayer relu() {
        return activation(Activation.relu());
    }

    /** An element-wise LeakyReLU layer with slope {@code negativeSlope} for negative inputs. */
    public ActivationLayer leakyRelu(double negativeSlope) {
        return activation(Activation.leakyRelu(negativeSlope));
    }

    /** An element-wise tanh layer. */
    public ActivationLayer tanh() {
        return activation(Activation.tanh());
    }

    /** An element-wise sigmoid layer. */
    public ActivationLayer sigmoid() {
        return activation(Activation.sigmoid());
    }

    /** PReLU with one learnable slope per channel ({@code numParameters} = C) or one shared (1), each starting at {@code init}. */
    public PRelu prelu(int numParameters, double init) {
        return new PRelu(this, numParameters, init);
    }

    /** PReLU with PyTorch's defaults: one shared slope starting at 0.25. */
    public PRelu prelu() {
        return prelu(1, 0.25);
    }

    /** Group normalization of {@code channels} channels in {@code groups} groups (a divisor), eps 1e-5. */
    public GroupNorm groupNorm(int groups, int channels) {
        return groupNorm(groups, channels, GroupNormProblem.DEFAULT_EPS);
    }

    /** Group normalization of {@code channels} channels in {@code groups} groups (a divisor); {@code eps} positive. */
    public GroupNorm groupNorm(int groups, int channels, double eps) {
        return new GroupNorm(this, groups, channels, eps);
    }

    /** Instance normalization of {@code channels} channels with a learnable affine transform, eps 1e-5. */
    public InstanceNorm instanceNorm(int channels) {
        return instanceNorm(channels, GroupNormProblem.DEFAULT_EPS);
    }

    /** Instance normalization of {@code channels} channels with a learnable affine transform; {@code eps} positive. */
    public InstanceNorm instanceNorm(int channels, double eps) {
        return new InstanceNorm(this, channels, eps);
    }

    /** Layer normalization over the trailing dimensions {@code normalizedShape}, eps 1e-5. */
    public LayerNorm layerNorm(int... normalizedShape) {
        return layerNorm(Shape.of(normalizedShape), GroupNormProblem.DEFAULT_EPS);
    }

    /** Layer normalization over the trailing dimensions {@code normalizedShape}; {@code eps} positive. */
    public LayerNorm layerNorm(Shape normalizedShape, double eps) {
        return new LayerNorm(this, normalizedShape, eps);
    }

    /** Local response normalization over windows of {@code size} channels with PyTorch's alpha 1e-4, beta 0.75, k 1. */
    public LocalResponseNorm localResponseNorm(int size) {
        return localResponseNorm(size, LrnProblem.DEFAULT_ALPHA, LrnProblem.DEFAULT_BETA, LrnProblem.DEFAULT_K);
    }

    /** Local response normalization over windows of {@code size} channels; alpha non-negative, k positive. */
    public LocalResponseNorm localResponseNorm(int size, double alpha, double beta, double k) {
        return new LocalResponseNorm(this, size, alpha, beta, k);
    }

    /** Pixel shuffle by upscale factor {@code r} (positive): (N, C*r², H, W) to (N, C, H*r, W*r). */
    public PixelShuffle pixelShuffle(int r) {
        return new PixelShuffle(this, r, false);
    }

    /** Pixel unshuffle by downscale factor {@code r} (positive): (N, C, H*r, W*r) to (N, C*r², H, W). */
    public PixelShuffle pixelUnshuffle(int r) {
        return new PixelShuffle(this, r, true);
    }

    /** Log-softmax over the classes of (batch, classes) input. */
    public LogSoftmax logSoftmax() {
        return new LogSoftmax(this);
    }

    /** Dropout with probability p; its masks come from this factory's seed and a stream of its own. */
    public Dropout dropout(double p) {
        dropoutLayers++;
        return new Dropout(this, p, seed, dropoutLayers * DROPOUT_STREAM);
    }

    /** The identity, y = x (a pass-through branch of a {@link Concat}). */
    public Identity identity() {
        return new Identity();
    }

    /** A layer that flattens every dimension after the batch into one. */
    public Flatten flatten() {
        return new Flatten(this);
    }

    /** The modules run one after another; at least one, none null. */
    public Sequential sequential(Module... modules) {
        return new Sequential(modules);
    }

    /** The modules of the list run one after another; at least one, none null. */
    public Sequential sequential(List<? extends Module> modules) {
        return new Sequential(modules);
    }

    /** The branches run on the same input, their outputs concatenated along the channels; at least one, none null. */
    public Concat concat(Module... branches) {
        return new Concat(device, branches == null ? null : java.util.Arrays.asList(branches));
    }

    /** y = main(x) + x. */
    public Residual residual(Module main) {
        return new Residual(device, main, null);
    }

    /** y = main(x) + shortcut(x). */
    public Residual residual(Module main, Module shortcut) {
        return new Residual(device, main, shortcut);
    }
}
