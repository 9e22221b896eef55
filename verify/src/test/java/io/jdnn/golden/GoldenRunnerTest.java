package io.jdnn.golden;

import io.jdnn.Activation;
import io.jdnn.Device;
import io.jdnn.DeviceInfo;
import io.jdnn.DeviceOptions;
import io.jdnn.Devices;
import io.jdnn.ErrorBounds;
import io.jdnn.Precision;
import io.jdnn.spi.Buffer;
import io.jdnn.spi.DeviceBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runner's verdicts, on a small in-test backend that stores float64 and implements ReLU (and,
 * when asked to, gets it wrong); every other SPI method throws. Ops that need a real backend are
 * covered by the golden tests of module jdnn-tests.
 */
class GoldenRunnerTest {
    /** An SPI buffer of the fake backend. */
    record FakeBuffer(double[] data) implements Buffer {
        @Override
        public long elements() {
            return data.length;
        }
    }

    /** How the fake's ReLU forward misbehaves. */
    enum Relu { RIGHT, OFF_BY_1E_6, NAN }

    Relu relu = Relu.RIGHT;
    Device device;

    @BeforeEach
    void open() {
        DeviceInfo info = new DeviceInfo("fake", 0, "fake float64 backend", 0, 1, Precision.FLOAT64, "in-test");
        DeviceBackend impl = (DeviceBackend) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DeviceBackend.class}, (proxy, m, a) -> switch (m.getName()) {
                    case "info" -> info;
                    case "allocate" -> new FakeBuffer(new double[Math.toIntExact((Long) a[0])]);
                    case "free", "synchronize", "close" -> null;
                    case "toString" -> "fake backend";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == a[0];
                    case "deviceFreeBytes" -> -1L;
                    case "fill" -> {
                        java.util.Arrays.fill(((FakeBuffer) a[0]).data(), 0, Math.toIntExact((Long) a[1]), (Double) a[2]);
                        yield null;
                    }
                    case "write" -> {
                        double[] dst = ((FakeBuffer) a[0]).data();
                        float[] src = (float[]) a[2];
                        for (int i = 0; i < (Integer) a[4]; i++) {
                            dst[Math.toIntExact((Long) a[1]) + i] = src[(Integer) a[3] + i];
                        }
                        yield null;
                    }
                    case "readDouble" -> {
                        double[] src = ((FakeBuffer) a[0]).data();
                        System.arraycopy(src, Math.toIntExact((Long) a[1]), (double[]) a[2], (Integer) a[3], (Integer) a[4]);
                        yield null;
                    }
                    case "activationForward" -> {
                        Activation act = (Activation) a[0];
                        if (act.kind() != Activation.Kind.RELU) {
                            throw new UnsupportedOperationException("the fake backend has no " + act);
                        }
                        double[] x = ((FakeBuffer) a[2]).data();
                        double[] y = ((FakeBuffer) a[3]).data();
                        for (int i = 0; i < x.length; i++) {
                            y[i] = Math.max(x[i], 0) + (relu == Relu.OFF_BY_1E_6 ? 1e-6 : 0) + (relu == Relu.NAN && i == 1 ? Double.NaN : 0);
                        }
                        yield null;
                    }
                    case "activationBackward" -> {
                        double[] x = ((FakeBuffer) a[2]).data();
                        double[] dy = ((FakeBuffer) a[3]).data();
                        double[] dx = ((FakeBuffer) a[4]).data();
                        for (int i = 0; i < x.length; i++) {
                            dx[i] = x[i] > 0 ? dy[i] : 0;
                        }
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException("the fake backend has no " + m.getName());
                });
        device = Devices.wrap(impl, DeviceOptions.DEFAULT);
    }

    @AfterEach
    void close() {
        assertEquals(0, device.memory().liveTensors(), "the runner closes every tensor it opened");
        device.close();
    }

    static final double[] X = {1.5, -2.0, 0.25, -0.5};
    static final double[] DY = {0.5, 4.0, -1.0, 2.0};
    static final double[] Y = {1.5, 0.0, 0.25, 0.0};
    static final double[] DX = {0.5, 0.0, -1.0, 0.0};

    static GoldenTensor f32(String name, double... v) {
        return GoldenTensor.ofReals(name, new int[] {1, v.length}, DType.F32, v);
    }

    static GoldenTensor f64(String name, double... v) {
        return GoldenTensor.ofReals(name, new int[] {1, v.length}, DType.F64, v);
    }

    /** A relu case with inputs x, dy and outputs y, dx. */
    static GoldenCase relu() {
        Map<String, GoldenTensor> t = new LinkedHashMap<>();
        for (GoldenTensor g : List.of(f32("x", X), f32("dy", DY), f64("y", Y), f64("dx", DX))) {
            t.put(g.name(), g);
        }
        return new GoldenCase("relu_case", "relu", Map.of(), List.of("dy", "x"), List.of("dx", "y"), t);
    }

    CaseResult run(GoldenCase c) {
        return new GoldenRunner(device).run(c);
    }

    static void assertFailure(CaseResult r, String... parts) {
        assertFalse(r.passed(), "the case must fail");
        assertNotNull(r.failure(), "a failure reason");
        for (String p : parts) {
            assertTrue(r.failure().contains(p), "reason \"" + r.failure() + "\" lacks \"" + p + "\"");
        }
    }

    @Test
    void aRightResultPassesWithTheFloat64Bound() {
        CaseResult r = run(relu());
        assertTrue(r.passed(), () -> String.valueOf(r));
        assertNull(r.failure());
        assertEquals(2, r.outputs().size());
        for (OutputResult o : r.outputs()) {
            assertEquals(0.0, o.error(), 0.0, o.name());
            assertEquals(ErrorBounds.FLOAT64, o.bound(), 0.0, "a float64 device is held to ErrorBounds.FLOAT64");
        }
    }

    @Test
    void aWrongValueFailsWithItsError() {
        relu = Relu.OFF_BY_1E_6;
        CaseResult r = run(relu());
        assertFalse(r.passed());
        assertNull(r.failure(), "the case ran: it failed on its values, not for a reason");
        OutputResult w = r.worst();
        assertEquals("y", w.name());
        // 1.5 + 1e-6 is rounded to a double, so the difference is 1e-6 only to within an ulp of 1.5 (2.2e-16).
        assertEquals(1e-6 / 1.5, w.error(), 1e-15, "max|out - ref| / max|ref|");
        assertTrue(w.ratio() > 1);
    }

    @Test
    void aNanFails() {
        relu = Relu.NAN;
        CaseResult r = run(relu());
        assertFalse(r.passed());
        assertEquals(Double.POSITIVE_INFINITY, r.worst().error(), 0.0);
    }

    @Test
    void aCorruptedExpectedValueFails() {
        GoldenCase c = relu().withTensor(f64("dx", 0.5, 0.0, -1.0, 1e-3));
        CaseResult r = run(c);
        assertFalse(r.passed());
        assertEquals("dx", r.worst().name());
    }

    @Test
    void anUnknownOpFailsWithTheReason() {
        assertFailure(run(relu().withOp("conv3d")), "unknown op 'conv3d'", "conv2d");
    }

    @Test
    void anUnknownParameterFails() {
        assertFailure(run(relu().withParam("inplace", true)), "parameter 'inplace'", "relu");
    }

    @Test
    void aReductionOtherThanMeanFails() {
        Map<String, GoldenTensor> t = new LinkedHashMap<>();
        t.put("logits", f32("logits", 1, 2));
        t.put("target", GoldenTensor.ofIntegers("target", new int[] {1}, new long[] {0}));
        t.put("loss", GoldenTensor.ofReals("loss", new int[] {1}, DType.F64, new double[] {1}));
        GoldenCase c = new GoldenCase("ce", "softmax_cross_entropy", Map.of("reduction", "sum", "label_smoothing", 0.0),
                List.of("logits", "target"), List.of("loss"), t);
        assertFailure(run(c), "reduction", "\"mean\"", "\"sum\"");
    }

    @Test
    void aMissingInputFails() {
        GoldenCase full = relu();
        Map<String, GoldenTensor> t = new LinkedHashMap<>(full.tensors());
        t.remove("dy");
        GoldenCase c = new GoldenCase("relu_case", "relu", Map.of(), List.of("x"), List.of("dx", "y"), t);
        assertFailure(run(c), "input 'dy' is missing", "'dx'");
    }

    @Test
    void anOutputTheOpDoesNotProduceFails() {
        GoldenCase full = relu();
        Map<String, GoldenTensor> t = new LinkedHashMap<>(full.tensors());
        t.put("dw", f64("dw", 1));
        GoldenCase c = new GoldenCase("relu_case", "relu", Map.of(), List.of("dy", "x"), List.of("dw", "y"), t);
        assertFailure(run(c), "output 'dw' is not produced by op 'relu'");
    }

    @Test
    void aCaseWithoutOutputsFails() {
        GoldenCase full = relu();
        GoldenCase c = new GoldenCase("relu_case", "relu", Map.of(), List.of("dy", "x"), List.of(),
                Map.of("x", full.tensor("x"), "dy", full.tensor("dy")));
        assertFailure(run(c), "lists no outputs");
    }

    @Test
    void aFloat64InputCannotBeHonoured() {
        GoldenCase c = relu().withTensor(f64("x", X));
        assertFailure(run(c), "input 'x'", "dtype f32", "f64");
    }

    @Test
    void anExpectedShapeThatDiffersFails() {
        GoldenCase c = relu().withTensor(GoldenTensor.ofReals("y", new int[] {4}, DType.F64, Y));
        assertFailure(run(c), "output 'y'", "[4]", "[1, 4]");
    }

    @Test
    void aBadParameterValueFailsWithTheRecordsMessage() {
        GoldenCase c = relu().withOp("elu").withParam("alpha", -1.0);
        assertFailure(run(c), "alpha", "-1.0");
        GoldenCase leaky = relu().withOp("leaky_relu").withParam("negative_slope", "0.1");
        assertFailure(run(leaky), "parameter 'negative_slope'", "expected a number", "the string \"0.1\"");
    }

    @Test
    void anErrorOfTheDeviceIsTheCasesFailureAndTheNextCaseRuns() {
        GoldenCase c = relu().withOp("sigmoid");
        assertFailure(run(c), "UnsupportedOperationException", "the fake backend has no sigmoid");
        assertTrue(run(relu()).passed(), "the runner goes on after a failed case");
    }
}
