package io.jdnn.tests.conformance;

import io.jdnn.LinearProblem;
import io.jdnn.tests.conformance.SoftmaxLinearChecks.LinearPass;
import io.jdnn.tests.support.ConformanceHook;
import io.jdnn.tests.support.DevicesUnderTest;
import io.jdnn.tests.support.Knobs;
import io.jdnn.tests.support.Verdicts;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Softmax forward and backward, cross-entropy with label smoothing, and the linear layer against
 * the reference (see {@link SoftmaxLinearChecks}). Class counts include 1, primes, and one off
 * multiples of 256 up to about a thousand.
 */
@AddLifecycleHook(ConformanceHook.class)
class SoftmaxLinearConformanceTest {

    @Provide
    Arbitrary<Integer> rows() {
        return Generators.extent(9);
    }

    @Provide
    Arbitrary<Integer> cols() {
        return Arbitraries.oneOf(Generators.extent(40), Arbitraries.of(255, 256, 257, 1000, 1023, 1025)
                .map(c -> c * Knobs.scale()));
    }

    @Provide
    Arbitrary<Double> logitScales() {
        return Arbitraries.of(1.0, 10.0, 40.0);
    }

    @Provide
    Arbitrary<Double> smoothings() {
        return Arbitraries.oneOf(Arbitraries.of(0.0, 0.1, 0.5, 1.0), Arbitraries.doubles().between(0, 1).ofScale(6));
    }

    @Provide
    Arbitrary<LinearProblem> linearProblems() {
        return Generators.linearProblems();
    }

    @Property
    void softmaxForward(@ForAll("rows") int rows, @ForAll("cols") int cols, @ForAll("logitScales") double scale,
                        @ForAll long seed) {
        Verdicts v = new Verdicts();
        SoftmaxLinearChecks.softmaxForward(DevicesUnderTest.devices(), rows, cols, scale, seed, v);
        v.assertPassed();
    }

    /**
     * The backward pass takes y; it is the softmax of logits in [-1, 1), not of the large logits the
     * forward property uses to test the row-maximum subtraction: a y that is nearly one-hot makes
     * every dx = y * (dy - sum(dy * y)) a cancellation, which float32 cannot compute to the bound of
     * a tensor whose elements are all such (see docs/testing.md, "Data").
     */
    @Property
    void softmaxBackward(@ForAll("rows") int rows, @ForAll("cols") int cols, @ForAll long seed) {
        Verdicts v = new Verdicts();
        SoftmaxLinearChecks.softmaxBackward(DevicesUnderTest.devices(), rows, cols, 1.0, seed, v);
        v.assertPassed();
    }

    @Property
    void crossEntropy(@ForAll("rows") int rows, @ForAll("cols") int cols, @ForAll("logitScales") double scale,
                      @ForAll("smoothings") double smoothing, @ForAll long seed) {
        Verdicts v = new Verdicts();
        SoftmaxLinearChecks.crossEntropy(DevicesUnderTest.devices(), rows, cols, scale, smoothing, seed, v);
        v.assertPassed();
    }

    @Property
    void linearForward(@ForAll("linearProblems") LinearProblem p, @ForAll boolean withBias, @ForAll long seed) {
        linear(p, withBias ? LinearPass.FORWARD_WITH_BIAS : LinearPass.FORWARD, seed);
    }

    @Property
    void linearBackwardData(@ForAll("linearProblems") LinearProblem p, @ForAll long seed) {
        linear(p, LinearPass.BACKWARD_DATA, seed);
    }

    @Property
    void linearBackwardWeight(@ForAll("linearProblems") LinearProblem p, @ForAll long seed) {
        linear(p, LinearPass.BACKWARD_WEIGHT, seed);
    }

    @Property
    void linearBackwardBias(@ForAll("linearProblems") LinearProblem p, @ForAll long seed) {
        linear(p, LinearPass.BACKWARD_BIAS, seed);
    }

    private static void linear(LinearProblem p, LinearPass pass, long seed) {
        Verdicts v = new Verdicts();
        SoftmaxLinearChecks.linear(DevicesUnderTest.devices(), p, pass, seed, v);
        v.assertPassed();
    }
}
