package io.jdnn.tests.conformance;

import io.jdnn.Activation;
import io.jdnn.ConvProblem;
import io.jdnn.tests.support.ConformanceHook;
import io.jdnn.tests.support.DevicesUnderTest;
import io.jdnn.tests.support.Verdicts;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Convolution with a fused bias and activation epilogue (direct and transposed, grouped and
 * depthwise: {@link Generators#convProblems()}), every algorithm of every device under test,
 * against the reference (see {@link ConvEpilogueChecks}).
 */
@AddLifecycleHook(ConformanceHook.class)
class ConvEpilogueConformanceTest {

    @Provide
    Arbitrary<ConvProblem> problems() {
        return Generators.convProblems();
    }

    @Provide
    Arbitrary<Activation> activations() {
        return Generators.activations();
    }

    @Property
    void forward(@ForAll("problems") ConvProblem p, @ForAll("activations") Activation a, @ForAll boolean withBias,
                 @ForAll long seed) {
        Verdicts v = new Verdicts();
        ConvEpilogueChecks.check(DevicesUnderTest.devices(), p, withBias, a, seed, v);
        v.assertPassed();
    }

    /**
     * Every activation kind once, with bias, on one of a 3x3 problem (Winograd, GEMM, direct), a
     * strided depthwise one and a grouped transposed one in turn.
     */
    @Example
    void everyKind() {
        ConvProblem[] problems = {
                ConvProblem.builder().batch(2).inChannels(3).size(9, 7).outChannels(5).kernel(3, 3).padding(1, 1)
                        .build(),
                ConvProblem.builder().batch(1).inChannels(4).size(6, 11).outChannels(4).kernel(3, 3).groups(4)
                        .stride(2, 2).build(),
                ConvProblem.builder().batch(1).inChannels(6).size(5, 5).outChannels(4).kernel(4, 4).stride(2, 2)
                        .padding(1, 1).groups(2).transposed(true).build()};
        Verdicts v = new Verdicts();
        for (Activation.Kind kind : Activation.Kind.values()) {
            Activation a = kind == Activation.Kind.SOFTPLUS ? Activation.softplus(2, 3) : new Activation(kind, 0.25);
            ConvEpilogueChecks.check(DevicesUnderTest.devices(), problems[kind.ordinal() % problems.length], true, a,
                    17, v);
        }
        v.assertPassed();
    }
}
