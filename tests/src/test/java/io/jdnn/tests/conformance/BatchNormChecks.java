package io.jdnn.tests.conformance;

import io.jdnn.BatchNormProblem;
import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.Tensor;
import io.jdnn.tests.support.Conformance;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Verdicts;

import java.util.List;
import java.util.Map;

/**
 * Batch normalization against the reference: training forward (y, the saved mean and inverse
 * standard deviation, the running statistics updated in place), inference forward (also in place),
 * and both backward passes. Statistics and their backward sums are per-channel reductions:
 * {@link ErrorBounds#REDUCTION}; the inference forward pass and the inference backward's dx are
 * element-wise given the running statistics: {@link ErrorBounds#ELEMENTWISE}.
 */
final class BatchNormChecks {
    private BatchNormChecks() {
    }

    /**
     * Per-channel offsets of x: magnitudes in [0.5, 1.5], either sign, so that no channel's mean
     * (and no running mean moved towards it) is a cancellation near zero.
     */
    static float[] offsets(BatchNormProblem p, HostData data) {
        float[] o = data.dyadic("offset", p.channels());
        for (int c = 0; c < o.length; c++) {
            o[c] = Math.copySign(0.5f + Math.abs(o[c]), o[c] == 0 ? 1 : o[c]);
        }
        return o;
    }

    /**
     * x = offset + scale * v with v dyadic (exact sums, see {@link HostData#dyadic}) and a power-of-two
     * scale in 1/4..2 per channel: channels with different means and variances, every value exact.
     */
    static float[] input(BatchNormProblem p, HostData data) {
        float[] x = data.dyadic("x", (int) p.inputShape().elements());
        float[] offset = offsets(p, data);
        int[] scaleLog2 = data.ints("scale", p.channels(), 4);
        int hw = p.height() * p.width();
        for (int i = 0; i < x.length; i++) {
            int c = (i / hw) % p.channels();
            x[i] = offset[c] + Math.scalb(x[i], scaleLog2[c] - 2);
        }
        return x;
    }

    /** Running means of the channel offsets' signs, magnitudes in [0, 1). */
    static float[] runningMean(BatchNormProblem p, HostData data) {
        float[] rm = data.uniform("running_mean", p.channels(), 0, 1);
        float[] offset = offsets(p, data);
        for (int c = 0; c < rm.length; c++) {
            rm[c] = Math.copySign(rm[c], offset[c]);
        }
        return rm;
    }

    static float[] gamma(BatchNormProblem p, HostData data) {
        return data.nonZero("gamma", p.channels(), 0.5, 1.5);
    }

    static float[] runningVar(BatchNormProblem p, HostData data) {
        return data.uniform("running_var", p.channels(), 0.5, 2);
    }

    static void train(List<Device> devices, BatchNormProblem p, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Conformance.Run run = s -> {
            Tensor x = s.upload(p.inputShape(), input(p, data));
            Tensor gamma = s.upload(p.channelShape(), gamma(p, data));
            Tensor beta = s.upload(p.channelShape(), data.signed("beta", p.channels()));
            Tensor rm = s.upload(p.channelShape(), runningMean(p, data));
            Tensor rv = s.upload(p.channelShape(), runningVar(p, data));
            Tensor y = s.poisoned(p.inputShape());
            Tensor mean = s.poisoned(p.channelShape());
            Tensor invstd = s.poisoned(p.channelShape());
            s.device().batchNormTrain(p, x, gamma, beta, rm, rv, y, mean, invstd);
            return List.of(Output.of("y", y), Output.of("save_mean", mean), Output.of("save_invstd", invstd),
                    Output.of("running_mean", rm), Output.of("running_var", rv));
        };
        Map<String, Output> ref = Conformance.reference(run);
        double b = ErrorBounds.REDUCTION;
        for (Device d : devices) {
            Conformance.check(v, d, "batchNormTrain", p, "", run, ref, Conformance.bounds("y", b, "save_mean", b,
                    "save_invstd", b, "running_mean", b, "running_var", b));
        }
    }

    /**
     * beta for the inference check: per channel a signed power of two at least four times the
     * channel's largest |gamma * xhat|, so that y = gamma * xhat + beta never cancels to a value far
     * below its terms (the bound is relative to max |y|: with beta = -gamma * xhat to 3 digits, a
     * one-element channel's y is 1e-3 of its terms, and float32 rounding of the terms alone is then a
     * 2e-5 relative error; the suite found that case). A wrong xhat still shows: its term is a
     * quarter of y's scale at most, not nothing.
     */
    static float[] inferenceBeta(BatchNormProblem p, float[] x, float[] gamma, float[] rm, float[] rv, HostData data) {
        float[] sign = data.signed("beta", p.channels());
        int spatial = p.height() * p.width();
        float[] beta = new float[p.channels()];
        for (int c = 0; c < p.channels(); c++) {
            double scale = gamma[c] / Math.sqrt((double) rv[c] + p.eps());
            double most = 0;
            for (int n = 0; n < p.batch(); n++) {
                int base = (n * p.channels() + c) * spatial;
                for (int i = 0; i < spatial; i++) {
                    most = Math.max(most, Math.abs(scale * ((double) x[base + i] - rm[c])));
                }
            }
            float magnitude = (float) Math.scalb(1.0, Math.getExponent(Math.max(most, Float.MIN_NORMAL)) + 3);
            beta[c] = sign[c] < 0 ? -magnitude : magnitude;
        }
        return beta;
    }

