package io.jdnn.tests.support;

import java.util.SplittableRandom;

/**
 * Random float32 input data, reproducible from a seed: every input tensor of a check draws from
 * its own stream ({@code seed} mixed with the stream's name), so that changing one input's size
 * does not change the others' values.
 */
public final class HostData {
    private final long seed;

    public HostData(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    /** The random source of the stream {@code name}. */
    public SplittableRandom stream(String name) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
    }

    /** {@code n} values uniform in [lo, hi), rounded to float32. */
    public float[] uniform(String name, int n, double lo, double hi) {
        SplittableRandom r = stream(name);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return out;
    }

    /** {@code n} values uniform in [-1, 1). */
    public float[] signed(String name, int n) {
        return uniform(name, n, -1, 1);
    }

    /**
     * {@code n} values from {k / 64 : k = -64..64}, exact in float32: products are multiples of
     * 2^-12 and sums of them stay exact in float32 up to 2^12 in magnitude, so a sum of
     * products comes out exact whatever the order or blocking, as with oneDNN's benchdnn fills. A
     * float32 result then carries no rounding that cancellation could inflate, which the metric
     * (normalized by the output's largest element) would otherwise report for outputs of one or a
     * few elements that all cancel.
     */
    public float[] dyadic(String name, int n) {
        SplittableRandom r = stream(name);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = r.nextInt(-64, 65) / 64f;
        }
        return out;
    }

    /**
     * {@code n} values from the small set {k / 4 : k = -levels..levels}: exact in float32 and with
     * many exact ties, which is what max pooling's tie-break and the zero-crossings of activations
     * need.
     */
    public float[] quantized(String name, int n, int levels) {
        SplittableRandom r = stream(name);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = r.nextInt(-levels, levels + 1) / 4f;
        }
        return out;
    }

    /** {@code n} values uniform in [lo, hi) with random signs and no zero: magnitudes in [lo, hi). */
    public float[] nonZero(String name, int n, double lo, double hi) {
        SplittableRandom r = stream(name);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            float v = (float) (lo + (hi - lo) * r.nextDouble());
            out[i] = r.nextBoolean() ? v : -v;
        }
        return out;
    }

    /** {@code n} integers in [0, bound). */
    public int[] ints(String name, int n, int bound) {
        SplittableRandom r = stream(name);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = r.nextInt(bound);
        }
        return out;
    }
}
