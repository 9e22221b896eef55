package io.jdnn.tests.conformance;

import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.GroupNormProblem;
import io.jdnn.InstanceNormProblem;
import io.jdnn.LayerNormProblem;
import io.jdnn.LrnProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.tests.support.Conformance;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Verdicts;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Normalization against the reference: local response norm forward and backward, and group,
 * instance and layer norm forward (y and the saved statistics) followed by backward from the
 * statistics that device's forward pass saved. Group-style norms are row and channel reductions:
 * {@link ErrorBounds#REDUCTION}; local response norm {@link ErrorBounds#LRN}.
 */
final class NormChecks {
    private NormChecks() {
    }

    /** A group-style forward call: y and the saved statistics from x, weight and bias. */
    interface Forward {
        void run(Device d, Tensor x, Tensor w, Tensor b, Tensor y, Tensor mean, Tensor invStd);
    }

    /** A group-style backward call: dx, dweight and dbias from the saved statistics. */
    interface Backward {
        void run(Device d, Tensor x, Tensor dy, Tensor w, Tensor mean, Tensor invStd, Tensor dx, Tensor dw, Tensor db);
    }

    /** The calls of one group-style norm (group, instance or layer), the shapes of its tensors, its problem. */
    record Api(Object problem, Shape input, Shape params, Shape stats, Forward forward, Backward backward) {
        @Override
        public String toString() {
            return problem.toString();
        }
    }

    static Api group(GroupNormProblem p) {
        return new Api(p, p.inputShape(), p.channelShape(), p.statsShape(), (d, x, w, b, y, m, s) -> d.groupNorm(p, x,
                w, b, y, m, s), (d, x, dy, w, m, s, dx, dw, db) -> d.groupNormBackward(p, x, dy, w, m, s, dx, dw, db));
    }

    static Api instance(InstanceNormProblem p) {
        return new Api(p, p.inputShape(), p.channelShape(), p.statsShape(), (d, x, w, b, y, m, s) -> d.instanceNorm(p,
                x, w, b, y, m, s), (d, x, dy, w, m, s, dx, dw, db) -> d.instanceNormBackward(p, x, dy, w, m, s, dx, dw, db));
    }

    static Api layer(LayerNormProblem p) {
        return new Api(p, p.inputShape(), p.featureShape(), p.statsShape(), (d, x, w, b, y, m, s) -> d.layerNorm(p, x,
                w, b, y, m, s), (d, x, dy, w, m, s, dx, dw, db) -> d.layerNormBackward(p, x, dy, w, m, s, dx, dw, db));
    }

    /**
     * x = offset + scale * v per row: offset in [-4, 4], a power-of-two scale in 1/4..2, and v the
     * row's values spread evenly over [-1, 1] in random order (v_j = -1 + 2 (k_j + u_j) / M, k a
     * permutation, u_j in [1/4, 3/4]). Rows get different means and variances, and no row's values
     * crowd together: a row whose spread is tiny beside its mean makes x - mean a cancellation that
     * float32 statistics cannot resolve, in any implementation.
     */
    static float[] input(int rows, int rowLength, HostData data) {
        float[] x = new float[rows * rowLength];
        float[] offset = data.uniform("offset", rows, -4, 4);
        int[] scaleLog2 = data.ints("scale", rows, 4);
        float[] jitter = data.uniform("jitter", x.length, 0.25, 0.75);
        SplittableRandom order = data.stream("order");
        int[] k = new int[rowLength];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < rowLength; j++) {
                int swap = order.nextInt(j + 1);
                k[j] = k[swap];
                k[swap] = j;
            }
            for (int j = 0; j < rowLength; j++) {
                int i = r * rowLength + j;
                double v = -1 + 2 * (k[j] + jitter[i]) / rowLength;
                x[i] = offset[r] + (float) Math.scalb(v, scaleLog2[r] - 2);
            }
        }
        return x;
    }

    /**
     * dy: dyadic magnitudes with the sign of x minus its row's mean, so that dbias = sum(dy) is exact
     * in float32 and dweight = sum(dy * xhat) adds terms of one sign (no cancellation that float32
     * could not resolve when a channel has few values).
     */
    static float[] gradient(int rows, int rowLength, float[] x, HostData data) {
        float[] dy = data.dyadic("dy", x.length);
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int j = 0; j < rowLength; j++) {
                sum += x[r * rowLength + j];
            }
            double mean = sum / rowLength;
            for (int j = 0; j < rowLength; j++) {
                int i = r * rowLength + j;
                dy[i] = Math.copySign(dy[i], x[i] - mean < 0 ? -1f : 1f);
            }
        }
        return dy;
    }

    /**
     * Forward of a group-style norm (rows of {@code rowLength} values, the layout of {@code g}), then
     * backward from the statistics the device saved; every output poisoned first.
     */
    static void groupStyle(List<Device> devices, String op, Api api, GroupNormProblem g, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        int rows = g.batch() * g.groups();
        int rowLength = (int) g.groupSize();
        float[] xs = input(rows, rowLength, data);
        float[] dys = gradient(rows, rowLength, xs, data);
        float[] ws = data.nonZero("weight", g.channels(), 0.5, 1.5);
        float[] bs = data.signed("bias", g.channels());
        Conformance.Run run = s -> {
            Tensor x = s.upload(api.input(), xs);
            Tensor w = s.upload(api.params(), ws);
            Tensor b = s.upload(api.params(), bs);
            Tensor y = s.poisoned(api.input());
            Tensor mean = s.poisoned(api.stats());
            Tensor invStd = s.poisoned(api.stats());
            api.forward().run(s.device(), x, w, b, y, mean, invStd);
            Tensor dy = s.upload(api.input(), dys);
            Tensor dx = s.poisoned(api.input());
            Tensor dw = s.poisoned(api.params());
            Tensor db = s.poisoned(api.params());
            api.backward().run(s.device(), x, dy, w, mean, invStd, dx, dw, db);
            return List.of(Output.of("y", y), Output.of("save_mean", mean), Output.of("save_invstd", invStd),
                    Output.of("dx", dx), Output.of("dweight", dw), Output.of("dbias", db));
        };
        Map<String, Output> ref = Conformance.reference(run);
        double bound = ErrorBounds.REDUCTION;
        Map<String, Double> bounds = Conformance.bounds("y", bound, "save_mean", bound, "save_invstd", bound,
                "dweight", bound, "dbias", bound);
        if (rowLength != 2) {
            // With two values a row, xhat is +-1 and dx vanishes analytically (what is left is eps's
            // trace and rounding noise, as batch norm's generator notes): compared for every other length.
            bounds.put("dx", bound);
        }
        for (Device d : devices) {
            Conformance.check(v, d, op, api, "", run, ref, bounds);
        }
    }

    /** Local response norm forward and backward (the allocating variants), x and dy uniform in [-2, 2). */
    static void lrn(List<Device> devices, LrnProblem p, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        int n = (int) p.inputShape().elements();
        float[] xs = data.uniform("x", n, -2, 2);
        float[] dys = data.signed("dy", n);
        Conformance.Run run = s -> {
            Tensor x = s.upload(p.inputShape(), xs);
            Tensor dy = s.upload(p.inputShape(), dys);
            Tensor y = s.poisoned(p.inputShape());
            Tensor dx = s.poisoned(p.inputShape());
            s.device().localResponseNorm(p, x, y);
            s.device().localResponseNormBackward(p, x, dy, dx);
            return List.of(Output.of("y", y), Output.of("dx", dx));
        };
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            Conformance.check(v, d, "localResponseNorm", p, "", run, ref,
                    Conformance.bounds("y", ErrorBounds.LRN, "dx", ErrorBounds.LRN));
        }
    }
}
