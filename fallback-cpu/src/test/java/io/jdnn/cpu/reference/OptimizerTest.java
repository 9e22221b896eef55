package io.jdnn.cpu.reference;

import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.OptimizerState;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.optim.AdaDelta;
import io.jdnn.optim.AdaGrad;
import io.jdnn.optim.Adam;
import io.jdnn.optim.AdamW;
import io.jdnn.optim.Optimizer;
import io.jdnn.optim.RmsProp;
import io.jdnn.optim.Sgd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Optimizer steps on the reference backend, through the public API. */
class OptimizerTest {
    /**
     * The same float64 update written as PyTorch's documentation writes it (bias-corrected moments
     * first, say) rather than as the backend does: the two differ by a few roundings of an update
     * of order lr, far below 1e-13 of parameters of order 1.
     */
    static final double SAME_UPDATE_OTHER_ORDER = 1e-13;

    static Device dev;

    @BeforeAll
    static void open() {
        dev = Devices.open("reference");
    }

    @AfterAll
    static void close() {
        dev.close();
    }

    static Stream<Optimizer> rules() {
        return Stream.of(
                new Sgd(0.1, 0.9, 0.1, false, 0.01),
                new Sgd(0.1, 0.9, 0, true, 0),
                new Sgd(0.1, 0, 0, false, 0.01),
                new AdaGrad(0.1, 0.1, 0.01, 0.1, 1e-10),
                new RmsProp(0.01, 0.9, 1e-8, 0.1, 0.9, true),
                new RmsProp(0.01, 0.99, 1e-8, 0, 0, false),
                new Adam(0.01, 0.8, 0.99, 1e-6, 0.01, true),
                new Adam(0.01, 0.9, 0.999, 1e-8, 0, false),
                new AdamW(0.01, 0.9, 0.99, 1e-8, 0.1, false),
                new AdamW(0.01, 0.9, 0.99, 1e-8, 0.1, true),
                new AdaDelta(0.5, 0.9, 1e-6, 0.01));
    }

    @ParameterizedTest
    @MethodSource("rules")
    void threeStepsFollowPyTorchsAlgorithm(Optimizer rule) {
        Random rnd = new Random(rule.toString().hashCode());
        int n = 23;
        Shape s = Shape.of(n);
        float[] p0 = Grad.uniform(rnd, n, -1, 1);
        double[] p = Grad.widen(p0);
        double[][] state = new double[rule.stateNames().size()][n];
        for (int i = 0; i < state.length; i++) {
            Arrays.fill(state[i], rule.initialState(i));
        }
        try (Tensor param = dev.upload(s, p0); OptimizerState st = dev.optimizerState(rule, s)) {
            for (int t = 1; t <= 3; t++) {
                float[] g = Grad.uniform(rnd, n, -1, 1);
                try (Tensor grad = dev.upload(s, g)) {
                    dev.step(rule, st, param, grad);
                }
                for (int i = 0; i < n; i++) {
                    double[] slots = new double[state.length];
                    for (int j = 0; j < state.length; j++) {
                        slots[j] = state[j][i];
                    }
                    p[i] = pytorch(rule, t, p[i], g[i], slots);
                    for (int j = 0; j < state.length; j++) {
                        state[j][i] = slots[j];
                    }
                }
                Grad.assertClose(rule + " step " + t, param.toDoubleArray(), p, SAME_UPDATE_OTHER_ORDER);
                for (int j = 0; j < state.length; j++) {
                    String name = rule.stateNames().get(j);
                    Grad.assertClose(rule + " step " + t + " " + name, st.get(name).toDoubleArray(), state[j],
                            SAME_UPDATE_OTHER_ORDER);
                }
            }
            assertEquals(3, st.steps());
        }
    }

    /**
     * One step on one element as the algorithm boxes of torch.optim's documentation state it
     * (theta the parameter, g its gradient, s the state slots in stateNames() order, t from 1).
     */
    static double pytorch(Optimizer rule, int t, double theta, double g, double[] s) {
        if (rule instanceof Sgd o) {
            g += o.weightDecay() * theta;
            if (o.momentum() != 0) {
                s[0] = t > 1 ? o.momentum() * s[0] + (1 - o.dampening()) * g : g;
                g = o.nesterov() ? g + o.momentum() * s[0] : s[0];
            }
            return theta - o.lr() * g;
        }
        if (rule instanceof AdaGrad o) {
            double clr = o.lr() / (1 + (t - 1) * o.lrDecay());
            g += o.weightDecay() * theta;
            s[0] += g * g;
            return theta - clr * g / (Math.sqrt(s[0]) + o.eps());
        }
        if (rule instanceof RmsProp o) {
            g += o.weightDecay() * theta;
            s[0] = o.alpha() * s[0] + (1 - o.alpha()) * g * g;
            double v = s[0];
            if (o.centered()) {
                int ga = o.momentum() > 0 ? 2 : 1;
                s[ga] = o.alpha() * s[ga] + (1 - o.alpha()) * g;
                v -= s[ga] * s[ga];
            }
            if (o.momentum() > 0) {
                s[1] = o.momentum() * s[1] + g / (Math.sqrt(v) + o.eps());
                return theta - o.lr() * s[1];
            }
            return theta - o.lr() * g / (Math.sqrt(v) + o.eps());
        }
        if (rule instanceof Adam o) {
            return adam(o.lr(), o.beta1(), o.beta2(), o.eps(), o.amsgrad(), t, theta, g + o.weightDecay() * theta, s);
        }
        if (rule instanceof AdamW o) {
            theta -= o.lr() * o.weightDecay() * theta;
            return adam(o.lr(), o.beta1(), o.beta2(), o.eps(), o.amsgrad(), t, theta, g, s);
        }
        AdaDelta o = (AdaDelta) rule;
        g += o.weightDecay() * theta;
        s[0] = o.rho() * s[0] + (1 - o.rho()) * g * g;
        double dx = Math.sqrt(s[1] + o.eps()) / Math.sqrt(s[0] + o.eps()) * g;
        s[1] = o.rho() * s[1] + (1 - o.rho()) * dx * dx;
        return theta - o.lr() * dx;
    }

