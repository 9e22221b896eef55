package io.jdnn;

/**
 * An element-wise activation with its parameter, PyTorch's definitions:
 * <ul>
 *   <li>RELU: max(x, 0); the gradient at 0 is 0.</li>
 *   <li>LEAKY_RELU(slope): x if x &gt; 0 else slope*x; the gradient at 0 is slope.</li>
 *   <li>ELU(alpha): x if x &gt; 0 else alpha*(exp(x) - 1); the gradient at 0 is alpha.</li>
 *   <li>SIGMOID: 1 / (1 + exp(-x)).</li>
 *   <li>TANH: tanh(x).</li>
 * </ul>
 * Backward passes take x (not y), so every activation can run in place on its input.
 */
public record Activation(Kind kind, double alpha) {

    /** The activation functions. */
    public enum Kind { RELU, LEAKY_RELU, ELU, SIGMOID, TANH }

    public Activation {
        if (kind == null) {
            throw new IllegalArgumentException("kind: expected one of RELU, LEAKY_RELU, ELU, SIGMOID, TANH, got null");
        }
        Check.finite(kind == Kind.LEAKY_RELU ? "negativeSlope" : "alpha", alpha);
        if (kind == Kind.ELU) {
            Check.nonNegative("alpha", alpha);
        }
    }

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

    public static Activation sigmoid() {
        return new Activation(Kind.SIGMOID, 0);
    }

    public static Activation tanh() {
        return new Activation(Kind.TANH, 0);
    }

    /** Reads {@code relu}, {@code leakyrelu_slope=0.01}, {@code elu_alpha=1}, {@code sigmoid} or {@code tanh}. */
    public static Activation parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("relu", "leakyrelu", "elu", "sigmoid", "tanh");
        return switch (s.kind()) {
            case "relu" -> relu();
            case "leakyrelu" -> leakyRelu(s.allowOnly(java.util.Set.of("slope")).doubleOr("slope", 0.01));
            case "elu" -> elu(s.allowOnly(java.util.Set.of("alpha")).doubleOr("alpha", 1.0));
            case "sigmoid" -> sigmoid();
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
            default -> kind.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
