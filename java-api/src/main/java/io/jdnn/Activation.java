package io.jdnn;

import java.util.Set;

/**
 * An element-wise activation with its parameters, PyTorch's definitions:
 * <ul>
 *   <li>RELU: max(x, 0); the gradient at 0 is 0.</li>
 *   <li>LEAKY_RELU(slope): x if x &gt; 0 else slope*x; the gradient at 0 is slope.</li>
 *   <li>ELU(alpha): x if x &gt; 0 else alpha*(exp(x) - 1); the gradient at 0 is alpha.</li>
 *   <li>SIGMOID: 1 / (1 + exp(-x)).</li>
 *   <li>TANH: tanh(x).</li>
 *   <li>RELU6: min(max(x, 0), 6); the gradient is 1 strictly inside (0, 6), 0 elsewhere (0 at 0 and 6).</li>
 *   <li>HARDSIGMOID: relu6(x + 3) / 6; the gradient is 1/6 strictly inside (-3, 3), 0 elsewhere
 *       (PyTorch's backward uses 1/6 rounded to float32, also in float64).</li>
 *   <li>HARDSWISH: x * relu6(x + 3) / 6; the gradient is 0 below -3, x/3 + 1/2 on [-3, 3) (so
 *       -1/2 at -3) and 1 from 3 on (PyTorch 1.13's hardswish_backward).</li>
 *   <li>SILU: x * sigmoid(x).</li>
 *   <li>MISH: x * tanh(softplus(x)), softplus(x) = log(1 + exp(x)).</li>
 *   <li>GELU: x * Phi(x) = x/2 * (1 + erf(x / sqrt(2))) (PyTorch's approximate="none").</li>
 *   <li>GELU_TANH: x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) (approximate="tanh").</li>
 *   <li>SOFTPLUS(beta, threshold): x where beta*x &gt; threshold, else log(1 + exp(beta*x)) / beta.</li>
 * </ul>
 * Backward passes take x (not y), so every activation can run in place on its input.
 *
 * @param kind      the function
 * @param alpha     LEAKY_RELU's negative slope, ELU's alpha, SOFTPLUS's beta; unused by the others
 * @param threshold SOFTPLUS's threshold; 0 for every other kind
 */
public record Activation(Kind kind, double alpha, double threshold) {

    /** The activation functions (definitions in the class comment). */
    public enum Kind {
        /** max(x, 0). */
        RELU,
        /** x if x &gt; 0 else slope*x (slope in alpha). */
        LEAKY_RELU,
        /** x if x &gt; 0 else alpha*(exp(x) - 1). */
        ELU,
        /** 1 / (1 + exp(-x)). */
        SIGMOID,
        /** tanh(x). */
        TANH,
        /** min(max(x, 0), 6). */
        RELU6,
        /** x * relu6(x + 3) / 6. */
        HARDSWISH,
        /** relu6(x + 3) / 6. */
        HARDSIGMOID,
        /** x * sigmoid(x). */
        SILU,
        /** x * tanh(softplus(x)). */
        MISH,
        /** x * Phi(x), the exact GELU (erf). */
        GELU,
        /** GELU's tanh approximation. */
        GELU_TANH,
        /** log(1 + exp(beta*x)) / beta (beta in alpha), x above the threshold. */
        SOFTPLUS
    }

    /** PyTorch's default softplus threshold. */
    public static final double SOFTPLUS_THRESHOLD = 20;

    /** Validates: alpha finite (positive for SOFTPLUS, non-negative for ELU), threshold finite and 0 unless SOFTPLUS. */
    public Activation {
        if (kind == null) {
            throw new IllegalArgumentException("kind: expected one of " + java.util.Arrays.toString(Kind.values())
                    + ", got null");
        }
        Check.finite(switch (kind) {
            case LEAKY_RELU -> "negativeSlope";
            case SOFTPLUS -> "beta";
            default -> "alpha";
        }, alpha);
        if (kind == Kind.ELU) {
            Check.nonNegative("alpha", alpha);
        }
        Check.finite("threshold", threshold);
        if (kind == Kind.SOFTPLUS) {
            Check.positive("beta", alpha);
        } else {
            Check.that(threshold == 0, "threshold", "0 (only SOFTPLUS takes a threshold)", threshold);
        }
    }

    /** An activation of one parameter (or none): SOFTPLUS gets PyTorch's default threshold, 20. */
    public Activation(Kind kind, double alpha) {
        this(kind, alpha, kind == Kind.SOFTPLUS ? SOFTPLUS_THRESHOLD : 0);
    }