    /** Adam with bias-corrected moments m^ = m / (1 - b1^t), v^ = v / (1 - b2^t) (AMSGrad keeps the max of v). */
    static double adam(double lr, double b1, double b2, double eps, boolean amsgrad, int t, double theta, double g,
                       double[] s) {
        s[0] = b1 * s[0] + (1 - b1) * g;
        s[1] = b2 * s[1] + (1 - b2) * g * g;
        double v = s[1];
        if (amsgrad) {
            s[2] = Math.max(s[2], s[1]);
            v = s[2];
        }
        double mHat = s[0] / (1 - Math.pow(b1, t));
        double vHat = v / (1 - Math.pow(b2, t));
        return theta - lr * mHat / (Math.sqrt(vHat) + eps);
    }

    @Test
    void sgdFirstMomentumStepTakesTheGradientUndamped() {
        // momentum 0.9, dampening 0.5, lr 0.1: step 1 buf = g1 = 0.5 (not 0.5 * g1), p = 1 - 0.05;
        // step 2 buf = 0.9 * 0.5 + 0.5 * 0.25 = 0.575, p = 0.95 - 0.0575
        Sgd rule = new Sgd(0.1, 0.9, 0.5, false, 0);
        Shape s = Shape.of(1);
        try (Tensor p = dev.upload(s, new float[] {1}); OptimizerState st = dev.optimizerState(rule, s);
             Tensor g1 = dev.upload(s, new float[] {0.5f}); Tensor g2 = dev.upload(s, new float[] {0.25f})) {
            dev.step(rule, st, p, g1);
            assertArrayEquals(new double[] {0.5}, st.get("momentum_buffer").toDoubleArray());
            assertArrayEquals(new double[] {1 - 0.1 * 0.5}, p.toDoubleArray());
            dev.step(rule, st, p, g2);
            assertArrayEquals(new double[] {0.9 * 0.5 + 0.5 * 0.25}, st.get("momentum_buffer").toDoubleArray());
            // two float64 updates of order 0.05 on a value of order 1, rounded in another order: a few 2^-53
            Grad.assertClose("p2", p.toDoubleArray(), new double[] {0.95 - 0.1 * 0.575}, 1e-15);
        }
    }

    @Test
    void adamFirstStepMovesEveryParameterByTheLearningRate() {
        // at t = 1 the bias corrections make m^ = g and v^ = g^2, so p moves by -lr * g / (|g| + eps),
        // about lr whatever the gradient's size
        Adam rule = new Adam(0.01, 0.9, 0.999, 1e-8, 0, false);
        Shape s = Shape.of(3);
        float[] g = {4, -0.5f, 1e-3f};
        double[] expected = new double[3];
        for (int i = 0; i < 3; i++) {
            expected[i] = -0.01 * g[i] / (Math.abs(g[i]) + 1e-8);
        }
        try (Tensor p = dev.zeros(s); OptimizerState st = dev.optimizerState(rule, s); Tensor tg = dev.upload(s, g)) {
            dev.step(rule, st, p, tg);
            // covers the float64 rounding of the bias corrections and sqrt (a few 2^-53); a missing
            // correction would be off by a factor of 10 (1 - beta1) or 30 (sqrt(1 - beta2))
            Grad.assertClose("p", p.toDoubleArray(), expected, 1e-12);
            assertEquals(1, st.steps());
        }
    }

    @Test
    void adagradDecaysTheLearningRateByTheStepCount() {
        // g = 1 each step, lr 1, lr_decay 1: step t uses lr / t, and the accumulator holds t
        AdaGrad rule = new AdaGrad(1, 1, 0, 0, 1e-10);
        Shape s = Shape.of(1);
        try (Tensor p = dev.zeros(s); OptimizerState st = dev.optimizerState(rule, s); Tensor g = dev.full(s, 1f)) {
            double expected = 0;
            for (int t = 1; t <= 3; t++) {
                dev.step(rule, st, p, g);
                expected -= (1.0 / t) / (Math.sqrt(t) + 1e-10);
                // the same float64 operations in the same order, up to the accumulation of p over three steps
                Grad.assertClose("p step " + t, p.toDoubleArray(), new double[] {expected}, 1e-15);
                assertEquals(t, st.steps());
            }
        }
    }
}
