package io.jdnn.tests.conformance;

import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.LinearProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.tests.support.Conformance;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Verdicts;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Softmax forward and backward, softmax cross-entropy with label smoothing (bound
 * {@link ErrorBounds#SOFTMAX}), and the linear layer's four passes against the reference (bound
 * {@link ErrorBounds#GEMM}; the bias gradient, a sum over the batch, {@link ErrorBounds#REDUCTION}).
 */
final class SoftmaxLinearChecks {
    private SoftmaxLinearChecks() {
    }

    static String softmaxProblem(int rows, int cols, double scale) {
        return "softmax_rows" + rows + "cols" + cols + "_scale=" + scale;
    }

    /** Logits uniform in [-scale, scale): large scales test the row-maximum subtraction. */
    static float[] logits(int rows, int cols, double scale, HostData data) {
        return data.uniform("logits", rows * cols, -scale, scale);
    }

    static void softmaxForward(List<Device> devices, int rows, int cols, double scale, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Shape shape = Shape.of(rows, cols);
        Conformance.Run run = s -> {
            Tensor x = s.upload(shape, logits(rows, cols, scale, data));
            Tensor y = s.poisoned(shape);
            s.device().softmax(x, y);
            return List.of(Output.of("y", y));
        };
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            Conformance.check(v, d, "softmax fwd", softmaxProblem(rows, cols, scale), "", run, ref,
                    Conformance.bounds("y", ErrorBounds.SOFTMAX));
        }
    }

    /** Row-wise softmax in double, rounded to float32: the y the backward pass takes. */
    static float[] softmax(int rows, int cols, float[] x) {
        float[] y = new float[x.length];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x[r * cols + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(x[r * cols + j] - max);
            }
            for (int j = 0; j < cols; j++) {
                y[r * cols + j] = (float) (Math.exp(x[r * cols + j] - max) / sum);
            }
        }
        return y;
    }

    /**
     * dy for the softmax backward pass: magnitudes in [0.5, 1), the sign alternating along each row.
     * dx = y * (dy - sum(dy * y)) cancels where dy is nearly constant along a row; for a one-row,
     * two-class problem both elements of dx are y0 * y1 * (dy0 - dy1), so a near-equal pair would
     * make the whole output a cancellation that float32 cannot resolve to the bound.
     */
    static float[] alternating(int rows, int cols, HostData data) {
        float[] dy = data.uniform("dy", rows * cols, 0.5, 1);
        for (int i = 0; i < dy.length; i++) {
            if ((i % cols) % 2 == 1) {
                dy[i] = -dy[i];
            }
        }
        return dy;
    }

    static void softmaxBackward(List<Device> devices, int rows, int cols, double scale, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Shape shape = Shape.of(rows, cols);
        Conformance.Run run = s -> {
            Tensor y = s.upload(shape, softmax(rows, cols, logits(rows, cols, scale, data)));
            Tensor dy = s.upload(shape, alternating(rows, cols, data));
            Tensor dx = s.poisoned(shape);
            s.device().softmaxBackward(y, dy, dx);
            return List.of(Output.of("dx", dx));
        };
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            Conformance.check(v, d, "softmax bwd", softmaxProblem(rows, cols, scale), "", run, ref,
                    Conformance.bounds("dx", ErrorBounds.SOFTMAX));
        }
    }

    static void crossEntropy(List<Device> devices, int rows, int cols, double scale, double smoothing, long seed,
                             Verdicts v) {
        HostData data = new HostData(seed);
        Shape shape = Shape.of(rows, cols);
        int[] labels = data.ints("labels", rows, cols);
        Conformance.Run run = s -> {
            Tensor x = s.upload(shape, logits(rows, cols, scale, data));
            Tensor loss = s.poisoned(Shape.of(1));
            Tensor dlogits = s.poisoned(shape);
            s.device().softmaxCrossEntropy(x, labels, smoothing, loss, dlogits);
            return List.of(Output.of("loss", loss), Output.of("dlogits", dlogits));
        };
        Map<String, Output> ref = Conformance.reference(run);
        String problem = "crossentropy_rows" + rows + "cols" + cols + "_scale=" + scale + "_smoothing=" + smoothing
                + "_labels=" + Arrays.toString(labels).replace(" ", "");
        for (Device d : devices) {
            Conformance.check(v, d, "softmaxCrossEntropy", problem, "", run, ref,
                    Conformance.bounds("loss", ErrorBounds.SOFTMAX, "dlogits", ErrorBounds.SOFTMAX));
        }
    }

    /** The four passes of the linear layer. */
    enum LinearPass { FORWARD, FORWARD_WITH_BIAS, BACKWARD_DATA, BACKWARD_WEIGHT, BACKWARD_BIAS }

    static void linear(List<Device> devices, LinearProblem p, LinearPass pass, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        String out = switch (pass) {
            case FORWARD, FORWARD_WITH_BIAS -> "y";
            case BACKWARD_DATA -> "dx";
            case BACKWARD_WEIGHT -> "dw";
            case BACKWARD_BIAS -> "db";
        };
        Conformance.Run run = s -> {
            Device d = s.device();
            switch (pass) {
                case FORWARD, FORWARD_WITH_BIAS -> {
                    Tensor x = s.upload(p.inputShape(), data.dyadic("x", (int) p.inputShape().elements()));
                    Tensor w = s.upload(p.weightShape(), data.dyadic("w", (int) p.weightShape().elements()));
                    Tensor b = pass == LinearPass.FORWARD_WITH_BIAS
                            ? s.upload(p.biasShape(), data.dyadic("b", p.outFeatures())) : null;
                    Tensor y = s.poisoned(p.outputShape());
                    d.linear(p, x, w, b, y);
                    return List.of(Output.of(out, y));
                }
                case BACKWARD_DATA -> {
                    Tensor dy = s.upload(p.outputShape(), data.dyadic("dy", (int) p.outputShape().elements()));
                    Tensor w = s.upload(p.weightShape(), data.dyadic("w", (int) p.weightShape().elements()));
                    Tensor dx = s.poisoned(p.inputShape());
                    d.linearBackwardData(p, dy, w, dx);
                    return List.of(Output.of(out, dx));
                }
                case BACKWARD_WEIGHT -> {
                    Tensor x = s.upload(p.inputShape(), data.dyadic("x", (int) p.inputShape().elements()));
                    Tensor dy = s.upload(p.outputShape(), data.dyadic("dy", (int) p.outputShape().elements()));
                    Tensor dw = s.poisoned(p.weightShape());
                    d.linearBackwardWeight(p, x, dy, dw);
                    return List.of(Output.of(out, dw));
                }
                default -> {
                    Tensor dy = s.upload(p.outputShape(), data.dyadic("dy", (int) p.outputShape().elements()));
                    Tensor db = s.poisoned(p.biasShape());
                    d.linearBackwardBias(p, dy, db);
                    return List.of(Output.of(out, db));
                }
            }
        };
        Map<String, Output> ref = Conformance.reference(run);
        // The bias gradient is a sum over the batch per output feature: ErrorBounds.REDUCTION's family.
        double bound = pass == LinearPass.BACKWARD_BIAS ? ErrorBounds.REDUCTION : ErrorBounds.GEMM;
        for (Device d : devices) {
            Conformance.check(v, d, "linear " + pass.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), p, "",
                    run, ref, Conformance.bounds(out, bound));
        }
    }
}
