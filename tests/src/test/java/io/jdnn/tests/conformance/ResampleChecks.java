package io.jdnn.tests.conformance;

import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.InterpolateProblem;
import io.jdnn.PadProblem;
import io.jdnn.PixelShuffleProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.tests.support.Conformance;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Verdicts;

import java.util.List;
import java.util.Map;

/**
 * The resampling and padding ops against the reference: interpolate (nearest, bilinear) forward
 * and backward, pixel shuffle and unshuffle forward and backward, pad forward and backward in every mode. Every output starts NaN-poisoned, so an
 * element a device forgets to write fails the check.
 */
final class ResampleChecks {
    private ResampleChecks() {
    }

    private static int n(Shape s) {
        return (int) s.elements();
    }

    static void interpolate(List<Device> devices, InterpolateProblem p, boolean backward, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Conformance.Run run = s -> {
            if (!backward) {
                Tensor x = s.upload(p.inputShape(), data.signed("x", n(p.inputShape())));
                Tensor y = s.poisoned(p.outputShape());
                s.device().interpolate(p, x, y);
                return List.of(Output.of("y", y));
            }
            Tensor dy = s.upload(p.outputShape(), data.signed("dy", n(p.outputShape())));
            Tensor dx = s.poisoned(p.inputShape());
            s.device().interpolateBackward(p, dy, dx);
            return List.of(Output.of("dx", dx));
        };
        // the backward adds the weighted gradients of every output cell that read an input cell
        check(devices, backward ? "interpolate bwd" : "interpolate fwd", p, run,
                Conformance.bounds(backward ? "dx" : "y", backward ? ErrorBounds.REDUCTION : ErrorBounds.INTERPOLATE), v);
    }

    static void pixelShuffle(List<Device> devices, PixelShuffleProblem p, boolean backward, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Conformance.Run run = s -> {
            if (!backward) {
                Tensor x = s.upload(p.inputShape(), data.signed("x", n(p.inputShape())));
                Tensor y = s.poisoned(p.outputShape());
                s.device().pixelShuffle(p, x, y);
                return List.of(Output.of("y", y));
            }
            Tensor dy = s.upload(p.outputShape(), data.signed("dy", n(p.outputShape())));
            Tensor dx = s.poisoned(p.inputShape());
            s.device().pixelShuffleBackward(p, dy, dx);
            return List.of(Output.of("dx", dx));
        };
        check(devices, backward ? "pixelShuffle bwd" : "pixelShuffle fwd", p, run,
                Conformance.bounds(backward ? "dx" : "y", ErrorBounds.ELEMENTWISE), v);
    }

    static void pad(List<Device> devices, PadProblem p, boolean backward, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Conformance.Run run = s -> {
            if (!backward) {
                Tensor x = s.upload(p.inputShape(), data.signed("x", n(p.inputShape())));
                Tensor y = s.poisoned(p.outputShape());
                s.device().pad(p, x, y);
                return List.of(Output.of("y", y));
            }
            Tensor dy = s.upload(p.outputShape(), data.signed("dy", n(p.outputShape())));
            Tensor dx = s.poisoned(p.inputShape());
            s.device().padBackward(p, dy, dx);
            return List.of(Output.of("dx", dx));
        };
        // the backward adds the gradients of every output cell that read an input cell
        check(devices, backward ? "pad bwd" : "pad fwd", p, run,
                Conformance.bounds(backward ? "dx" : "y", backward ? ErrorBounds.REDUCTION : ErrorBounds.ELEMENTWISE), v);
    }

    private static void check(List<Device> devices, String op, Object problem, Conformance.Run run,
                              Map<String, Double> bounds, Verdicts v) {
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            Conformance.check(v, d, op, problem, "", run, ref, bounds);
        }
    }
}
