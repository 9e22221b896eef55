package io.jdnn.cpu.reference;

import io.jdnn.Activation;
import io.jdnn.Philox;

/**
 * Element-wise ops over n elements. Each loop reads element i before it writes element i, so an
 * output may be one of the inputs (in place), as the SPI allows.
 */
final class RefElementwise {
    private RefElementwise() {
    }

    // y (n) = f(x) (n), PyTorch's definitions (see Activation); NaN propagates
    static void activationForward(Activation a, int n, double[] x, double[] y) {
        double alpha = a.alpha();
        for (int i = 0; i < n; i++) {
            double v = x[i];
            y[i] = switch (a.kind()) {
                case RELU -> Math.max(v, 0.0);
                case LEAKY_RELU -> v > 0 ? v : v * alpha;
                case ELU -> v <= 0 ? alpha * Math.expm1(v) : v;
                case SIGMOID -> 1 / (1 + Math.exp(-v));
                case TANH -> Math.tanh(v);
            };
        }
    }

    // dx (n) = f'(x) * dy (n), from x; at 0: relu 0, leaky relu slope, elu alpha
    static void activationBackward(Activation a, int n, double[] x, double[] dy, double[] dx) {
        double alpha = a.alpha();
        for (int i = 0; i < n; i++) {
            double v = x[i];
            double g = dy[i];
            dx[i] = switch (a.kind()) {
                // PyTorch's threshold_backward: 0 where x <= 0, so a NaN input passes its gradient
                case RELU -> v <= 0 ? 0 : g;
                case LEAKY_RELU -> v > 0 ? g : g * alpha;
                case ELU -> v <= 0 ? g * alpha * Math.exp(v) : g;
                case SIGMOID -> {
                    double s = 1 / (1 + Math.exp(-v));
                    yield g * s * (1 - s);
                }
                case TANH -> {
                    double t = Math.tanh(v);
                    yield g * (1 - t * t);
                }
            };
        }
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
