package io.jdnn.tests.conformance;

import io.jdnn.InterpolateProblem;
import io.jdnn.PadProblem;
import io.jdnn.PixelShuffleProblem;
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
 * Pixel shuffle and unshuffle and pad (constant with crops, reflect, replicate), forward and
 * backward, against the reference (see {@link ResampleChecks}): extents including 1 and odd sizes.
 */
@AddLifecycleHook(ConformanceHook.class)
class ResampleConformanceTest {

    private static Arbitrary<Integer> extent() {
        return Arbitraries.oneOf(Generators.ints(1, 6), Arbitraries.of(1, 7, 13));
    }

    @Provide
    Arbitrary<InterpolateProblem> resizes() {
        return Combinators.combine(Generators.ints(1, 3), extent(), extent(), Arbitraries.oneOf(extent(), Generators.ints(14, 27)),
                        extent(), Arbitraries.of(InterpolateProblem.Mode.values()), Arbitraries.of(false, true))
                .as((c, h, w, oh, ow, mode, ac) -> new InterpolateProblem(2, c, h, w, oh, ow, mode,
                        ac && mode == InterpolateProblem.Mode.BILINEAR));
    }

    @Provide
    Arbitrary<PixelShuffleProblem> shuffles() {
        return Combinators.combine(Generators.ints(1, 2), Generators.ints(1, 3), extent(), extent(),
                        Generators.ints(1, 3), Arbitraries.of(false, true))
                .as((n, c, h, w, r, un) -> un ? PixelShuffleProblem.unshuffle(n, c, h * r, w * r, r)
                        : PixelShuffleProblem.shuffle(n, c * r * r, h, w, r));
    }

    @Provide
    Arbitrary<PadProblem> pads() {
        return Combinators.combine(Generators.ints(1, 3), extent(), extent(), Arbitraries.of(PadProblem.Mode.values()),
                        Generators.ints(0, 1 << 20), Arbitraries.of(0.0, -1.5, 2.25))
                .as((c, h, w, mode, bits, value) -> {
                    int[] pad = new int[4];
                    for (int i = 0; i < 4; i++) {
                        int size = i < 2 ? w : h;
                        int raw = (bits >> (5 * i)) & 31;
                        pad[i] = switch (mode) {
                            case REFLECT -> raw % size;
                            case REPLICATE -> raw % 9;
                            case CONSTANT -> raw % 9 - (size - 1) / 2; // crops of up to half the input
                        };
                    }
                    return PadProblem.of(2, c, h, w, pad, mode, mode == PadProblem.Mode.CONSTANT ? value : 0);
                });
    }

    @Property(tries = 80)
    void interpolate(@ForAll("resizes") InterpolateProblem p, @ForAll boolean backward, @ForAll long seed) {
        Verdicts v = new Verdicts();
        ResampleChecks.interpolate(DevicesUnderTest.devices(), p, backward, seed, v);
        v.assertPassed();
    }

    @Property(tries = 60)
    void pixelShuffle(@ForAll("shuffles") PixelShuffleProblem p, @ForAll boolean backward, @ForAll long seed) {
        Verdicts v = new Verdicts();
        ResampleChecks.pixelShuffle(DevicesUnderTest.devices(), p, backward, seed, v);
        v.assertPassed();
    }

    @Property(tries = 80)
    void pad(@ForAll("pads") PadProblem p, @ForAll boolean backward, @ForAll long seed) {
        Verdicts v = new Verdicts();
        ResampleChecks.pad(DevicesUnderTest.devices(), p, backward, seed, v);
        v.assertPassed();
    }
}
