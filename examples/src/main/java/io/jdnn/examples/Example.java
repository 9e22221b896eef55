package io.jdnn.examples;

import io.jdnn.Device;
import io.jdnn.nn.Module;

import java.util.List;
import java.util.Optional;

/**
 * A network, its optimizer and its procedurally generated data set on one device, trained one step
 * at a time. {@link Examples} makes them by name; {@code jdnn train} and the cross-backend agreement
 * test drive them the same way.
 */
public interface Example extends AutoCloseable {

    /** lenet, resnet, dcgan, alexnet, vgg, googlenet, srnet. */
    String name();

    /** The device the network, its optimizer state and its data live on. */
    Device device();

    /** Names of the losses {@link #step} returns, in order. */
    List<String> lossNames();

    /** Index of the loss that training drives down (the discriminator's for the GAN). */
    int objective();

    /** Training images consumed per step. */
    int batchSize();

    /**
     * Trains step {@code step} (1, 2, ...) on that step's batch and returns its losses, computed in
     * the forward pass before the update; waits for the device.
     */
    double[] step(long step);

    /** The networks, for parameter counts and memory accounting. */
    List<Module> modules();

    /** A few generated images (the GAN), values in [-1, 1]; empty for the classifiers. */
    default Optional<Batch> samples(int n) {
        return Optional.empty();
    }

    /** Frees activations and losses, keeping weights and optimizer state. */
    void release();

    /** Device tensors left once {@link #release()} has run: parameters, gradients, optimizer state, buffers. */
    default long persistentTensors() {
        long n = 0;
        for (Module m : modules()) {
            n += m.persistentTensors();
        }
        return n;
    }

    /** Trainable parameter count (elements). */
    default long parameterCount() {
        long n = 0;
        for (Module m : modules()) {
            for (var p : m.parameters()) {
                n += p.shape().elements();
            }
        }
        return n;
    }

    /** Frees every tensor the example holds. */
    @Override
    void close();
}
