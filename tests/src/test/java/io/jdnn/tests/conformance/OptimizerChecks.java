package io.jdnn.tests.conformance;

import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.OptimizerState;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.optim.Optimizer;
import io.jdnn.tests.support.Conformance;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Verdicts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Optimizer steps against the reference: several steps of one rule on one parameter tensor, each
 * with a new gradient, the parameter and every state tensor compared after every step (so that the
 * state's evolution and the step count's role, such as Adam's bias correction and SGD's first
 * momentum step, are checked, not only one update). Each device carries its own state from step
 * to step, as training would. Bound {@link ErrorBounds#OPTIMIZER}.
 *
 * <p>Data: the bound counts a handful of float32 operations per element and step relative to the
 * tensor's largest element, which holds while no tensor comes out of cancellation. So each element
 * keeps one sign throughout: its parameter (magnitude in [0.5, 1]) and all its gradients
 * (magnitudes in [1/4, 1] times a per-step scale 1/16..1) share it, so no running average and no
 * {@code g + weightDecay * p} cancels; and learning rates (see the test class) keep the parameter's
 * total movement well below its magnitude, so no parameter cancels to near zero either. Bugs in
 * an update's size or direction still show: the parameter is compared after every step to about
 * 16 float32 units of its own size.
 */
final class OptimizerChecks {
    private OptimizerChecks() {
    }

    /** {@code param after step 2}, {@code exp_avg after step 2}. */
    static String name(String tensor, int step) {
        return tensor + " after step " + step;
    }

    static void check(List<Device> devices, Optimizer rule, int n, int steps, long seed, Verdicts v) {
        HostData data = new HostData(seed);
        Shape shape = Shape.of(n);
        Conformance.Run run = s -> {
            Device d = s.device();
            float[] p0 = data.nonZero("param", n, 0.5, 1);
            Tensor param = s.upload(shape, p0);
            OptimizerState state = s.track(d.optimizerState(rule, shape));
            List<Output> outs = new ArrayList<>();
            for (int t = 1; t <= steps; t++) {
                // Gradients of varying magnitude from step to step, so the adaptive rules' averages move.
                double scale = Math.pow(4, data.stream("scale" + t).nextInt(-2, 1));
                float[] g = data.uniform("grad" + t, n, scale / 4, scale);
                for (int i = 0; i < n; i++) {
                    g[i] = Math.copySign(g[i], p0[i]);
                }
                Tensor grad = s.upload(shape, g);
                d.step(rule, state, param, grad);
                outs.add(Output.of(name("param", t), param));
                for (String slot : rule.stateNames()) {
                    outs.add(Output.of(name(slot, t), state.get(slot)));
                }
            }
            return outs;
        };
        Map<String, Output> ref = Conformance.reference(run);
        Map<String, Double> bounds = new LinkedHashMap<>();
        for (String name : ref.keySet()) {
            bounds.put(name, ErrorBounds.OPTIMIZER);
        }
        for (Device d : devices) {
            Conformance.check(v, d, "step", rule, "n=" + n + ", " + steps + " steps", run, ref, bounds);
        }
    }
}
