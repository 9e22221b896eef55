package io.jdnn.examples;

import io.jdnn.Device;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.nn.CrossEntropyLoss;
import io.jdnn.nn.Init;
import io.jdnn.nn.Layers;
import io.jdnn.nn.Module;
import io.jdnn.nn.OptimizerDriver;
import io.jdnn.nn.Sequential;
import io.jdnn.optim.Adam;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * DCGAN (Radford et al. 2015) on {@link SyntheticBlobs}, 1x16x16 images.
 * <ul>
 *   <li>Generator: noise (N, {@value #NOISE}, 1, 1); transposed conv 4x4 to 32 channels (4x4), batch
 *       norm, LeakyReLU 0.2; transposed conv 4x4 stride 2 padding 1 to 16 (8x8), batch norm, LeakyReLU
 *       0.2; transposed conv 4x4 stride 2 padding 1 to 1 (16x16); tanh. (The paper's generator uses
 *       ReLU; with it, a unit whose input lies within float32 rounding of zero blocks its gradient on
 *       one backend and passes it on another, and Adam's normalized steps carry that into the weights:
 *       about one 20-step run in ten then differs from the reference by more than 1e-4. LeakyReLU
 *       keeps every unit's gradient alive, and the runs agree to about 1e-7.)</li>
 *   <li>Discriminator: conv 4x4 stride 2 padding 1 to 16 (8x8), LeakyReLU 0.2; conv 4x4 stride 2
 *       padding 1 to 32 (4x4), batch norm, LeakyReLU 0.2; conv 4x4 to 2 logits (fake, real). Two-class
 *       softmax cross-entropy is the binary cross-entropy of the logit difference.</li>
 *   <li>Weights N(0, 0.02), no bias before batch norm; Adam with learning rate 2e-4 and beta1 0.5 for
 *       both networks. Default batch 16.</li>
 *   <li>Step: the discriminator on a real batch (label real) and on the generator's batch (label
 *       fake), gradients summed, one update; then the generator through the updated discriminator
 *       (label real), one update. The step's losses are the discriminator's (sum of both terms) and
 *       the generator's. The noise of step t is the Philox normal stream (seed, 2^50 + t).</li>
 * </ul>
 */
public final class Dcgan implements Example {
    /** Images per step unless configured. */
    public static final int DEFAULT_BATCH = 16;
    /** Adam learning rate unless configured. */
    public static final double DEFAULT_LR = 2e-4;
    /** Noise channels. */
    public static final int NOISE = 16;
    private static final long NOISE_STREAM = 1L << 50;
    private static final long SAMPLE_STREAM = 1L << 51;
    private static final int REAL = 1;
    private static final int FAKE = 0;

    private final Device device;
    private final long seed;
    private final int batch;
    private final SyntheticBlobs data;
    private final Sequential generator;
    private final Sequential discriminator;
    private final CrossEntropyLoss loss;
    private final OptimizerDriver optG;
    private final OptimizerDriver optD;
    private final int[] realLabels;
    private final int[] fakeLabels;

    /**
     * Builds the generator, the discriminator and their optimizers on {@code device}; weights, noise and data come from
     * {@code cfg.seed()}.
     */
    public Dcgan(Device device, ExampleConfig cfg) {
        this.device = device;
        this.seed = cfg.seed();
        this.batch = cfg.batchOr(DEFAULT_BATCH);
        this.data = new SyntheticBlobs(cfg.seed());
        Layers nn = Layers.on(device, cfg.seed()).convAlgorithms(cfg.algorithms()).defaultInit(Init.normal(0.02));
        this.generator = generator(nn);
        this.discriminator = discriminator(nn);
        this.loss = new CrossEntropyLoss(device);
        double lr = cfg.learningRateOr(DEFAULT_LR);
        Adam rule = new Adam(lr, 0.5, 0.999, 1e-8, 0, false);
        this.optG = OptimizerDriver.of(rule, generator);
        this.optD = OptimizerDriver.of(rule, discriminator);
        this.realLabels = new int[batch];
        this.fakeLabels = new int[batch];
        Arrays.fill(realLabels, REAL);
        Arrays.fill(fakeLabels, FAKE);
    }

    /** (N, NOISE, 1, 1) noise to (N, 1, 16, 16) images in [-1, 1]. */
    public static Sequential generator(Layers nn) {
        return nn.sequential(
                nn.convTranspose2d(NOISE, 32).kernel(4).bias(false).build(), nn.batchNorm2d(32), nn.leakyRelu(0.2),
                nn.convTranspose2d(32, 16).kernel(4).stride(2).padding(1).bias(false).build(), nn.batchNorm2d(16), nn.leakyRelu(0.2),
                nn.convTranspose2d(16, 1).kernel(4).stride(2).padding(1).bias(false).build(), nn.tanh());
    }

    /** (N, 1, 16, 16) images to (N, 2) logits (fake, real). */
    public static Sequential discriminator(Layers nn) {
        return nn.sequential(
                nn.conv2d(1, 16).kernel(4).stride(2).padding(1).bias(false).build(), nn.leakyRelu(0.2),
                nn.conv2d(16, 32).kernel(4).stride(2).padding(1).bias(false).build(), nn.batchNorm2d(32), nn.leakyRelu(0.2),
                nn.conv2d(32, 2).kernel(4).build(), nn.flatten());
    }

    @Override
    public String name() {
        return "dcgan";
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public List<String> lossNames() {
        return List.of("loss_d", "loss_g");
    }

    @Override
    public int objective() {
        return 0;
    }

    @Override
    public int batchSize() {
        return batch;
    }

    @Override
    public double[] step(long step) {
        Batch b = data.batch(step, batch);
        try (Tensor real = device.upload(b.shape(), b.images());
             Tensor z = device.allocate(Shape.of(batch, NOISE, 1, 1))) {
            device.randomNormal(z, 0, 1, seed, NOISE_STREAM + step);
            Tensor fake = generator.forward(z);

            discriminator.zeroGrad();
            double lossReal = loss.forward(discriminator.forward(real), realLabels);
            discriminator.backward(loss.gradient());
            double lossFake = loss.forward(discriminator.forward(fake), fakeLabels);
            discriminator.backward(loss.gradient());
            optD.step();

            discriminator.zeroGrad();
            generator.zeroGrad();
            double lossG = loss.forward(discriminator.forward(fake), realLabels);
            generator.backward(discriminator.backward(loss.gradient()));
            optG.step();
            return new double[] {lossReal + lossFake, lossG};
        }
    }

    /** {@code n} images from a fixed noise batch (the Philox normal stream (seed, 2^51)), generator in training mode. */
    @Override
    public Optional<Batch> samples(int n) {
        try (Tensor z = device.allocate(Shape.of(n, NOISE, 1, 1))) {
            device.randomNormal(z, 0, 1, seed, SAMPLE_STREAM);
            Tensor img = generator.forward(z);
            Batch out = new Batch(img.shape(), img.toArray(), new int[0]);
            generator.release();
            return Optional.of(out);
        }
    }

    @Override
    public List<Module> modules() {
        return List.of(generator, discriminator);
    }

    @Override
    public void release() {
        generator.release();
        discriminator.release();
        loss.release();
    }

    @Override
    public void close() {
        loss.close();
        generator.close();
        discriminator.close();
    }
}
