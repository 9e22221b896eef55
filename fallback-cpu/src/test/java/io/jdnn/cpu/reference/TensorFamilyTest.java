package io.jdnn.cpu.reference;

import io.jdnn.BinaryOp;
import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * cat and split, permute and the broadcasting arithmetic on the reference backend, through the
 * public API: known values, backward passes against numerical differentiation, clear errors.
 */
class TensorFamilyTest {
    static Device dev;

    @BeforeAll
    static void open() {
        dev = Devices.open("reference");
    }

    @AfterAll
    static void close() {
        dev.close();
    }

    private static double[] doubles(float... v) {
        return Grad.widen(v);
    }

    @Test
    void catJoinsAlongTheAxisAndSplitUndoesIt() {
        try (Tensor a = dev.upload(Shape.of(2, 1), new float[] {1, 2});
             Tensor b = dev.upload(Shape.of(2, 2), new float[] {3, 4, 5, 6});
             Tensor y = dev.cat(List.of(a, b), 1)) {
            assertEquals(Shape.of(2, 3), y.shape());
            assertArrayEquals(doubles(1, 3, 4, 2, 5, 6), y.toDoubleArray());
            List<Tensor> parts = dev.split(y, 1, 1, 2);
            assertArrayEquals(a.toDoubleArray(), parts.get(0).toDoubleArray());
            assertArrayEquals(b.toDoubleArray(), parts.get(1).toDoubleArray());
            parts.forEach(Tensor::close);
        }
    }

    @Test
    void catBackwardIsTheGradientOfCat() {
        Random rnd = new Random(11);
        Shape[] shapes = {Shape.of(2, 3, 2), Shape.of(2, 1, 2), Shape.of(2, 4, 2)};
        float[] r = Grad.uniform(rnd, 2 * 8 * 2, -1, 1);
        Tensor[] xs = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            xs[i] = dev.upload(shapes[i], Grad.uniform(rnd, (int) shapes[i].elements(), -1, 1));
        }
        try (Tensor dy = dev.upload(Shape.of(2, 8, 2), r)) {
            List<Tensor> dxs = dev.split(dy, 1, 3, 1, 4);
            DoubleSupplier loss = () -> {
                try (Tensor y = dev.cat(List.of(xs), 1)) {
                    return Grad.dot(y.toDoubleArray(), r);
                }
            };
            for (int i = 0; i < 3; i++) {
                Grad.assertGradient("dx" + i, dxs.get(i).toDoubleArray(), Grad.numeric(xs[i], loss));
            }
            dxs.forEach(Tensor::close);
        } finally {
            for (Tensor x : xs) {
                x.close();
            }
        }
    }

    @Test
    void permuteMovesAxesAndItsBackwardIsTheGradient() {
        float[] xv = new float[2 * 3 * 4];
        for (int i = 0; i < xv.length; i++) {
            xv[i] = i;
        }
        int[] dims = {2, 0, 1};
        Random rnd = new Random(12);
        float[] r = Grad.uniform(rnd, xv.length, -1, 1);
        try (Tensor x = dev.upload(Shape.of(2, 3, 4), xv); Tensor y = dev.permute(x, dims);
             Tensor dy = dev.upload(Shape.of(4, 2, 3), r); Tensor dx = dev.permuteBackward(dy, dims)) {
            assertEquals(Shape.of(4, 2, 3), y.shape());
            double[] yv = y.toDoubleArray();
            // y[k, i, j] = x[i, j, k]
            assertEquals(xv[1 * 12 + 2 * 4 + 3], yv[3 * 6 + 1 * 3 + 2]);
            DoubleSupplier loss = () -> {
                try (Tensor out = dev.permute(x, dims)) {
                    return Grad.dot(out.toDoubleArray(), r);
                }
            };
            Grad.assertGradient("permute dx", dx.toDoubleArray(), Grad.numeric(x, loss));
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryBackwardIsTheGradientSummedOverBroadcastDims(BinaryOp op) {
        Random rnd = new Random(op.ordinal());
        Shape sa = Shape.of(3, 1, 4);
        Shape sb = Shape.of(2, 1);
        Shape out = Shape.of(3, 2, 4);
        // a on a grid of 0.1 and b halfway between: maximum and minimum never tie or come within H
        float[] av = Grad.distinct(rnd, 12, 0.1);
        float[] bv = {0.05f, -0.35f};
        if (op == BinaryOp.DIV) {
            bv = new float[] {0.75f, -1.5f};
        }
        float[] r = Grad.uniform(rnd, (int) out.elements(), -1, 1);
        try (Tensor a = dev.upload(sa, av); Tensor b = dev.upload(sb, bv); Tensor dy = dev.upload(out, r)) {
            List<Tensor> grads = dev.binaryBackward(op, a, b, dy);
            DoubleSupplier loss = () -> {
                try (Tensor y = dev.binary(op, a, b)) {
                    assertEquals(out, y.shape());
                    return Grad.dot(y.toDoubleArray(), r);
                }
            };
            Grad.assertGradient(op + " da", grads.get(0).toDoubleArray(), Grad.numeric(a, loss));
            Grad.assertGradient(op + " db", grads.get(1).toDoubleArray(), Grad.numeric(b, loss));
            grads.forEach(Tensor::close);
        }
    }

    @Test
    void maximumAndMinimumSplitTiesEvenly() {
        try (Tensor a = dev.upload(Shape.of(3), new float[] {1, 2, 3});
             Tensor b = dev.upload(Shape.of(3), new float[] {2, 2, 2});
             Tensor dy = dev.upload(Shape.of(3), new float[] {1, 1, 1})) {
            List<Tensor> max = dev.binaryBackward(BinaryOp.MAXIMUM, a, b, dy);
            assertArrayEquals(new double[] {0, 0.5, 1}, max.get(0).toDoubleArray());
            assertArrayEquals(new double[] {1, 0.5, 0}, max.get(1).toDoubleArray());
            List<Tensor> min = dev.binaryBackward(BinaryOp.MINIMUM, a, b, dy);
            assertArrayEquals(new double[] {1, 0.5, 0}, min.get(0).toDoubleArray());
            assertArrayEquals(new double[] {0, 0.5, 1}, min.get(1).toDoubleArray());
            max.forEach(Tensor::close);
            min.forEach(Tensor::close);
        }
    }

    @Test
    void errorsNameTheArgument() {
        try (Tensor a = dev.zeros(Shape.of(2, 3)); Tensor b = dev.zeros(Shape.of(4))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dev.binary(BinaryOp.ADD, a, b));
            assertTrue(e.getMessage().startsWith("b: expected a shape that broadcasts with a=[2, 3]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> dev.cat(List.of(a, b), 0));
            assertTrue(e.getMessage().startsWith("inputs[1]: expected a shape equal to inputs[0]=[2, 3]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> dev.permute(a, 0, 0));
            assertTrue(e.getMessage().startsWith("dims: expected a permutation of 0..1"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> dev.cat(List.of(a), 2));
            assertTrue(e.getMessage().startsWith("axis: expected an axis in [0, 2)"), e.getMessage());
            // in place only over an input of the output's own shape
            try (Tensor y = dev.zeros(Shape.of(2, 3)); Tensor y3 = y.view(Shape.of(1, 2, 3));
                 Tensor c = dev.zeros(Shape.of(1, 1, 3))) {
                e = assertThrows(IllegalArgumentException.class, () -> dev.binary(BinaryOp.ADD, y, c, y3));
                assertTrue(e.getMessage().contains("'y': expected a tensor distinct from the inputs"), e.getMessage());
            }
        }
    }
}
