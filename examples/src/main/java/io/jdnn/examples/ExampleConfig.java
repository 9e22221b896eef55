package io.jdnn.examples;

import io.jdnn.nn.ConvAlgorithmChoice;

/**
 * Settings of a training example.
 *
 * @param seed         picks the weights, the dropout masks, the noise and the data
 * @param batch        images per step; 0 for the example's default
 * @param learningRate 0 for the example's default
 * @param algorithms   how conv layers pick their algorithms (AUTO: the backend's fastest)
 */
public record ExampleConfig(long seed, int batch, double learningRate, ConvAlgorithmChoice algorithms) {

    /** Validates: batch and learning rate non-negative (0 for the default), the rate finite, algorithms not null. */
    public ExampleConfig {
        if (batch < 0) {
            throw new IllegalArgumentException("batch: expected a value >= 0 (0 for the default), got " + batch);
        }
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate: expected a finite value >= 0 (0 for the default), got " + learningRate);
        }
        if (algorithms == null) {
            throw new IllegalArgumentException("algorithms: expected a ConvAlgorithmChoice, got null");
        }
    }

    /** Seed 1, default batch and learning rate, AUTO. */
    public static ExampleConfig defaults() {
        return new ExampleConfig(1, 0, 0, ConvAlgorithmChoice.auto());
    }

    /** This configuration with seed {@code s}. */
    public ExampleConfig withSeed(long s) {
        return new ExampleConfig(s, batch, learningRate, algorithms);
    }

    /** This configuration with batch {@code b} (0 for the example's default). */
    public ExampleConfig withBatch(int b) {
        return new ExampleConfig(seed, b, learningRate, algorithms);
    }

    /** This configuration with learning rate {@code lr} (0 for the example's default). */
    public ExampleConfig withLearningRate(double lr) {
        return new ExampleConfig(seed, batch, lr, algorithms);
    }

    /** This configuration with conv algorithm choice {@code a}. */
    public ExampleConfig withAlgorithms(ConvAlgorithmChoice a) {
        return new ExampleConfig(seed, batch, learningRate, a);
    }

    /** The batch, or {@code dflt} when it is 0. */
    public int batchOr(int dflt) {
        return batch == 0 ? dflt : batch;
    }

    /** The learning rate, or {@code dflt} when it is 0. */
    public double learningRateOr(double dflt) {
        return learningRate == 0 ? dflt : learningRate;
    }
}
