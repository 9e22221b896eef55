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

import java.util.List;

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
        TensorOpsChecks.check(devices, "matmul fwd", p, "", run, Conformance.bounds("y", ErrorBounds.GEMM), v);
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
            return TensorOpsChecks.gradients(da, db);
        };
        TensorOpsChecks.check(devices, "matmul bwd", p, which == Gradients.BOTH ? "" : which.toString(), run,
                TensorOpsChecks.gradientBounds(which, ErrorBounds.GEMM), v);
    }
}
