package io.jdnn.tests.conformance;

import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.MatMulProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.tests.conformance.TensorOpsChecks.Gradients;
import io.jdnn.tests.support.Conformance;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Verdicts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The batched matrix product against the reference: forward, and backward writing both gradients
 * or one alone. Every output starts NaN-poisoned, so an element a device forgets to write (or a
 * gradient it accumulates into instead of overwriting) fails the check.
 */
final class MatMulChecks {
    private MatMulChecks() {
    }

    private static int n(Shape s) {
        return (int) s.elements();
    }

    static void forward(List<Device> devices, MatMulProblem p, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Conformance.Run run = s -> {
            Tensor a = s.upload(p.a(), data.signed("a", n(p.a())));
            Tensor b = s.upload(p.b(), data.signed("b", n(p.b())));
            Tensor y = s.poisoned(p.outputShape());
            s.device().matmul(a, b, y);
            return List.of(Output.of("y", y));
        };
        check(devices, "matmul fwd", p, "", run, Conformance.bounds("y", ErrorBounds.GEMM), v);
    }

    static void backward(List<Device> devices, MatMulProblem p, Gradients which, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Conformance.Run run = s -> {
            Tensor a = s.upload(p.a(), data.signed("a", n(p.a())));
            Tensor b = s.upload(p.b(), data.signed("b", n(p.b())));
            Tensor dy = s.upload(p.outputShape(), data.signed("dy", n(p.outputShape())));
            Tensor da = which == Gradients.B_ONLY ? null : s.poisoned(p.a());
            Tensor db = which == Gradients.A_ONLY ? null : s.poisoned(p.b());
            s.device().matmulBackward(a, b, dy, da, db);
            List<Output> result = new ArrayList<>();
            if (da != null) {
                result.add(Output.of("da", da));
            }
            if (db != null) {
                result.add(Output.of("db", db));
            }
            return result;
        };
        Map<String, Double> bounds = switch (which) {
            case BOTH -> Conformance.bounds("da", ErrorBounds.GEMM, "db", ErrorBounds.GEMM);
            case A_ONLY -> Conformance.bounds("da", ErrorBounds.GEMM);
            case B_ONLY -> Conformance.bounds("db", ErrorBounds.GEMM);
        };
        check(devices, "matmul bwd", p, which == Gradients.BOTH ? "" : which.toString(), run, bounds, v);
    }

    private static void check(List<Device> devices, String op, Object problem, String variant, Conformance.Run run,
                              Map<String, Double> bounds, Verdicts v) {
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            Conformance.check(v, d, op, problem, variant, run, ref, bounds);
        }
    }
}
