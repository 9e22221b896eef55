package io.jdnn.tests.conformance;

import io.jdnn.Loss;
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
 * Log-softmax forward and backward, nll and the element-wise losses (every kind; smooth L1 with
 * beta 0, below and above the data's spread) against the reference (see {@link LossChecks}). Class
 * counts include 1, primes and one off multiples of 256; lengths include 1, primes and one off the
 * kernels' 2048-element chunks, up to several chunks.
 */
@AddLifecycleHook(ConformanceHook.class)
class LossConformanceTest {

    @Provide
    Arbitrary<Integer> rows() {
        return Generators.extent(9);
    }

    @Provide
    Arbitrary<Integer> cols() {
        return Arbitraries.oneOf(Generators.extent(40), Arbitraries.of(255, 256, 257, 1025).map(c -> c * Knobs.scale()));
    }

    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.oneOf(Generators.extent(3000), Arbitraries.of(1, 2047, 2048, 2049, 9001)
                .map(n -> n * Knobs.scale()));
    }

    @Provide
    Arbitrary<Loss> lossFunctions() {
        return Arbitraries.oneOf(
                Arbitraries.of(Loss.mse(), Loss.l1(), Loss.bceWithLogits()),
                Arbitraries.of(0.0, 0.1, 1.0, 3.0).map(Loss::smoothL1));
    }

    @Provide
    Arbitrary<Double> scales() {
        return Arbitraries.of(1.0, 4.0, 30.0);
    }

    @Property
    void logSoftmaxForward(@ForAll("rows") int rows, @ForAll("cols") int cols, @ForAll("scales") double scale,
                           @ForAll long seed) {
        Verdicts v = new Verdicts();
        LossChecks.logSoftmaxForward(DevicesUnderTest.devices(), rows, cols, scale, seed, v);
        v.assertPassed();
    }

    @Property
    void logSoftmaxBackward(@ForAll("rows") int rows, @ForAll("cols") int cols, @ForAll long seed) {
        Verdicts v = new Verdicts();
        LossChecks.logSoftmaxBackward(DevicesUnderTest.devices(), rows, cols, seed, v);
        v.assertPassed();
    }

    @Property
    void nllLoss(@ForAll("rows") int rows, @ForAll("cols") int cols, @ForAll long seed) {
        Verdicts v = new Verdicts();
        LossChecks.nll(DevicesUnderTest.devices(), rows, cols, seed, v);
        v.assertPassed();
    }

    @Property
    void loss(@ForAll("lossFunctions") Loss l, @ForAll("lengths") int n, @ForAll("scales") double scale,
              @ForAll boolean ties, @ForAll long seed) {
        Verdicts v = new Verdicts();
        LossChecks.loss(DevicesUnderTest.devices(), l, n, scale, ties, seed, v);
        v.assertPassed();
    }
}
