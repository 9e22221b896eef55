package io.jdnn.cpu.reference;

import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.LinearProblem;
import io.jdnn.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The fully connected layer on the reference backend, through the public API. */
class LinearTest {
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
    void backwardPassesAreTheGradientsOfTheForwardPass() {
        LinearProblem p = new LinearProblem(3, 7, 4);
        Random rnd = new Random(31);
        float[] r = Grad.uniform(rnd, (int) p.outputShape().elements(), -1, 1);
        try (Tensor x = dev.upload(p.inputShape(), Grad.uniform(rnd, 21, -1, 1));
             Tensor w = dev.upload(p.weightShape(), Grad.uniform(rnd, 28, -1, 1));
             Tensor b = dev.upload(p.biasShape(), Grad.uniform(rnd, 4, -1, 1));
             Tensor y = dev.allocate(p.outputShape());
             Tensor dy = dev.upload(p.outputShape(), r);
             Tensor dx = dev.allocate(p.inputShape());
             Tensor dw = dev.allocate(p.weightShape());
             Tensor db = dev.allocate(p.biasShape())) {
            dev.linearBackwardData(p, dy, w, dx);
            dev.linearBackwardWeight(p, x, dy, dw);
            dev.linearBackwardBias(p, dy, db);
            DoubleSupplier loss = () -> {
                dev.linear(p, x, w, b, y);
                return Grad.dot(y.toDoubleArray(), r);
            };
            Grad.assertGradient("dx", dx.toDoubleArray(), Grad.numeric(x, loss));
            Grad.assertGradient("dw", dw.toDoubleArray(), Grad.numeric(w, loss));
            Grad.assertGradient("db", db.toDoubleArray(), Grad.numeric(b, loss));
        }
    }

    @Test
    void forwardByHand() {
        // x (1,2) = [1, 2], w (3,2) = [[1,0],[0,1],[1,1]], b = [10, 20, 30]: y = x w^T + b
        LinearProblem p = new LinearProblem(1, 2, 3);
        try (Tensor x = dev.upload(p.inputShape(), new float[] {1, 2});
             Tensor w = dev.upload(p.weightShape(), new float[] {1, 0, 0, 1, 1, 1});
             Tensor b = dev.upload(p.biasShape(), new float[] {10, 20, 30});
             Tensor y = dev.allocate(p.outputShape())) {
            dev.linear(p, x, w, b, y);
            assertArrayEquals(new double[] {11, 22, 33}, y.toDoubleArray());
            dev.linear(p, x, w, null, y);
            assertArrayEquals(new double[] {1, 2, 3}, y.toDoubleArray());
        }
    }
}
