package io.jdnn.nn.examples;

import io.jdnn.Device;
import io.jdnn.Tensor;
import io.jdnn.nn.CrossEntropyLoss;
import io.jdnn.nn.Init;
import io.jdnn.nn.Layers;
import io.jdnn.nn.Module;
import io.jdnn.nn.OptimizerDriver;
import io.jdnn.nn.Sequential;
import io.jdnn.optim.Sgd;

import java.util.List;

/**
 * LeNet-5 (LeCun et al. 1998) on {@link SyntheticDigits}, as published: tanh activations and
 * average-pooling subsampling. 1x32x32 input, conv 5x5 to 6 channels, pool, conv 5x5 to 16, pool, then
 * 400 -> 120 -> 84 -> 10 fully connected, with dropout 0.1 after the first; PyTorch's default weight
 * initialization; softmax cross-entropy; SGD with momentum 0.9, learning rate 0.05. Default batch 16.
 *
 * <p>Every op of this network is smooth in its input (no ReLU kink, no max-pooling argmax), so float32
 * and float64 runs follow the same path: its losses agree across backends to about 1e-7.
 */
public final class LeNet5 implements Example {
    /** Images per step unless configured. */
    public static final int DEFAULT_BATCH = 16;
    /** SGD learning rate unless configured. */
    public static final double DEFAULT_LR = 0.05;

    private final Device device;
    private final int batch;
    private final SyntheticDigits data;
    private final Sequential net;
    private final CrossEntropyLoss loss;
    private final OptimizerDriver optimizer;

    public LeNet5(Device device, ExampleConfig cfg) {
        this.device = device;
        this.batch = cfg.batchOr(DEFAULT_BATCH);
        this.data = new SyntheticDigits(cfg.seed());
        Layers nn = Layers.on(device, cfg.seed()).convAlgorithms(cfg.algorithms()).defaultInit(Init.torchDefault());
        this.net = build(nn);
        this.loss = new CrossEntropyLoss(device);
        this.optimizer = OptimizerDriver.of(Sgd.withMomentum(cfg.learningRateOr(DEFAULT_LR), 0.9), net);
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

    @Override
    public String name() {
        return "lenet";
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public List<String> lossNames() {
        return List.of("loss");
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
        try (Tensor x = device.upload(b.shape(), b.images())) {
            net.zeroGrad();
            double l = loss.forward(net.forward(x), b.labels());
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
