package io.jdnn.tests.conformance;

import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.tests.conformance.ElementwiseChecks.Aliasing;
import io.jdnn.tests.support.Conformance;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Scope;
import io.jdnn.tests.support.Verdicts;

import java.util.List;
import java.util.Map;

/**
 * PReLU against the reference: forward (also in place) and backward (dx also in place on x or dy;
 * dweight a per-channel reduction), with a weight of one slope per channel or one shared slope.
 * x holds multiples of 1/4 with exact zeros, where the x &gt; 0 test decides the branch.
 */
final class PreluChecks {
    private PreluChecks() {
    }

    /** The weight's shape: C slopes (C = dimension 1 of x, 1 for a rank-1 x) or 1 shared slope. */
    static Shape weightShape(Shape x, boolean shared) {
        return Shape.of(shared || x.rank() < 2 ? 1 : x.dim(1));
    }

    private static String problem(Shape x, boolean shared) {
        return "prelu x=" + x + (shared ? " shared slope" : " per-channel slopes");
    }

    /** The inputs of one check: x (multiples of 1/4 with exact zeros), the weight and dy, by name from the seed. */
    private record Inputs(HostData data, Shape xs, Shape ws) {
        Inputs(long seed, Shape xs, boolean shared) {
            this(new HostData(seed), xs, weightShape(xs, shared));
        }

        Tensor x(Scope s) {
            return s.upload(xs, data.quantized("x", (int) xs.elements(), 24));
        }

        Tensor weight(Scope s) {
            return s.upload(ws, data.signed("weight", (int) ws.elements()));
        }

        Tensor dy(Scope s) {
            return s.upload(xs, data.signed("dy", (int) xs.elements()));
        }
    }

    static void forward(List<Device> devices, Shape xs, boolean shared, boolean inPlace, long seed, Verdicts v) {
        Inputs in = new Inputs(seed, xs, shared);
        Conformance.Run run = s -> {
            Tensor x = in.x(s);
            Tensor w = in.weight(s);
            Tensor y = inPlace ? x : s.poisoned(xs);
            s.device().prelu(x, w, y);
            return List.of(Output.of("y", y));
        };
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            Conformance.check(v, d, "prelu fwd", problem(xs, shared), inPlace ? "in place" : "", run, ref,
                    Conformance.bounds("y", ErrorBounds.ELEMENTWISE));
        }
    }

    static void backward(List<Device> devices, Shape xs, boolean shared, Aliasing alias, long seed, Verdicts v) {
        Inputs in = new Inputs(seed, xs, shared);
        Conformance.Run run = s -> {
            Tensor x = in.x(s);
            Tensor w = in.weight(s);
            Tensor dy = in.dy(s);
            Tensor dx = switch (alias) {
                case OUT_IS_FIRST -> x;
                case OUT_IS_SECOND -> dy;
                default -> s.poisoned(xs);
            };
            Tensor dw = s.poisoned(in.ws());
            s.device().preluBackward(x, w, dy, dx, dw);
            return List.of(Output.of("dx", dx), Output.of("dweight", dw));
        };
        Map<String, Output> ref = Conformance.reference(run);
        String variant = switch (alias) {
            case OUT_IS_FIRST -> "dx is x";
            case OUT_IS_SECOND -> "dx is dy";
            default -> "";
        };
        for (Device d : devices) {
            Conformance.check(v, d, "prelu bwd", problem(xs, shared), variant, run, ref,
                    Conformance.bounds("dx", ErrorBounds.ELEMENTWISE, "dweight", ErrorBounds.REDUCTION));
        }
    }
}
