package io.jdnn.tests.conformance;

import io.jdnn.ConvDirection;
import io.jdnn.Conv1dProblem;
import io.jdnn.Pool1dProblem;
import io.jdnn.PoolMode;
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

/**
 * 1-D convolution (every direction, with and without bias, groups, dilation, stride, padding) and
 * 1-D max and average pooling (dilation, ceil mode, count_include_pad) of (N, C, L) tensors, every
 * device under test against the reference (see {@link OneDChecks}). Lengths include 1 and odd sizes.
 */
@AddLifecycleHook(ConformanceHook.class)
class OneDConformanceTest {

    @Provide
    Arbitrary<Conv1dProblem> convProblems() {
        Arbitrary<int[]> sizes = Combinators.combine(Arbitraries.integers().between(1, 3),
                Arbitraries.of(1, 1, 2, 3), Arbitraries.integers().between(1, 3), Arbitraries.integers().between(1, 3),
                Arbitraries.integers().between(1, 17), Arbitraries.integers().between(1, 5))
                .as((n, g, cpg, kpg, l, r) -> new int[] {n, g, cpg * g, kpg * g, l, r});
        return Combinators.combine(sizes, Arbitraries.integers().between(1, 3), Arbitraries.integers().between(0, 3),
                Arbitraries.of(1, 1, 2, 3)).as((s, stride, pad, dil) -> {
                    try {
                        return new Conv1dProblem(s[0], s[2], s[4], s[3], s[5], stride, pad, dil, s[1]);
                    } catch (IllegalArgumentException outputTooShort) {
                        return null;
                    }
                }).filter(p -> p != null);
    }

    @Provide
    Arbitrary<Pool1dProblem> poolProblems() {
        Arbitrary<int[]> sizes = Combinators.combine(Arbitraries.integers().between(1, 3),
                Arbitraries.integers().between(1, 4), Arbitraries.integers().between(1, 17),
                Arbitraries.integers().between(1, 4), Arbitraries.integers().between(1, 3),
                Arbitraries.integers().between(0, 3), Arbitraries.of(1, 1, 2))
                .as((n, c, l, k, s, pad, dil) -> new int[] {n, c, l, k, s, pad, dil});
        return Combinators.combine(Arbitraries.of(PoolMode.MAX, PoolMode.AVG), sizes, Arbitraries.of(false, true),
                Arbitraries.of(false, true)).as((mode, z, ceil, cip) -> {
                    try {
                        return new Pool1dProblem(mode, z[0], z[1], z[2], z[3], z[4], z[5],
                                mode == PoolMode.MAX ? z[6] : 1, ceil, mode == PoolMode.AVG && cip);
                    } catch (IllegalArgumentException invalid) {
                        return null;
                    }
                }).filter(p -> p != null);
    }

    @Property
    void convForward(@ForAll("convProblems") Conv1dProblem p, @ForAll boolean withBias, @ForAll long seed) {
        Verdicts v = new Verdicts();
        OneDChecks.checkConv(DevicesUnderTest.devices(), p, ConvDirection.FORWARD, withBias, seed, v);
        v.assertPassed();
    }

    @Property
    void convBackward(@ForAll("convProblems") Conv1dProblem p, @ForAll long seed) {
        Verdicts v = new Verdicts();
        OneDChecks.checkConv(DevicesUnderTest.devices(), p, ConvDirection.BACKWARD_DATA, false, seed, v);
        OneDChecks.checkConv(DevicesUnderTest.devices(), p, ConvDirection.BACKWARD_FILTER, false, seed, v);
        OneDChecks.checkBias(DevicesUnderTest.devices(), p, seed, v);
        v.assertPassed();
    }

    @Property
    void pool(@ForAll("poolProblems") Pool1dProblem p, @ForAll boolean backward, @ForAll long seed) {
        Verdicts v = new Verdicts();
        OneDChecks.checkPool(DevicesUnderTest.devices(), p, backward, seed, v);
        v.assertPassed();
    }
}
