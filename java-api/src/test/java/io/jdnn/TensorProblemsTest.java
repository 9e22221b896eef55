package io.jdnn;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CatProblem, PermuteProblem and BroadcastProblem: shapes, round trips of their canonical strings, errors. */
class TensorProblemsTest {
    final Random r = new Random(15);

    int[] dims(int maxRank) {
        int[] d = new int[1 + r.nextInt(maxRank)];
        for (int i = 0; i < d.length; i++) {
            d[i] = 1 + r.nextInt(9);
        }
        return d;
    }

    @Test
    void roundTrips() {
        ProblemStringRoundTripTest.roundTrips("CatProblem", () -> {
            int[] d = dims(6);
            int axis = r.nextInt(d.length);
            List<Shape> shapes = new ArrayList<>();
            for (int i = 0, n = 1 + r.nextInt(5); i < n; i++) {
                d[axis] = 1 + r.nextInt(9);
                shapes.add(Shape.of(d));
            }
            return new CatProblem(axis, shapes);
        }, CatProblem::parse);
        ProblemStringRoundTripTest.roundTrips("PermuteProblem", () -> {
            int[] d = dims(8);
            int[] perm = new int[d.length];
            for (int i = 0; i < perm.length; i++) {
                perm[i] = r.nextInt(perm.length); // often not a permutation: refused, drawn again
            }
            return new PermuteProblem(Shape.of(d), perm);
        }, PermuteProblem::parse);
        ProblemStringRoundTripTest.roundTrips("BroadcastProblem", () -> {
            BinaryOp op = BinaryOp.values()[r.nextInt(BinaryOp.values().length)];
            int[] a = dims(8);
            int[] b = dims(8);
            for (int i = 0; i < b.length; i++) {
                b[i] = r.nextBoolean() ? 1 : b[i]; // often incompatible with a: refused, drawn again
            }
            return new BroadcastProblem(op, Shape.of(a), Shape.of(b));
        }, BroadcastProblem::parse);
    }

    @Test
    void shapes() {
        CatProblem c = CatProblem.parse("cat_axis1_y=2x10x4_sizes=3x5x2");
        assertEquals(Shape.of(2, 5, 4), c.inputs().get(1));
        assertEquals(8, c.offset(2));
        assertEquals(2, c.outer());
        assertEquals(4, c.inner());
        PermuteProblem p = new PermuteProblem(Shape.of(2, 3, 4, 5), new int[] {0, 2, 3, 1});
        assertEquals(Shape.of(2, 4, 5, 3), p.outputShape());
        assertArrayEquals(new int[] {0, 3, 1, 2}, p.inverse().dims());
        assertArrayEquals(new long[] {60, 5, 1, 20}, p.inputStrides());
        BroadcastProblem b = new BroadcastProblem(BinaryOp.MUL, Shape.of(2, 3, 1, 4), Shape.of(5, 1));
        assertEquals(Shape.of(2, 3, 5, 4), b.outputShape());
        assertArrayEquals(new int[] {1, 1, 5, 1}, b.paddedB());
        assertArrayEquals(new long[] {0, 0, 1, 0}, BroadcastProblem.broadcastStrides(b.paddedB()));
        assertEquals("mul_a=2x3x1x4_b=5x1", b.toString());
    }

    @Test
    void errorsNameTheArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BroadcastProblem(BinaryOp.ADD, Shape.of(1, 1, 1, 1, 1, 1, 1, 1, 1), Shape.of(1)));
        assertTrue(e.getMessage().startsWith("a: expected a rank of at most 8, got 9"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CatProblem.parse("cat_axis0_y=4x2_sizes=1x2"));
        assertTrue(e.getMessage().startsWith("sizes: expected extents summing to y's extent 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BinaryOp.fromName("pow"));
        assertTrue(e.getMessage().contains("got 'pow'"), e.getMessage());
    }
}
