package io.jdnn.cpu.reference;

import io.jdnn.Activation;
import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The numerical differentiation and the comparison the gradient tests rely on. */
class GradTest {

    @Test
    void numericDerivativeOfTanhIsOneMinusTanhSquared() {
        Random rnd = new Random(41);
        float[] xv = Grad.uniform(rnd, 20, -2, 2);
        float[] r = Grad.uniform(rnd, 20, -1, 1);
        double[] exact = new double[20];
        for (int i = 0; i < 20; i++) {
            double t = Math.tanh(xv[i]);
            exact[i] = (1 - t * t) * r[i];
        }
        try (Device dev = Devices.open("reference"); Tensor x = dev.upload(Shape.of(20), xv)) {
            double[] numeric = Grad.numeric(x, () -> {
                try (Tensor y = dev.activation(Activation.tanh(), x)) {
                    return Grad.dot(y.toDoubleArray(), r);
                }
            });
            Grad.assertGradient("numeric d tanh", numeric, exact);
            // the input is restored after the perturbations
            assertArrayEquals(xv, x.toArray());
        }
    }

    @Test
    void aGradientOffByTenTimesTheToleranceFails() {
        double[] numeric = {0.5, -2, 1, 0};
        double[] wrong = numeric.clone();
        wrong[1] *= 1 + 10 * Grad.TOLERANCE;
        assertThrows(AssertionFailedError.class, () -> Grad.assertGradient("wrong", wrong, numeric));
        double[] nan = numeric.clone();
        nan[3] = Double.NaN;
        assertThrows(AssertionFailedError.class, () -> Grad.assertGradient("nan", nan, numeric));
        Grad.assertGradient("same", numeric.clone(), numeric);
    }
}