    static void inference(List<Device> devices, BatchNormProblem p, boolean inPlace, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        float[] xs = input(p, data), gs = gamma(p, data), rms = runningMean(p, data), rvs = runningVar(p, data);
        float[] bs = inferenceBeta(p, xs, gs, rms, rvs, data);
        Conformance.Run run = s -> {
            Tensor x = s.upload(p.inputShape(), xs);
            Tensor gamma = s.upload(p.channelShape(), gs);
            Tensor beta = s.upload(p.channelShape(), bs);
            Tensor rm = s.upload(p.channelShape(), rms);
            Tensor rv = s.upload(p.channelShape(), rvs);
            Tensor y = inPlace ? x : s.poisoned(p.inputShape());
            s.device().batchNormInference(p, x, gamma, beta, rm, rv, y);
            return List.of(Output.of("y", y));
        };
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            Conformance.check(v, d, "batchNormInference", p, inPlace ? "in place" : "", run, ref,
                    Conformance.bounds("y", ErrorBounds.ELEMENTWISE));
        }
    }

    /** The batch statistics of x as the forward pass saves them, computed in double and rounded to float32. */
    static float[][] savedStatistics(BatchNormProblem p, float[] x) {
        int hw = p.height() * p.width();
        double m = p.reductionSize();
        float[] mean = new float[p.channels()];
        float[] invstd = new float[p.channels()];
        for (int c = 0; c < p.channels(); c++) {
            double sum = 0;
            for (int n = 0; n < p.batch(); n++) {
                for (int i = 0; i < hw; i++) {
                    sum += x[(n * p.channels() + c) * hw + i];
                }
            }
            double mu = sum / m;
            double sq = 0;
            for (int n = 0; n < p.batch(); n++) {
                for (int i = 0; i < hw; i++) {
                    double dv = x[(n * p.channels() + c) * hw + i] - mu;
                    sq += dv * dv;
                }
            }
            mean[c] = (float) mu;
            invstd[c] = (float) (1 / Math.sqrt(sq / m + p.eps()));
        }
        return new float[][] {mean, invstd};
    }

    /**
     * dy: dyadic magnitudes with the sign of x - center (the channel's mean the pass normalizes
     * with). dbeta = sum(dy) is then exact in float32 whatever it cancels to, and dgamma =
     * sum(dy * xhat) adds terms of one sign, so that neither is a cancellation that float32 cannot
     * resolve to the bound when a problem has one channel.
     */
    static float[] gradient(BatchNormProblem p, float[] x, float[] center, HostData data) {
        float[] dy = data.dyadic("dy", x.length);
        int hw = p.height() * p.width();
        for (int i = 0; i < x.length; i++) {
            int c = (i / hw) % p.channels();
            dy[i] = Math.copySign(dy[i], x[i] - center[c] < 0 ? -1f : 1f);
        }
        return dy;
    }

    static void backward(List<Device> devices, BatchNormProblem p, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Conformance.Run run = s -> {
            float[] xs = input(p, data);
            float[][] stats = savedStatistics(p, xs);
            Tensor x = s.upload(p.inputShape(), xs);
            Tensor dy = s.upload(p.inputShape(), gradient(p, xs, stats[0], data));
            Tensor gamma = s.upload(p.channelShape(), gamma(p, data));
            Tensor mean = s.upload(p.channelShape(), stats[0]);
            Tensor invstd = s.upload(p.channelShape(), stats[1]);
            Tensor dx = s.poisoned(p.inputShape());
            Tensor dgamma = s.poisoned(p.channelShape());
            Tensor dbeta = s.poisoned(p.channelShape());
            s.device().batchNormBackward(p, x, dy, gamma, mean, invstd, dx, dgamma, dbeta);
            return List.of(Output.of("dx", dx), Output.of("dgamma", dgamma), Output.of("dbeta", dbeta));
        };
        Map<String, Output> ref = Conformance.reference(run);
        double b = ErrorBounds.REDUCTION;
        for (Device d : devices) {
            Conformance.check(v, d, "batchNormBackward", p, "", run, ref,
                    Conformance.bounds("dx", b, "dgamma", b, "dbeta", b));
        }
    }

    static void inferenceBackward(List<Device> devices, BatchNormProblem p, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Conformance.Run run = s -> {
            float[] xs = input(p, data);
            float[] rms = runningMean(p, data);
            Tensor x = s.upload(p.inputShape(), xs);
            Tensor dy = s.upload(p.inputShape(), gradient(p, xs, rms, data));
            Tensor gamma = s.upload(p.channelShape(), gamma(p, data));
            Tensor rm = s.upload(p.channelShape(), rms);
            Tensor rv = s.upload(p.channelShape(), runningVar(p, data));
            Tensor dx = s.poisoned(p.inputShape());
            Tensor dgamma = s.poisoned(p.channelShape());
            Tensor dbeta = s.poisoned(p.channelShape());
            s.device().batchNormInferenceBackward(p, x, dy, gamma, rm, rv, dx, dgamma, dbeta);
            return List.of(Output.of("dx", dx), Output.of("dgamma", dgamma), Output.of("dbeta", dbeta));
        };
        Map<String, Output> ref = Conformance.reference(run);
        for (Device d : devices) {
            Conformance.check(v, d, "batchNormInferenceBackward", p, "", run, ref, Conformance.bounds(
                    "dx", ErrorBounds.ELEMENTWISE, "dgamma", ErrorBounds.REDUCTION, "dbeta", ErrorBounds.REDUCTION));
        }
    }
}
