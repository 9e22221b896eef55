package io.jdnn.tests.conformance;

import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.PoolMode;
import io.jdnn.PoolProblem;
import io.jdnn.Tensor;
import io.jdnn.tests.support.Conformance;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Verdicts;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Pooling forward and backward against the reference, bound {@link ErrorBounds#POOLING}. */
final class PoolChecks {
    private PoolChecks() {
    }

    /** What the input holds. */
    enum Data {
        /** Dyadic values in [-1, 1] ({@link HostData#dyadic}): window sums exact, few ties. */
        DYADIC,
        /** Multiples of 1/4 in [-1, 1]: windows full of exact ties, which only the first-maximum rule decides. */
        TIES,
        /** Dyadic with NaN and -inf sprinkled in (about one element in six each): a NaN wins, all -inf keeps the first. */
        SPECIAL
    }

    static float[] input(PoolProblem p, Data kind, HostData data) {
        int n = (int) p.inputShape().elements();
        return switch (kind) {
            case DYADIC -> data.dyadic("x", n);
            case TIES -> data.quantized("x", n, 4);
            case SPECIAL -> {
                float[] x = data.dyadic("x", n);
                SplittableRandom r = data.stream("special");
                for (int i = 0; i < n; i++) {
                    int k = r.nextInt(6);
                    if (k == 0) {
                        x[i] = Float.NaN;
                    } else if (k == 1) {
                        x[i] = Float.NEGATIVE_INFINITY;
                    }
                }
                yield x;
            }
        };
    }

    static Conformance.Run forward(PoolProblem p, Data kind, HostData data) {
        return s -> {
            Tensor x = s.upload(p.inputShape(), input(p, kind, data));
            Tensor y = s.poisoned(p.outputShape());
            s.device().pool(p, x, y);
            return List.of(Output.of("y", y));
        };
    }

    static Conformance.Run backward(PoolProblem p, Data kind, HostData data) {
        return s -> {
            Tensor x = s.upload(p.inputShape(), input(p, kind, data));
            Tensor dy = s.upload(p.outputShape(), data.dyadic("dy", (int) p.outputShape().elements()));
            Tensor dx = s.poisoned(p.inputShape());
            s.device().poolBackward(p, x, dy, dx);
            return List.of(Output.of("dx", dx));
        };
    }

    static void check(List<Device> devices, PoolProblem p, boolean backward, Data kind, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Conformance.Run run = backward ? backward(p, kind, data) : forward(p, kind, data);
        Map<String, Output> ref = Conformance.reference(run);
        String op = (backward ? "pool bwd" : "pool fwd");
        String variant = p.mode() == PoolMode.MAX ? "data " + kind : "";
        for (Device d : devices) {
            Conformance.check(v, d, op, p, variant, run, ref,
                    Conformance.bounds(backward ? "dx" : "y", ErrorBounds.POOLING));
        }
    }
}
