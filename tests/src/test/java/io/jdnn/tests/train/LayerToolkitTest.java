package io.jdnn.tests.train;

import io.jdnn.Activation;
import io.jdnn.Device;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.nn.ConvAlgorithmChoice;
import io.jdnn.nn.ConvLayer;
import io.jdnn.nn.CrossEntropyLoss;
import io.jdnn.nn.Dropout;
import io.jdnn.nn.GradCheck;
import io.jdnn.nn.Layers;
import io.jdnn.nn.Module;
import io.jdnn.nn.OptimizerDriver;
import io.jdnn.nn.Parameter;
import io.jdnn.nn.Sequential;
import io.jdnn.optim.Adam;
import io.jdnn.tests.support.DevicesUnderTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The layer toolkit ({@code io.jdnn.nn}) on the reference backend, which computes in float64: every
 * layer's backward pass against central differences of its forward pass, composed as the examples
 * compose them; gradient accumulation over two passes; dropout masks; evaluation mode; ownership and
 * memory. The backend-independent wiring is what this checks; that each op agrees with the reference
 * on every backend is the conformance suite's business, and that whole training runs agree is
 * {@link TrainingAgreementTest}'s.
 */
class LayerToolkitTest {
    /** The gradient checker's defaults: step 1e-5, bound 1e-6 of the tensor's largest gradient, 12 probes per tensor. */
    static final GradCheck GRAD_CHECK = GradCheck.defaults();

    private static Device ref() {
        return DevicesUnderTest.reference();
    }

