package io.jdnn.tests.conformance;

import io.jdnn.BinaryOp;
import io.jdnn.BroadcastProblem;
import io.jdnn.CatProblem;
import io.jdnn.PermuteProblem;
import io.jdnn.Shape;
import io.jdnn.tests.conformance.ElementwiseChecks.Aliasing;
import io.jdnn.tests.conformance.TensorOpsChecks.Gradients;
import io.jdnn.tests.support.ConformanceHook;
import io.jdnn.tests.support.DevicesUnderTest;
import io.jdnn.tests.support.Verdicts;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * cat and split, permute and its backward, and the broadcasting arithmetic forward and backward
 * against the reference (see {@link TensorOpsChecks}): ranks 1 to 6, extents including 1 and odd
 * sizes, every axis, any count of inputs, any broadcasting pattern.
 */
@AddLifecycleHook(ConformanceHook.class)
class TensorOpsConformanceTest {

    /** Elements of the largest tensor a problem may have, so that 100 tries stay quick on every device. */
    private static final long MAX_ELEMENTS = 1 << 14;

    private static Arbitrary<int[]> dims(int maxRank) {
        Arbitrary<Integer> extent = Arbitraries.oneOf(Generators.ints(1, 6), Arbitraries.of(1, 7, 13, 17));
        return extent.list().ofMinSize(1).ofMaxSize(maxRank)
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray())
                .filter(d -> Shape.of(d).elements() <= MAX_ELEMENTS);
    }

    @Provide
    Arbitrary<CatProblem> cats() {
        return Combinators.combine(dims(5), Arbitraries.integers().between(0, 4), Generators.ints(1, 9).list().ofMinSize(1).ofMaxSize(4))
                .as((d, axisPick, extents) -> {
                    int axis = axisPick % d.length;
                    List<Shape> shapes = new ArrayList<>();
                    for (int e : extents) {
                        int[] s = d.clone();
                        s[axis] = e;
                        shapes.add(Shape.of(s));
                    }
                    return new CatProblem(axis, shapes);
                })
                .filter(p -> p.elements() <= MAX_ELEMENTS);
    }

    @Provide
    Arbitrary<PermuteProblem> permutes() {
        return Combinators.combine(dims(6), Arbitraries.longs())
                .as((d, shuffleSeed) -> {
                    List<Integer> order = new ArrayList<>();
                    for (int i = 0; i < d.length; i++) {
                        order.add(i);
                    }
                    Collections.shuffle(order, new java.util.Random(shuffleSeed));
                    return new PermuteProblem(Shape.of(d), order.stream().mapToInt(Integer::intValue).toArray());
                });
    }

    /** a and b: trailing parts of one output shape (dropping up to all but one leading axis), some extents set to 1. */
    @Provide
    Arbitrary<BroadcastProblem> broadcasts() {
        return Combinators.combine(Arbitraries.of(BinaryOp.values()), dims(6), Generators.ints(0, 5),
                        Generators.ints(0, 5), Generators.ints(0, 63), Generators.ints(0, 63))
                .as((op, out, dropA, dropB, maskA, maskB) ->
                        new BroadcastProblem(op, part(out, dropA, maskA), part(out, dropB, maskB)));
    }

    private static Shape part(int[] out, int drop, int mask) {
        int rank = out.length - Math.min(drop, out.length - 1);
        int[] d = new int[rank];
        for (int i = 0; i < rank; i++) {
            int axis = out.length - rank + i;
            d[i] = (mask >> axis & 1) != 0 ? 1 : out[axis];
        }
        return Shape.of(d);
    }

    @Property
    void cat(@ForAll("cats") CatProblem p, @ForAll long seed) {
        Verdicts v = new Verdicts();
        TensorOpsChecks.cat(DevicesUnderTest.devices(), p, seed, v);
        v.assertPassed();
    }

    @Property
    void split(@ForAll("cats") CatProblem p, @ForAll long seed) {
        Verdicts v = new Verdicts();
        TensorOpsChecks.split(DevicesUnderTest.devices(), p, seed, v);
        v.assertPassed();
    }

    @Property
    void permute(@ForAll("permutes") PermuteProblem p, @ForAll boolean backward, @ForAll long seed) {
        Verdicts v = new Verdicts();
        TensorOpsChecks.permute(DevicesUnderTest.devices(), p, backward, seed, v);
        v.assertPassed();
    }

    @Property
    void binaryForward(@ForAll("broadcasts") BroadcastProblem p, @ForAll boolean quantized,
                       @ForAll Aliasing alias, @ForAll long seed) {
        Shape out = p.outputShape();
        // In place only where that input has the output's shape (the API refuses the rest).
        Aliasing usable = switch (alias) {
            case OUT_IS_FIRST -> p.a().equals(out) ? alias : Aliasing.NONE;
            case OUT_IS_SECOND -> p.b().equals(out) ? alias : Aliasing.NONE;
            default -> Aliasing.NONE;
        };
        Verdicts v = new Verdicts();
        TensorOpsChecks.binaryForward(DevicesUnderTest.devices(), p, quantized, usable, seed, v);
        v.assertPassed();
    }

    @Property
    void binaryBackward(@ForAll("broadcasts") BroadcastProblem p, @ForAll boolean quantized,
                        @ForAll Gradients which, @ForAll long seed) {
        Verdicts v = new Verdicts();
        TensorOpsChecks.binaryBackward(DevicesUnderTest.devices(), p, quantized, which, seed, v);
        v.assertPassed();
    }

    /**
     * Gradients summed over many output positions per element, beyond the small problems above:
     * the backends cut such sums into chunks and add the chunks in order (a scalar over 3e5
     * positions; a per-channel gradient over two of the cpu backend's chunks; a row of nine
     * gradient elements over many chunks). A plain test, run
     * once: the conformance hook would repeat a property without parameters jdnn.test.tries times.
     */
    @Test
    void binaryBackwardOfLongReductions() {
        Verdicts v = new Verdicts();
        TensorOpsChecks.binaryBackward(DevicesUnderTest.devices(),
                new BroadcastProblem(BinaryOp.MUL, Shape.of(1), Shape.of(300_001)), false, Gradients.BOTH, 1, v);
        TensorOpsChecks.binaryBackward(DevicesUnderTest.devices(),
                new BroadcastProblem(BinaryOp.MAXIMUM, Shape.of(3, 1, 1), Shape.of(4, 3, 70, 70)), true, Gradients.BOTH, 2, v);
        TensorOpsChecks.binaryBackward(DevicesUnderTest.devices(),
                new BroadcastProblem(BinaryOp.SUB, Shape.of(5, 1, 7, 1), Shape.of(1, 700, 1, 9)), false, Gradients.BOTH, 3, v);
        TensorOpsChecks.binaryBackward(DevicesUnderTest.devices(),
                new BroadcastProblem(BinaryOp.DIV, Shape.of(20_000, 9), Shape.of(9)), false, Gradients.BOTH, 4, v);
        v.assertPassed();
    }
}
