package io.jdnn.cpu.reference;

import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.Loss;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Log-softmax, nll and the element-wise losses on the reference backend, through the public API. */
class LossesTest {
    static Device dev;

    @BeforeAll
    static void open() {
        dev = Devices.open("reference");
    }

    @AfterAll
    static void close() {
        dev.close();
    }

    @Test
    void logSoftmaxBackwardIsTheGradientOfLogSoftmax() {
        Random rnd = new Random(31);
        Shape s = Shape.of(3, 5);
        float[] r = Grad.uniform(rnd, 15, -1, 1);
        try (Tensor x = dev.upload(s, Grad.uniform(rnd, 15, -3, 3));
             Tensor y = dev.logSoftmax(x);
             Tensor dy = dev.upload(s, r);
             Tensor dx = dev.logSoftmaxBackward(y, dy)) {
            DoubleSupplier loss = () -> {
                dev.logSoftmax(x, y);
                return Grad.dot(y.toDoubleArray(), r);
            };
            Grad.assertGradient("dx", dx.toDoubleArray(), Grad.numeric(x, loss));
        }
    }

    @Test
    void logSoftmaxOfLargeLogitsSubtractsTheRowMaximum() {
        // log softmax([1000, 1001]) = [-log(1 + e), 1 - log(1 + e)]
        try (Tensor x = dev.upload(Shape.of(2, 2), new float[] {1000, 1001, -1, -1}); Tensor y = dev.logSoftmax(x)) {
            double l = Math.log1p(Math.E);
            Grad.assertClose("y", y.toDoubleArray(), new double[] {-l, 1 - l, -Math.log(2), -Math.log(2)},
                    SoftmaxTest.FLOAT64_ROUNDING);
        }
    }

