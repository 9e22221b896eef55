package io.jdnn.onnx.testing;

import io.jdnn.Shape;
import io.jdnn.nn.Layers;
import io.jdnn.nn.Module;

import java.util.Random;
import java.util.function.Function;

/**
 * An nn network the ONNX tests export, import or train: its name, its input shape, the range of its
 * random inputs, and how it is built.
 *
 * @param name  the case's name in test reports
 * @param input the input shape, batch included
 * @param range inputs are uniform in [-range, range)
 * @param build makes the network from a layer factory
 */
public record NetCase(String name, Shape input, double range, Function<Layers, Module> build) {
    /** A case with inputs in [-1, 1). */
    public NetCase(String name, Shape input, Function<Layers, Module> build) {
        this(name, input, 1, build);
    }

    /** An input of the case's shape and range drawn from {@code seed}. */
    public float[] input(long seed) {
        return uniform(input, range, seed);
    }

    /** Uniform values in [-range, range) for a tensor of shape {@code s}, drawn from {@code seed}. */
    public static float[] uniform(Shape s, double range, long seed) {
        Random r = new Random(seed);
        float[] x = new float[Math.toIntExact(s.elements())];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) ((r.nextDouble() * 2 - 1) * range);
        }
        return x;
    }

    @Override
    public String toString() {
        return name;
    }
}