    /** One module of each kind, and the compositions of the examples. */
    static List<Case> cases(Layers nn) {
        List<Case> c = new ArrayList<>();
        c.add(new Case("conv2d stride 2 pad 1 with bias", Shape.of(2, 2, 7, 7),
                nn.conv2d(2, 3).kernel(3).stride(2).padding(1).build()));
        c.add(new Case("conv2d stride 2, SAME padding [0, 0, 1, 1] (TensorFlow's)", Shape.of(2, 2, 6, 6),
                nn.conv2d(2, 3).kernel(3).stride(2).padding(0, 0, 1, 1).build()));
        c.add(new Case("convTranspose2d, asymmetric padding [1, 0, 0, 1]", Shape.of(2, 2, 4, 3),
                nn.convTranspose2d(2, 3).kernel(3).stride(2).padding(1, 0, 0, 1).build()));
        c.add(new Case("conv2d grouped dilated", Shape.of(2, 4, 8, 8),
                nn.conv2d(4, 6).kernel(3).dilation(2).groups(2).bias(false).build()));
        c.add(new Case("convTranspose2d stride 2 output padding 1", Shape.of(2, 3, 4, 5),
                nn.convTranspose2d(3, 2).kernel(3).stride(2).padding(1).outputPadding(1).build()));
        c.add(new Case("batchNorm2d (training)", Shape.of(3, 2, 4, 4), nn.batchNorm2d(2)));
        c.add(new Case("maxPool2d 3/2/1", Shape.of(2, 2, 7, 7), nn.maxPool2d(3, 2, 1)));
        c.add(new Case("avgPool2d 3/2/1", Shape.of(2, 2, 7, 7), nn.avgPool2d(3, 2, 1)));
        c.add(new Case("globalAvgPool2d", Shape.of(2, 3, 5, 4), nn.globalAvgPool2d()));
        c.add(new Case("linear", Shape.of(3, 7), nn.linear(7, 4)));
        for (Activation a : List.of(Activation.relu(), Activation.leakyRelu(0.2), Activation.elu(1), Activation.sigmoid(),
                Activation.tanh())) {
            c.add(new Case(a.toString(), Shape.of(2, 3, 4), nn.activation(a)));
        }
        c.add(new Case("prelu per channel", Shape.of(2, 3, 4), nn.prelu(3, 0.25)));
        c.add(new Case("prelu shared", Shape.of(2, 3, 2, 2), nn.prelu()));
        c.add(new Case("groupNorm 2 groups", Shape.of(2, 4, 3, 3), nn.groupNorm(2, 4)));
        c.add(new Case("groupNorm on (N, C, L)", Shape.of(3, 6, 5), nn.groupNorm(3, 6)));
        c.add(new Case("instanceNorm", Shape.of(2, 3, 4, 3), nn.instanceNorm(3)));
        c.add(new Case("layerNorm over (C, H, W)", Shape.of(2, 3, 2, 2), nn.layerNorm(3, 2, 2)));
        c.add(new Case("layerNorm over features", Shape.of(4, 7), nn.layerNorm(7)));
        c.add(new Case("localResponseNorm 3", Shape.of(2, 5, 3, 3), nn.localResponseNorm(3, 0.5, 0.75, 1)));
        c.add(new Case("localResponseNorm 2 on (N, C)", Shape.of(3, 6), nn.localResponseNorm(2, 1, 0.75, 2)));
        c.add(new Case("logSoftmax", Shape.of(3, 5), nn.logSoftmax()));
        c.add(new Case("pixelShuffle 2", Shape.of(2, 8, 3, 2), nn.pixelShuffle(2)));
        c.add(new Case("pixelUnshuffle 3", Shape.of(2, 1, 6, 3), nn.pixelUnshuffle(3)));
        c.add(new Case("conv + pixelShuffle 2", Shape.of(2, 2, 3, 3), nn.sequential(
                nn.conv2d(2, 4).kernel(3).padding(1).build(), nn.pixelShuffle(2))));
        c.add(new Case("concat of a conv branch and a flattened pool branch", Shape.of(2, 3, 4, 4), nn.sequential(
                nn.concat(nn.conv2d(3, 2).kernel(3).padding(1).build(), nn.avgPool2d(1)), nn.flatten(), nn.linear(80, 3))));
        c.add(new Case("concat with a flatten in each branch", Shape.of(2, 2, 3, 3), nn.concat(
                nn.sequential(nn.flatten(), nn.linear(18, 4)), nn.sequential(nn.flatten(), nn.linear(18, 2)), nn.flatten())));
        c.add(new Case("residual, identity shortcut", Shape.of(2, 3, 5, 5), nn.residual(nn.sequential(
                nn.conv2d(3, 3).kernel(3).padding(1).build(), nn.tanh()))));
        c.add(new Case("basic block with projection shortcut", Shape.of(2, 3, 6, 6),
                io.jdnn.examples.SmallResNet.basicBlock(nn, 3, 4, 2, Activation.relu())));
        c.add(new Case("flatten + linear", Shape.of(2, 2, 3, 3), nn.sequential(nn.flatten(), nn.linear(18, 5))));
        c.add(new Case("LeNet-5 on 1x32x32", Shape.of(2, 1, 32, 32), io.jdnn.examples.LeNet5.build(nn)));
        c.add(new Case("DCGAN generator", Shape.of(2, 16, 1, 1), io.jdnn.examples.Dcgan.generator(nn)));
        c.add(new Case("DCGAN discriminator", Shape.of(3, 1, 16, 16), io.jdnn.examples.Dcgan.discriminator(nn)));
        return c;
    }

    record Case(String name, Shape input, Module module) {
    }

    @Test
    void everyBackwardPassMatchesCentralDifferences() {
        Device d = ref();
        long before = d.memory().liveTensors();
        Layers nn = Layers.on(d, 7);
        List<String> failures = new ArrayList<>();
        for (Case c : cases(nn)) {
            try {
                c.module().train(true);
                // Dropout draws a new mask per pass, so LeNet's is checked in evaluation mode.
                if (c.name().startsWith("LeNet")) {
                    setDropoutTraining(c.module(), false);
                }
                gradientCheck(c, failures);
            } finally {
                c.module().close();
            }
        }
        assertEquals(before, d.memory().liveTensors(), () -> "tensors left after closing every module:\n  "
                + String.join("\n  ", d.liveAllocations()));
        if (!failures.isEmpty()) {
            fail("backward passes that disagree with central differences:\n  "
                    + String.join("\n  ", failures));
        }
    }

    @Test
    void batchNormInEvaluationModeUsesTheRunningStatisticsAndDifferentiatesThem() {
        Device d = ref();
        Layers nn = Layers.on(d, 8);
        Module bn = nn.batchNorm2d(3, 1e-5, 0.5);
        try {
            SplittableRandom r = new SplittableRandom(4);
            try (Tensor x = d.upload(Shape.of(4, 3, 3, 3), values(r, 108, 2))) {
                bn.forward(x); // one training pass moves the running statistics away from (0, 1)
            }
            bn.train(false);
            List<String> failures = new ArrayList<>();
            gradientCheck(new Case("batchNorm2d (evaluation)", Shape.of(2, 3, 3, 3), bn), failures);
            assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
        } finally {
            bn.close();
        }
    }

