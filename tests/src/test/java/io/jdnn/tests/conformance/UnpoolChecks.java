package io.jdnn.tests.conformance;

import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.PoolProblem;
import io.jdnn.Tensor;
import io.jdnn.UnpoolProblem;
import io.jdnn.tests.support.Conformance;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Verdicts;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Max pooling with indices and max unpooling (forward and backward) against the reference, every
 * output NaN-poisoned first. Indices must match exactly (bound 0); values are copies, held to
 * {@link ErrorBounds#POOLING} and {@link ErrorBounds#ELEMENTWISE}.
 */
final class UnpoolChecks {
    private UnpoolChecks() {
    }

    /** What the unpooling's indices hold. */
    enum Indices {
        /** One position inside each input's own pooling window (a max pooling's indices). */
        WINDOWED,
        /**
         * Anything: positions anywhere in the plane (many inputs naming one position: the highest
         * must win), and about one in three skipped: negative, past the plane, non-integer, NaN, huge.
         */
        WILD
    }

    /** Max pooling with indices of x ({@link PoolChecks#input}): y and indices. */
    static void maxPoolWithIndices(List<Device> devices, PoolProblem p, PoolChecks.Data kind, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Conformance.Run run = s -> {
            Tensor x = s.upload(p.inputShape(), PoolChecks.input(p, kind, data));
            Tensor y = s.poisoned(p.outputShape());
            Tensor indices = s.poisoned(p.outputShape());
            s.device().maxPoolWithIndices(p, x, y, indices);
            return List.of(Output.of("y", y), Output.of("indices", indices));
        };
        check(devices, "maxPoolWithIndices", p, "data " + kind, run,
                Conformance.bounds("y", ErrorBounds.POOLING, "indices", 0.0), v);
    }

    /** The indices of {@code kind} for p's input. */
    static float[] indices(UnpoolProblem p, Indices kind, HostData data) {
        int planes = p.batch() * p.channels();
        int out = p.outHeight() * p.outWidth();
        float[] idx = new float[planes * p.height() * p.width()];
        SplittableRandom r = data.stream("indices");
        int e = 0;
        for (int pl = 0; pl < planes; pl++) {
            for (int h = 0; h < p.height(); h++) {
                for (int w = 0; w < p.width(); w++) {
                    idx[e++] = kind == Indices.WINDOWED ? windowed(p, h, w, r) : wild(out, r);
                }
            }
        }
        return idx;
    }

    /** A position in input (h, w)'s window clipped to the output, or anywhere when the clip is empty. */
    private static float windowed(UnpoolProblem p, int h, int w, SplittableRandom r) {
        int h0 = Math.max(0, h * p.strideH() - p.padH());
        int h1 = Math.min(p.outHeight(), h * p.strideH() - p.padH() + p.kernelH());
        int w0 = Math.max(0, w * p.strideW() - p.padW());
        int w1 = Math.min(p.outWidth(), w * p.strideW() - p.padW() + p.kernelW());
        if (h1 <= h0 || w1 <= w0) {
            return r.nextInt(p.outHeight() * p.outWidth());
        }
        return (h0 + r.nextInt(h1 - h0)) * p.outWidth() + w0 + r.nextInt(w1 - w0);
    }

    private static float wild(int out, SplittableRandom r) {
        return switch (r.nextInt(15)) {
            case 0 -> -1 - r.nextInt(3);
            case 1 -> out + r.nextInt(3);
            case 2 -> r.nextInt(out) + 0.5f;
            case 3 -> Float.NaN;
            case 4 -> r.nextBoolean() ? 1e30f : Float.NEGATIVE_INFINITY;
            default -> r.nextInt(out);
        };
    }

    /** Max unpooling of dyadic x (forward: y) or dy (backward: dx) with indices of {@code kind}. */
    static void unpool(List<Device> devices, UnpoolProblem p, Indices kind, boolean backward, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        float[] idx = indices(p, kind, data);
        Conformance.Run run = s -> {
            Tensor indices = s.upload(p.inputShape(), idx);
            if (backward) {
                Tensor dy = s.upload(p.outputShape(), data.dyadic("dy", (int) p.outputShape().elements()));
                Tensor dx = s.poisoned(p.inputShape());
                s.device().maxUnpoolBackward(p, indices, dy, dx);
                return List.of(Output.of("dx", dx));
            }
            Tensor x = s.upload(p.inputShape(), data.dyadic("x", (int) p.inputShape().elements()));
            Tensor y = s.poisoned(p.outputShape());
            s.device().maxUnpool(p, x, indices, y);
            return List.of(Output.of("y", y));
        };
        check(devices, backward ? "maxUnpool bwd" : "maxUnpool fwd", p, "indices " + kind, run,
                Conformance.bounds(backward ? "dx" : "y", ErrorBounds.ELEMENTWISE), v);
    }

    /** Pooling with indices then unpooling its y with them ({@link UnpoolProblem#inverseOf}), as a network would. */
    static void roundTrip(List<Device> devices, PoolProblem p, PoolChecks.Data kind, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        UnpoolProblem u = UnpoolProblem.inverseOf(p);
        Conformance.Run run = s -> {
            Tensor x = s.upload(p.inputShape(), PoolChecks.input(p, kind, data));
            List<Tensor> pooled = s.device().maxPoolWithIndices(p, x);
            s.track(pooled.get(0));
            s.track(pooled.get(1));
            Tensor back = s.poisoned(u.outputShape());
            s.device().maxUnpool(u, pooled.get(0), pooled.get(1), back);
            return List.of(Output.of("y", back));
        };
        check(devices, "maxUnpool(maxPoolWithIndices)", p, "data " + kind, run,
                Conformance.bounds("y", ErrorBounds.POOLING), v);
    }

    private static void check(List<Device> devices, String op, Object problem, String variant, Conformance.Run run,
                              Map<String, Double> bounds, Verdicts v) {
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            Conformance.check(v, d, op, problem, variant, run, ref, bounds);
        }
    }
}
