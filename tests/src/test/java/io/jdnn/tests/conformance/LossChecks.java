package io.jdnn.tests.conformance;

import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.Loss;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.tests.support.Conformance;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Verdicts;

import java.util.List;
import java.util.Map;

/**
 * The losses family against the reference: log-softmax forward and backward (bound
 * {@link ErrorBounds#SOFTMAX}), nll and the element-wise losses (the mean loss, a reduction over
 * every element: {@link ErrorBounds#REDUCTION}; dx, one to a few rounded operations per element:
 * {@link ErrorBounds#ELEMENTWISE}).
 */
final class LossChecks {
    private LossChecks() {
    }

    static void logSoftmaxForward(List<Device> devices, int rows, int cols, double scale, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Shape shape = Shape.of(rows, cols);
        Conformance.Run run = s -> {
            Tensor x = s.upload(shape, SoftmaxLinearChecks.logits(rows, cols, scale, data));
            Tensor y = s.poisoned(shape);
            s.device().logSoftmax(x, y);
            return List.of(Output.of("y", y));
        };
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            Conformance.check(v, d, "logSoftmax fwd", "log" + SoftmaxLinearChecks.softmaxProblem(rows, cols, scale), "",
                    run, ref, Conformance.bounds("y", ErrorBounds.SOFTMAX));
        }
    }

    /** Row-wise log-softmax in double, rounded to float32: the y the backward pass takes. */
    static float[] logSoftmax(int rows, int cols, float[] x) {
        float[] p = SoftmaxLinearChecks.softmax(rows, cols, x);
        float[] y = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            y[i] = (float) Math.log(p[i]);
        }
        return y;
    }

    /** dy alternating in sign along each row (see SoftmaxLinearChecks#alternating), so sum(dy) does not dominate. */
    static void logSoftmaxBackward(List<Device> devices, int rows, int cols, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Shape shape = Shape.of(rows, cols);
        Conformance.Run run = s -> {
            Tensor y = s.upload(shape, logSoftmax(rows, cols, SoftmaxLinearChecks.logits(rows, cols, 1.0, data)));
            Tensor dy = s.upload(shape, SoftmaxLinearChecks.alternating(rows, cols, data));
            Tensor dx = s.poisoned(shape);
            s.device().logSoftmaxBackward(y, dy, dx);
            return List.of(Output.of("dx", dx));
        };
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            Conformance.check(v, d, "logSoftmax bwd", "log" + SoftmaxLinearChecks.softmaxProblem(rows, cols, 1.0), "",
                    run, ref, Conformance.bounds("dx", ErrorBounds.SOFTMAX));
        }
    }

    /** Log-probabilities in [-6, 0) and random labels. */
    static void nll(List<Device> devices, int rows, int cols, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Shape shape = Shape.of(rows, cols);
        int[] labels = data.ints("labels", rows, cols);
        Conformance.Run run = s -> {
            Tensor x = s.upload(shape, data.uniform("x", rows * cols, -6, 0));
            Tensor loss = s.poisoned(Shape.of(1));
            Tensor dx = s.poisoned(shape);
            s.device().nllLoss(x, labels, loss, dx);
            return List.of(Output.of("loss", loss), Output.of("dx", dx));
        };
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            Conformance.check(v, d, "nllLoss", "nll_rows" + rows + "cols" + cols, "", run, ref,
                    Conformance.bounds("loss", ErrorBounds.REDUCTION, "dx", ErrorBounds.ELEMENTWISE));
        }
    }

    /**
     * An element-wise loss over n elements: x uniform in [-scale, scale), the target in [0, 1) for
     * binary cross-entropy (x are logits), else in [-1, 1); with {@code ties} every third target
     * equals its x (L1's and smooth L1's gradient is 0 there).
     */
    static void loss(List<Device> devices, Loss l, int n, double scale, boolean ties, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Shape shape = Shape.of(n);
        Conformance.Run run = s -> {
            float[] xs = data.uniform("x", n, -scale, scale);
            float[] ts = l.kind() == Loss.Kind.BCE_WITH_LOGITS ? data.uniform("t", n, 0, 1) : data.uniform("t", n, -1, 1);
            if (ties) {
                for (int i = 0; i < n; i += 3) {
                    ts[i] = xs[i];
                }
            }
            Tensor x = s.upload(shape, xs);
            Tensor t = s.upload(shape, ts);
            Tensor loss = s.poisoned(Shape.of(1));
            Tensor dx = s.poisoned(shape);
            s.device().loss(l, x, t, loss, dx);
            return List.of(Output.of("loss", loss), Output.of("dx", dx));
        };
        Map<String, Output> ref = Conformance.reference(run);
        String problem = l + "_n" + n + "_scale=" + scale + "_ties=" + (ties ? 1 : 0);
        for (Device d : devices) {
            Conformance.check(v, d, "loss", problem, "", run, ref,
                    Conformance.bounds("loss", ErrorBounds.REDUCTION, "dx", ErrorBounds.ELEMENTWISE));
        }
    }
}
