package io.jdnn.tests.conformance;

import io.jdnn.MatMulProblem;
import io.jdnn.Shape;
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

/**
 * The batched matrix product forward and backward against the reference (see
 * {@link MatMulChecks}): operands of rank 2 to 5, batch dimensions broadcast in any pattern
 * (either operand with fewer of them, any of them 1), matrix extents including 1 and odd sizes.
 */
@AddLifecycleHook(ConformanceHook.class)
class MatMulConformanceTest {

    /** Output elements of the largest problem, so that the tries stay quick on every device. */
    private static final long MAX_ELEMENTS = 1 << 13;

    private static Arbitrary<Integer> extent() {
        return Arbitraries.oneOf(Generators.ints(1, 6), Arbitraries.of(1, 7, 13, 17, 33));
    }

    /** a and b: their own M x K and K x N after trailing parts of one batch shape, some batch extents set to 1. */
    @Provide
    Arbitrary<MatMulProblem> matmuls() {
        Arbitrary<int[]> batch = Generators.ints(1, 4).list().ofMinSize(0).ofMaxSize(3)
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray());
        return Combinators.combine(batch, extent(), extent(), extent(), Generators.ints(0, 3), Generators.ints(0, 3),
                        Generators.ints(0, 7), Generators.ints(0, 7))
                .as((out, m, k, n, dropA, dropB, maskA, maskB) ->
                        new MatMulProblem(shape(out, dropA, maskA, m, k), shape(out, dropB, maskB, k, n)))
                .filter(p -> p.elements() + p.a().elements() + p.b().elements() <= MAX_ELEMENTS);
    }

    private static Shape shape(int[] out, int drop, int mask, int rows, int cols) {
        int rank = out.length - Math.min(drop, out.length);
        int[] d = new int[rank + 2];
        for (int i = 0; i < rank; i++) {
            int axis = out.length - rank + i;
            d[i] = (mask >> axis & 1) != 0 ? 1 : out[axis];
        }
        d[rank] = rows;
        d[rank + 1] = cols;
        return Shape.of(d);
    }

    @Property
    void forward(@ForAll("matmuls") MatMulProblem p, @ForAll long seed) {
        Verdicts v = new Verdicts();
        MatMulChecks.forward(DevicesUnderTest.devices(), p, seed, v);
        v.assertPassed();
    }

    @Property
    void backward(@ForAll("matmuls") MatMulProblem p, @ForAll Gradients which, @ForAll long seed) {
        Verdicts v = new Verdicts();
        MatMulChecks.backward(DevicesUnderTest.devices(), p, which, seed, v);
        v.assertPassed();
    }

    /**
     * Beyond the small problems above: a stack of matrices times one matrix (stacked into one GEMM
     * by the fast backends), larger than one GEMM tile, and both operands broadcast in different
     * batch dimensions. A plain test, run once.
     */
    @Test
    void largerAndCrossBroadcast() {
        Verdicts v = new Verdicts();
        MatMulProblem stacked = new MatMulProblem(Shape.of(3, 70, 65), Shape.of(65, 41));
        MatMulProblem crossed = new MatMulProblem(Shape.of(2, 1, 3, 33, 20), Shape.of(4, 1, 20, 9));
        MatMulProblem leftShared = new MatMulProblem(Shape.of(67, 30), Shape.of(2, 3, 30, 70));
        for (MatMulProblem p : new MatMulProblem[] {stacked, crossed, leftShared}) {
            MatMulChecks.forward(DevicesUnderTest.devices(), p, 5, v);
            MatMulChecks.backward(DevicesUnderTest.devices(), p, Gradients.BOTH, 6, v);
        }
        v.assertPassed();
    }
}