    @Test
    void nllLossIsMinusTheMeanOfTheTargetsLogProbabilitiesAndItsGradientMatches() {
        Random rnd = new Random(32);
        int[] target = {2, 0, 3};
        float[] v = Grad.uniform(rnd, 12, -3, 0);
        try (Tensor x = dev.upload(Shape.of(3, 4), v); Tensor loss = dev.allocate(Shape.of(1));
             Tensor dx = dev.allocate(x.shape())) {
            dev.nllLoss(x, target, loss, dx);
            double expected = -((double) v[2] + v[4] + v[11]) / 3;
            Grad.assertClose("loss", loss.toDoubleArray(), new double[] {expected}, SoftmaxTest.FLOAT64_ROUNDING);
            double[] analytic = dx.toDoubleArray();
            DoubleSupplier f = () -> {
                dev.nllLoss(x, target, loss, dx);
                return loss.toDoubleArray()[0];
            };
            Grad.assertGradient("dx", analytic, Grad.numeric(x, f));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mse", "l1", "smoothl1_beta=0.7", "smoothl1_beta=0", "bcewithlogits"})
    void eachLossGradientIsTheGradientOfItsMean(String text) {
        Loss l = Loss.parse(text);
        Random rnd = new Random(33);
        int n = 24;
        float[] t = l.kind() == Loss.Kind.BCE_WITH_LOGITS ? Grad.uniform(rnd, n, 0, 1) : Grad.uniform(rnd, n, -2, 2);
        float[] x = new float[n];
        // |x - t| in [0.05, 1.5] away from the kinks at 0 and (for smooth L1) at beta = 0.7
        float[] d = Grad.awayFromZero(rnd, n, 0.05, 1.5);
        for (int i = 0; i < n; i++) {
            if (Math.abs(Math.abs(d[i]) - 0.7) < 0.05) {
                d[i] *= 1.2f;
            }
            x[i] = t[i] + d[i];
        }
        try (Tensor xt = dev.upload(Shape.of(4, 6), x); Tensor tt = dev.upload(Shape.of(4, 6), t);
             Tensor loss = dev.allocate(Shape.of(1)); Tensor dx = dev.allocate(xt.shape())) {
            dev.loss(l, xt, tt, loss, dx);
            double[] analytic = dx.toDoubleArray();
            DoubleSupplier f = () -> {
                dev.loss(l, xt, tt, loss, dx);
                return loss.toDoubleArray()[0];
            };
            Grad.assertGradient(text + " dx", analytic, Grad.numeric(xt, f));
        }
    }

    @Test
    void lossValuesArePyTorchsDefinitions() {
        float[] x = {0.5f, -1f, 2f, 3f};
        float[] t = {0.5f, 1f, 1.5f, 0f};
        double[] d = {0, -2, 0.5, 3};
        double mse = 0, l1 = 0, smooth = 0;
        for (double v : d) {
            mse += v * v / 4;
            l1 += Math.abs(v) / 4;
            smooth += (Math.abs(v) < 1 ? 0.5 * v * v : Math.abs(v) - 0.5) / 4;
        }
        assertLoss(Loss.mse(), x, t, mse, new double[] {0, -1, 0.25, 1.5});
        assertLoss(Loss.l1(), x, t, l1, new double[] {0, -0.25, 0.25, 0.25}); // sign(0) = 0
        assertLoss(Loss.smoothL1(1), x, t, smooth, new double[] {0, -0.25, 0.125, 0.25});
        assertLoss(Loss.smoothL1(0), x, t, l1, new double[] {0, -0.25, 0.25, 0.25}); // beta 0 is L1
    }

    @Test
    void bceWithLogitsIsStableForLargeLogits() {
        // max(x, 0) - x t + log1p(exp(-|x|)): x = 200, t = 0 gives 200; x = -200, t = 1 gives 200;
        // x = 200, t = 1 gives log1p(exp(-200)) ~ 1.4e-87, not 0 - 0 cancelling into a wrong value
        float[] x = {200f, -200f, 200f, 0f};
        float[] t = {0f, 1f, 1f, 0.25f};
        double expected = (200 + 200 + Math.log1p(Math.exp(-200)) + Math.log(2)) / 4;
        assertLoss(Loss.bceWithLogits(), x, t, expected, new double[] {0.25, -0.25, 0, (0.5 - 0.25) / 4});
    }

    private static void assertLoss(Loss l, float[] x, float[] t, double loss, double[] dx) {
        Shape s = Shape.of(x.length);
        try (Tensor xt = dev.upload(s, x); Tensor tt = dev.upload(s, t); Tensor lt = dev.allocate(Shape.of(1));
             Tensor dxt = dev.allocate(s)) {
            dev.loss(l, xt, tt, lt, dxt);
            Grad.assertClose(l + " loss", lt.toDoubleArray(), new double[] {loss}, SoftmaxTest.FLOAT64_ROUNDING);
            Grad.assertClose(l + " dx", dxt.toDoubleArray(), dx, SoftmaxTest.FLOAT64_ROUNDING);
        }
    }

    @Test
    void badArgumentsAreRefusedNamingTheArgument() {
        IllegalArgumentException sum = assertThrows(IllegalArgumentException.class,
                () -> new Loss(Loss.Kind.MSE, 0, "sum"));
        assertEquals("reduction: expected \"mean\" (the only reduction jdnn computes), got \"sum\"", sum.getMessage());
        IllegalArgumentException beta = assertThrows(IllegalArgumentException.class, () -> Loss.smoothL1(-1));
        assertTrue(beta.getMessage().startsWith("beta: "), beta.getMessage());
        try (Tensor x = dev.zeros(Shape.of(2, 3)); Tensor loss = dev.allocate(Shape.of(1));
             Tensor dx = dev.allocate(x.shape()); Tensor t = dev.zeros(Shape.of(3, 2))) {
            IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                    () -> dev.nllLoss(x, new int[] {0, 3}, loss, dx));
            assertEquals("target[1]: expected a class index in [0, 3), got 3", label.getMessage());
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> dev.loss(Loss.mse(), x, t, loss, dx));
            assertTrue(shape.getMessage().contains("argument 'target': expected shape"), shape.getMessage());
            IllegalArgumentException alias = assertThrows(IllegalArgumentException.class,
                    () -> dev.loss(Loss.mse(), x, x, loss, x));
            assertTrue(alias.getMessage().contains("argument 'dx'"), alias.getMessage());
        }
    }

    @Test
    void lossStringsRoundTrip() {
        for (Loss l : new Loss[] {Loss.mse(), Loss.l1(), Loss.smoothL1(0.25), Loss.smoothL1(0), Loss.bceWithLogits()}) {
            assertEquals(l, Loss.parse(l.toString()));
        }
        assertEquals(Loss.smoothL1(1), Loss.parse("smoothl1"));
    }
}
