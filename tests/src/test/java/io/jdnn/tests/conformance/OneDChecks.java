package io.jdnn.tests.conformance;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.Conv1dProblem;
import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.Pool1dProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.tests.support.Conformance;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Verdicts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * 1-D convolution and pooling of (N, C, L) tensors against the reference: each convolution
 * direction with AUTO and with every algorithm that applies to the height-1 2-D form on each
 * device (bound: that algorithm's {@link ConvAlgorithm#errorBound()}), the bias gradient
 * ({@link ErrorBounds#REDUCTION}) and pooling forward and backward ({@link ErrorBounds#POOLING}).
 */
final class OneDChecks {
    private OneDChecks() {
    }

    private static float[] dyadic(HostData data, String name, Shape shape) {
        return data.dyadic(name, (int) shape.elements());
    }

    /** One pass of {@code p} in {@code direction} with {@code algorithm}, its output poisoned. */
    static Conformance.Run conv(Conv1dProblem p, ConvDirection direction, ConvAlgorithm algorithm, boolean withBias,
                                HostData data) {
        return s -> {
            Device d = s.device();
            switch (direction) {
                case FORWARD -> {
                    Tensor x = s.upload(p.inputShape(), dyadic(data, "x", p.inputShape()));
                    Tensor w = s.upload(p.weightShape(), dyadic(data, "w", p.weightShape()));
                    Tensor b = withBias ? s.upload(p.biasShape(), dyadic(data, "b", p.biasShape())) : null;
                    Tensor y = s.poisoned(p.outputShape());
                    d.conv1d(p, algorithm, x, w, b, y);
                    return List.of(Output.of("y", y));
                }
                case BACKWARD_DATA -> {
                    Tensor dy = s.upload(p.outputShape(), dyadic(data, "dy", p.outputShape()));
                    Tensor w = s.upload(p.weightShape(), dyadic(data, "w", p.weightShape()));
                    Tensor dx = s.poisoned(p.inputShape());
                    d.conv1dBackwardData(p, algorithm, dy, w, dx);
                    return List.of(Output.of("dx", dx));
                }
                default -> {
                    Tensor x = s.upload(p.inputShape(), dyadic(data, "x", p.inputShape()));
                    Tensor dy = s.upload(p.outputShape(), dyadic(data, "dy", p.outputShape()));
                    Tensor dw = s.poisoned(p.weightShape());
                    d.conv1dBackwardFilter(p, algorithm, x, dy, dw);
                    return List.of(Output.of("dw", dw));
                }
            }
        };
    }

    /** AUTO and every applicable algorithm of {@code direction} of {@code p} on every device. */
    static void checkConv(List<Device> devices, Conv1dProblem p, ConvDirection direction, boolean withBias, long seed,
                          Verdicts v) {
        HostData data = new HostData(seed);
        Map<String, Output> ref = Conformance.reference(conv(p, direction, ConvAlgorithm.AUTO, withBias, data));
        String out = ConvChecks.outputName(direction);
        String op = "conv1d " + direction.shortName() + (withBias ? " with bias" : "");
        for (Device d : devices) {
            List<ConvAlgorithm> algorithms;
            ConvAlgorithm chosen;
            try {
                algorithms = new ArrayList<>(d.applicableAlgorithms(p.as2d(), direction));
                chosen = d.autoAlgorithm(p.as2d(), direction);
            } catch (RuntimeException e) {
                v.threw(d, op, p, "applicableAlgorithms/autoAlgorithm of as2d()", e);
                continue;
            }
            for (ConvAlgorithm a : algorithms) {
                Conformance.check(v, d, op, p, "algorithm " + a, conv(p, direction, a, withBias, data), ref,
                        Conformance.bounds(out, a.errorBound()));
            }
            Conformance.check(v, d, op, p, "algorithm AUTO (picks " + chosen + ")",
                    conv(p, direction, ConvAlgorithm.AUTO, withBias, data), ref,
                    Conformance.bounds(out, chosen.errorBound()));
        }
    }

    /** The bias gradient: dy summed over batch and length per output channel. */
    static void checkBias(List<Device> devices, Conv1dProblem p, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Conformance.Run run = s -> {
            Tensor dy = s.upload(p.outputShape(), dyadic(data, "dy", p.outputShape()));
            Tensor db = s.poisoned(p.biasShape());
            s.device().conv1dBackwardBias(p, dy, db);
            return List.of(Output.of("db", db));
        };
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            Conformance.check(v, d, "conv1d bwd-bias", p, "", run, ref, Conformance.bounds("db", ErrorBounds.REDUCTION));
        }
    }

    /** Pooling forward (y) or backward (dx) on every device. */
    static void checkPool(List<Device> devices, Pool1dProblem p, boolean backward, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Conformance.Run run = s -> {
            Tensor x = s.upload(p.inputShape(), dyadic(data, "x", p.inputShape()));
            if (!backward) {
                Tensor y = s.poisoned(p.outputShape());
                s.device().pool1d(p, x, y);
                return List.of(Output.of("y", y));
            }
            Tensor dy = s.upload(p.outputShape(), dyadic(data, "dy", p.outputShape()));
            Tensor dx = s.poisoned(p.inputShape());
            s.device().pool1dBackward(p, x, dy, dx);
            return List.of(Output.of("dx", dx));
        };
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            Conformance.check(v, d, backward ? "pool1d bwd" : "pool1d fwd", p, "", run, ref,
                    Conformance.bounds(backward ? "dx" : "y", ErrorBounds.POOLING));
        }
    }
}
