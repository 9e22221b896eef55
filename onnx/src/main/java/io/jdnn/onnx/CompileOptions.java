package io.jdnn.onnx;

import io.jdnn.ConvAlgorithm;

/**
 * How {@link OnnxModel#compile(io.jdnn.Device, CompileOptions)} plans a model: the batch size it is
 * fixed to (0 keeps the one it was loaded with) and the convolution algorithm asked for (AUTO,
 * the default, lets the device pick, once per convolution at compile). Immutable.
 *
 * @param batch     the extent of every graph input's first dimension from now on, or 0 to keep the loaded one
 * @param algorithm the convolution algorithm every Conv runs with (AUTO: each one's pick of the device)
 */
public record CompileOptions(int batch, ConvAlgorithm algorithm) {
    /** Validates the batch (0 or positive) and the algorithm (not null). */
    public CompileOptions {
        if (batch < 0) {
            throw new IllegalArgumentException("batch: expected 0 (as loaded) or a positive size, got " + batch);
        }
        if (algorithm == null) {
            throw new IllegalArgumentException("algorithm: expected a convolution algorithm, got null");
        }
    }

    /** The batch the model was loaded with, AUTO algorithms. */
    public static CompileOptions defaults() {
        return new CompileOptions(0, ConvAlgorithm.AUTO);
    }

    /** These options with the batch fixed to {@code n}. */
    public CompileOptions withBatch(int n) {
        return new CompileOptions(n, algorithm);
    }

    /** These options with every convolution asking for {@code a}. */
    public CompileOptions withAlgorithm(ConvAlgorithm a) {
        return new CompileOptions(batch, a);
    }
}
