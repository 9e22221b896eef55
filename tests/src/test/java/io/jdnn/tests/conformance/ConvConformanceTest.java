package io.jdnn.tests.conformance;

import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
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
 * Convolution and transposed convolution, every direction, every algorithm of every device under
 * test, against the reference (see {@link ConvChecks} and {@link Generators#convProblems()}).
 */
@AddLifecycleHook(ConformanceHook.class)
class ConvConformanceTest {

    @Provide
    Arbitrary<ConvProblem> problems() {
        return Generators.convProblems();
    }

    @Provide
    Arbitrary<ConvProblem> biasProblems() {
        return Arbitraries.oneOf(Generators.convProblems(), Generators.wideConvProblems());
    }

    @Provide
    Arbitrary<ConvProblem> asymmetricProblems() {
        return Generators.asymmetricConvProblems();
    }

    @Property
    void forward(@ForAll("problems") ConvProblem p, @ForAll boolean withBias, @ForAll long seed) {
        Verdicts v = new Verdicts();
        ConvChecks.check(DevicesUnderTest.devices(), p, ConvDirection.FORWARD, withBias, seed, v);
        v.assertPassed();
    }

    @Property
    void backwardData(@ForAll("problems") ConvProblem p, @ForAll long seed) {
        Verdicts v = new Verdicts();
        ConvChecks.check(DevicesUnderTest.devices(), p, ConvDirection.BACKWARD_DATA, false, seed, v);
        v.assertPassed();
    }

    @Property
    void backwardFilter(@ForAll("problems") ConvProblem p, @ForAll long seed) {
        Verdicts v = new Verdicts();
        ConvChecks.check(DevicesUnderTest.devices(), p, ConvDirection.BACKWARD_FILTER, false, seed, v);
        v.assertPassed();
    }

    @Property
    void backwardBias(@ForAll("biasProblems") ConvProblem p, @ForAll long seed) {
        Verdicts v = new Verdicts();
        ConvChecks.checkBias(DevicesUnderTest.devices(), p, seed, v);
        v.assertPassed();
    }

    /** Asymmetric padding ([top, left, bottom, right]), one direction per try. */
    @Property
    void asymmetricPadding(@ForAll("asymmetricProblems") ConvProblem p, @ForAll ConvDirection direction,
                           @ForAll boolean withBias, @ForAll long seed) {
        Verdicts v = new Verdicts();
        ConvChecks.check(DevicesUnderTest.devices(), p, direction, withBias && direction == ConvDirection.FORWARD,
                seed, v);
        v.assertPassed();
    }
}
