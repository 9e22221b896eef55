package io.jdnn.examples;

import io.jdnn.Shape;

import java.util.SplittableRandom;

/**
 * Unlabelled images for the GAN, one channel, 16x16: one or two soft Gaussian blobs of random
 * position and width over a faint linear gradient, in [-1, 1] (what a tanh generator produces).
 * Batch {@code step} depends only on (seed, step).
 */
public final class SyntheticBlobs {
    /** Image side. */
    public static final int SIZE = 16;

    private final long seed;

    /** A data set whose batches are drawn from {@code seed}. */
    public SyntheticBlobs(long seed) {
        this.seed = seed;
    }

    /** Batch {@code step} of {@code n} images. */
    public Batch batch(long step, int n) {
        SplittableRandom r = Raster.forStep(seed, step);
        float[] img = new float[n * SIZE * SIZE];
        for (int i = 0; i < n; i++) {
            int blobs = 1 + r.nextInt(2);
            double[] bx = new double[blobs];
            double[] by = new double[blobs];
            double[] bs = new double[blobs];
            for (int b = 0; b < blobs; b++) {
                bx[b] = 3 + r.nextDouble() * (SIZE - 6);
                by[b] = 3 + r.nextDouble() * (SIZE - 6);
                bs[b] = 1.5 + 1.5 * r.nextDouble();
            }
            double gx = (r.nextDouble() - 0.5) * 0.03;
            double gy = (r.nextDouble() - 0.5) * 0.03;
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    double v = 0.15 + gx * (x - SIZE / 2.0) + gy * (y - SIZE / 2.0);
                    for (int b = 0; b < blobs; b++) {
                        double dx = x + 0.5 - bx[b];
                        double dy = y + 0.5 - by[b];
                        v += Math.exp(-(dx * dx + dy * dy) / (2 * bs[b] * bs[b]));
                    }
                    img[i * SIZE * SIZE + y * SIZE + x] = (float) (2 * Math.min(1, Math.max(0, v)) - 1);
                }
            }
        }
        return new Batch(Shape.of(n, 1, SIZE, SIZE), img, new int[0]);
    }
}
