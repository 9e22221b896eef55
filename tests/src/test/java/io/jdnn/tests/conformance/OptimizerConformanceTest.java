package io.jdnn.tests.conformance;

import io.jdnn.optim.AdaDelta;
import io.jdnn.optim.AdaGrad;
import io.jdnn.optim.Adam;
import io.jdnn.optim.AdamW;
import io.jdnn.optim.Optimizer;
import io.jdnn.optim.RmsProp;
import io.jdnn.optim.Sgd;
import io.jdnn.tests.support.ConformanceHook;
import io.jdnn.tests.support.DevicesUnderTest;
import io.jdnn.tests.support.Verdicts;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Every optimizer rule and variant (SGD plain, with momentum, dampening, Nesterov and weight decay;
 * AdaGrad with learning-rate decay and an initial accumulator; RMSprop plain, with momentum,
 * centered; Adam and AdamW with and without AMSGrad; AdaDelta) over one to five steps against the
 * reference (see {@link OptimizerChecks}).
 */
@AddLifecycleHook(ConformanceHook.class)
class OptimizerConformanceTest {

    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.oneOf(Generators.extent(2000), Arbitraries.of(255, 256, 257, 1025));
    }

    /**
     * Learning rates of 1e-4 to 1e-3: with gradients up to 1, five steps, momentum up to 0.99 and
     * RMSprop's first-step factor 1/sqrt(1 - alpha) up to 10, a parameter moves by at most about
     * 0.25, well inside its magnitude of at least 0.5 (see {@link OptimizerChecks}).
     */
    static Arbitrary<Double> lrs() {
        return Arbitraries.oneOf(Arbitraries.of(1e-3, 1e-4), Arbitraries.doubles().between(1e-4, 1e-3).ofScale(7));
    }

    static Arbitrary<Double> weightDecays() {
        return Arbitraries.of(0.0, 1e-4, 0.01, 0.1);
    }

    @Provide
    Arbitrary<Sgd> sgd() {
        // Nesterov needs momentum > 0 and dampening 0: the variant picks both.
        return Combinators.combine(lrs(), Arbitraries.of(0.0, 0.9, 0.5, 0.99), Arbitraries.of(0.0, 0.1, 0.5),
                Arbitraries.of(false, true), weightDecays())
                .as((lr, momentum, dampening, nesterov, wd) -> nesterov
                        ? new Sgd(lr, momentum == 0 ? 0.9 : momentum, 0, true, wd)
                        : new Sgd(lr, momentum, dampening, false, wd));
    }

    @Provide
    Arbitrary<AdaGrad> adagrad() {
        return Combinators.combine(lrs(), Arbitraries.of(0.0, 0.1, 0.01), weightDecays(), Arbitraries.of(0.0, 0.1, 1.0),
                Arbitraries.of(1e-10, 1e-6, 1e-3)).as(AdaGrad::new);
    }

    /**
     * alpha 0.99 (PyTorch's default) and 0.9: with alpha 0.5 and gradients of one sign, centered
     * RMSprop's sq - ga^2 after a few steps is a cancellation of about 30:1 that float32 cannot
     * carry through sqrt and the momentum buffer within the bound (see {@link OptimizerChecks}).
     */
    @Provide
    Arbitrary<RmsProp> rmsprop() {
        return Combinators.combine(lrs(), Arbitraries.of(0.99, 0.9), Arbitraries.of(1e-8, 1e-6, 1e-3), weightDecays(),
                Arbitraries.of(0.0, 0.9, 0.5), Arbitraries.of(false, true)).as(RmsProp::new);
    }

    @Provide
    Arbitrary<Adam> adam() {
        return Combinators.combine(lrs(), Arbitraries.of(0.9, 0.0, 0.5), Arbitraries.of(0.999, 0.9, 0.5),
                Arbitraries.of(1e-8, 1e-6, 1e-3), weightDecays(), Arbitraries.of(false, true)).as(Adam::new);
    }

    @Provide
    Arbitrary<AdamW> adamw() {
        return Combinators.combine(lrs(), Arbitraries.of(0.9, 0.0, 0.5), Arbitraries.of(0.999, 0.9, 0.5),
                Arbitraries.of(1e-8, 1e-6, 1e-3), weightDecays(), Arbitraries.of(false, true)).as(AdamW::new);
    }

    /**
     * AdaDelta's step is about lr * sqrt(eps / (1 - rho)) at first: with eps up to 1e-5 and rho up
     * to 0.99 that is at most 0.03 * lr, so PyTorch's lr = 1 stays in.
     */
    @Provide
    Arbitrary<AdaDelta> adadelta() {
        return Combinators.combine(Arbitraries.of(1.0, 0.5, 0.1), Arbitraries.of(0.9, 0.5, 0.99, 0.0),
                Arbitraries.of(1e-6, 1e-5), weightDecays()).as(AdaDelta::new);
    }

    @Property
    void sgd(@ForAll("sgd") Sgd rule, @ForAll("lengths") int n, @ForAll @IntRange(min = 1, max = 5) int steps,
             @ForAll long seed) {
        check(rule, n, steps, seed);
    }

    @Property
    void adagrad(@ForAll("adagrad") AdaGrad rule, @ForAll("lengths") int n, @ForAll @IntRange(min = 1, max = 5) int steps,
                 @ForAll long seed) {
        check(rule, n, steps, seed);
    }

    @Property
    void rmsprop(@ForAll("rmsprop") RmsProp rule, @ForAll("lengths") int n, @ForAll @IntRange(min = 1, max = 5) int steps,
                 @ForAll long seed) {
        check(rule, n, steps, seed);
    }

    @Property
    void adam(@ForAll("adam") Adam rule, @ForAll("lengths") int n, @ForAll @IntRange(min = 1, max = 5) int steps,
              @ForAll long seed) {
        check(rule, n, steps, seed);
    }

    @Property
    void adamw(@ForAll("adamw") AdamW rule, @ForAll("lengths") int n, @ForAll @IntRange(min = 1, max = 5) int steps,
               @ForAll long seed) {
        check(rule, n, steps, seed);
    }

    @Property
    void adadelta(@ForAll("adadelta") AdaDelta rule, @ForAll("lengths") int n,
                  @ForAll @IntRange(min = 1, max = 5) int steps, @ForAll long seed) {
        check(rule, n, steps, seed);
    }

    private static void check(Optimizer rule, int n, int steps, long seed) {
        Verdicts v = new Verdicts();
        OptimizerChecks.check(DevicesUnderTest.devices(), rule, n, steps, seed, v);
        v.assertPassed();
    }
}
