package io.jdnn.examples;

import io.jdnn.Shape;

import java.util.SplittableRandom;

/**
 * Procedurally drawn filled shapes, three classes (0 circle, 1 square, 2 triangle), three channels,
 * 24x24: random centre, size (radius 6 to 9 pixels), rotation within +-10 degrees, a random
 * foreground colour on a random dark background, anti-aliased edges and Gaussian pixel noise; values
 * scaled to [-1, 1] before the noise. The colour carries no class information. Batch {@code step}
 * depends only on (seed, step).
 */
public final class SyntheticShapes {
    /** Image side. */
    public static final int SIZE = 24;
    /** Colour channels. */
    public static final int CHANNELS = 3;
    /** Number of classes. */
    public static final int CLASSES = 3;

    private final long seed;

    /** A data set whose batches are drawn from {@code seed}. */
    public SyntheticShapes(long seed) {
        this.seed = seed;
    }

    /** Batch {@code step} of {@code n} images with uniformly drawn labels. */
    public Batch batch(long step, int n) {
        SplittableRandom r = Raster.forStep(seed, step);
        int plane = SIZE * SIZE;
        float[] img = new float[n * CHANNELS * plane];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int cls = r.nextInt(CLASSES);
            labels[i] = cls;
            double size = 6 + 3 * r.nextDouble();
            double cx = SIZE / 2.0 + (r.nextDouble() - 0.5) * (SIZE - 2 * size - 2);
            double cy = SIZE / 2.0 + (r.nextDouble() - 0.5) * (SIZE - 2 * size - 2);
            double angle = (r.nextDouble() - 0.5) * Math.toRadians(20);
            double[] fg = new double[CHANNELS];
            double[] bg = new double[CHANNELS];
            for (int c = 0; c < CHANNELS; c++) {
                fg[c] = 0.45 + 0.55 * r.nextDouble();
                bg[c] = 0.3 * r.nextDouble();
            }
            double cos = Math.cos(angle);
            double sin = Math.sin(angle);
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    double px = x + 0.5 - cx;
                    double py = y + 0.5 - cy;
                    double u = cos * px + sin * py;
                    double v = -sin * px + cos * py;
                    double sd = switch (cls) {
                        case 0 -> Math.sqrt(u * u + v * v) - size;
                        case 1 -> Math.max(Math.abs(u), Math.abs(v)) - size * 0.8;
                        default -> triangle(u, v, size);
                    };
                    double cov = Raster.coverage(sd);
                    for (int c = 0; c < CHANNELS; c++) {
                        double val = bg[c] + (fg[c] - bg[c]) * cov;
                        img[((i * CHANNELS + c) * SIZE + y) * SIZE + x] = (float) (2 * val - 1 + 0.05 * Raster.gaussian(r));
                    }
                }
            }
        }
        return new Batch(Shape.of(n, CHANNELS, SIZE, SIZE), img, labels);
    }

    /** Signed distance (approximate: the largest edge distance) to an equilateral triangle of circumradius {@code size}. */
    private static double triangle(double u, double v, double size) {
        double inradius = size / 2;
        double d = -Double.MAX_VALUE;
        for (int k = 0; k < 3; k++) {
            double a = -Math.PI / 2 + k * 2 * Math.PI / 3;
            d = Math.max(d, u * Math.cos(a) + v * Math.sin(a) - inradius);
        }
        return d;
    }
}
