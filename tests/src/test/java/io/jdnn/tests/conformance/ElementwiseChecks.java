package io.jdnn.tests.conformance;

import io.jdnn.Activation;
import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.tests.support.Comparison;
import io.jdnn.tests.support.Conformance;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Verdicts;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Element-wise ops against the reference: activations forward and backward (also in place),
 * axpby (with every aliasing the API allows), dropout forward and backward (the mask must be
 * bitwise the reference's: the same elements are zero), and the random fills.
 */
final class ElementwiseChecks {
    private ElementwiseChecks() {
    }

    /** Which tensors of an op share storage. */
    enum Aliasing {
        /** Every output is a tensor of its own. */
        NONE,
        /** The output is the first input (in place). */
        OUT_IS_FIRST,
        /** The output is the second input (in place). */
        OUT_IS_SECOND,
        /** axpby only: both inputs are one tensor. */
        INPUTS_SAME,
        /** axpby only: both inputs and the output are one tensor. */
        ALL_SAME
    }

    /**
     * Activation inputs: multiples of 1/4 in [-6, 6] (exact zeros, where each derivative's
     * convention at 0 matters) or uniform in [-6, 6).
     */
    static float[] activationInput(int n, boolean quantized, HostData data) {
        return quantized ? data.quantized("x", n, 24) : data.uniform("x", n, -6, 6);
    }

    static void activationForward(List<Device> devices, Activation a, int n, boolean quantized, boolean inPlace,
                                  long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Shape shape = Shape.of(n);
        Conformance.Run run = s -> {
            Tensor x = s.upload(shape, activationInput(n, quantized, data));
            Tensor y = inPlace ? x : s.poisoned(shape);
            s.device().activation(a, x, y);
            return List.of(Output.of("y", y));
        };
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            Conformance.check(v, d, "activation fwd", a + " n=" + n, inPlace ? "in place" : "", run, ref,
                    Conformance.bounds("y", ErrorBounds.ELEMENTWISE));
        }
    }

    /**
     * Activations whose derivative changes sign inside the domain (silu near -1.28, gelu near -0.75,
     * ...): there f'(x) is the difference of terms of size about 1, so float32 leaves an absolute
     * error of a few 2^-24 * |dy| however small dx is. Their dx is compared with errors normalized
     * by max(max|dx|, max|dy|) (see {@link io.jdnn.tests.support.Comparison}); with more than a few
     * elements max|dx| is about max|dy| anyway, so this only matters for the shortest tensors.
     */
    static final Set<Activation.Kind> GRADIENT_CROSSES_ZERO = EnumSet.of(Activation.Kind.HARDSWISH,
            Activation.Kind.SILU, Activation.Kind.MISH, Activation.Kind.GELU, Activation.Kind.GELU_TANH);

    static void activationBackward(List<Device> devices, Activation a, int n, boolean quantized, Aliasing alias,
                                   long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Shape shape = Shape.of(n);
        float[] dyValues = data.signed("dy", n);
        double dyScale = 0;
        if (GRADIENT_CROSSES_ZERO.contains(a.kind())) {
            for (float g : dyValues) {
                dyScale = Math.max(dyScale, Math.abs(g));
            }
        }
        Conformance.Run run = s -> {
            Tensor x = s.upload(shape, activationInput(n, quantized, data));
            Tensor dy = s.upload(shape, dyValues);
            Tensor dx = switch (alias) {
                case OUT_IS_FIRST -> x;
                case OUT_IS_SECOND -> dy;
                default -> s.poisoned(shape);
            };
            s.device().activationBackward(a, x, dy, dx);
            return List.of(Output.of("dx", dx));
        };
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            Conformance.check(v, d, "activation bwd", a + " n=" + n, aliasName(alias, "dx", "x", "dy"), run, ref,
                    Conformance.bounds("dx", ErrorBounds.ELEMENTWISE), Map.of("dx", dyScale));
        }
    }

    /**
     * axpby on dyadic a and b with dyadic alpha and beta (the caller's), so that alpha * a + beta * b
     * is exact in float32: with a and b one tensor, or with one element, every output element could
     * otherwise be a cancellation (0.5 a - 0.48 a) whose float32 rounding the metric would count
     * as the kernel's error.
     */
    static void axpby(List<Device> devices, int n, double alpha, double beta, Aliasing alias, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Shape shape = Shape.of(n);
        Conformance.Run run = s -> {
            Tensor a = s.upload(shape, data.dyadic("a", n));
            Tensor b = alias == Aliasing.INPUTS_SAME || alias == Aliasing.ALL_SAME ? a : s.upload(shape, data.dyadic("b", n));
            Tensor out = switch (alias) {
                case OUT_IS_FIRST, ALL_SAME -> a;
                case OUT_IS_SECOND -> b;
                default -> s.poisoned(shape);
            };
            s.device().axpby(alpha, a, beta, b, out);
            return List.of(Output.of("out", out));
        };
        Map<String, Output> ref = Conformance.reference(run);
        String problem = "axpby_n" + n + "_alpha=" + alpha + "_beta=" + beta;
        for (Device d : devices) {
            Conformance.check(v, d, "axpby", problem, aliasName(alias, "out", "a", "b"), run, ref,
                    Conformance.bounds("out", ErrorBounds.ELEMENTWISE));
        }
    }

    private static String aliasName(Aliasing alias, String out, String first, String second) {
        return switch (alias) {
            case NONE -> "";
            case OUT_IS_FIRST -> out + " is " + first;
            case OUT_IS_SECOND -> out + " is " + second;
            case INPUTS_SAME -> first + " is " + second;
            case ALL_SAME -> out + ", " + first + " and " + second + " are one tensor";
        };
    }

    static String dropoutProblem(int n, double p, long seed, long offset) {
        return "dropout_n" + n + "_p=" + p + "_seed=" + seed + "_offset=" + offset;
    }

    /**
     * Dropout forward (x) or backward (dy) on inputs that are never zero, so an output element is
     * zero exactly where the mask drops it: the values are compared under
     * {@link ErrorBounds#ELEMENTWISE} and the zero pattern must equal the reference's bit for bit.
     */
    static void dropout(List<Device> devices, int n, double p, long dropSeed, long offset, boolean backward,
                        boolean inPlace, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Shape shape = Shape.of(n);
        String name = backward ? "dx" : "y";
        Conformance.Run run = s -> {
            Tensor in = s.upload(shape, data.nonZero("in", n, 0.125, 2));
            Tensor out = inPlace ? in : s.poisoned(shape);
            if (backward) {
                s.device().dropoutBackward(p, dropSeed, offset, in, out);
            } else {
                s.device().dropout(p, dropSeed, offset, in, out);
            }
            return List.of(Output.of(name, out));
        };
        Map<String, Output> ref = Conformance.reference(run);
        String problem = dropoutProblem(n, p, dropSeed, offset);
        String op = backward ? "dropout bwd" : "dropout fwd";
        String variant = inPlace ? "in place" : "";
        for (Device d : devices) {
            Map<String, Output> got = Conformance.check(v, d, op, problem, variant, run, ref,
                    Conformance.bounds(name, ErrorBounds.ELEMENTWISE));
            if (!got.isEmpty()) {
                String why = maskMismatch(name, got.get(name).values(), ref.get(name).values());
                if (why != null) {
                    v.failed(d, op, problem, variant + (variant.isEmpty() ? "" : ", ") + "mask", why);
                }
            }
        }
    }

    /** Null when exactly the same elements are zero; otherwise the first mismatching indices. */
    static String maskMismatch(String name, double[] got, double[] ref) {
        List<String> first = new ArrayList<>();
        long count = 0;
        for (int i = 0; i < ref.length; i++) {
            boolean droppedRef = ref[i] == 0;
            boolean droppedGot = got[i] == 0;
            if (droppedRef != droppedGot) {
                if (first.size() < Comparison.SHOWN) {
                    first.add(name + "[" + i + "] " + (droppedGot ? "dropped" : "kept (" + got[i] + ")")
                            + ", the reference " + (droppedRef ? "drops it" : "keeps it (" + ref[i] + ")"));
                }
                count++;
            }
        }
        if (count == 0) {
            return null;
        }
        return "dropout mask differs from the reference's in " + count + " of " + ref.length + " elements:\n  "
                + String.join("\n  ", first) + (count > first.size() ? "\n  ..." : "");
    }

    static void randomUniform(List<Device> devices, int n, double lo, double hi, long rngSeed, long offset, Verdicts v) {
        Shape shape = Shape.of(n);
        Conformance.Run run = s -> {
            Tensor t = s.poisoned(shape);
            s.device().randomUniform(t, lo, hi, rngSeed, offset);
            return List.of(Output.of("out", t));
        };
        Map<String, Output> ref = Conformance.reference(run);
        String problem = "uniform_n" + n + "_lo=" + lo + "_hi=" + hi + "_seed=" + rngSeed + "_offset=" + offset;
        for (Device d : devices) {
            Conformance.check(v, d, "randomUniform", problem, "", run, ref, Conformance.bounds("out", ErrorBounds.RANDOM));
        }
    }

    static void randomNormal(List<Device> devices, int n, double mean, double std, long rngSeed, long offset, Verdicts v) {
        Shape shape = Shape.of(n);
        Conformance.Run run = s -> {
            Tensor t = s.poisoned(shape);
            s.device().randomNormal(t, mean, std, rngSeed, offset);
            return List.of(Output.of("out", t));
        };
        Map<String, Output> ref = Conformance.reference(run);
        String problem = "normal_n" + n + "_mean=" + mean + "_std=" + std + "_seed=" + rngSeed + "_offset=" + offset;
        for (Device d : devices) {
            Conformance.check(v, d, "randomNormal", problem, "", run, ref, Conformance.bounds("out", ErrorBounds.RANDOM));
        }
    }
}
