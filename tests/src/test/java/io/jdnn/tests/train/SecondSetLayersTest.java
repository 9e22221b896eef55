package io.jdnn.tests.train;

import io.jdnn.Device;
import io.jdnn.GroupNormProblem;
import io.jdnn.InstanceNormProblem;
import io.jdnn.LayerNormProblem;
import io.jdnn.Loss;
import io.jdnn.LrnProblem;
import io.jdnn.PixelShuffleProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.nn.BceWithLogitsLoss;
import io.jdnn.nn.ElementwiseLoss;
import io.jdnn.nn.GradCheck;
import io.jdnn.nn.L1Loss;
import io.jdnn.nn.Layer;
import io.jdnn.nn.Layers;
import io.jdnn.nn.Module;
import io.jdnn.nn.MseLoss;
import io.jdnn.nn.NllLoss;
import io.jdnn.nn.Parameter;
import io.jdnn.nn.SmoothL1Loss;
import io.jdnn.tests.support.DevicesUnderTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import static io.jdnn.tests.train.LayerToolkitTest.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layers and losses of the second set of ops (Concat, GroupNorm, InstanceNorm, LayerNorm,
 * LocalResponseNorm, PRelu, LogSoftmax, PixelShuffle; MseLoss, L1Loss, SmoothL1Loss, BceWithLogitsLoss, NllLoss)
 * against the Device calls they compose, on the reference and on every device under test (cpu,
 * opencl, ...), with random parameter values; the losses against {@link GradCheck} on the reference;
 * and {@link GradCheck} itself rejecting a backward pass that is wrong. The layers' gradients are
 * checked with GradCheck in {@link LayerToolkitTest}.
 */
class SecondSetLayersTest {

    /** The forward output, the input gradient and the parameter gradients the Device calls give. */
    interface Composition {
        List<double[]> run(Device d, Tensor x, Tensor dy, List<Tensor> params);
    }

