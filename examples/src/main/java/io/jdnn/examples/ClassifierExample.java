package io.jdnn.examples;

import io.jdnn.Device;
import io.jdnn.Tensor;
import io.jdnn.nn.CrossEntropyLoss;
import io.jdnn.nn.Module;
import io.jdnn.nn.OptimizerDriver;
import io.jdnn.nn.Sequential;
import io.jdnn.optim.Sgd;

import java.util.List;

/**
 * What the two classifier examples share: a network trained with softmax cross-entropy and SGD with
 * momentum 0.9 on batches drawn from an in-process data set, one loss per step.
 */
abstract class ClassifierExample implements Example {
    /** The labelled batch of one step: deterministic in (step, batch size). */
    interface DataSet {
        Batch batch(long step, int batchSize);
    }

    private final String name;
    private final Device device;
    private final int batch;
    private final DataSet data;
    private final Sequential net;
    private final CrossEntropyLoss loss;
    private final OptimizerDriver optimizer;

    ClassifierExample(String name, Device device, int batch, DataSet data, Sequential net, double learningRate) {
        this.name = name;
        this.device = device;
        this.batch = batch;
        this.data = data;
        this.net = net;
        this.loss = new CrossEntropyLoss(device);
        this.optimizer = OptimizerDriver.of(Sgd.withMomentum(learningRate, 0.9), net);
    }

    @Override
    public String name() {
        return name;
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