    /** max(x, 0). */
    public static Activation relu() {
        return new Activation(Kind.RELU, 0);
    }

    /** PyTorch's default slope is 0.01. */
    public static Activation leakyRelu(double negativeSlope) {
        return new Activation(Kind.LEAKY_RELU, negativeSlope);
    }

    /** PyTorch's default alpha is 1. */
    public static Activation elu(double alpha) {
        return new Activation(Kind.ELU, alpha);
    }

    /** 1 / (1 + exp(-x)). */
    public static Activation sigmoid() {
        return new Activation(Kind.SIGMOID, 0);
    }

    /** tanh(x). */
    public static Activation tanh() {
        return new Activation(Kind.TANH, 0);
    }

    /** min(max(x, 0), 6). */
    public static Activation relu6() {
        return new Activation(Kind.RELU6, 0);
    }

    /** x * relu6(x + 3) / 6. */
    public static Activation hardswish() {
        return new Activation(Kind.HARDSWISH, 0);
    }

    /** relu6(x + 3) / 6. */
    public static Activation hardsigmoid() {
        return new Activation(Kind.HARDSIGMOID, 0);
    }

    /** x * sigmoid(x) (also called swish). */
    public static Activation silu() {
        return new Activation(Kind.SILU, 0);
    }

    /** x * tanh(softplus(x)). */
    public static Activation mish() {
        return new Activation(Kind.MISH, 0);
    }

    /** The exact GELU, x * Phi(x) (PyTorch's approximate="none"). */
    public static Activation gelu() {
        return new Activation(Kind.GELU, 0);
    }

    /** The tanh approximation of GELU (PyTorch's approximate="tanh"). */
    public static Activation geluTanh() {
        return new Activation(Kind.GELU_TANH, 0);
    }

    /** log(1 + exp(beta*x)) / beta, and x where beta*x &gt; threshold; PyTorch's defaults are 1 and 20. */
    public static Activation softplus(double beta, double threshold) {
        return new Activation(Kind.SOFTPLUS, beta, threshold);
    }

    /**
     * Reads {@code relu}, {@code leakyrelu_slope=0.01}, {@code elu_alpha=1}, {@code sigmoid}, {@code tanh},
     * {@code relu6}, {@code hardswish}, {@code hardsigmoid}, {@code silu}, {@code mish}, {@code gelu},
     * {@code gelutanh} or {@code softplus_beta=1_threshold=20} (omitted values take PyTorch's defaults).
     */
    public static Activation parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("relu", "leakyrelu", "elu", "sigmoid", "tanh",
                "relu6", "hardswish", "hardsigmoid", "silu", "mish", "gelu", "gelutanh", "softplus");
        return switch (s.kind()) {
            case "relu" -> relu();
            case "leakyrelu" -> leakyRelu(s.allowOnly(Set.of("slope")).doubleOr("slope", 0.01));
            case "elu" -> elu(s.allowOnly(Set.of("alpha")).doubleOr("alpha", 1.0));
            case "sigmoid" -> sigmoid();
            case "relu6" -> relu6();
            case "hardswish" -> hardswish();
            case "hardsigmoid" -> hardsigmoid();
            case "silu" -> silu();
            case "mish" -> mish();
            case "gelu" -> gelu();
            case "gelutanh" -> geluTanh();
            case "softplus" -> {
                ProblemString p = s.allowOnly(Set.of("beta", "threshold"));
                yield softplus(p.doubleOr("beta", 1.0), p.doubleOr("threshold", SOFTPLUS_THRESHOLD));
            }
            default -> tanh();
        };
    }

    /** Minimal bytes of the forward pass over {@code n} elements: x in, y out. */
    public static long forwardBytes(long n) {
        return 2 * n * Float.BYTES;
    }

    /** Minimal bytes of the backward pass over {@code n} elements: x and dy in, dx out. */
    public static long backwardBytes(long n) {
        return 3 * n * Float.BYTES;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case LEAKY_RELU -> ProblemString.of("leakyrelu").d("slope", alpha).toString();
            case ELU -> ProblemString.of("elu").d("alpha", alpha).toString();
            case SOFTPLUS -> ProblemString.of("softplus").d("beta", alpha).d("threshold", threshold).toString();
            case GELU_TANH -> "gelutanh";
            default -> kind.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
