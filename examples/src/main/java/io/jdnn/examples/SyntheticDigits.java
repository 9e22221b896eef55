package io.jdnn.examples;

import io.jdnn.Shape;

import java.util.SplittableRandom;

/**
 * Procedurally drawn digits 0-9, one channel, 32x32 (LeNet-5's input size): the seven-segment
 * strokes of each digit, with a random box size, position, slant, stroke width and per-endpoint
 * jitter, anti-aliased, plus Gaussian pixel noise; values standardized to roughly zero mean and unit
 * variance. Batch {@code step} depends only on (seed, step), so every backend sees the same data.
 */
public final class SyntheticDigits {
    /** Image side. */
    public static final int SIZE = 32;
    /** Number of classes. */
    public static final int CLASSES = 10;

    // Segments a (top), b (top right), c (bottom right), d (bottom), e (bottom left), f (top left), g (middle)
    // as endpoints in the unit box (x right, y down).
    private static final double[][] SEGMENTS = {
        {0, 0, 1, 0}, {1, 0, 1, 0.5}, {1, 0.5, 1, 1}, {0, 1, 1, 1}, {0, 0.5, 0, 1}, {0, 0, 0, 0.5}, {0, 0.5, 1, 0.5},
    };
    private static final String[] DIGITS = {
        "abcdef", "bc", "abged", "abgcd", "fgbc", "afgcd", "afgecd", "abc", "abcdefg", "abcdfg",
    };

    private final long seed;

    /** A data set whose batches are drawn from {@code seed}. */
    public SyntheticDigits(long seed) {
        this.seed = seed;
    }

    /** Batch {@code step} of {@code n} images with uniformly drawn labels. */
    public Batch batch(long step, int n) {
        SplittableRandom r = Raster.forStep(seed, step);
        float[] img = new float[n * SIZE * SIZE];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(CLASSES);
            draw(r, labels[i], img, i * SIZE * SIZE);
        }
        return new Batch(Shape.of(n, 1, SIZE, SIZE), img, labels);
    }

    private static void draw(SplittableRandom r, int digit, float[] img, int base) {
        double w = 9 + 4 * r.nextDouble();
        double h = 17 + 5 * r.nextDouble();
        double cx = SIZE / 2.0 + (r.nextDouble() - 0.5) * 6;
        double cy = SIZE / 2.0 + (r.nextDouble() - 0.5) * 5;
        double slant = (r.nextDouble() - 0.5) * 0.5;
        double half = 0.8 + 0.7 * r.nextDouble();
        String segs = DIGITS[digit];
        double[][] lines = new double[segs.length()][];
        for (int s = 0; s < segs.length(); s++) {
            double[] u = SEGMENTS[segs.charAt(s) - 'a'];
            double[] l = new double[4];
            for (int e = 0; e < 2; e++) {
                double ux = u[2 * e];
                double uy = u[2 * e + 1];
                double y = cy + (uy - 0.5) * h + (r.nextDouble() - 0.5) * 1.5;
                double x = cx + (ux - 0.5) * w - slant * (y - cy) + (r.nextDouble() - 0.5) * 1.5;
                l[2 * e] = x;
                l[2 * e + 1] = y;
            }
            lines[s] = l;
        }
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double d = Double.MAX_VALUE;
                for (double[] l : lines) {
                    d = Math.min(d, Raster.segmentDistance(x + 0.5, y + 0.5, l[0], l[1], l[2], l[3]));
                }
                double v = Raster.coverage(d - half) + 0.05 * Raster.gaussian(r);
                img[base + y * SIZE + x] = (float) ((v - 0.15) / 0.35);
            }
        }
    }
}
