package io.jdnn.tests.conformance;

import io.jdnn.PoolMode;
import io.jdnn.PoolProblem;
import io.jdnn.tests.support.ConformanceHook;
import io.jdnn.tests.support.DevicesUnderTest;
import io.jdnn.tests.support.Verdicts;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Pooling (MAX with dilation, AVG with and without count_include_pad, ADAPTIVE_AVG; ceil mode;
 * padding up to half the kernel; strides larger than the kernel) forward and backward against the
 * reference. Max pooling also runs on inputs full of exact ties (the first maximum in row-major
 * window order must win, which only the backward pass can see) and on inputs with NaN and -inf.
 */
@AddLifecycleHook(ConformanceHook.class)
class PoolConformanceTest {

    @Provide
    Arbitrary<PoolProblem> problems() {
        return Generators.poolProblems();
    }

    @Provide
    Arbitrary<PoolProblem> maxProblems() {
        return Generators.windowedPools(PoolMode.MAX);
    }

    @Provide
    Arbitrary<PoolProblem> paddedProblems() {
        return Arbitraries.oneOf(Generators.widelyPaddedPools(PoolMode.MAX), Generators.widelyPaddedPools(PoolMode.AVG));
    }

    @Property
    void forward(@ForAll("problems") PoolProblem p, @ForAll long seed) {
        Verdicts v = new Verdicts();
        PoolChecks.check(DevicesUnderTest.devices(), p, false, PoolChecks.Data.DYADIC, seed, v);
        v.assertPassed();
    }

    @Property
    void backward(@ForAll("problems") PoolProblem p, @ForAll long seed) {
        Verdicts v = new Verdicts();
        PoolChecks.check(DevicesUnderTest.devices(), p, true, PoolChecks.Data.DYADIC, seed, v);
        v.assertPassed();
    }

    @Property
    void maxPoolingTies(@ForAll("maxProblems") PoolProblem p, @ForAll boolean backward, @ForAll long seed) {
        Verdicts v = new Verdicts();
        PoolChecks.check(DevicesUnderTest.devices(), p, backward, PoolChecks.Data.TIES, seed, v);
        v.assertPassed();
    }

    @Property
    void maxPoolingNanAndInfinity(@ForAll("maxProblems") PoolProblem p, @ForAll boolean backward, @ForAll long seed) {
        Verdicts v = new Verdicts();
        PoolChecks.check(DevicesUnderTest.devices(), p, backward, PoolChecks.Data.SPECIAL, seed, v);
        v.assertPassed();
    }

    /** Asymmetric padding ([top, left, bottom, right]) up to kernel - 1 for MAX and AVG, forward or backward. */
    @Property
    void wideAndAsymmetricPadding(@ForAll("paddedProblems") PoolProblem p, @ForAll boolean backward, @ForAll long seed) {
        Verdicts v = new Verdicts();
        PoolChecks.check(DevicesUnderTest.devices(), p, backward, PoolChecks.Data.DYADIC, seed, v);
        v.assertPassed();
    }
}
