package io.jdnn.tests.conformance;

import io.jdnn.Activation;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.Tensor;
import io.jdnn.tests.support.Conformance;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Verdicts;

import java.util.List;
import java.util.Map;

/**
 * Convolution with a fused epilogue, y = activation(conv(x, w) + bias), against the reference
 * (its convolution then its activation in float64): every algorithm that can run the forward pass
 * of the problem on every device under test, and AUTO, y NaN-poisoned first.
 *
 * <p>Bound: the convolution's error passes through the activation scaled by at most its
 * Lipschitz constant L, and the activation adds its own rounding; so the bound is
 * L * {@link ConvAlgorithm#errorBound()} + {@link ErrorBounds#ELEMENTWISE}, normalized by
 * max(max|y|, max|conv + bias|): an activation that squashes (sigmoid, relu of mostly negative
 * sums) shrinks y but not the convolution's absolute error, which is set by the pre-activation
 * magnitude.
 */
final class ConvEpilogueChecks {
    private ConvEpilogueChecks() {
    }

    /** A bound on |f'| over the reals (hardswish's slope reaches 1.5 at 3; gelu's and silu's stay under 1.2). */
    static double lipschitz(Activation a) {
        return switch (a.kind()) {
            case LEAKY_RELU, ELU -> Math.max(1, Math.abs(a.alpha()));
            case HARDSWISH -> 1.5;
            case SIGMOID, HARDSIGMOID, RELU, RELU6, TANH, SOFTPLUS -> 1;
            case SILU, MISH, GELU, GELU_TANH -> 1.2;
        };
    }

    /** The fused forward pass of {@code p} with {@code algorithm}, y poisoned; activation null runs none. */
    static Conformance.Run run(ConvProblem p, ConvAlgorithm algorithm, boolean withBias, Activation activation,
                               HostData data) {
        return s -> {
            Tensor x = s.upload(p.inputShape(), data.dyadic("x", (int) p.inputShape().elements()));
            Tensor w = s.upload(p.weightShape(), data.dyadic("w", (int) p.weightShape().elements()));
            Tensor b = withBias ? s.upload(p.biasShape(), data.dyadic("b", p.outChannels())) : null;
            Tensor y = s.poisoned(p.outputShape());
            s.device().conv2d(p, algorithm, x, w, b, activation, y);
            return List.of(Output.of("y", y));
        };
    }

    /** Every applicable algorithm and AUTO of the fused forward pass of {@code p} on every device. */
    static void check(List<Device> devices, ConvProblem p, boolean withBias, Activation activation, long seed,
                      Verdicts v) {
        HostData data = new HostData(seed);
        Map<String, Output> ref = Conformance.reference(run(p, ConvAlgorithm.AUTO, withBias, activation, data));
        double scale = 0;
        for (double e : Conformance.reference(run(p, ConvAlgorithm.AUTO, withBias, null, data)).get("y").values()) {
            scale = Math.max(scale, Math.abs(e));
        }
        String op = "conv2d fwd + " + activation + (withBias ? " with bias" : "");
        for (Device d : devices) {
            List<ConvAlgorithm> algorithms;
            try {
                algorithms = d.applicableAlgorithms(p, ConvDirection.FORWARD);
            } catch (RuntimeException e) {
                v.threw(d, op, p, "applicableAlgorithms", e);
                continue;
            }
            for (ConvAlgorithm a : algorithms) {
                check(v, d, op, p, "algorithm " + a, run(p, a, withBias, activation, data), ref, activation, a, scale);
            }
            ConvAlgorithm chosen = d.autoAlgorithm(p, ConvDirection.FORWARD);
            check(v, d, op, p, "algorithm AUTO (picks " + chosen + ")",
                    run(p, ConvAlgorithm.AUTO, withBias, activation, data), ref, activation, chosen, scale);
        }
    }

    private static void check(Verdicts v, Device d, String op, ConvProblem p, String variant, Conformance.Run run,
                              Map<String, Output> ref, Activation activation, ConvAlgorithm a, double scale) {
        String fused = d.isActivationFused(p, a) ? " (fused)" : " (second launch)";
        Conformance.check(v, d, op, p, variant + fused, run, ref,
                Conformance.bounds("y", lipschitz(activation) * a.errorBound() + ErrorBounds.ELEMENTWISE),
                Map.of("y", scale));
    }
}
