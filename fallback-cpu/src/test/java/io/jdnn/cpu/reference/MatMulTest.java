package io.jdnn.cpu.reference;

import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.MatMulProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batched matrix product on the reference backend, through the public API: known values,
 * the problem's shapes and broadcast matrix indices, the backward against numerical
 * differentiation, clear errors.
 */
class MatMulTest {
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
    void knownValuesWithABroadcastRightSide() {
        // a: two 2x2 matrices; b: one 2x1, shared by both
        try (Tensor a = dev.upload(Shape.of(2, 2, 2), new float[] {1, 2, 3, 4, 5, 6, 7, 8});
             Tensor b = dev.upload(Shape.of(2, 1), new float[] {1, -1});
             Tensor y = dev.matmul(a, b)) {
            assertEquals(Shape.of(2, 2, 1), y.shape());
            assertArrayEquals(new double[] {-1, -1, -1, -1}, y.toDoubleArray());
        }
    }

    @Test
    void problemShapesAndMatrixIndices() {
        MatMulProblem p = new MatMulProblem(Shape.of(2, 1, 3, 5, 4), Shape.of(4, 1, 4, 6));
        assertEquals(Shape.of(2, 4, 3, 5, 6), p.outputShape());
        assertEquals(24, p.batchCount());
        assertEquals(6, p.aBatchCount());
        assertEquals(4, p.bBatchCount());
        // output matrix (1, 2, 1): a's (1, 0, 1) = 4, b's (2, 0) = 2
        long o = (1 * 4 + 2) * 3 + 1;
        assertEquals(4, p.aMatrix(o));
        assertEquals(2, p.bMatrix(o));
        assertEquals(2L * 24 * 5 * 6 * 4, p.flops());
        assertEquals("matmul_a=2x1x3x5x4_b=4x1x4x6", p.toString());
        assertEquals(p, MatMulProblem.parse(p.toString()));
    }

    @Test
    void backwardIsTheGradientSummedOverBroadcastBatches() {
        Random rnd = new Random(16);
        Shape sa = Shape.of(2, 1, 3, 2);
        Shape sb = Shape.of(3, 2, 4);
        Shape out = Shape.of(2, 3, 3, 4);
        float[] r = Grad.uniform(rnd, (int) out.elements(), -1, 1);
        try (Tensor a = dev.upload(sa, Grad.uniform(rnd, (int) sa.elements(), -1, 1));
             Tensor b = dev.upload(sb, Grad.uniform(rnd, (int) sb.elements(), -1, 1));
             Tensor dy = dev.upload(out, r)) {
            List<Tensor> grads = dev.matmulBackward(a, b, dy);
            DoubleSupplier loss = () -> {
                try (Tensor y = dev.matmul(a, b)) {
                    assertEquals(out, y.shape());
                    return Grad.dot(y.toDoubleArray(), r);
                }
            };
            Grad.assertGradient("matmul da", grads.get(0).toDoubleArray(), Grad.numeric(a, loss));
            Grad.assertGradient("matmul db", grads.get(1).toDoubleArray(), Grad.numeric(b, loss));
            grads.forEach(Tensor::close);
        }
    }

    @Test
    void errorsNameTheArgument() {
        try (Tensor a = dev.zeros(Shape.of(2, 3)); Tensor b = dev.zeros(Shape.of(4, 5)); Tensor v = dev.zeros(Shape.of(3));
             Tensor c = dev.zeros(Shape.of(2, 3, 5)); Tensor d = dev.zeros(Shape.of(3, 5, 2))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dev.matmul(a, b));
            assertTrue(e.getMessage().startsWith("b: expected a row count equal to a's column count 3, got 4"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> dev.matmul(a, v));
            assertTrue(e.getMessage().startsWith("b: expected a rank from 2 to 8"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> dev.matmul(c, d));
            assertTrue(e.getMessage().startsWith("b: expected batch dimensions that broadcast with a=[2, 3, 5]"),
                    e.getMessage());
        }
    }
}