    @Test
    void gradientsOfTwoPassesAccumulateUntilZeroGrad() {
        Device d = ref();
        Layers nn = Layers.on(d, 9);
        Sequential net = nn.sequential(nn.conv2d(2, 3).kernel(3).padding(1).build(), nn.batchNorm2d(3), nn.tanh(),
                nn.flatten(), nn.linear(3 * 4 * 4, 2));
        SplittableRandom r = new SplittableRandom(5);
        Shape xs = Shape.of(2, 2, 4, 4);
        float[] x1 = values(r, 64, 1);
        float[] x2 = values(r, 64, 1);
        float[] dy1 = values(r, 4, 1);
        float[] dy2 = values(r, 4, 1);
        try (Tensor t1 = d.upload(xs, x1); Tensor t2 = d.upload(xs, x2);
             Tensor g1 = d.upload(Shape.of(2, 2), dy1); Tensor g2 = d.upload(Shape.of(2, 2), dy2)) {
            List<double[]> first = new ArrayList<>();
            List<double[]> second = new ArrayList<>();
            net.zeroGrad();
            net.forward(t1);
            net.backward(g1);
            for (Parameter p : net.parameters()) {
                first.add(p.grad().toDoubleArray());
            }
            net.zeroGrad();
            for (Parameter p : net.parameters()) {
                assertFalse(p.hasGrad(), p.name() + " has a gradient after zeroGrad");
            }
            net.forward(t2);
            net.backward(g2);
            for (Parameter p : net.parameters()) {
                second.add(p.grad().toDoubleArray());
            }
            net.zeroGrad();
            net.forward(t1);
            net.backward(g1);
            net.forward(t2);
            net.backward(g2);
            List<Parameter> ps = net.parameters();
            for (int i = 0; i < ps.size(); i++) {
                double[] both = ps.get(i).grad().toDoubleArray();
                for (int j = 0; j < both.length; j++) {
                    double want = first.get(i)[j] + second.get(i)[j];
                    assertEquals(want, both[j], 1e-12 * (1 + Math.abs(want)), ps.get(i).name() + "[" + j + "]: gradient of two passes");
                }
            }
        } finally {
            net.close();
        }
    }

    @Test
    void dropoutMasksAreSharedByForwardAndBackwardAndAdvancePerPass() {
        Device d = ref();
        Layers nn = Layers.on(d, 10);
        Dropout drop = nn.dropout(0.25);
        int n = 4000;
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        try (Tensor x = d.upload(Shape.of(n), ones)) {
            double[] y1 = drop.forward(x).toDoubleArray();
            double[] dx1 = drop.backward(x).toDoubleArray();
            int dropped = 0;
            for (int i = 0; i < n; i++) {
                assertTrue(y1[i] == 0 || Math.abs(y1[i] - 1 / 0.75) < 1e-12, "y[" + i + "] = " + y1[i]);
                assertEquals(y1[i], dx1[i], 0, "dx[" + i + "]: the backward pass must reuse the forward pass's mask");
                dropped += y1[i] == 0 ? 1 : 0;
            }
            // 4000 Bernoulli(0.25) draws: the count lies within 1000 +- 5 standard deviations (27.4 each).
            assertTrue(Math.abs(dropped - 1000) < 137, "dropped " + dropped + " of 4000 at p = 0.25");
            double[] y2 = drop.forward(x).toDoubleArray();
            assertFalse(java.util.Arrays.equals(y1, y2), "the second pass must draw a new mask");
            drop.train(false);
            assertTrue(drop.forward(x) == x, "evaluation mode is the identity");
            assertTrue(drop.backward(x) == x, "evaluation mode's backward is the identity");
        } finally {
            drop.close();
        }
    }

