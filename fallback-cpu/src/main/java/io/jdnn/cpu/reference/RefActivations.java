package io.jdnn.cpu.reference;

import io.jdnn.Activation;
import io.jdnn.Erf;

/**
 * Activations over n elements in float64, PyTorch's definitions (see {@link Activation}), one
 * element at a time: {@link #f} and {@link #df} are the definitions. Each loop reads element i
 * before it writes element i, so an output may be one of the inputs (in place).
 */
final class RefActivations {
    private RefActivations() {
    }

    /** sqrt(2/pi), GELU_TANH's inner scale. */
    private static final double GELU_TANH_BETA = Math.sqrt(2 / Math.PI);
    private static final double GELU_TANH_KAPPA = 0.044715;
    /** HARDSIGMOID's slope as PyTorch's backward has it: 1/6 rounded to float32. */
    static final double HARDSIGMOID_SLOPE = 1.0f / 6;

    // y (n) = f(x) (n); NaN propagates
    static void forward(Activation a, int n, double[] x, double[] y) {
        for (int i = 0; i < n; i++) {
            y[i] = f(a, x[i]);
        }
    }

    // dx (n) = f'(x) * dy (n), from x
    static void backward(Activation a, int n, double[] x, double[] dy, double[] dx) {
        for (int i = 0; i < n; i++) {
            dx[i] = df(a, x[i], dy[i]);
        }
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** f(v). */
    static double f(Activation a, double v) {
        double alpha = a.alpha();
        return switch (a.kind()) {
            case RELU -> Math.max(v, 0.0);
            case LEAKY_RELU -> v > 0 ? v : v * alpha;
            case ELU -> v <= 0 ? alpha * Math.expm1(v) : v;
            case SIGMOID -> sigmoid(v);
            case TANH -> Math.tanh(v);
            // PyTorch's hardtanh(x, 0, 6): a clamp (NaN stays NaN)
            case RELU6 -> Double.isNaN(v) ? v : Math.min(Math.max(v, 0.0), 6.0);
            case HARDSIGMOID -> Double.isNaN(v) ? v : Math.min(Math.max(v + 3, 0.0), 6.0) / 6;
            case HARDSWISH -> Double.isNaN(v) ? v : v * Math.min(Math.max(v + 3, 0.0), 6.0) / 6;
            case SILU -> v * sigmoid(v);
            // exp(v) overflows to +inf for large v: log1p(inf) = inf, tanh(inf) = 1, so y = v
            case MISH -> v * Math.tanh(Math.log1p(Math.exp(v)));
            case GELU -> 0.5 * v * (1 + Erf.erf(v / Math.sqrt(2)));
            case GELU_TANH -> 0.5 * v * (1 + Math.tanh(GELU_TANH_BETA * (v + GELU_TANH_KAPPA * v * v * v)));
            case SOFTPLUS -> softplus(v, alpha, a.threshold());
        };
    }

    // x where beta*x > threshold, else log1p(exp(beta*x)) / beta, written as max(z, 0) + log1p(exp(-|z|))
    // (z = beta*x): the same value without the overflow of exp(z)
    private static double softplus(double v, double beta, double threshold) {
        double z = v * beta;
        if (z > threshold) {
            return v;
        }
        return (Math.max(z, 0.0) + Math.log1p(Math.exp(-Math.abs(z)))) / beta;
    }

    /** f'(v) * g; at the kinks PyTorch's conventions (see {@link Activation}). */
    static double df(Activation a, double v, double g) {
        double alpha = a.alpha();
        return switch (a.kind()) {
            // PyTorch's threshold_backward: 0 where x <= 0, so a NaN input passes its gradient
            case RELU -> v <= 0 ? 0 : g;
            case LEAKY_RELU -> v > 0 ? g : g * alpha;
            case ELU -> v <= 0 ? g * alpha * Math.exp(v) : g;
            case SIGMOID -> {
                double s = sigmoid(v);
                yield g * s * (1 - s);
            }
            case TANH -> {
                double t = Math.tanh(v);
                yield g * (1 - t * t);
            }
            // PyTorch 1.13, observed: the gradient passes strictly inside (0, 6) only (0 at the kinks and for NaN)
            case RELU6 -> v > 0 && v < 6 ? g : 0;
            // PyTorch's hardsigmoid_backward multiplies by 1/6 rounded to float32 even in float64
            case HARDSIGMOID -> v > -3 && v < 3 ? g * HARDSIGMOID_SLOPE : 0;
            // hardswish_backward: 1 from 3 on, 0 below -3, x/3 + 1/2 on [-3, 3) (NaN stays NaN)
            case HARDSWISH -> v >= 3 ? g : v < -3 ? 0 : g * (v / 3 + 0.5);
            case SILU -> {
                double s = sigmoid(v);
                yield g * s * (1 + v * (1 - s));
            }
            case MISH -> {
                double t = Math.tanh(Math.log1p(Math.exp(v)));
                yield g * (t + v * sigmoid(v) * (1 - t * t));
            }
            case GELU -> {
                double cdf = 0.5 * (1 + Erf.erf(v / Math.sqrt(2)));
                double pdf = Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
                yield g * (cdf + v * pdf);
            }
            case GELU_TANH -> {
                double t = Math.tanh(GELU_TANH_BETA * (v + GELU_TANH_KAPPA * v * v * v));
                double inner = GELU_TANH_BETA * (1 + 3 * GELU_TANH_KAPPA * v * v);
                yield g * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * inner);
            }
            // d/dx softplus = sigmoid(beta*x), and 1 where beta*x > threshold
            case SOFTPLUS -> v * alpha > a.threshold() ? g : g * sigmoid(v * alpha);
        };
    }
}
