package io.jdnn.cpu.reference;

import io.jdnn.Philox;

/**
 * Element-wise ops over n elements (the activations are {@link RefActivations}). Each loop reads
 * element i before it writes element i, so an output may be one of the inputs (in place), as the
 * SPI allows.
 */
final class RefElementwise {
    private RefElementwise() {
    }

    // out (n) = alpha * a (n) + beta * b (n)
    static void axpby(int n, double alpha, double[] a, double beta, double[] b, double[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = alpha * a[i] + beta * b[i];
        }
    }

    // y (n) = Philox.keep(p, seed, offset, i) ? x / (1 - p) : 0; p == 1 drops every element
    static void dropoutForward(int n, double p, long seed, long offset, double[] x, double[] y) {
        for (int i = 0; i < n; i++) {
            y[i] = p < 1 && Philox.keep(p, seed, offset, i) ? x[i] / (1 - p) : 0;
        }
    }

    // dx (n) = the same mask as the forward pass applied to dy (n)
    static void dropoutBackward(int n, double p, long seed, long offset, double[] dy, double[] dx) {
        for (int i = 0; i < n; i++) {
            dx[i] = p < 1 && Philox.keep(p, seed, offset, i) ? dy[i] / (1 - p) : 0;
        }
    }

    // out (n) = lo + (hi - lo) * Philox.uniform(seed, offset, i)
    static void randomUniform(int n, double lo, double hi, long seed, long offset, double[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = lo + (hi - lo) * Philox.uniform(seed, offset, i);
        }
    }

    // out (n) = mean + std * Philox.normal(seed, offset, i)
    static void randomNormal(int n, double mean, double std, long seed, long offset, double[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = mean + std * Philox.normal(seed, offset, i);
        }
    }
}
