package io.jdnn.cpu.reference;

import io.jdnn.Activation;
import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.Philox;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Activations, axpby, dropout and the random fills on the reference backend, through the public API. */
class ElementwiseTest {
    static Device dev;

    @BeforeAll
    static void open() {
        dev = Devices.open("reference");
    }

    @AfterAll
    static void close() {
        dev.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"relu", "leakyrelu_slope=0.1", "elu_alpha=0.7", "sigmoid", "tanh", "relu6", "hardswish",
            "hardsigmoid", "silu", "mish", "gelu", "gelutanh", "softplus", "softplus_beta=0.5_threshold=1"})
    void backwardIsTheGradientOfTheForwardPass(String text) {
        Activation a = Activation.parse(text);
        Random rnd = new Random(text.hashCode());
        Shape s = Shape.of(4, 9);
        // |x| in [0.1, 3), 10^4 steps away from the kinks of relu, leaky relu, elu and relu6 at 0 (and of
        // hardswish and hardsigmoid at +-3 for these seeds)
        float[] xv = Grad.awayFromZero(rnd, 36, 0.1, 3);
        float[] r = Grad.uniform(rnd, 36, -1, 1);
        try (Tensor x = dev.upload(s, xv); Tensor dy = dev.upload(s, r); Tensor dx = dev.activationBackward(a, x, dy)) {
            DoubleSupplier loss = () -> {
                try (Tensor y = dev.activation(a, x)) {
                    return Grad.dot(y.toDoubleArray(), r);
                }
            };
            Grad.assertGradient(text + " dx", dx.toDoubleArray(), Grad.numeric(x, loss));
        }
    }

    static double[] forward(Activation a, float... x) {
        try (Tensor t = dev.upload(Shape.of(x.length), x); Tensor y = dev.activation(a, t)) {
            return y.toDoubleArray();
        }
    }

    static double[] backward(Activation a, float... x) {
        float[] ones = new float[x.length];
        Arrays.fill(ones, 1f);
        try (Tensor t = dev.upload(Shape.of(x.length), x); Tensor dy = dev.upload(Shape.of(x.length), ones);
             Tensor dx = dev.activationBackward(a, t, dy)) {
            return dx.toDoubleArray();
        }
    }

    @Test
    void valuesAndGradientsAtAndAroundZero() {
        assertArrayEquals(new double[] {0, 0, 2}, forward(Activation.relu(), -1, 0, 2));
        assertArrayEquals(new double[] {0, 0, 1}, backward(Activation.relu(), -1, 0, 2));
        assertArrayEquals(new double[] {-0.2, 0, 2}, forward(Activation.leakyRelu(0.1), -2, 0, 2));
        assertArrayEquals(new double[] {0.1, 0.1, 1}, backward(Activation.leakyRelu(0.1), -2, 0, 2));
        assertArrayEquals(new double[] {0.7 * Math.expm1(-1), 0, 2}, forward(Activation.elu(0.7), -1, 0, 2));
        assertArrayEquals(new double[] {0.7 * Math.exp(-1), 0.7, 1}, backward(Activation.elu(0.7), -1, 0, 2));
        assertArrayEquals(new double[] {0.5}, forward(Activation.sigmoid(), 0));
        assertArrayEquals(new double[] {0.25}, backward(Activation.sigmoid(), 0));
        assertArrayEquals(new double[] {0, Math.tanh(1)}, forward(Activation.tanh(), 0, 1));
        assertArrayEquals(new double[] {1}, backward(Activation.tanh(), 0));
        // NaN propagates through relu, as torch.relu does
        assertTrue(Double.isNaN(forward(Activation.relu(), Float.NaN)[0]));
    }

    @Test
    void activationsRunInPlace() {
        float[] v = {-1, 0.5f, 2};
        try (Tensor x = dev.upload(Shape.of(3), v); Tensor dy = dev.full(Shape.of(3), 3f)) {
            dev.activationBackward(Activation.leakyRelu(0.5), x, dy, dy);
            assertArrayEquals(new double[] {1.5, 3, 3}, dy.toDoubleArray());
            dev.activation(Activation.leakyRelu(0.5), x, x);
            assertArrayEquals(new double[] {-0.5, 0.5, 2}, x.toDoubleArray());
        }
    }

    @Test
    void axpbyRunsInPlace() {
        try (Tensor a = dev.upload(Shape.of(3), new float[] {1, 2, 3}); Tensor b = dev.upload(Shape.of(3), new float[] {4, 5, 6})) {
            dev.axpby(2, a, -3, b, a);
            assertArrayEquals(new double[] {2 - 12, 4 - 15, 6 - 18}, a.toDoubleArray());
        }
    }

    @Test
    void dropoutWithPZeroKeepsEverythingAndWithPOneDropsEverything() {
        Random rnd = new Random(5);
        float[] xv = Grad.uniform(rnd, 1000, -2, 2);
        try (Tensor x = dev.upload(Shape.of(1000), xv); Tensor y = dev.allocate(Shape.of(1000))) {
            dev.dropout(0, 42, 7, x, y);
            assertArrayEquals(Grad.widen(xv), y.toDoubleArray());
            dev.dropout(1, 42, 7, x, y);
            assertArrayEquals(new double[1000], y.toDoubleArray());
            dev.dropoutBackward(1, 42, 7, x, y);
            assertArrayEquals(new double[1000], y.toDoubleArray());
        }
    }

    @Test
    void dropoutKeepsWhatPhiloxSaysAndScalesByOneOverOneMinusP() {
        int n = 10000;
        double p = 0.3;
        float[] ones = new float[n];
        Arrays.fill(ones, 1f);
        try (Tensor x = dev.upload(Shape.of(n), ones); Tensor y = dev.allocate(Shape.of(n));
             Tensor dx = dev.allocate(Shape.of(n))) {
            dev.dropout(p, 42, 7, x, y);
            dev.dropoutBackward(p, 42, 7, x, dx);
            double[] yv = y.toDoubleArray();
            double[] dxv = dx.toDoubleArray();
            int kept = 0;
            for (int i = 0; i < n; i++) {
                double expected = Philox.keep(p, 42, 7, i) ? 1 / (1 - p) : 0;
                assertEquals(expected, yv[i], "y[" + i + "]");
                assertEquals(expected, dxv[i], "dx[" + i + "]");
                kept += yv[i] != 0 ? 1 : 0;
            }
            // a binomial(10000, 0.7) count has a standard deviation of 46: 300 is more than 6 of them,
            // and a mask that kept with probability p instead of 1 - p would be off by 4000
            assertTrue(Math.abs(kept - 7000) < 300, "kept " + kept + " of " + n);
        }
    }

    @Test
    void randomFillsArePhiloxStreams() {
        try (Tensor u = dev.allocate(Shape.of(101)); Tensor g = dev.allocate(Shape.of(101))) {
            dev.randomUniform(u, -2, 3, 9, 4);
            dev.randomNormal(g, 1, 0.5, 9, 4);
            double[] uv = u.toDoubleArray();
            double[] gv = g.toDoubleArray();
            for (int i = 0; i < 101; i++) {
                assertEquals(-2 + 5 * Philox.uniform(9, 4, i), uv[i], "uniform[" + i + "]");
                assertEquals(1 + 0.5 * Philox.normal(9, 4, i), gv[i], "normal[" + i + "]");
            }
        }
    }
}
