package io.jdnn.tests.conformance;

import io.jdnn.AlgorithmNotSupportedException;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.Tensor;
import io.jdnn.tests.support.Conformance;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Scope;
import io.jdnn.tests.support.Verdicts;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Convolution (direct and transposed) against the reference: every direction with every
 * algorithm of every device under test.
 *
 * <p>For each device and each {@link ConvAlgorithm} but AUTO: where {@code whyNot} is empty the
 * algorithm must be one the device lists and its output must be within
 * {@link ConvAlgorithm#errorBound()}; where it is not, asking for it must throw
 * {@link AlgorithmNotSupportedException} naming it. AUTO must run, pick a listed algorithm that
 * can run the problem (TF32 only on a device opened with {@code allowTf32}, BF16 only with
 * {@code allowBf16}), and stay within that
 * algorithm's bound.
 */
final class ConvChecks {
    private ConvChecks() {
    }

    /** The output each direction produces. */
    static String outputName(ConvDirection direction) {
        return switch (direction) {
            case FORWARD -> "y";
            case BACKWARD_DATA -> "dx";
            case BACKWARD_FILTER -> "dw";
        };
    }

    /** {@code conv2d fwd} or {@code conv2d bwd-data}. */
    static String op(ConvDirection direction) {
        return "conv2d " + direction.shortName();
    }

    /** One pass of {@code p} with {@code algorithm}, its output poisoned, on the scope's device. */
    static Conformance.Run run(ConvProblem p, ConvDirection direction, ConvAlgorithm algorithm, boolean withBias,
                               HostData data) {
        return s -> {
            Device d = s.device();
            switch (direction) {
                case FORWARD -> {
                    Tensor x = s.upload(p.inputShape(), data.dyadic("x", (int) p.inputShape().elements()));
                    Tensor w = s.upload(p.weightShape(), data.dyadic("w", (int) p.weightShape().elements()));
                    Tensor b = withBias ? s.upload(p.biasShape(), data.dyadic("b", p.outChannels())) : null;
                    Tensor y = s.poisoned(p.outputShape());
                    d.conv2d(p, algorithm, x, w, b, y);
                    return List.of(Output.of("y", y));
                }
                case BACKWARD_DATA -> {
                    Tensor dy = s.upload(p.outputShape(), data.dyadic("dy", (int) p.outputShape().elements()));
                    Tensor w = s.upload(p.weightShape(), data.dyadic("w", (int) p.weightShape().elements()));
                    Tensor dx = s.poisoned(p.inputShape());
                    d.conv2dBackwardData(p, algorithm, dy, w, dx);
                    return List.of(Output.of("dx", dx));
                }
                default -> {
                    Tensor x = s.upload(p.inputShape(), data.dyadic("x", (int) p.inputShape().elements()));
                    Tensor dy = s.upload(p.outputShape(), data.dyadic("dy", (int) p.outputShape().elements()));
                    Tensor dw = s.poisoned(p.weightShape());
                    d.conv2dBackwardFilter(p, algorithm, x, dy, dw);
                    return List.of(Output.of("dw", dw));
                }
            }
        };
    }

    /** Every algorithm and AUTO of {@code direction} of {@code p} on every device. */
    static void check(List<Device> devices, ConvProblem p, ConvDirection direction, boolean withBias, long seed,
                      Verdicts v) {
        HostData data = new HostData(seed);
        Map<String, Output> ref = Conformance.reference(run(p, direction, ConvAlgorithm.AUTO, withBias, data));
        String out = outputName(direction);
        String op = op(direction) + (withBias ? " with bias" : "");
        String via = p.transposed() ? " (runs as direct " + p.directDirection(direction).shortName() + ")" : "";
        for (Device d : devices) {
            List<ConvAlgorithm> listed;
            try {
                listed = d.algorithms();
            } catch (RuntimeException e) {
                v.threw(d, op, p, "algorithms()", e);
                continue;
            }
            for (ConvAlgorithm a : ConvAlgorithm.values()) {
                if (a == ConvAlgorithm.AUTO) {
                    continue;
                }
                String variant = "algorithm " + a + via;
                Optional<String> why;
                try {
                    why = d.whyNot(p, direction, a);
                } catch (RuntimeException e) {
                    v.threw(d, op, p, variant + " whyNot", e);
                    continue;
                }
                if (why.isEmpty()) {
                    if (!listed.contains(a)) {
                        v.failed(d, op, p, variant, "whyNot is empty for " + a + ", which algorithms() does not list "
                                + listed + ": a request for it would run something unnamed");
                        continue;
                    }
                    Conformance.check(v, d, op, p, variant, run(p, direction, a, withBias, data), ref,
                            Conformance.bounds(out, a.errorBound()));
                } else {
                    expectUnsupported(v, d, op, p, variant, a, why.get(), run(p, direction, a, withBias, data));
                }
            }
            ConvAlgorithm chosen;
            try {
                chosen = d.autoAlgorithm(p, direction);
            } catch (RuntimeException e) {
                v.threw(d, op, p, "algorithm AUTO" + via + " autoAlgorithm", e);
                continue;
            }
            String variant = "algorithm AUTO (picks " + chosen + ")" + via;
            Optional<String> why = chosen == ConvAlgorithm.AUTO ? Optional.empty() : d.whyNot(p, direction, chosen);
            if (chosen == ConvAlgorithm.AUTO || !listed.contains(chosen) || why.isPresent()) {
                v.failed(d, op, p, variant, "AUTO picked " + chosen + ", which is not a listed algorithm " + listed
                        + " that can run the problem" + why.map(w -> " (whyNot: " + w + ")").orElse(""));
                continue;
            }
            if (chosen == ConvAlgorithm.TENSOR_CORE_TF32 && !d.options().allowTf32()) {
                v.failed(d, op, p, variant, "AUTO picked TENSOR_CORE_TF32 on a device opened without allowTf32 "
                        + "(DeviceOptions: AUTO considers TF32 only when allowed)");
                continue;
            }
            if (chosen == ConvAlgorithm.TENSOR_CORE_BF16 && !d.options().allowBf16()) {
                v.failed(d, op, p, variant, "AUTO picked TENSOR_CORE_BF16 on a device opened without allowBf16 "
                        + "(DeviceOptions: AUTO considers BF16 only when allowed)");
                continue;
            }
            Conformance.check(v, d, op, p, variant, run(p, direction, ConvAlgorithm.AUTO, withBias, data), ref,
                    Conformance.bounds(out, chosen.errorBound()));
        }
    }

    /** Asking for an algorithm whose whyNot is non-empty must throw AlgorithmNotSupportedException naming it. */
    private static void expectUnsupported(Verdicts v, Device d, String op, ConvProblem p, String variant,
                                          ConvAlgorithm a, String why, Conformance.Run run) {
        try (Scope s = new Scope(d)) {
            run.run(s);
            v.failed(d, op, p, variant, "whyNot says '" + why + "' but the request ran instead of throwing "
                    + "AlgorithmNotSupportedException");
        } catch (AlgorithmNotSupportedException e) {
            if (e.algorithm() != a) {
                v.failed(d, op, p, variant, "AlgorithmNotSupportedException names " + e.algorithm() + ", expected " + a
                        + ": " + e.getMessage());
            } else {
                v.compared(d, op, p, variant + " rejected", List.of());
            }
        } catch (RuntimeException e) {
            v.threw(d, op, p, variant + " (expected AlgorithmNotSupportedException: " + why + ")", e);
        }
    }

    /** The bias gradient (dy summed over batch and space per output channel). */
    static void checkBias(List<Device> devices, ConvProblem p, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Conformance.Run run = s -> {
            Tensor dy = s.upload(p.outputShape(), data.dyadic("dy", (int) p.outputShape().elements()));
            Tensor db = s.poisoned(p.biasShape());
            s.device().conv2dBackwardBias(p, dy, db);
            return List.of(Output.of("db", db));
        };
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            // Bias gradients are per-channel sums over N*P*Q values: ErrorBounds.REDUCTION's family.
            Conformance.check(v, d, "conv2d bwd-bias", p, "", run, ref, Conformance.bounds("db", ErrorBounds.REDUCTION));
        }
    }
}
