package io.jdnn.tests.conformance;

import io.jdnn.Shape;
import io.jdnn.tests.conformance.ElementwiseChecks.Aliasing;
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
 * PReLU forward and backward against the reference (see {@link PreluChecks}): x of rank 1 to 4
 * with extents including 1 and odd sizes, per-channel and shared slopes, and channels of more
 * values than one reduction chunk (2048) so the weight gradient combines several chunks.
 */
@AddLifecycleHook(ConformanceHook.class)
class PreluConformanceTest {

    @Provide
    Arbitrary<Shape> shapes() {
        Arbitrary<Integer> small = Arbitraries.of(1, 2, 3, 5, 7, 9);
        Arbitrary<Shape> rank1 = Generators.extent(3000).map(Shape::of);
        Arbitrary<Shape> rank2 = Combinators.combine(small, Generators.extent(300)).as(Shape::of);
        Arbitrary<Shape> rank3 = Combinators.combine(small, Generators.extent(40), Generators.extent(60)).as(Shape::of);
        Arbitrary<Shape> rank4 = Combinators.combine(small, Arbitraries.of(1, 3, 16, 17), small,
                Arbitraries.of(1, 7, 31, 65)).as(Shape::of);
        // one channel over several chunks of the weight-gradient reduction: 2 * 50 * 50 = 5000 values
        Arbitrary<Shape> longChannels = Arbitraries.of(Shape.of(2, 3, 50, 50), Shape.of(3, 1, 41, 67));
        return Arbitraries.oneOf(rank1, rank2, rank3, rank4, longChannels);
    }

    @Provide
    Arbitrary<Aliasing> backwardAliasing() {
        return Arbitraries.of(Aliasing.NONE, Aliasing.OUT_IS_FIRST, Aliasing.OUT_IS_SECOND);
    }

    @Property
    void forward(@ForAll("shapes") Shape x, @ForAll boolean shared, @ForAll boolean inPlace, @ForAll long seed) {
        Verdicts v = new Verdicts();
        PreluChecks.forward(DevicesUnderTest.devices(), x, shared, inPlace, seed, v);
        v.assertPassed();
    }

    @Property
    void backward(@ForAll("shapes") Shape x, @ForAll boolean shared, @ForAll("backwardAliasing") Aliasing alias,
                  @ForAll long seed) {
        Verdicts v = new Verdicts();
        PreluChecks.backward(DevicesUnderTest.devices(), x, shared, alias, seed, v);
        v.assertPassed();
    }
}
