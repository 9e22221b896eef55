package io.jdnn.tests.conformance;

import io.jdnn.GroupNormProblem;
import io.jdnn.InstanceNormProblem;
import io.jdnn.LayerNormProblem;
import io.jdnn.LrnProblem;
import io.jdnn.tests.support.ConformanceHook;
import io.jdnn.tests.support.DevicesUnderTest;
import io.jdnn.tests.support.Knobs;
import io.jdnn.tests.support.Verdicts;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import static io.jdnn.tests.conformance.Generators.extent;
import static io.jdnn.tests.conformance.Generators.ints;

/**
 * Local response, group, instance and layer norm against the reference (see {@link NormChecks}):
 * batch 1, 1x1 images, one value per group, rows of several hundred values, windows wider than the
 * channel count and even window sizes.
 */
@AddLifecycleHook(ConformanceHook.class)
class NormConformanceTest {
    private static final Arbitrary<Double> EPS = Arbitraries.of(GroupNormProblem.DEFAULT_EPS, 1e-3, 0.1);

    @Provide
    Arbitrary<GroupNormProblem> groupNormProblems() {
        return Combinators.combine(ints(1, Knobs.upTo(3)), ints(1, 4), ints(1, Knobs.upTo(5)), extent(7), extent(7), EPS)
                .as((n, g, cpg, h, w, eps) -> new GroupNormProblem(n, g * cpg, h, w, g, eps));
    }

    @Provide
    Arbitrary<InstanceNormProblem> instanceNormProblems() {
        return Combinators.combine(ints(1, Knobs.upTo(3)), ints(1, Knobs.upTo(8)), extent(7), extent(7), EPS)
                .as(InstanceNormProblem::new);
    }

    @Provide
    Arbitrary<LayerNormProblem> layerNormProblems() {
        Arbitrary<Integer> features = Arbitraries.oneOf(extent(70), Arbitraries.of(255, 256, 257, 1000));
        return Combinators.combine(extent(9), features, EPS).as(LayerNormProblem::new);
    }

    @Provide
    Arbitrary<LrnProblem> lrnProblems() {
        return Combinators.combine(ints(1, Knobs.upTo(3)), ints(1, Knobs.upTo(12)), extent(5), extent(5),
                        Arbitraries.of(1, 2, 3, 4, 5, 7, 13), Arbitraries.of(1e-4, 0.01, 1.0),
                        Arbitraries.of(0.5, 0.75, 1.0, 1.5), Arbitraries.of(0.5, 1.0, 2.0))
                .as(LrnProblem::new);
    }

    @Property
    void groupNorm(@ForAll("groupNormProblems") GroupNormProblem p, @ForAll long seed) {
        Verdicts v = new Verdicts();
        NormChecks.groupStyle(DevicesUnderTest.devices(), "groupNorm", NormChecks.group(p), p, seed, v);
        v.assertPassed();
    }

    @Property
    void instanceNorm(@ForAll("instanceNormProblems") InstanceNormProblem p, @ForAll long seed) {
        Verdicts v = new Verdicts();
        NormChecks.groupStyle(DevicesUnderTest.devices(), "instanceNorm", NormChecks.instance(p), p.asGroupNorm(), seed, v);
        v.assertPassed();
    }

    @Property
    void layerNorm(@ForAll("layerNormProblems") LayerNormProblem p, @ForAll long seed) {
        Verdicts v = new Verdicts();
        NormChecks.groupStyle(DevicesUnderTest.devices(), "layerNorm", NormChecks.layer(p), p.asGroupNorm(), seed, v);
        v.assertPassed();
    }

    @Property
    void localResponseNorm(@ForAll("lrnProblems") LrnProblem p, @ForAll long seed) {
        Verdicts v = new Verdicts();
        NormChecks.lrn(DevicesUnderTest.devices(), p, seed, v);
        v.assertPassed();
    }
}
