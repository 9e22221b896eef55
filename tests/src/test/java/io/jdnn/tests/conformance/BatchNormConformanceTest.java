package io.jdnn.tests.conformance;

import io.jdnn.BatchNormProblem;
import io.jdnn.tests.support.ConformanceHook;
import io.jdnn.tests.support.DevicesUnderTest;
import io.jdnn.tests.support.Verdicts;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Batch normalization (training with running statistics and saved mean/invstd, inference, both
 * backward passes) against the reference, with channel counts around and over 256, batch 1, 1x1
 * images and momentum 0 and 1 (see {@link BatchNormChecks}).
 */
@AddLifecycleHook(ConformanceHook.class)
class BatchNormConformanceTest {

    @Provide
    Arbitrary<BatchNormProblem> trainingProblems() {
        return Generators.batchNormProblems(2);
    }

    @Provide
    Arbitrary<BatchNormProblem> trainingBackwardProblems() {
        return Generators.batchNormProblems(3);
    }

    @Provide
    Arbitrary<BatchNormProblem> inferenceProblems() {
        return Generators.batchNormProblems(1);
    }

    @Property
    void training(@ForAll("trainingProblems") BatchNormProblem p, @ForAll long seed) {
        Verdicts v = new Verdicts();
        BatchNormChecks.train(DevicesUnderTest.devices(), p, seed, v);
        v.assertPassed();
    }

    @Property
    void inference(@ForAll("inferenceProblems") BatchNormProblem p, @ForAll boolean inPlace, @ForAll long seed) {
        Verdicts v = new Verdicts();
        BatchNormChecks.inference(DevicesUnderTest.devices(), p, inPlace, seed, v);
        v.assertPassed();
    }

    @Property
    void trainingBackward(@ForAll("trainingBackwardProblems") BatchNormProblem p, @ForAll long seed) {
        Verdicts v = new Verdicts();
        BatchNormChecks.backward(DevicesUnderTest.devices(), p, seed, v);
        v.assertPassed();
    }

    @Property
    void inferenceBackward(@ForAll("inferenceProblems") BatchNormProblem p, @ForAll long seed) {
        Verdicts v = new Verdicts();
        BatchNormChecks.inferenceBackward(DevicesUnderTest.devices(), p, seed, v);
        v.assertPassed();
    }
}
