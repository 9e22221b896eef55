package io.jdnn.tests.train;

import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.examples.Example;
import io.jdnn.examples.ExampleConfig;
import io.jdnn.examples.Examples;
import io.jdnn.nn.ConvAlgorithmChoice;
import io.jdnn.nn.Module;
import io.jdnn.nn.Parameter;
import io.jdnn.tests.support.Backends;
import io.jdnn.tests.support.DevicesUnderTest;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Trains every example of {@link Examples} (LeNet-5, the small ResNet, the DCGAN, AlexNet, VGG, GoogLeNet, the
 * super-resolution net) for {@value #STEPS}
 * steps from the same seed on the reference and on every device under test, and checks that
 * <ul>
 *   <li>every step's loss (both losses of the GAN) agrees with the reference's to a relative
 *       difference of at most {@value #BOUND} (the bound);</li>
 *   <li>the loss falls: the mean of the last five steps of the example's objective (the
 *       discriminator's loss for the GAN) is at most {@value #FALL} of the first five's;</li>
 *   <li>after {@code release()} the device holds exactly the example's persistent tensors
 *       (parameters, gradients, optimizer state, running statistics), and after {@code close()}
 *       nothing more than before the example was built.</li>
 * </ul>
 * The float32 backends run convolutions with {@link ConvAlgorithmChoice#accurate()}: AUTO's pick
 * unless that is Winograd, TF32 or BF16, whose per-op errors (up to 1e-4, 5e-3 and 4e-2 of the output's scale,
 * {@link io.jdnn.ConvAlgorithm#errorBound()}) the steps of training amplify past the bound.
 * {@code -Djdnn.train.scale=K} multiplies every batch by K. An absent backend is skipped with its
 * reason, or fails under {@code -Djdnn.test.require}.
 */
class TrainingAgreementTest {
    /** Steps per run (the issue's). */
    static final int STEPS = 20;
    /**
     * Per-step relative difference of a loss against the reference's, the bound. The float32
     * backends observe about 1e-7 here: each step's rounding (a few float32 ulps per op) feeds the
     * next step's weights, the examples' learning rates keep 20 steps from amplifying that, and their
     * activations (tanh, ELU, LeakyReLU; docs/training.md says why not ReLU) leave no unit whose
     * gradient a rounding can switch off.
     */
    static final double BOUND = 1e-4;
    /** The seed of weights, masks, noise and data. */
    static final long SEED = 20240601;
    /**
     * The loss falls: mean of the last five steps at most this fraction of the first five's. Over ten
     * seeds per example the reference's ratio was 0.63 to 0.88; 0.95 asks for a fall beyond the
     * batch-to-batch noise of the loss.
     */
    static final double FALL = 0.95;
    /**
     * A parameter whose normalized difference from the reference's (max |p - ref| / max |ref|) exceeds
     * this after some step is reported as where a failing run began to diverge.
     */
    static final double PARAMETER_REPORT = 1e-4;

    /** What a run on the reference left behind: the losses and every parameter after every step. */
    private record Run(List<double[]> losses, int objective, List<List<double[]>> parameters, List<String> names) {
        /** One line on stdout per run, so that the build log shows how close the backends came. */
        static void report(String name, Device d, Run run, String what) {
            double[] first = run.losses().get(0);
            double[] last = run.losses().get(STEPS - 1);
            System.out.printf(Locale.ROOT, "[train] %s on %s: loss %.6f -> %.6f in %d steps; %s%n", name, d.spec(),
                    first[run.objective()], last[run.objective()], STEPS, what);
        }
    }

    private final Map<String, Run> reference = new HashMap<>();

    static int scale() {
        String v = System.getProperty("jdnn.train.scale", "").trim();
        if (v.isEmpty()) {
            return 1;
        }
        int k = Integer.parseInt(v);
        if (k < 1) {
            throw new IllegalArgumentException("jdnn.train.scale: expected a positive integer, got " + k);
        }
        return k;
    }

    static ExampleConfig config(String example) {
        return ExampleConfig.defaults().withSeed(SEED).withBatch(Examples.defaultBatch(example) * scale())
                .withAlgorithms(ConvAlgorithmChoice.accurate());
    }

    @TestFactory
    List<DynamicNode> trainingAgreesWithTheReference() {
        List<DynamicNode> out = new ArrayList<>();
        for (String name : Examples.names()) {
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(DynamicTest.dynamicTest("reference: the loss falls, no tensor leaks", () -> {
                Run r = referenceRun(name);
                Run.report(name, DevicesUnderTest.reference(), r, "the oracle");
                assertFalls(name, "reference", r);
            }));
            for (DevicesUnderTest.Target t : DevicesUnderTest.targets()) {
                tests.add(DynamicTest.dynamicTest(t.describe(), () -> {
                    Backends.skipOrFail(t);
                    Device d = Backends.device(t);
                    Run ref = referenceRun(name);
                    Run run = train(name, d);
                    assertAgrees(name, d, ref, run);
                    assertFalls(name, d.spec(), run);
                }));
            }
            out.add(DynamicContainer.dynamicContainer(name, tests));
        }
        return out;
    }

    private synchronized Run referenceRun(String name) {
        Run r = reference.get(name);
        if (r == null) {
            r = train(name, DevicesUnderTest.reference());
            reference.put(name, r);
        }
        return r;
    }

    /** Trains {@code name} on {@code d}, snapshotting the parameters after each step; checks memory. */
    private static Run train(String name, Device d) {
        long before = d.memory().liveTensors();
        List<double[]> losses = new ArrayList<>();
        List<List<double[]>> params = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Example ex = Examples.create(name, d, config(name));
        int objective = ex.objective();
        try {
            for (Module m : ex.modules()) {
                for (Parameter p : m.parameters()) {
                    names.add(p.name());
                }
            }
            for (int s = 1; s <= STEPS; s++) {
                losses.add(ex.step(s));
                List<double[]> snap = new ArrayList<>();
                for (Module m : ex.modules()) {
                    for (Parameter p : m.parameters()) {
                        snap.add(p.value().toDoubleArray());
                    }
                }
                params.add(snap);
            }
            ex.release();
            assertEquals(before + ex.persistentTensors(), d.memory().liveTensors(),
                    () -> name + " on " + d.spec() + ": tensors live after release() besides the " + before
                            + " from before: expected the example's persistent tensors only; live:\n  "
                            + String.join("\n  ", d.liveAllocations()));
        } finally {
            ex.close();
        }
        assertEquals(before, d.memory().liveTensors(), () -> name + " on " + d.spec() + ": tensors left after close(): "
                + String.join("\n  ", d.liveAllocations()));
        return new Run(losses, objective, params, names);
    }

    private static void assertAgrees(String name, Device d, Run ref, Run run) {
        double worst = 0;
        int firstBad = -1;
        StringBuilder table = new StringBuilder();
        int k = ref.losses().get(0).length;
        for (int s = 0; s < STEPS; s++) {
            table.append(String.format(Locale.ROOT, "%n  step %2d", s + 1));
            for (int j = 0; j < k; j++) {
                double r = ref.losses().get(s)[j];
                double v = run.losses().get(s)[j];
                double rel = Math.abs(v - r) / Math.abs(r);
                if (!(rel <= BOUND) && firstBad < 0) {
                    firstBad = s;
                }
                worst = Math.max(worst, Double.isNaN(rel) ? Double.POSITIVE_INFINITY : rel);
                table.append(String.format(Locale.ROOT, "   ref %.9f  %s %.9f  rel %.2e%s", r, d.backend(), v, rel,
                        rel <= BOUND ? "" : " !"));
            }
        }
        Run.report(name, d, run, String.format(Locale.ROOT, "largest relative difference from the reference %.2e", worst));
        if (firstBad >= 0) {
            fail(name + " on " + d.spec() + ": the loss of step " + (firstBad + 1) + " differs from the reference's by more than "
                    + BOUND + " (worst " + String.format(Locale.ROOT, "%.2e", worst) + ")" + divergence(ref, run) + table);
        }
    }

    /** Where the parameters began to differ: the first step at which one differs by more than PARAMETER_REPORT. */
    private static String divergence(Run ref, Run run) {
        for (int s = 0; s < STEPS; s++) {
            double worst = 0;
            String which = null;
            for (int i = 0; i < ref.names().size(); i++) {
                double e = ErrorBounds.maxNormalizedError(run.parameters().get(s).get(i), ref.parameters().get(s).get(i));
                if (e > worst) {
                    worst = e;
                    which = ref.names().get(i);
                }
            }
            if (worst > PARAMETER_REPORT) {
                return String.format(Locale.ROOT, "; parameters first differ by more than %.0e after step %d, most in %s (%.2e)",
                        PARAMETER_REPORT, s + 1, which, worst);
            }
        }
        return "; no parameter differs by more than " + PARAMETER_REPORT + " after any step";
    }

    private static void assertFalls(String name, String where, Run run) {
        List<double[]> losses = run.losses();
        int objective = run.objective();
        double first = 0;
        double last = 0;
        for (int s = 0; s < 5; s++) {
            first += losses.get(s)[objective] / 5;
            last += losses.get(STEPS - 5 + s)[objective] / 5;
        }
        double f = first;
        double l = last;
        assertTrue(l <= FALL * f, () -> String.format(Locale.ROOT,
                "%s on %s: the loss does not fall: mean of steps 1-5 %.6f, of steps %d-%d %.6f (expected at most %.2f of it)",
                name, where, f, STEPS - 4, STEPS, l, FALL));
    }
}
