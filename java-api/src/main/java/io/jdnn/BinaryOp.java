package io.jdnn;

import java.util.Locale;

/**
 * The broadcasting binary arithmetic of {@link Device#binary}: PyTorch's {@code torch.add},
 * {@code sub}, {@code mul}, {@code div}, {@code maximum} and {@code minimum} (NumPy broadcasting
 * of a and b). Each constant documents its forward value and the gradients of
 * {@link Device#binaryBackward} before they are summed back to each input's shape.
 */
public enum BinaryOp {
    /** y = a + b; da = dy, db = dy. */
    ADD,
    /** y = a - b; da = dy, db = -dy. */
    SUB,
    /** y = a * b; da = dy * b, db = dy * a. */
    MUL,
    /** y = a / b; da = dy / b, db = -dy * (a / b) / b. */
    DIV,
    /**
     * y = max(a, b), NaN if either is NaN; at a tie (a == b) each input gets dy / 2, else the larger
     * one gets dy and the other 0 (where a or b is NaN, both get dy), as torch 1.13's maximum backward.
     */
    MAXIMUM,
    /** y = min(a, b), NaN if either is NaN; ties and NaN as {@link #MAXIMUM}, the smaller input getting dy. */
    MINIMUM;

    /** y = op(a, b) in float64 (a float32 backend rounds this once: exact for + - * /, which round correctly). */
    public double apply(double a, double b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAXIMUM -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
            case MINIMUM -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b);
        };
    }

    /** g times d op(a, b) / da, ties of maximum and minimum split evenly (see the constants). */
    public double gradA(double a, double b, double g) {
        return switch (this) {
            case ADD, SUB -> g;
            case MUL -> g * b;
            case DIV -> g / b;
            case MAXIMUM -> a == b ? g / 2 : a < b ? 0 : g;
            case MINIMUM -> a == b ? g / 2 : a > b ? 0 : g;
        };
    }

    /** g times d op(a, b) / db, ties of maximum and minimum split evenly (see the constants). */
    public double gradB(double a, double b, double g) {
        return switch (this) {
            case ADD -> g;
            case SUB -> -g;
            case MUL -> g * a;
            case DIV -> -g * (a / b) / b;
            case MAXIMUM -> a == b ? g / 2 : a > b ? 0 : g;
            case MINIMUM -> a == b ? g / 2 : a < b ? 0 : g;
        };
    }

    /** PyTorch's name of the op: {@code add}, ..., {@code minimum}. */
    public String opName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The op of PyTorch's name {@code name}. */
    public static BinaryOp fromName(String name) {
        for (BinaryOp op : values()) {
            if (op.opName().equals(name)) {
                return op;
            }
        }
        throw new IllegalArgumentException("binary op: expected one of add, sub, mul, div, maximum, minimum, got '"
                + name + "'");
    }
}
