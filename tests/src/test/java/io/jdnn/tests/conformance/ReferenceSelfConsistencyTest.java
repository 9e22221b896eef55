package io.jdnn.tests.conformance;

import io.jdnn.Activation;
import io.jdnn.BatchNormProblem;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.LinearProblem;
import io.jdnn.PoolProblem;
import io.jdnn.optim.Adam;
import io.jdnn.optim.RmsProp;
import io.jdnn.tests.conformance.ElementwiseChecks.Aliasing;
import io.jdnn.tests.conformance.SoftmaxLinearChecks.LinearPass;
import io.jdnn.tests.support.Comparison;
import io.jdnn.tests.support.Verdicts;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.util.List;

/**
 * The suite checked against itself: the reference as the device under test, on the suite's own
 * generators, must come out with error exactly 0 in every comparison (same inputs, same float64
 * loops). A nonzero error here means the suite does not feed both sides the same inputs, reads
 * outputs differently, or the reference is not deterministic. Runs on every machine, with a fixed
 * number of tries (it checks the suite, not a backend).
 */
class ReferenceSelfConsistencyTest {
    private static Device second;

    @BeforeContainer
    static void open() {
        second = Devices.open("reference");
    }

    @AfterContainer
    static void close() {
        second.close();
    }

    private static void assertExact(Verdicts v) {
        v.assertPassed();
        for (Verdicts.Check c : v.checks()) {
            for (Comparison cmp : c.comparisons()) {
                if (cmp.error() != 0) {
                    throw new AssertionError("reference against reference gave error " + cmp.error() + ":\n" + c.describe());
                }
            }
        }
    }

    @Provide
    Arbitrary<ConvProblem> convs() {
        return Generators.convProblems();
    }

    @Provide
    Arbitrary<PoolProblem> pools() {
        return Generators.poolProblems();
    }

    @Provide
    Arbitrary<BatchNormProblem> bns() {
        return Generators.batchNormProblems(3);
    }

    @Provide
    Arbitrary<LinearProblem> linears() {
        return Generators.linearProblems();
    }

    @Property(tries = 20)
    void conv(@ForAll("convs") ConvProblem p, @ForAll ConvDirection d, @ForAll long seed) {
        Verdicts v = new Verdicts();
        ConvChecks.check(List.of(second), p, d, true, seed, v);
        ConvChecks.checkBias(List.of(second), p, seed, v);
        assertExact(v);
    }

    @Property(tries = 20)
    void pool(@ForAll("pools") PoolProblem p, @ForAll boolean backward, @ForAll PoolChecks.Data data, @ForAll long seed) {
        Verdicts v = new Verdicts();
        PoolChecks.check(List.of(second), p, backward, data, seed, v);
        assertExact(v);
    }

    @Property(tries = 10)
    void batchNorm(@ForAll("bns") BatchNormProblem p, @ForAll long seed) {
        Verdicts v = new Verdicts();
        BatchNormChecks.train(List.of(second), p, seed, v);
        BatchNormChecks.inference(List.of(second), p, false, seed, v);
        BatchNormChecks.backward(List.of(second), p, seed, v);
        BatchNormChecks.inferenceBackward(List.of(second), p, seed, v);
        assertExact(v);
    }

    @Property(tries = 10)
    void elementwiseSoftmaxLinearOptimizers(@ForAll("linears") LinearProblem p, @ForAll LinearPass pass,
                                            @ForAll long seed) {
        Verdicts v = new Verdicts();
        List<Device> d = List.of(second);
        int n = p.batch() * p.inFeatures();
        SoftmaxLinearChecks.linear(d, p, pass, seed, v);
        SoftmaxLinearChecks.softmaxForward(d, p.batch(), p.inFeatures(), 10, seed, v);
        SoftmaxLinearChecks.softmaxBackward(d, p.batch(), p.inFeatures(), 1, seed, v);
        SoftmaxLinearChecks.crossEntropy(d, p.batch(), p.inFeatures(), 10, 0.1, seed, v);
        ElementwiseChecks.activationForward(d, Activation.elu(0.5), n, true, false, seed, v);
        ElementwiseChecks.activationBackward(d, Activation.tanh(), n, false, Aliasing.OUT_IS_SECOND, seed, v);
        ElementwiseChecks.axpby(d, n, 0.5, -2, Aliasing.OUT_IS_FIRST, seed, v);
        ElementwiseChecks.dropout(d, n, 0.3, seed, 7, false, false, seed, v);
        ElementwiseChecks.randomNormal(d, n, 0.5, 2, seed, 9, v);
        OptimizerChecks.check(d, new Adam(1e-3, 0.9, 0.999, 1e-8, 0.01, true), n, 3, seed, v);
        OptimizerChecks.check(d, new RmsProp(1e-3, 0.9, 1e-8, 0, 0.9, true), n, 3, seed, v);
        assertExact(v);
    }
}
