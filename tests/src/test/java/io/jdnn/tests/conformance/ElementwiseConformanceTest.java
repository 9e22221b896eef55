package io.jdnn.tests.conformance;

import io.jdnn.Activation;
import io.jdnn.tests.conformance.ElementwiseChecks.Aliasing;
import io.jdnn.tests.support.ConformanceHook;
import io.jdnn.tests.support.DevicesUnderTest;
import io.jdnn.tests.support.Verdicts;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Activations (each kind, forward and backward, in place too), axpby with every aliasing, dropout
 * (mask bitwise equal to the reference's) and the Philox random fills against the reference (see
 * {@link ElementwiseChecks}). Lengths include 1, primes and one off multiples of 256.
 */
@AddLifecycleHook(ConformanceHook.class)
class ElementwiseConformanceTest {

    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.oneOf(Generators.extent(3000), Arbitraries.of(255, 256, 257, 1023, 1025, 4097));
    }

    @Provide
    Arbitrary<Activation> activations() {
        return Generators.activations();
    }

    /**
     * Every activation kind (softplus with a threshold that the inputs cross), forward in place and
     * backward with dx on dy, on quantized inputs that hit every kink (0, +-3, 6) on every device.
     */
    @Example
    void everyKindAtItsKinks() {
        Verdicts v = new Verdicts();
        for (Activation.Kind kind : Activation.Kind.values()) {
            Activation a = kind == Activation.Kind.SOFTPLUS ? Activation.softplus(2, 3) : new Activation(kind, 0.25);
            ElementwiseChecks.activationForward(DevicesUnderTest.devices(), a, 257, true, true, 15, v);
            ElementwiseChecks.activationBackward(DevicesUnderTest.devices(), a, 257, true, Aliasing.OUT_IS_SECOND, 15, v);
        }
        v.assertPassed();
    }

    @Provide
    Arbitrary<Aliasing> backwardAliasing() {
        return Arbitraries.of(Aliasing.NONE, Aliasing.OUT_IS_FIRST, Aliasing.OUT_IS_SECOND);
    }

    /** Multiples of 1/64 in [-4, 4], 0 and +-1 often: exact products with dyadic data (see ElementwiseChecks#axpby). */
    @Provide
    Arbitrary<Double> coefficients() {
        return Arbitraries.oneOf(Arbitraries.of(0.0, 1.0, -1.0, 0.5), Arbitraries.integers().between(-256, 256).map(k -> k / 64.0));
    }

    /** Real values in [-4, 4) for the random fills' ranges. */
    @Provide
    Arbitrary<Double> reals() {
        return Arbitraries.oneOf(Arbitraries.of(0.0, 1.0, -1.0, 0.5), Arbitraries.doubles().between(-4, 4).ofScale(6));
    }

    @Provide
    Arbitrary<Double> dropProbabilities() {
        return Arbitraries.oneOf(Arbitraries.of(0.0, 1.0, 0.5, 0.1, 0.9, 1e-7, 1 - 1e-7),
                Arbitraries.doubles().between(0, 1).ofScale(6));
    }

    @Provide
    Arbitrary<Long> offsets() {
        // Offsets fill the counter's upper two words: values across the 32-bit boundary exercise both.
        return Arbitraries.oneOf(Arbitraries.of(0L, 1L, 0xFFFF_FFFFL, 0x1_0000_0000L, Long.MAX_VALUE, -1L),
                Arbitraries.longs());
    }

    @Property
    void activationForward(@ForAll("activations") Activation a, @ForAll("lengths") int n, @ForAll boolean quantized,
                           @ForAll boolean inPlace, @ForAll long seed) {
        Verdicts v = new Verdicts();
        ElementwiseChecks.activationForward(DevicesUnderTest.devices(), a, n, quantized, inPlace, seed, v);
        v.assertPassed();
    }

    @Property
    void activationBackward(@ForAll("activations") Activation a, @ForAll("lengths") int n, @ForAll boolean quantized,
                            @ForAll("backwardAliasing") Aliasing alias, @ForAll long seed) {
        Verdicts v = new Verdicts();
        ElementwiseChecks.activationBackward(DevicesUnderTest.devices(), a, n, quantized, alias, seed, v);
        v.assertPassed();
    }

    @Property
    void axpby(@ForAll("lengths") int n, @ForAll("coefficients") double alpha, @ForAll("coefficients") double beta,
               @ForAll Aliasing alias, @ForAll long seed) {
        Verdicts v = new Verdicts();
        ElementwiseChecks.axpby(DevicesUnderTest.devices(), n, alpha, beta, alias, seed, v);
        v.assertPassed();
    }

    @Property
    void dropoutForward(@ForAll("lengths") int n, @ForAll("dropProbabilities") double p, @ForAll long dropSeed,
                        @ForAll("offsets") long offset, @ForAll boolean inPlace, @ForAll long seed) {
        Verdicts v = new Verdicts();
        ElementwiseChecks.dropout(DevicesUnderTest.devices(), n, p, dropSeed, offset, false, inPlace, seed, v);
        v.assertPassed();
    }

    @Property
    void dropoutBackward(@ForAll("lengths") int n, @ForAll("dropProbabilities") double p, @ForAll long dropSeed,
                         @ForAll("offsets") long offset, @ForAll boolean inPlace, @ForAll long seed) {
        Verdicts v = new Verdicts();
        ElementwiseChecks.dropout(DevicesUnderTest.devices(), n, p, dropSeed, offset, true, inPlace, seed, v);
        v.assertPassed();
    }

    @Property
    void randomUniform(@ForAll("lengths") int n, @ForAll("reals") double lo, @ForAll("widths") double width,
                       @ForAll long rngSeed, @ForAll("offsets") long offset) {
        Verdicts v = new Verdicts();
        ElementwiseChecks.randomUniform(DevicesUnderTest.devices(), n, lo, lo + width, rngSeed, offset, v);
        v.assertPassed();
    }

    @Provide
    Arbitrary<Double> widths() {
        return Arbitraries.oneOf(Arbitraries.of(0.0, 1.0, 2.0, 1e-3), Arbitraries.doubles().between(0, 8));
    }

    @Property
    void randomNormal(@ForAll("lengths") int n, @ForAll("reals") double mean, @ForAll("widths") double std,
                      @ForAll long rngSeed, @ForAll("offsets") long offset) {
        Verdicts v = new Verdicts();
        ElementwiseChecks.randomNormal(DevicesUnderTest.devices(), n, mean, std, rngSeed, offset, v);
        v.assertPassed();
    }
}