    @Test
    void ownedTensorsAreReplacedAndReleasedAndOptimizerStateIsCounted() {
        Device d = ref();
        long before = d.memory().liveTensors();
        Layers nn = Layers.on(d, 11).convAlgorithms(ConvAlgorithmChoice.accurate());
        Sequential net = io.jdnn.examples.Dcgan.discriminator(nn);
        OptimizerDriver opt = OptimizerDriver.of(Adam.of(1e-3), net);
        CrossEntropyLoss loss = new CrossEntropyLoss(d);
        try (Tensor x = d.upload(Shape.of(2, 1, 16, 16), values(new SplittableRandom(6), 512, 1))) {
            for (int step = 0; step < 3; step++) {
                net.zeroGrad();
                Tensor logits = net.forward(x);
                loss.forward(logits, new int[] {0, 1});
                net.backward(loss.gradient());
                opt.step();
                Tensor stale = logits;
                net.forward(x);
                // The previous pass's output was closed when the module replaced it.
                assertThrows(IllegalStateException.class, stale::toArray);
            }
            loss.release();
            net.release();
            long adamSlots = 2L * net.parameters().size();
            assertEquals(before + 1 + net.persistentTensors(), d.memory().liveTensors(),
                    () -> "after release: the input, and parameters, gradients, Adam state and running statistics only:\n  "
                            + String.join("\n  ", d.liveAllocations()));
            assertEquals(2L * net.parameters().size() + adamSlots + net.buffers().size(), net.persistentTensors());
            assertThrows(IllegalStateException.class, () -> net.backward(x), "backward after release has nothing to differentiate");
        } finally {
            loss.close();
            net.close();
        }
        assertEquals(before, d.memory().liveTensors(), () -> "tensors left after close:\n  " + String.join("\n  ", d.liveAllocations()));
    }

    @Test
    void asymmetricPaddingReachesTheLayersProblemAndItsOutput() {
        Device d = ref();
        Layers nn = Layers.on(d, 13);
        ConvLayer same = nn.conv2d(2, 3).kernel(3).stride(2).padding(0, 0, 1, 1).build();
        try (Tensor x = d.zeros(Shape.of(2, 2, 6, 6))) {
            Tensor y = same.forward(x);
            // (6 + 0 + 1 - 3) / 2 + 1 = 3 rows and columns; symmetric padding 0 would give 2
            assertEquals(Shape.of(2, 3, 3, 3), y.shape());
            assertEquals(1, same.problem().padBottom());
            assertEquals(1, same.problem().padRight());
            assertEquals(0, same.problem().padH());
        } finally {
            same.close();
        }
    }

    @Test
    void shapeErrorsNameTheLayerAndTheExpectedShape() {
        Device d = ref();
        Layers nn = Layers.on(d, 12);
        Module conv = nn.conv2d(3, 4).kernel(3).build();
        Module lin = nn.linear(10, 2);
        try (Tensor x = d.zeros(Shape.of(1, 2, 5, 5))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.forward(x));
            assertTrue(e.getMessage().contains("conv2d(3->4, 3x3)") && e.getMessage().contains("(batch, 3, height, width)"), e.getMessage());
            IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> lin.forward(x));
            assertTrue(f.getMessage().contains("flatten it first"), f.getMessage());
        } finally {
            conv.close();
            lin.close();
        }
        IllegalArgumentException g = assertThrows(IllegalArgumentException.class, () -> nn.conv2d(3, 4).kernel(3).groups(2).build());
        assertTrue(g.getMessage().contains("inChannels"), g.getMessage());
        Module tanh = nn.tanh();
        try (Tensor x = d.zeros(Shape.of(2, 3))) {
            Tensor y = tanh.forward(x);
            IllegalArgumentException h = assertThrows(IllegalArgumentException.class, () -> tanh.forward(y));
            assertTrue(h.getMessage().contains("own previous output"), h.getMessage());
        } finally {
            tanh.close();
        }
    }

    // ------------------------------------------------------------------------------------ helpers

    private static void setDropoutTraining(Module m, boolean training) {
        if (m instanceof Dropout) {
            m.train(training);
        }
        for (Module c : m.children()) {
            setDropoutTraining(c, training);
        }
    }

    /** Uniform values in [-scale, scale), float32. */
    static float[] values(SplittableRandom r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }

    /** Checks the case's module with {@link GradCheck} at a random input; a failing report joins {@code failures}. */
    private static void gradientCheck(Case c, List<String> failures) {
        GradCheck.Report r = GRAD_CHECK.seed(c.name().hashCode()).check(c.module(), c.input());
        if (!r.passed()) {
            failures.add(c.name() + ": " + r);
        }
    }
}
