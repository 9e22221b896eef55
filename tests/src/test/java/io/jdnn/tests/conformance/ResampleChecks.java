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
        // the backward adds the weighted gradients of every output cell that read an input cell
        forwardOrBackward(devices, "interpolate", p, p.inputShape(), p.outputShape(), backward,
                (d, x, y) -> d.interpolate(p, x, y), (d, dy, dx) -> d.interpolateBackward(p, dy, dx),
                ErrorBounds.INTERPOLATE, ErrorBounds.REDUCTION, seed, v);
    }

    static void pixelShuffle(List<Device> devices, PixelShuffleProblem p, boolean backward, long seed, Verdicts v) {
        forwardOrBackward(devices, "pixelShuffle", p, p.inputShape(), p.outputShape(), backward,
                (d, x, y) -> d.pixelShuffle(p, x, y), (d, dy, dx) -> d.pixelShuffleBackward(p, dy, dx),
                ErrorBounds.ELEMENTWISE, ErrorBounds.ELEMENTWISE, seed, v);
    }

    static void pad(List<Device> devices, PadProblem p, boolean backward, long seed, Verdicts v) {
        // the backward adds the gradients of every output cell that read an input cell
        forwardOrBackward(devices, "pad", p, p.inputShape(), p.outputShape(), backward,
                (d, x, y) -> d.pad(p, x, y), (d, dy, dx) -> d.padBackward(p, dy, dx),
                ErrorBounds.ELEMENTWISE, ErrorBounds.REDUCTION, seed, v);
    }

    /** A device call from one tensor into another (forward: x into y; backward: dy into dx). */
    private interface Call {
        void run(Device d, Tensor from, Tensor into);
    }

    /** The forward (x into a poisoned y) or the backward (dy into a poisoned dx) of one op, on every device against the reference. */
    private static void forwardOrBackward(List<Device> devices, String op, Object problem, Shape in, Shape out,
                                          boolean backward, Call forward, Call adjoint, double forwardBound,
                                          double backwardBound, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Conformance.Run run = s -> {
            Shape from = backward ? out : in;
            Shape into = backward ? in : out;
            Tensor a = s.upload(from, data.signed(backward ? "dy" : "x", n(from)));
            Tensor b = s.poisoned(into);
            (backward ? adjoint : forward).run(s.device(), a, b);
            return List.of(Output.of(backward ? "dx" : "y", b));
        };
        check(devices, op + (backward ? " bwd" : " fwd"), problem, run,
                Conformance.bounds(backward ? "dx" : "y", backward ? backwardBound : forwardBound), v);
    }

    private static void check(List<Device> devices, String op, Object problem, Conformance.Run run,
                              Map<String, Double> bounds, Verdicts v) {
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            Conformance.check(v, d, op, problem, "", run, ref, bounds);
        }
    }
}