    record Case(String name, Shape input, Function<Layers, Module> make, Composition direct) {
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("prelu per channel", Shape.of(2, 3, 5), nn -> nn.prelu(3, 0.25), (d, x, dy, p) -> {
            try (Tensor y = d.prelu(x, p.get(0)); Tensor dx = d.allocate(x.shape()); Tensor dw = d.allocate(p.get(0).shape())) {
                d.preluBackward(x, p.get(0), dy, dx, dw);
                return arrays(y, dx, dw);
            }
        }));
        c.add(new Case("groupNorm on (N, C, L)", Shape.of(2, 6, 5), nn -> nn.groupNorm(3, 6), (d, x, dy, p) -> {
            GroupNormProblem g = new GroupNormProblem(2, 6, 5, 1, 3, 1e-5);
            return norm(d, x, dy, p, g.inputShape(), g.statsShape(),
                    (xv, y, m, s) -> d.groupNorm(g, xv, p.get(0), p.get(1), y, m, s),
                    (xv, dyv, m, s, dx, dw, db) -> d.groupNormBackward(g, xv, dyv, p.get(0), m, s, dx, dw, db));
        }));
        c.add(new Case("instanceNorm", Shape.of(2, 3, 4, 3), nn -> nn.instanceNorm(3), (d, x, dy, p) -> {
            InstanceNormProblem g = new InstanceNormProblem(2, 3, 4, 3, 1e-5);
            return norm(d, x, dy, p, g.inputShape(), g.statsShape(),
                    (xv, y, m, s) -> d.instanceNorm(g, xv, p.get(0), p.get(1), y, m, s),
                    (xv, dyv, m, s, dx, dw, db) -> d.instanceNormBackward(g, xv, dyv, p.get(0), m, s, dx, dw, db));
        }));
        c.add(new Case("layerNorm over (C, H, W)", Shape.of(2, 3, 2, 2), nn -> nn.layerNorm(Shape.of(3, 2, 2), 1e-3), (d, x, dy, p) -> {
            LayerNormProblem g = new LayerNormProblem(2, 12, 1e-3);
            try (Tensor w = p.get(0).view(Shape.of(12)); Tensor b = p.get(1).view(Shape.of(12))) {
                List<double[]> out = norm(d, x, dy, List.of(w, b), g.inputShape(), g.statsShape(),
                        (xv, y, m, s) -> d.layerNorm(g, xv, w, b, y, m, s),
                        (xv, dyv, m, s, dx, dw, db) -> d.layerNormBackward(g, xv, dyv, w, m, s, dx, dw, db));
                return out;
            }
        }));
        c.add(new Case("localResponseNorm", Shape.of(2, 5, 3, 2), nn -> nn.localResponseNorm(3, 0.5, 0.75, 1),
                (d, x, dy, p) -> {
                    LrnProblem g = new LrnProblem(2, 5, 3, 2, 3, 0.5, 0.75, 1);
                    try (Tensor y = d.localResponseNorm(g, x); Tensor dx = d.localResponseNormBackward(g, x, dy)) {
                        return arrays(y, dx);
                    }
                }));
        c.add(new Case("logSoftmax", Shape.of(3, 7), Layers::logSoftmax, (d, x, dy, p) -> {
            try (Tensor y = d.logSoftmax(x); Tensor dx = d.logSoftmaxBackward(y, dy)) {
                return arrays(y, dx);
            }
        }));
        c.add(new Case("pixelShuffle 2", Shape.of(2, 8, 3, 2), nn -> nn.pixelShuffle(2), (d, x, dy, p) -> {
            PixelShuffleProblem g = PixelShuffleProblem.shuffle(2, 8, 3, 2, 2);
            try (Tensor y = d.pixelShuffle(g, x); Tensor dx = d.pixelShuffleBackward(g, dy)) {
                return arrays(y, dx);
            }
        }));
        c.add(new Case("pixelUnshuffle 2", Shape.of(1, 3, 4, 6), nn -> nn.pixelUnshuffle(2), (d, x, dy, p) -> {
            PixelShuffleProblem g = PixelShuffleProblem.unshuffle(1, 3, 4, 6, 2);
            try (Tensor y = d.pixelShuffle(g, x); Tensor dx = d.pixelShuffleBackward(g, dy)) {
                return arrays(y, dx);
            }
        }));
        c.add(new Case("concat of prelu and logSoftmax", Shape.of(2, 3),
                nn -> nn.concat(nn.prelu(3, 0.25), nn.logSoftmax()), (d, x, dy, p) -> {
                    try (Tensor a = d.prelu(x, p.get(0)); Tensor b = d.logSoftmax(x); Tensor y = d.cat(List.of(a, b), 1)) {
                        List<Tensor> parts = d.split(dy, 1, 3, 3);
                        try (Tensor da = d.allocate(x.shape()); Tensor dw = d.allocate(p.get(0).shape());
                             Tensor db = d.logSoftmaxBackward(b, parts.get(1)); Tensor dx = d.allocate(x.shape())) {
                            d.preluBackward(x, p.get(0), parts.get(0), da, dw);
                            d.add(da, db, dx);
                            return arrays(y, dx, dw);
                        } finally {
                            parts.forEach(Tensor::close);
                        }
                    }
                }));
        return c;
    }

    @Test
    void everyLayerIsTheDeviceCallsItComposesOnEveryDevice() {
        List<Device> devices = new ArrayList<>();
        devices.add(DevicesUnderTest.reference());
        devices.addAll(DevicesUnderTest.devices());
        for (Device d : devices) {
            long before = d.memory().liveTensors();
            for (Case c : cases()) {
                Module m = c.make().apply(Layers.on(d, 5));
                SplittableRandom r = new SplittableRandom(c.name().hashCode());
                try (Tensor x = d.upload(c.input(), values(r, (int) c.input().elements(), 2))) {
                    List<Tensor> params = new ArrayList<>();
                    for (Parameter p : m.parameters()) {
                        p.value().copyFrom(values(r, (int) p.value().elements(), 1.5));
                        params.add(p.value());
                    }
                    Tensor y = m.forward(x);
                    try (Tensor dy = d.upload(y.shape(), values(r, (int) y.elements(), 1))) {
                        List<double[]> got = new ArrayList<>();
                        got.add(y.toDoubleArray());
                        m.zeroGrad();
                        got.add(m.backward(dy).toDoubleArray());
                        for (Parameter p : m.parameters()) {
                            got.add(p.grad().toDoubleArray());
                        }
                        List<double[]> want = c.direct().run(d, x, dy, params);
                        assertEquals(want.size(), got.size(), c.name());
                        for (int k = 0; k < want.size(); k++) {
                            String what = d.spec() + " " + c.name() + " " + (k == 0 ? "y" : k == 1 ? "dx" : "param grad " + (k - 2));
                            assertClose(want.get(k), got.get(k), what);
                        }
                    }
                } finally {
                    m.close();
                }
            }
            assertEquals(before, d.memory().liveTensors(), () -> d.spec() + ": tensors left after closing every layer:\n  "
                    + String.join("\n  ", d.liveAllocations()));
        }
    }

    @Test
    void lossModulesAreTheDeviceLossesAndPassTheGradientCheck() {
        Device d = DevicesUnderTest.reference();
        long before = d.memory().liveTensors();
        SplittableRandom r = new SplittableRandom(21);
        Shape s = Shape.of(3, 4);
        List<ElementwiseLoss> losses = List.of(new MseLoss(d), new L1Loss(d), new SmoothL1Loss(d, 0.5),
                new BceWithLogitsLoss(d));
        try (Tensor x = d.upload(s, values(r, 12, 2)); Tensor t = d.upload(s, unit(r, 12));
             Tensor want = d.allocate(Shape.of(1)); Tensor wantDx = d.allocate(s)) {
            for (ElementwiseLoss l : losses) {
                try (l) {
                    double v = l.forward(x, t);
                    d.loss(l.loss(), x, t, want, wantDx);
                    assertEquals(want.toDoubleArray()[0], v, 0, l + ": loss");
                    assertClose(wantDx.toDoubleArray(), l.gradient().toDoubleArray(), l + ": gradient");
                    GradCheck.Report rep = GradCheck.defaults().checkLoss(l.toString(), x, v2 -> l.forward(v2, t), l::gradient);
                    assertTrue(rep.passed(), rep::toString);
                }
            }
            assertEquals(Loss.smoothL1(0.5), losses.get(2).loss());
            int[] labels = {1, 0, 3};
            try (NllLoss nll = new NllLoss(d)) {
                double v = nll.forward(x, labels);
                d.nllLoss(x, labels, want, wantDx);
                assertEquals(want.toDoubleArray()[0], v, 0, "nllLoss");
                assertClose(wantDx.toDoubleArray(), nll.gradient().toDoubleArray(), "nllLoss gradient");
                GradCheck.Report rep = GradCheck.defaults().checkLoss("nllLoss", x, v2 -> nll.forward(v2, labels), nll::gradient);
                assertTrue(rep.passed(), rep::toString);
            }
        }
        assertEquals(before, d.memory().liveTensors(), () -> String.join("\n  ", d.liveAllocations()));
    }

    @Test
    void gradCheckRejectsAWrongBackwardPassAndAMissingParameterGradient() {
        Device d = DevicesUnderTest.reference();
        Layers nn = Layers.on(d, 22);
        // tanh whose backward pass forgets the derivative (returns dy): wrong wherever x is not tiny.
        try (Layer wrong = new Layer(d) {
                @Override
                public Tensor forward(Tensor x) {
                    beginForward(x);
                    return setOutput(device.activation(io.jdnn.Activation.tanh(), x));
                }

                @Override
                public Tensor backward(Tensor dy) {
                    beginBackward(dy);
                    Tensor dx = setInputGrad(device.allocate(dy.shape()));
                    device.copy(dy, dx);
                    return dx;
                }
            }) {
            GradCheck.Report rep = GradCheck.defaults().check(wrong, Shape.of(2, 5));
            assertFalse(rep.passed(), rep::toString);
            assertTrue(rep.maxError() > 1e-2, rep::toString);
        }
        // A PReLU whose backward pass never reaches its slope: the parameter has no gradient.
        Module prelu = nn.prelu(2, 0.25);
        Module noSlopeGrad = new Module() {
            @Override
            public Tensor forward(Tensor x) {
                return prelu.forward(x);
            }

            @Override
            public Tensor backward(Tensor dy) {
                Tensor dx = prelu.backward(dy);
                prelu.zeroGrad();
                return dx;
            }

            @Override
            public List<Module> children() {
                return List.of(prelu);
            }

            @Override
            public void close() {
                prelu.close();
            }
        };
        try (noSlopeGrad) {
            GradCheck.Report rep = GradCheck.defaults().check(noSlopeGrad, Shape.of(3, 2));
            assertFalse(rep.passed(), rep::toString);
            assertTrue(rep.toString().contains("no gradient"), rep::toString);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradCheck.defaults().bound(0));
        assertTrue(e.getMessage().contains("bound"), e.getMessage());
    }

    @Test
    void shapeErrorsNameTheLayer() {
        Device d = DevicesUnderTest.reference();
        Layers nn = Layers.on(d, 23);
        try (Module gn = nn.groupNorm(2, 4); Module ln = nn.layerNorm(3, 2); Module ls = nn.logSoftmax();
             Tensor x = d.zeros(Shape.of(2, 3, 2, 3))) {
            IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> gn.forward(x));
            assertTrue(a.getMessage().contains("groupNorm(2, 4)") && a.getMessage().contains("(batch, 4, ...)"), a.getMessage());
            IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> ln.forward(x));
            assertTrue(b.getMessage().contains("(..., 3, 2)"), b.getMessage());
            IllegalArgumentException c = assertThrows(IllegalArgumentException.class, () -> ls.forward(x));
            assertTrue(c.getMessage().contains("flatten it first"), c.getMessage());
        }
        IllegalArgumentException g = assertThrows(IllegalArgumentException.class, () -> nn.groupNorm(3, 4));
        assertTrue(g.getMessage().contains("groups"), g.getMessage());
    }

    // ------------------------------------------------------------------------------------ helpers

    interface NormForward {
        void run(Tensor x, Tensor y, Tensor mean, Tensor invStd);
    }

    interface NormBackward {
        void run(Tensor x, Tensor dy, Tensor mean, Tensor invStd, Tensor dx, Tensor dw, Tensor db);
    }

    /** A normalization's forward with saved statistics and its backward, on x and dy viewed as {@code shape}. */
    private static List<double[]> norm(Device d, Tensor x, Tensor dy, List<Tensor> params, Shape shape, Shape stats,
                                       NormForward fwd, NormBackward bwd) {
        try (Tensor xv = x.view(shape); Tensor dyv = dy.view(shape); Tensor y = d.allocate(shape);
             Tensor m = d.allocate(stats); Tensor s = d.allocate(stats); Tensor dx = d.allocate(shape);
             Tensor dw = d.allocate(params.get(0).shape()); Tensor db = d.allocate(params.get(1).shape())) {
            fwd.run(xv, y, m, s);
            bwd.run(xv, dyv, m, s, dx, dw, db);
            return arrays(y, dx, dw, db);
        }
    }

    private static List<double[]> arrays(Tensor... ts) {
        List<double[]> out = new ArrayList<>();
        for (Tensor t : ts) {
            out.add(t.toDoubleArray());
        }
        return out;
    }

    /** Targets in [0, 1] (valid for every loss, binary cross-entropy included). */
    private static float[] unit(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble();
        }
        return v;
    }

    /**
     * The layer runs exactly the Device calls of its composition, so the results agree to the bit on
     * a deterministic backend; 0 is the tolerance.
     */
    private static void assertClose(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 0, what + "[" + i + "]");
        }
    }
}
