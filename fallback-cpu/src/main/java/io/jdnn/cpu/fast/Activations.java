package io.jdnn.cpu.fast;

import io.jdnn.Activation;
import io.jdnn.Erf;

/**
 * The activations of the second set (relu6, hardsigmoid, hardswish, silu, mish, gelu, softplus)
 * over [from, to), for {@link Elementwise}'s chunks. The piecewise ones run in float32 (a clamp,
 * an add, a product: within an ulp or two); the transcendental ones go through float64
 * {@link Math} (and {@link Erf}) in overflow-free forms and round once.
 */
final class Activations {
    private Activations() {
    }

    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final double TANH_BETA = Math.sqrt(2 / Math.PI);
    private static final double TANH_KAPPA = 0.044715;

    /** log(1 + exp(z)) without overflow. */
    private static double softplus(double z) {
        return Math.max(z, 0.0) + Math.log1p(Math.exp(-Math.abs(z)));
    }

    /** 1 / (1 + exp(-z)), which saturates to 0 or 1 without producing NaN. */
    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    static void forward(Activation a, int from, int to, float[] x, float[] y) {
        switch (a.kind()) {
            case RELU6 -> {
                for (int i = from; i < to; i++) {
                    y[i] = Math.min(Math.max(x[i], 0f), 6f);
                }
            }
            case HARDSIGMOID -> {
                for (int i = from; i < to; i++) {
                    y[i] = Math.min(Math.max(x[i] + 3f, 0f), 6f) / 6f;
                }
            }
            case HARDSWISH -> {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    y[i] = v * Math.min(Math.max(v + 3f, 0f), 6f) / 6f;
                }
            }
            case SILU -> {
                for (int i = from; i < to; i++) {
                    double v = x[i];
                    y[i] = (float) (v * sigmoid(v));
                }
            }
            case MISH -> {
                for (int i = from; i < to; i++) {
                    double v = x[i];
                    y[i] = (float) (v * Math.tanh(softplus(v)));
                }
            }
            case GELU -> {
                for (int i = from; i < to; i++) {
                    double v = x[i];
                    y[i] = (float) (0.5 * v * (1 + Erf.erf(v * SQRT_HALF)));
                }
            }
            case GELU_TANH -> {
                for (int i = from; i < to; i++) {
                    double v = x[i];
                    y[i] = (float) (0.5 * v * (1 + Math.tanh(TANH_BETA * v * (1 + TANH_KAPPA * v * v))));
                }
            }
            case SOFTPLUS -> {
                double beta = a.alpha();
                double threshold = a.threshold();
                for (int i = from; i < to; i++) {
                    double z = x[i] * beta;
                    y[i] = z > threshold ? x[i] : (float) (softplus(z) / beta);
                }
            }
            default -> throw new IllegalArgumentException("activation " + a + ": not of the second set");
        }
    }

    static void backward(Activation a, int from, int to, float[] x, float[] dy, float[] dx) {
        switch (a.kind()) {
            case RELU6 -> {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    dx[i] = v > 0f && v < 6f ? dy[i] : 0f;
                }
            }
            case HARDSIGMOID -> {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    dx[i] = v > -3f && v < 3f ? dy[i] * (1f / 6f) : 0f;
                }
            }
            case HARDSWISH -> {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    dx[i] = v >= 3f ? dy[i] : v < -3f ? 0f : dy[i] * (v / 3f + 0.5f);
                }
            }
            case SILU -> {
                for (int i = from; i < to; i++) {
                    double v = x[i];
                    double s = sigmoid(v);
                    dx[i] = (float) (dy[i] * s * (1 + v * (1 - s)));
                }
            }
            case MISH -> {
                for (int i = from; i < to; i++) {
                    double v = x[i];
                    double t = Math.tanh(softplus(v));
                    dx[i] = (float) (dy[i] * (t + v * sigmoid(v) * (1 - t * t)));
                }
            }
            case GELU -> {
                for (int i = from; i < to; i++) {
                    double v = x[i];
                    double cdf = 0.5 * (1 + Erf.erf(v * SQRT_HALF));
                    dx[i] = (float) (dy[i] * (cdf + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v)));
                }
            }
            case GELU_TANH -> {
                for (int i = from; i < to; i++) {
                    double v = x[i];
                    double t = Math.tanh(TANH_BETA * v * (1 + TANH_KAPPA * v * v));
                    double slope = TANH_BETA * (1 + 3 * TANH_KAPPA * v * v);
                    dx[i] = (float) (dy[i] * 0.5 * (1 + t + v * (1 - t * t) * slope));
                }
            }
            case SOFTPLUS -> {
                double beta = a.alpha();
                double threshold = a.threshold();
                for (int i = from; i < to; i++) {
                    double z = x[i] * beta;
                    dx[i] = z > threshold ? dy[i] : (float) (dy[i] * sigmoid(z));
                }
            }
            default -> throw new IllegalArgumentException("activation " + a + ": not of the second set");
        }
    }
}
