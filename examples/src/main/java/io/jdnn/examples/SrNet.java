package io.jdnn.examples;

import io.jdnn.Device;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.nn.Layers;
import io.jdnn.nn.Module;
import io.jdnn.nn.MseLoss;
import io.jdnn.nn.OptimizerDriver;
import io.jdnn.nn.Sequential;
import io.jdnn.optim.Adam;

import java.util.ArrayList;
import java.util.List;

/**
 * A small residual dense super-resolution network (after Zhang et al. 2018, RDN) that learns to
 * reconstruct the 1x16x16 images of {@link SyntheticBlobs} from their 2x2-averaged 1x8x8 versions:
 * conv 3x3 to {@value #FEATURES} features; a residual dense block (layers of conv 3x3 to
 * {@value #GROWTH} channels plus ReLU, each concatenating its output to all the features before it,
 * 8 -> 12 -> 16 channels; a 1x1 fusion conv back to 8; plus the block's input); conv 3x3 to 4
 * channels; pixel shuffle by 2 to 1x16x16. Mean squared error against the high-resolution image;
 * Adam with learning rate 2e-3. Default batch 8.
 */
public final class SrNet implements Example {
    /** Images per step unless configured. */
    public static final int DEFAULT_BATCH = 8;
    /** Adam learning rate unless configured. */
    public static final double DEFAULT_LR = 2e-3;
    /** Feature channels entering and leaving the dense block. */
    public static final int FEATURES = 8;
    /** Channels each dense layer adds. */
    public static final int GROWTH = 4;
    /** Dense layers in the block. */
    public static final int DENSE_LAYERS = 2;
    /** Upscale factor. */
    public static final int SCALE = 2;

    private final Device device;
    private final int batch;
    private final SyntheticBlobs data;
    private final Sequential net;
    private final MseLoss loss;
    private final OptimizerDriver optimizer;

    /** Builds the network and its optimizer on {@code device}; weights and data come from {@code cfg.seed()}. */
    public SrNet(Device device, ExampleConfig cfg) {
        this.device = device;
        this.batch = cfg.batchOr(DEFAULT_BATCH);
        this.data = new SyntheticBlobs(cfg.seed());
        this.net = build(Layers.on(device, cfg.seed()).convAlgorithms(cfg.algorithms()));
        this.loss = new MseLoss(device);
        this.optimizer = OptimizerDriver.of(new Adam(cfg.learningRateOr(DEFAULT_LR), 0.9, 0.999, 1e-8, 0, false), net);
    }

    /** The network: (N, 1, H, W) low-resolution images to (N, 1, 2H, 2W). */
    public static Sequential build(Layers nn) {
        List<Module> dense = new ArrayList<>();
        int c = FEATURES;
        for (int i = 0; i < DENSE_LAYERS; i++) {
            dense.add(nn.concat(nn.identity(), nn.sequential(nn.conv2d(c, GROWTH).kernel(3).padding(1).build(), nn.relu())));
            c += GROWTH;
        }
        dense.add(nn.conv2d(c, FEATURES).kernel(1).build());
        return nn.sequential(
                nn.conv2d(1, FEATURES).kernel(3).padding(1).build(),
                nn.residual(nn.sequential(dense)),
                nn.conv2d(FEATURES, SCALE * SCALE).kernel(3).padding(1).build(),
                nn.pixelShuffle(SCALE));
    }

    /** The low-resolution version of {@code hr}: each SCALE x SCALE block of pixels averaged. */
    static Batch downsample(Batch hr) {
        Shape s = hr.shape();
        int n = s.dim(0) * s.dim(1);
        int h = s.dim(2) / SCALE;
        int w = s.dim(3) / SCALE;
        float[] out = new float[n * h * w];
        for (int p = 0; p < n; p++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double sum = 0;
                    for (int i = 0; i < SCALE; i++) {
                        for (int j = 0; j < SCALE; j++) {
                            sum += hr.images()[(p * s.dim(2) + y * SCALE + i) * s.dim(3) + x * SCALE + j];
                        }
                    }
                    out[(p * h + y) * w + x] = (float) (sum / (SCALE * SCALE));
                }
            }
        }
        return new Batch(Shape.of(s.dim(0), s.dim(1), h, w), out, hr.labels());
    }

    @Override
    public String name() {
        return "srnet";
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public List<String> lossNames() {
        return List.of("mse");
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
        Batch hr = data.batch(step, batch);
        Batch lr = downsample(hr);
        try (Tensor x = device.upload(lr.shape(), lr.images()); Tensor target = device.upload(hr.shape(), hr.images())) {
            net.zeroGrad();
            double l = loss.forward(net.forward(x), target);
            net.backward(loss.gradient());
            optimizer.step();
            return new double[] {l};
        }
    }

    @Override
    public List<Module> modules() {
        return List.of(net);
    }

    @Override
    public void release() {
        net.release();
        loss.release();
    }

    @Override
    public void close() {
        loss.close();
        net.close();
    }
}
