package io.jdnn.tests.conformance;

import io.jdnn.PoolMode;
import io.jdnn.PoolProblem;
import io.jdnn.UnpoolProblem;
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

import java.util.Optional;

/**
 * Max pooling with indices (on dyadic inputs, exact ties, NaN and -inf: the indices must match
 * exactly) and max unpooling forward and backward, with windowed indices and with wild ones (out
 * of range, non-integer, NaN, many naming one position), against the reference (see
 * {@link UnpoolChecks}); and unpooling a pooling's own output, as a network does.
 */
@AddLifecycleHook(ConformanceHook.class)
class UnpoolConformanceTest {

    @Provide
    Arbitrary<PoolProblem> maxProblems() {
        return Arbitraries.oneOf(Generators.windowedPools(PoolMode.MAX), Generators.widelyPaddedPools(PoolMode.MAX));
    }

    /** Max pooling that {@link UnpoolProblem#inverseOf} can undo: no dilation, symmetric padding. */
    @Provide
    Arbitrary<PoolProblem> invertible() {
        return Generators.windowedPools(PoolMode.MAX).filter(p -> p.dilationH() == 1 && p.dilationW() == 1);
    }

    /** Unpooling with extents including 1 and odd sizes, strides below, at and above the kernel, any allowed output size. */
    @Provide
    Arbitrary<UnpoolProblem> unpools() {
        Arbitrary<Integer> extent = Arbitraries.oneOf(Generators.ints(1, 6), Arbitraries.of(1, 7, 9));
        return Combinators.combine(Generators.ints(1, 2), Generators.ints(1, 3), extent, extent,
                        Generators.ints(1, 3), Generators.ints(1, 3), Generators.ints(0, 1 << 12))
                .as((n, c, h, w, k, s, bits) -> {
                    int kw = 1 + (bits & 3) % 3;
                    int sw = 1 + (bits >> 2 & 3) % 3;
                    int ph = (bits >> 4 & 1) * (k / 2);
                    int pw = (bits >> 5 & 1) * (kw / 2);
                    // the output size: the default, or one nearer the edge of PyTorch's range
                    int dh = (bits >> 6 & 7) % (2 * s - 1) - (s - 1);
                    int dw = (bits >> 9 & 7) % (2 * sw - 1) - (sw - 1);
                    try {
                        return Optional.of(new UnpoolProblem(n, c, h, w, k, kw, s, sw, ph, pw,
                                (int) UnpoolProblem.defaultSize(h, k, s, ph) + dh,
                                (int) UnpoolProblem.defaultSize(w, kw, sw, pw) + dw));
                    } catch (IllegalArgumentException e) {
                        return Optional.<UnpoolProblem>empty();
                    }
                })
                .filter(Optional::isPresent).map(Optional::get);
    }

    @Property(tries = 60)
    void maxPoolWithIndices(@ForAll("maxProblems") PoolProblem p, @ForAll PoolChecks.Data data, @ForAll long seed) {
        Verdicts v = new Verdicts();
        UnpoolChecks.maxPoolWithIndices(DevicesUnderTest.devices(), p, data, seed, v);
        v.assertPassed();
    }

    @Property(tries = 60)
    void maxUnpool(@ForAll("unpools") UnpoolProblem p, @ForAll UnpoolChecks.Indices indices, @ForAll boolean backward,
                   @ForAll long seed) {
        Verdicts v = new Verdicts();
        UnpoolChecks.unpool(DevicesUnderTest.devices(), p, indices, backward, seed, v);
        v.assertPassed();
    }

    @Property(tries = 30)
    void unpoolOfAPoolingsOwnIndices(@ForAll("invertible") PoolProblem p, @ForAll PoolChecks.Data data,
                                     @ForAll long seed) {
        Verdicts v = new Verdicts();
        UnpoolChecks.roundTrip(DevicesUnderTest.devices(), p, data, seed, v);
        v.assertPassed();
    }
}
