package io.jdnn.cpu.reference;

import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PReLU on the reference: both gradients by numerical differentiation, the branch at 0, argument checks. */
class PreluTest {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void backwardIsTheGradientOfTheForwardPass(boolean shared) {
        Random rnd = new Random(shared ? 7 : 8);
        Shape xs = Shape.of(2, 3, 2, 3);
        Shape ws = Shape.of(shared ? 1 : 3);
        float[] xv = Grad.awayFromZero(rnd, 36, 0.1, 3);
        float[] wv = Grad.uniform(rnd, (int) ws.elements(), -1, 1);
        float[] r = Grad.uniform(rnd, 36, -1, 1);
        try (Device dev = Devices.open("reference"); Tensor x = dev.upload(xs, xv); Tensor w = dev.upload(ws, wv);
             Tensor dy = dev.upload(xs, r); Tensor dx = dev.allocate(xs); Tensor dw = dev.allocate(ws)) {
            dev.preluBackward(x, w, dy, dx, dw);
            DoubleSupplier loss = () -> {
                try (Tensor y = dev.prelu(x, w)) {
                    return Grad.dot(y.toDoubleArray(), r);
                }
            };
            Grad.assertGradient("prelu dx", dx.toDoubleArray(), Grad.numeric(x, loss));
            Grad.assertGradient("prelu dweight", dw.toDoubleArray(), Grad.numeric(w, loss));
        }
    }

    @Test
    void zeroTakesTheNegativeBranchAndChannelsAreDimensionOne() {
        try (Device dev = Devices.open("reference");
             Tensor x = dev.upload(Shape.of(1, 2, 2), new float[] {0, -2, 0, -2});
             Tensor w = dev.upload(Shape.of(2), new float[] {0.5f, 0.25f});
             Tensor dy = dev.upload(Shape.of(1, 2, 2), new float[] {1, 1, 1, 1});
             Tensor dx = dev.allocate(Shape.of(1, 2, 2)); Tensor dw = dev.allocate(Shape.of(2))) {
            try (Tensor y = dev.prelu(x, w)) {
                assertArrayEquals(new float[] {0, -1, 0, -0.5f}, y.toArray());
            }
            dev.preluBackward(x, w, dy, dx, dw);
            assertArrayEquals(new float[] {0.5f, 0.5f, 0.25f, 0.25f}, dx.toArray(), "PyTorch: dx = weight * dy at 0");
            assertArrayEquals(new float[] {-2, -2}, dw.toArray());
        }
    }

    @Test
    void aWeightOfAnotherLengthIsRejectedByName() {
        try (Device dev = Devices.open("reference"); Tensor x = dev.allocate(Shape.of(2, 3, 4));
             Tensor w = dev.allocate(Shape.of(4))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dev.prelu(x, w));
            assertTrue(e.getMessage().contains("weight") && e.getMessage().contains("[3]")
                    && e.getMessage().contains("got [4]"), e.getMessage());
        }
    }
}
