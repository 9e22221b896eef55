package io.jdnn.nn;

import io.jdnn.Device;
import io.jdnn.Tensor;

/**
 * How a parameter's initial values are drawn, on the device, from the {@link io.jdnn.Philox}
 * stream ({@code seed}, {@code offset}) that {@link Layers} hands out, so that every backend starts
 * from the same weights (float64 on the reference, float32 elsewhere, equal up to that rounding).
 *
 * <p>Fan-in and fan-out follow PyTorch's {@code _calculate_fan_in_and_fan_out} on the weight as laid
 * out: {@code size(1) * kernelH * kernelW} and {@code size(0) * kernelH * kernelW} (for a linear layer
 * the input and output features).
 *
 * @param kind  the scheme
 * @param value the standard deviation of NORMAL, the bound of UNIFORM, the value of CONSTANT; unused otherwise
 */
public record Init(Kind kind, double value) {

    /** The schemes. */
    public enum Kind {
        /** He (Kaiming) normal for ReLU: N(0, 2 / fanIn). */
        HE_NORMAL,
        /** He (Kaiming) uniform for ReLU: U(-b, b), b = sqrt(6 / fanIn). */
        HE_UNIFORM,
        /** Glorot (Xavier) normal: N(0, 2 / (fanIn + fanOut)). */
        XAVIER_NORMAL,
        /** Glorot (Xavier) uniform: U(-b, b), b = sqrt(6 / (fanIn + fanOut)). */
        XAVIER_UNIFORM,
        /**
         * U(-b, b), b = 1 / sqrt(fanIn): what {@code torch.nn.Conv2d} and {@code torch.nn.Linear} draw their
         * weights from by default (Kaiming uniform with a = sqrt(5)).
         */
        TORCH_DEFAULT,
        /** N(0, value^2). */
        NORMAL,
        /** U(-value, value). */
        UNIFORM,
        /** Every element equal to value. */
        CONSTANT
    }

    /** Validates: {@code kind} not null, {@code value} finite, and non-negative unless the kind is CONSTANT. */
    public Init {
        if (kind == null) {
            throw new IllegalArgumentException("kind: expected an Init.Kind, got null");
        }
        if (!Double.isFinite(value) || (kind != Kind.CONSTANT && value < 0)) {
            throw new IllegalArgumentException("value: expected a finite value" + (kind == Kind.CONSTANT ? "" : " >= 0")
                    + " for " + kind + ", got " + value);
        }
    }

    /** He (Kaiming) normal, the {@link Layers}' default. */
    public static Init heNormal() {
        return new Init(Kind.HE_NORMAL, 0);
    }

    /** He (Kaiming) uniform. */
    public static Init heUniform() {
        return new Init(Kind.HE_UNIFORM, 0);
    }

    /** Glorot (Xavier) normal. */
    public static Init xavierNormal() {
        return new Init(Kind.XAVIER_NORMAL, 0);
    }

    /** Glorot (Xavier) uniform. */
    public static Init xavierUniform() {
        return new Init(Kind.XAVIER_UNIFORM, 0);
    }

    /** PyTorch's default weight initialization of convolution and linear layers. */
    public static Init torchDefault() {
        return new Init(Kind.TORCH_DEFAULT, 0);
    }

    /** N(0, std^2); {@code std} must be finite and non-negative. */
    public static Init normal(double std) {
        return new Init(Kind.NORMAL, std);
    }

    /** U(-bound, bound); {@code bound} must be finite and non-negative. */
    public static Init uniform(double bound) {
        return new Init(Kind.UNIFORM, bound);
    }

    /** Every element equal to {@code value} (finite). */
    public static Init constant(double value) {
        return new Init(Kind.CONSTANT, value);
    }

    /** Fills {@code t} as this scheme says; seed and offset pick the Philox stream. */
    public void fill(Device device, Tensor t, long fanIn, long fanOut, long seed, long offset) {
        switch (kind) {
            case HE_NORMAL -> device.randomNormal(t, 0, Math.sqrt(2.0 / fanIn), seed, offset);
            case HE_UNIFORM -> {
                double b = Math.sqrt(6.0 / fanIn);
                device.randomUniform(t, -b, b, seed, offset);
            }
            case XAVIER_NORMAL -> device.randomNormal(t, 0, Math.sqrt(2.0 / (fanIn + fanOut)), seed, offset);
            case XAVIER_UNIFORM -> {
                double b = Math.sqrt(6.0 / (fanIn + fanOut));
                device.randomUniform(t, -b, b, seed, offset);
            }
            case TORCH_DEFAULT -> {
                double b = 1 / Math.sqrt(fanIn);
                device.randomUniform(t, -b, b, seed, offset);
            }
            case NORMAL -> device.randomNormal(t, 0, value, seed, offset);
            case UNIFORM -> device.randomUniform(t, -value, value, seed, offset);
            case CONSTANT -> device.fill(t, (float) value);
        }
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NORMAL, UNIFORM, CONSTANT -> kind.name().toLowerCase(java.util.Locale.ROOT) + "(" + value + ")";
            default -> kind.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
