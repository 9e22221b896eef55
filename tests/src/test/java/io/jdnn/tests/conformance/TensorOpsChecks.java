package io.jdnn.tests.conformance;

import io.jdnn.BinaryOp;
import io.jdnn.BroadcastProblem;
import io.jdnn.CatProblem;
import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.PermuteProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.tests.conformance.ElementwiseChecks.Aliasing;
import io.jdnn.tests.support.Conformance;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Verdicts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tensor ops against the reference: cat and split (its backward), permute and its backward,
 * broadcasting arithmetic forward (also in place) and backward (both gradients, or one alone).
 * Every output starts NaN-poisoned, so an element a device forgets to write fails the check.
 */
final class TensorOpsChecks {
    private TensorOpsChecks() {
    }

    /** Which gradients a broadcasting backward writes. */
    enum Gradients { BOTH, A_ONLY, B_ONLY }

    private static int n(Shape s) {
        return (int) s.elements();
    }

    static void cat(List<Device> devices, CatProblem p, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Conformance.Run run = s -> {
            List<Tensor> xs = new ArrayList<>();
            for (int i = 0; i < p.count(); i++) {
                Shape shape = p.inputs().get(i);
                xs.add(s.upload(shape, data.signed("x" + i, n(shape))));
            }
            Tensor y = s.poisoned(p.outputShape());
            s.device().cat(xs, p.axis(), y);
            return List.of(Output.of("y", y));
        };
        check(devices, "cat", p, "", run, Conformance.bounds("y", ErrorBounds.ELEMENTWISE), v);
    }

    static void split(List<Device> devices, CatProblem p, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Conformance.Run run = s -> {
            Tensor x = s.upload(p.outputShape(), data.signed("dy", n(p.outputShape())));
            List<Tensor> outs = new ArrayList<>();
            for (Shape shape : p.inputs()) {
                outs.add(s.poisoned(shape));
            }
            s.device().split(x, p.axis(), outs);
            List<Output> result = new ArrayList<>();
            for (int i = 0; i < outs.size(); i++) {
                result.add(Output.of("dx" + i, outs.get(i)));
            }
            return result;
        };
        Object[] bounds = new Object[2 * p.count()];
        for (int i = 0; i < p.count(); i++) {
            bounds[2 * i] = "dx" + i;
            bounds[2 * i + 1] = ErrorBounds.ELEMENTWISE;
        }
        check(devices, "split", p, "", run, Conformance.bounds(bounds), v);
    }

    static void permute(List<Device> devices, PermuteProblem p, boolean backward, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Conformance.Run run = s -> {
            if (!backward) {
                Tensor x = s.upload(p.input(), data.signed("x", n(p.input())));
                Tensor y = s.poisoned(p.outputShape());
                s.device().permute(x, p.dims(), y);
                return List.of(Output.of("y", y));
            }
            Tensor dy = s.upload(p.outputShape(), data.signed("dy", n(p.input())));
            Tensor dx = s.poisoned(p.input());
            s.device().permuteBackward(dy, p.dims(), dx);
            return List.of(Output.of("dx", dx));
        };
        check(devices, backward ? "permute bwd" : "permute fwd", p, "", run,
                Conformance.bounds(backward ? "dx" : "y", ErrorBounds.ELEMENTWISE), v);
    }

    /** a and b for {@code p}: divisors away from zero, quantized values (with ties) when asked. */
    private static Tensor[] operands(io.jdnn.tests.support.Scope s, BroadcastProblem p, boolean quantized, HostData data) {
        float[] a = quantized ? data.quantized("a", n(p.a()), 8) : data.signed("a", n(p.a()));
        float[] b = p.op() == BinaryOp.DIV ? data.nonZero("b", n(p.b()), 0.5, 2)
                : quantized ? data.quantized("b", n(p.b()), 8) : data.signed("b", n(p.b()));
        return new Tensor[] {s.upload(p.a(), a), s.upload(p.b(), b)};
    }

    static void binaryForward(List<Device> devices, BroadcastProblem p, boolean quantized, Aliasing alias, long seed,
                              Verdicts v) {
        HostData data = new HostData(seed);
        Shape out = p.outputShape();
        Conformance.Run run = s -> {
            Tensor[] ab = operands(s, p, quantized, data);
            Tensor y = switch (alias) {
                case OUT_IS_FIRST -> ab[0];
                case OUT_IS_SECOND -> ab[1];
                default -> s.poisoned(out);
            };
            s.device().binary(p.op(), ab[0], ab[1], y);
            return List.of(Output.of("y", y));
        };
        check(devices, "binary fwd", p, alias == Aliasing.NONE ? "" : alias.toString(), run,
                Conformance.bounds("y", ErrorBounds.ELEMENTWISE), v);
    }

    static void binaryBackward(List<Device> devices, BroadcastProblem p, boolean quantized, Gradients which, long seed,
                               Verdicts v) {
        HostData data = new HostData(seed);
        Conformance.Run run = s -> {
            Tensor[] ab = operands(s, p, quantized, data);
            Tensor dy = s.upload(p.outputShape(), data.signed("dy", n(p.outputShape())));
            Tensor da = which == Gradients.B_ONLY ? null : s.poisoned(p.a());
            Tensor db = which == Gradients.A_ONLY ? null : s.poisoned(p.b());
            s.device().binaryBackward(p.op(), ab[0], ab[1], dy, da, db);
            return gradients(da, db);
        };
        check(devices, "binary bwd", p, which == Gradients.BOTH ? "" : which.toString(), run,
                gradientBounds(which, ErrorBounds.REDUCTION), v);
    }

    /** The outputs of a backward pass with two optional gradients: da and db where written. */
    static List<Output> gradients(Tensor da, Tensor db) {
        List<Output> result = new ArrayList<>();
        if (da != null) {
            result.add(Output.of("da", da));
        }
        if (db != null) {
            result.add(Output.of("db", db));
        }
        return result;
    }

    /** The bound of each gradient {@code which} writes. */
    static Map<String, Double> gradientBounds(Gradients which, double bound) {
        return switch (which) {
            case BOTH -> Conformance.bounds("da", bound, "db", bound);
            case A_ONLY -> Conformance.bounds("da", bound);
            case B_ONLY -> Conformance.bounds("db", bound);
        };
    }

    /** Runs {@code run} on the reference, then on each device, comparing outputs within their bounds. */
    static void check(List<Device> devices, String op, Object problem, String variant, Conformance.Run run,
                              Map<String, Double> bounds, Verdicts v) {
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            Conformance.check(v, d, op, problem, variant, run, ref, bounds);
        }
    }
}
