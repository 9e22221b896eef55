package io.jdnn.cpu.fast;

import io.jdnn.Activation;
import io.jdnn.AlgorithmNotSupportedException;
import io.jdnn.BatchNormProblem;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.DeviceOutOfMemoryException;
import io.jdnn.Devices;
import io.jdnn.ErrorBounds;
import io.jdnn.LinearProblem;
import io.jdnn.OptimizerState;
import io.jdnn.PoolProblem;
import io.jdnn.Precision;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.optim.AdaDelta;
import io.jdnn.optim.AdaGrad;
import io.jdnn.optim.Adam;
import io.jdnn.optim.AdamW;
import io.jdnn.optim.Optimizer;
import io.jdnn.optim.RmsProp;
import io.jdnn.optim.Sgd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The cpu backend against the reference backend (float64 loops), op by op, for both kernel sets:
 * the plain auto-vectorized ones and, where the JVM has {@code jdk.incubator.vector} (the build's
 * surefire configuration adds it), the Vector API ones. Outputs are poisoned with NaN first, so an
 * element that no task writes fails. Bounds are the API's ({@link ErrorBounds},
 * {@link ConvAlgorithm#errorBound()}).
 */
class CpuBackendTest {
    private static Device ref;
    private static final List<Device> CPUS = new ArrayList<>();

    @BeforeAll
    static void open() {
        ref = Devices.open("reference");
        CPUS.addAll(openKernelSets());
    }

    /** A cpu device per kernel set: the plain kernels, and the Vector API ones where the JVM has them. */
    static List<Device> openKernelSets() {
        List<Device> devices = new ArrayList<>();
        devices.add(Devices.wrap(CpuBackend.open(DeviceOptions.DEFAULT, KernelsLoader.plain()), DeviceOptions.DEFAULT));
        if (KernelsLoader.vector() != null) {
            devices.add(Devices.wrap(CpuBackend.open(DeviceOptions.DEFAULT, KernelsLoader.vector()), DeviceOptions.DEFAULT));
        }
        return devices;
    }

    @AfterAll
    static void close() {
        CPUS.forEach(Device::close);
        ref.close();
    }

    static String name(Device d) {
        return d.info().details().replaceAll(",.*", "");
    }

    // ------------------------------------------------------------------ helpers

    static float[] random(long n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() * 2 - 1;
        }
        return a;
    }

    static Tensor poisoned(Device d, Shape s) {
        return d.full(s, Float.NaN);
    }

    /** Fails with the first few mismatches when err exceeds the bound. */
    static void check(String what, Tensor out, Tensor expected, double bound) {
        double[] o = out.toDoubleArray();
        double[] r = expected.toDoubleArray();
        double err = ErrorBounds.maxNormalizedError(o, r);
        if (!(err <= bound)) {
            StringBuilder b = new StringBuilder(what + ": error " + err + " > bound " + bound);
            int shown = 0;
            double maxRef = Arrays.stream(r).map(Math::abs).max().orElse(0);
            for (int i = 0; i < o.length && shown < 10; i++) {
                if (!(Math.abs(o[i] - r[i]) <= bound * Math.max(maxRef, 1e-30))) {
                    b.append("\n  [").append(i).append("] got ").append(o[i]).append(" expected ").append(r[i]);
                    shown++;
                }
            }
            fail(b.toString());
        }
    }

    // ------------------------------------------------------------------ convolution

    /** Awkward sizes on purpose: odd extents no tile divides, groups, depthwise, dilation, strides, transposed. */
    static final String[] CONVS = {
        "conv_mb2ic5ih9iw7oc7kh3ph1",
        "conv_mb2ic8ih11oc20kh3sh2ph1",
        "conv_mb1ic6ih10oc9kh3dh2ph2",
        "conv_mb2ic6ih9oc6kh3ph1g6",
        "conv_mb2ic6ih9oc12kh3sh2ph0g6",
        "conv_mb1ic4ih8oc8kh5ph2dh2g4",
        "conv_mb2ic4ih12oc8kh3ph1g2",
        "conv_mb3ic16ih13oc24kh3ph1",
        "conv_mb2ic3ih7oc5kh1",
        "conv_mb1ic3ih9iw6oc4kh2kw3sh2sw1ph1pw0",
        "conv_mb2ic17ih19oc33kh3ph1",
        "conv_mb1ic7ih6oc5kh3ph3",
        "deconv_mb2ic6ih5oc4kh4sh2ph1",
        "deconv_mb1ic4ih4oc3kh3sh3ph1oph1",
        "deconv_mb1ic4ih5oc6kh3sh2ph1dh2oph1g2",
        "conv_mb2ic5ih13iw11oc6kh3dh3ph2",       // dilated Winograd: 9 phases of unequal sizes
        "deconv_mb1ic4ih7oc5kh3ph1dh2",          // dilated transposed, stride 1
        "conv_mb1ic40ih12oc8kh3ph1",             // a reduction longer than one packed chunk
        "conv_mb1ic3ih49iw47oc4kh3ph1",          // more Winograd tiles than one band holds
        "conv_mb2ic8ih13iw17oc16kh3kw5sh2sw3ph2pw1dh2dw1g8",  // strided depthwise: phase-split rows
        "conv_mb1ic1ih5iw5oc4kh2kw2sh1sw2147483647ph0pw2",     // depthwise, one output column of a huge stride (fuzz)
        "conv_mb1ic4ih5iw21oc4kh3ph1g4",         // depthwise 3x3 rows of 21: the last vector overlaps the one before
    };

    @TestFactory
    List<DynamicTest> convolutionAgainstReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Device cpu : CPUS) {
            for (String s : CONVS) {
                ConvProblem p = ConvProblem.parse(s);
                for (ConvDirection dir : ConvDirection.values()) {
                    for (ConvAlgorithm a : cpu.applicableAlgorithms(p, dir)) {
                        tests.add(DynamicTest.dynamicTest(name(cpu) + " " + s + " " + dir.shortName() + " " + a,
                                () -> convCase(cpu, p, dir, a)));
                    }
                }
            }
        }
        return tests;
    }

    static void convCase(Device cpu, ConvProblem p, ConvDirection dir, ConvAlgorithm a) {
        float[] x = random(p.inputShape().elements(), 1);
        float[] w = random(p.weightShape().elements(), 2);
        float[] dy = random(p.outputShape().elements(), 3);
        float[] b = random(p.biasShape().elements(), 4);
        try (Tensor rx = ref.upload(p.inputShape(), x); Tensor rw = ref.upload(p.weightShape(), w);
             Tensor rdy = ref.upload(p.outputShape(), dy); Tensor rb = ref.upload(p.biasShape(), b);
             Tensor cx = cpu.upload(p.inputShape(), x); Tensor cw = cpu.upload(p.weightShape(), w);
             Tensor cdy = cpu.upload(p.outputShape(), dy); Tensor cb = cpu.upload(p.biasShape(), b)) {
            String what = p + " " + dir.shortName() + " " + a;
            switch (dir) {
                case FORWARD -> {
                    try (Tensor e = ref.conv2d(p, ConvAlgorithm.DIRECT, rx, rw, rb); Tensor o = poisoned(cpu, p.outputShape())) {
                        cpu.conv2d(p, a, cx, cw, cb, o);
                        check(what, o, e, a.errorBound());
                    }
                }
                case BACKWARD_DATA -> {
                    try (Tensor e = ref.conv2dBackwardData(p, ConvAlgorithm.DIRECT, rdy, rw);
                         Tensor o = poisoned(cpu, p.inputShape())) {
                        cpu.conv2dBackwardData(p, a, cdy, cw, o);
                        check(what, o, e, a.errorBound());
                    }
                }
                case BACKWARD_FILTER -> {
                    try (Tensor e = ref.conv2dBackwardFilter(p, ConvAlgorithm.DIRECT, rx, rdy);
                         Tensor o = poisoned(cpu, p.weightShape())) {
                        cpu.conv2dBackwardFilter(p, a, cx, cdy, o);
                        check(what, o, e, a.errorBound());
                    }
                }
            }
        }
    }

    @Test
    void biasGradientAgainstReference() {
        ConvProblem p = ConvProblem.parse("conv_mb3ic4ih7oc5kh3ph1");
        float[] dy = random(p.outputShape().elements(), 5);
        for (Device cpu : CPUS) {
            try (Tensor r = ref.upload(p.outputShape(), dy); Tensor c = cpu.upload(p.outputShape(), dy);
                 Tensor e = ref.conv2dBackwardBias(p, r); Tensor o = poisoned(cpu, p.biasShape())) {
                cpu.conv2dBackwardBias(p, c, o);
                check("bias gradient", o, e, ErrorBounds.REDUCTION);
            }
        }
    }

    @Test
    void algorithmsSayWhyNot() {
        Device cpu = CPUS.get(0);
        ConvProblem strided = ConvProblem.parse("conv_mb1ic4ih8oc4kh3sh2ph1");
        assertTrue(cpu.whyNot(strided, ConvDirection.FORWARD, ConvAlgorithm.WINOGRAD).orElseThrow().contains("stride"));
        assertTrue(cpu.whyNot(strided, ConvDirection.FORWARD, ConvAlgorithm.DEPTHWISE).orElseThrow().contains("groups"));
        assertTrue(cpu.whyNot(strided, ConvDirection.FORWARD, ConvAlgorithm.TENSOR_CORE_TF32).isPresent());
        assertTrue(cpu.whyNot(strided, ConvDirection.FORWARD, ConvAlgorithm.TENSOR_CORE_BF16).orElseThrow()
                .contains("tensor cores"));
        ConvProblem grouped = ConvProblem.parse("conv_mb1ic8ih8oc8kh3ph1g2");
        assertTrue(cpu.whyNot(grouped, ConvDirection.FORWARD, ConvAlgorithm.GROUPED).orElseThrow().contains("IM2COL_GEMM"));
        ConvProblem p3 = ConvProblem.parse("conv_mb1ic4ih8oc4kh3ph1");
        assertTrue(cpu.whyNot(p3, ConvDirection.BACKWARD_FILTER, ConvAlgorithm.WINOGRAD).isPresent());
        assertTrue(cpu.whyNot(p3, ConvDirection.FORWARD, ConvAlgorithm.WINOGRAD).isEmpty());
        try (Tensor x = cpu.zeros(strided.inputShape()); Tensor w = cpu.zeros(strided.weightShape())) {
            assertThrows(AlgorithmNotSupportedException.class, () -> cpu.conv2d(strided, ConvAlgorithm.WINOGRAD, x, w, null));
        }
    }

    @Test
    void autoPicksAnApplicableAlgorithmAndDeterministicModeUsesTheFixedRule() {
        ConvProblem p = ConvProblem.parse("conv_mb1ic16ih28oc16kh3ph1");
        Device cpu = CPUS.get(0);
        for (ConvDirection dir : ConvDirection.values()) {
            ConvAlgorithm a = cpu.autoAlgorithm(p, dir);
            assertTrue(cpu.applicableAlgorithms(p, dir).contains(a), dir + ": " + a);
            assertEquals(a, cpu.autoAlgorithm(p, dir), "AUTO remembers its choice");
        }
        DeviceOptions det = DeviceOptions.DEFAULT.withDeterministic(true);
        try (Device d = Devices.wrap(CpuBackend.open(det, KernelsLoader.best()), det)) {
            assertEquals(ConvAlgorithm.WINOGRAD, d.autoAlgorithm(p, ConvDirection.FORWARD));
            assertEquals(ConvAlgorithm.IM2COL_GEMM, d.autoAlgorithm(p, ConvDirection.BACKWARD_FILTER));
            assertEquals(ConvAlgorithm.DEPTHWISE,
                    d.autoAlgorithm(ConvProblem.parse("conv_mb1ic8ih12oc8kh3ph1g8"), ConvDirection.FORWARD));
            // fewer Winograd tiles than one GEMM panel (CpuConvSelector.WINOGRAD_MIN_TILES): 16, 4 and 4 x 4
            for (String narrow : new String[] {"conv_mb1ic16ih14oc16kh3ph1", "conv_mb1ic16ih7oc16kh3ph1",
                "conv_mb1ic16ih12oc16kh3ph2dh2"}) {
                for (ConvDirection dir : List.of(ConvDirection.FORWARD, ConvDirection.BACKWARD_DATA)) {
                    assertEquals(ConvAlgorithm.IM2COL_GEMM, d.autoAlgorithm(ConvProblem.parse(narrow), dir), narrow + " " + dir);
                }
            }
            // the same 7x7 map at batch 8: 32 tiles
            assertEquals(ConvAlgorithm.WINOGRAD, d.autoAlgorithm(ConvProblem.parse("conv_mb8ic16ih7oc16kh3ph1"), ConvDirection.FORWARD));
        }
    }

    @Test
    void resultsAreBitwiseReproducible() {
        ConvProblem p = ConvProblem.parse("conv_mb6ic9ih15oc10kh3ph1");
        for (Device cpu : CPUS) {
            try (Tensor x = cpu.upload(p.inputShape(), random(p.inputShape().elements(), 7));
                 Tensor dy = cpu.upload(p.outputShape(), random(p.outputShape().elements(), 8));
                 Tensor w = cpu.upload(p.weightShape(), random(p.weightShape().elements(), 9))) {
                for (ConvAlgorithm a : cpu.applicableAlgorithms(p, ConvDirection.BACKWARD_FILTER)) {
                    float[] first = null;
                    for (int run = 0; run < 3; run++) {
                        try (Tensor dw = cpu.conv2dBackwardFilter(p, a, x, dy)) {
                            float[] v = dw.toArray();
                            if (first == null) {
                                first = v;
                            } else {
                                assertArrayEquals(first, v, a + " backward-filter differs between runs");
                            }
                        }
                    }
                }
                for (ConvAlgorithm a : cpu.applicableAlgorithms(p, ConvDirection.FORWARD)) {
                    try (Tensor y1 = cpu.conv2d(p, a, x, w, null); Tensor y2 = cpu.conv2d(p, a, x, w, null)) {
                        assertArrayEquals(y1.toArray(), y2.toArray(), a + " forward differs between runs");
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ pooling

    static final PoolProblem[] POOLS = {
        PoolProblem.max().batch(2).channels(3).size(13, 11).kernel(3, 3).stride(2, 2).padding(1, 1).build(),
        PoolProblem.max().batch(1).channels(2).size(10, 9).kernel(3, 2).stride(2, 3).padding(1, 1).ceilMode(true).build(),
        PoolProblem.max().batch(1).channels(2).size(11, 12).kernel(3, 3).stride(1, 2).dilation(2, 2).padding(1, 1).build(),
        // wide rows: the vectorized interior of 3x3 stride-2 windows, with and without padding
        PoolProblem.max().batch(1).channels(3).size(7, 45).kernel(3, 3).stride(2, 2).padding(1, 1).build(),
        PoolProblem.max().batch(1).channels(2).size(6, 40).kernel(3, 3).stride(2, 2).build(),
        // wide rows of VGG's 2x2/2 (a row width that is a multiple of 32; ceil mode's partial last
        // window), GoogLeNet's 3x3/2 in ceil mode, and 3x3/1: the vector path of strides 1 and 2
        PoolProblem.max().batch(1).channels(2).size(5, 64).kernel(2, 2).stride(2, 2).build(),
        PoolProblem.max().batch(1).channels(2).size(5, 67).kernel(2, 2).stride(2, 2).ceilMode(true).build(),
        PoolProblem.max().batch(1).channels(2).size(8, 66).kernel(3, 3).stride(2, 2).ceilMode(true).build(),
        PoolProblem.max().batch(1).channels(2).size(4, 37).kernel(3, 3).stride(1, 1).padding(1, 1).build(),
        PoolProblem.avg().batch(2).channels(3).size(9, 10).kernel(3, 3).stride(2, 2).padding(1, 1).build(),
        PoolProblem.avg().batch(1).channels(2).size(9, 10).kernel(3, 3).stride(2, 2).padding(1, 1)
                .countIncludePad(false).ceilMode(true).build(),
        // stride 1 (the box-sum backward): Inception's 3x3/1 with and without the padding counted,
        // an uneven kernel with one-sided padding, and windows wider than the image row
        PoolProblem.avg().batch(2).channels(3).size(9, 10).kernel(3, 3).stride(1, 1).padding(1, 1).build(),
        PoolProblem.avg().batch(1).channels(2).size(7, 11).kernel(3, 3).stride(1, 1).padding(1, 1)
                .countIncludePad(false).build(),
        PoolProblem.avg().batch(1).channels(2).size(6, 5).kernel(2, 4).stride(1, 1).padding(1, 2)
                .countIncludePad(false).ceilMode(true).build(),
        PoolProblem.avg().batch(1).channels(1).size(3, 2).kernel(3, 3).stride(1, 1).padding(1, 1).build(),
        PoolProblem.adaptiveAvg(2, 3, 11, 7, 3, 4),
        PoolProblem.global(2, 5, 7, 6),
    };

    @TestFactory
    List<DynamicTest> poolingAgainstReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Device cpu : CPUS) {
            for (PoolProblem p : POOLS) {
                tests.add(DynamicTest.dynamicTest(name(cpu) + " " + p, () -> {
                    float[] x = random(p.inputShape().elements(), 11);
                    x[3] = x[4]; // a tie: the first maximum takes the gradient
                    float[] dy = random(p.outputShape().elements(), 12);
                    try (Tensor rx = ref.upload(p.inputShape(), x); Tensor cx = cpu.upload(p.inputShape(), x);
                         Tensor rdy = ref.upload(p.outputShape(), dy); Tensor cdy = cpu.upload(p.outputShape(), dy);
                         Tensor e = ref.pool(p, rx); Tensor o = poisoned(cpu, p.outputShape());
                         Tensor ed = ref.poolBackward(p, rx, rdy); Tensor od = poisoned(cpu, p.inputShape())) {
                        cpu.pool(p, cx, o);
                        check(p + " forward", o, e, ErrorBounds.POOLING);
                        cpu.poolBackward(p, cx, cdy, od);
                        check(p + " backward", od, ed, ErrorBounds.POOLING);
                    }
                }));
            }
        }
        return tests;
    }

    @Test
    void maxPoolingLetsNanWin() {
        PoolProblem p = PoolProblem.max().batch(1).channels(1).size(4, 4).kernel(2, 2).stride(2, 2).build();
        float[] x = random(16, 13);
        x[5] = Float.NaN;
        for (Device cpu : CPUS) {
            try (Tensor cx = cpu.upload(p.inputShape(), x); Tensor y = cpu.pool(p, cx)) {
                float[] v = y.toArray();
                assertTrue(Float.isNaN(v[0]), "the window holding the NaN");
                assertTrue(!Float.isNaN(v[1]) && !Float.isNaN(v[2]) && !Float.isNaN(v[3]), "the other windows");
            }
        }
    }

    /**
     * PyTorch keeps {@code val > max || isnan(val)} while scanning a window, so among several NaNs
     * the last one takes the gradient (the conformance suite's repro: two NaNs in a 1x2 window).
     */
    @Test
    void maxPoolingGradientGoesToTheLastNan() {
        PoolProblem p = PoolProblem.parse("maxpool_mb1ic1ih1iw2kh1kw2sh1sw1ph0pw0dh1dw1ceil0");
        for (Device cpu : CPUS) {
            try (Tensor x = cpu.upload(p.inputShape(), new float[] {Float.NaN, Float.NaN});
                 Tensor dy = cpu.upload(p.outputShape(), new float[] {0.375f}); Tensor y = cpu.pool(p, x);
                 Tensor dx = cpu.poolBackward(p, x, dy)) {
                assertTrue(Float.isNaN(y.toArray()[0]), name(cpu) + " forward");
                assertArrayEquals(new float[] {0f, 0.375f}, dx.toArray(), name(cpu) + " backward");
            }
        }
    }

    /**
     * Max pooling on data full of NaN, -inf, ties and zeros of both signs (as the conformance suite's SPECIAL data),
     * forward and backward against the reference, on shapes that reach the vectorized 3x3/2 rows
     * (with and without padding, odd widths, ceil mode), the disjoint 2x2/2 windows, and the generic
     * and dilated paths.
     */
    @TestFactory
    List<DynamicTest> maxPoolingSpecialValuesAgainstReference() {
        PoolProblem[] problems = {
            PoolProblem.parse("maxpool_mb1ic1ih1iw4kh1kw2sh1sw1ph0pw0dh1dw1ceil0"),
            PoolProblem.max().batch(2).channels(3).size(9, 67).kernel(3, 3).stride(2, 2).padding(1, 1).build(),
            PoolProblem.max().batch(1).channels(2).size(8, 70).kernel(3, 3).stride(2, 2).build(),
            PoolProblem.max().batch(1).channels(2).size(11, 53).kernel(3, 3).stride(2, 2).padding(1, 1).ceilMode(true).build(),
            PoolProblem.max().batch(1).channels(2).size(10, 41).kernel(2, 2).stride(2, 2).build(),
            // the disjoint 2x2/2 path: odd sizes with ceil mode's partial windows, and an even plane
            PoolProblem.max().batch(1).channels(2).size(11, 41).kernel(2, 2).stride(2, 2).ceilMode(true).build(),
            PoolProblem.max().batch(2).channels(3).size(16, 24).kernel(2, 2).stride(2, 2).build(),
            // rows of several vector blocks: 2x2/2 backward's shuffled corners, 3x3/1 forward
            PoolProblem.max().batch(1).channels(2).size(6, 70).kernel(2, 2).stride(2, 2).build(),
            PoolProblem.max().batch(1).channels(2).size(5, 64).kernel(2, 2).stride(2, 2).ceilMode(true).build(),
            PoolProblem.max().batch(1).channels(2).size(5, 40).kernel(3, 3).stride(1, 1).padding(1, 1).build(),
            PoolProblem.max().batch(1).channels(2).size(12, 37).kernel(3, 2).stride(1, 3).padding(1, 1).build(),
            PoolProblem.max().batch(1).channels(2).size(11, 12).kernel(3, 3).stride(1, 2).dilation(2, 2).padding(1, 1).build(),
        };
        List<DynamicTest> tests = new ArrayList<>();
        for (Device cpu : CPUS) {
            for (PoolProblem p : problems) {
                tests.add(DynamicTest.dynamicTest(name(cpu) + " " + p, () -> {
                    Random r = new Random(p.toString().hashCode());
                    float[] x = new float[(int) p.inputShape().elements()];
                    for (int i = 0; i < x.length; i++) {
                        int k = r.nextInt(6);
                        x[i] = k == 0 ? Float.NaN : k == 1 ? Float.NEGATIVE_INFINITY
                                : k == 2 && r.nextBoolean() ? -0f : (r.nextInt(9) - 4) / 4f;
                    }
                    float[] dy = random(p.outputShape().elements(), 14);
                    try (Tensor rx = ref.upload(p.inputShape(), x); Tensor cx = cpu.upload(p.inputShape(), x);
                         Tensor rdy = ref.upload(p.outputShape(), dy); Tensor cdy = cpu.upload(p.outputShape(), dy);
                         Tensor e = ref.pool(p, rx); Tensor o = poisoned(cpu, p.outputShape());
                         Tensor ed = ref.poolBackward(p, rx, rdy); Tensor od = poisoned(cpu, p.inputShape())) {
                        cpu.pool(p, cx, o);
                        check(p + " forward", o, e, ErrorBounds.POOLING);
                        cpu.poolBackward(p, cx, cdy, od);
                        check(p + " backward", od, ed, ErrorBounds.POOLING);
                    }
                }));
            }
        }
        return tests;
    }

    // ------------------------------------------------------------------ batch norm

    @TestFactory
    List<DynamicTest> batchNormAgainstReference() {
        List<DynamicTest> tests = new ArrayList<>();
        BatchNormProblem[] problems = {new BatchNormProblem(3, 5, 7, 9, 1e-5, 0.1), new BatchNormProblem(17, 4, 1, 1, 1e-3, 0.3)};
        for (Device cpu : CPUS) {
            for (BatchNormProblem p : problems) {
                tests.add(DynamicTest.dynamicTest(name(cpu) + " " + p, () -> batchNormCase(cpu, p)));
            }
        }
        return tests;
    }

    static void batchNormCase(Device cpu, BatchNormProblem p) {
        Shape s = p.inputShape(), cs = p.channelShape();
        float[] x = random(s.elements(), 21);
        for (int i = 0; i < x.length; i++) {
            x[i] = 3 + 2 * x[i]; // an offset mean, so that centring matters
        }
        float[] dy = random(s.elements(), 22), g = random(cs.elements(), 23), b = random(cs.elements(), 24);
        float[] rm = random(cs.elements(), 25), rv = random(cs.elements(), 26);
        for (int i = 0; i < rv.length; i++) {
            rv[i] = 0.5f + Math.abs(rv[i]);
        }
        Device[] ds = {ref, cpu};
        Tensor[][] t = new Tensor[2][];
        for (int i = 0; i < 2; i++) {
            Device d = ds[i];
            t[i] = new Tensor[] {d.upload(s, x), d.upload(s, dy), d.upload(cs, g), d.upload(cs, b), d.upload(cs, rm),
                d.upload(cs, rv), poisoned(d, s), poisoned(d, cs), poisoned(d, cs), poisoned(d, s), poisoned(d, cs),
                poisoned(d, cs)};
        }
        try {
            for (int i = 0; i < 2; i++) {
                Tensor[] a = t[i];
                ds[i].batchNormTrain(p, a[0], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
            }
            String[] names = {"x", "dy", "gamma", "beta", "runningMean", "runningVar", "y", "saveMean", "saveInvStd"};
            for (int k = 4; k <= 8; k++) {
                check(p + " train " + names[k], t[1][k], t[0][k], ErrorBounds.REDUCTION);
            }
            for (int i = 0; i < 2; i++) {
                Tensor[] a = t[i];
                ds[i].batchNormBackward(p, a[0], a[1], a[2], a[7], a[8], a[9], a[10], a[11]);
            }
            check(p + " backward dx", t[1][9], t[0][9], ErrorBounds.REDUCTION);
            check(p + " backward dgamma", t[1][10], t[0][10], ErrorBounds.REDUCTION);
            check(p + " backward dbeta", t[1][11], t[0][11], ErrorBounds.REDUCTION);
            for (int i = 0; i < 2; i++) {
                Tensor[] a = t[i];
                ds[i].batchNormInference(p, a[0], a[2], a[3], a[4], a[5], a[6]);
                ds[i].batchNormInferenceBackward(p, a[0], a[1], a[2], a[4], a[5], a[9], a[10], a[11]);
            }
            check(p + " inference y", t[1][6], t[0][6], ErrorBounds.ELEMENTWISE);
            check(p + " inference backward dx", t[1][9], t[0][9], ErrorBounds.ELEMENTWISE);
            check(p + " inference backward dgamma", t[1][10], t[0][10], ErrorBounds.REDUCTION);
            check(p + " inference backward dbeta", t[1][11], t[0][11], ErrorBounds.REDUCTION);
        } finally {
            for (Tensor[] a : t) {
                for (Tensor x1 : a) {
                    x1.close();
                }
            }
        }
    }

    /**
     * The conformance suite's batch-norm data: per channel an offset of magnitude 0.5..1.5 plus a
     * power-of-two scale (1/4..2) times k/64, so that |mean| is up to hundreds of standard
     * deviations when a channel holds few values.
     */
    static float[] offsetChannels(BatchNormProblem p, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        int hw = p.height() * p.width();
        float[] off = new float[p.channels()];
        int[] scale = new int[p.channels()];
        for (int c = 0; c < off.length; c++) {
            off[c] = (r.nextBoolean() ? 1 : -1) * (0.5f + r.nextInt(0, 65) / 64f);
            scale[c] = r.nextInt(4) - 2;
        }
        float[] x = new float[(int) p.inputShape().elements()];
        for (int i = 0; i < x.length; i++) {
            int c = (i / hw) % p.channels();
            x[i] = off[c] + Math.scalb(r.nextInt(-64, 65) / 64f, scale[c]);
        }
        return x;
    }

    /** The batch statistics of x in float64, rounded to float32 (as a forward pass saves them). */
    static float[][] savedStatistics(BatchNormProblem p, float[] x) {
        int hw = p.height() * p.width();
        double m = p.reductionSize();
        float[] mean = new float[p.channels()], invStd = new float[p.channels()];
        for (int c = 0; c < p.channels(); c++) {
            double sum = 0, sq = 0;
            for (int n = 0; n < p.batch(); n++) {
                for (int i = 0; i < hw; i++) {
                    sum += x[(n * p.channels() + c) * hw + i];
                }
            }
            double mu = sum / m;
            for (int n = 0; n < p.batch(); n++) {
                for (int i = 0; i < hw; i++) {
                    double d = x[(n * p.channels() + c) * hw + i] - mu;
                    sq += d * d;
                }
            }
            mean[c] = (float) mu;
            invStd[c] = (float) (1 / Math.sqrt(sq / m + p.eps()));
        }
        return new float[][] {mean, invStd};
    }

    /**
     * Regression: the backend folded the mean into y = sc*x + sh and dx = a*dy + b*x + c, which
     * loses the digits of (x - mean) when |mean| >> std (y errors 2.3e-5 and 3.5e-5, dx 2.2e-5 on
     * these problems, over the bound 1e-5). Every formula now subtracts the mean explicitly.
     */
    @TestFactory
    List<DynamicTest> batchNormWithLargeMeansStaysWithinTheBound() {
        String[] problems = {"bn_mb2ic255ih1iw1", "bn_mb1ic255ih1iw2", "bn_mb3ic5ih1iw1", "bn_mb3ic64ih3iw1"};
        List<DynamicTest> tests = new ArrayList<>();
        for (Device cpu : CPUS) {
            for (String s : problems) {
                BatchNormProblem p = BatchNormProblem.parse(s);
                tests.add(DynamicTest.dynamicTest(name(cpu) + " " + p, () -> {
                    Shape is = p.inputShape(), cs = p.channelShape();
                    double worstY = 0, worstDx = 0;
                    for (long seed = 0; seed < 300; seed++) {
                        float[] x = offsetChannels(p, seed);
                        float[] g = random(cs.elements(), 1000 + seed), b = random(cs.elements(), 2000 + seed);
                        float[] rv = new float[p.channels()];
                        Arrays.fill(rv, 1f);
                        float[][] stats = savedStatistics(p, x);
                        // dy as the suite makes it: dyadic (exact products and sums) with the sign of
                        // x - mean (no cancelling sums); dx itself still cancels, up to 1 - xhat^2
                        java.util.SplittableRandom r = new java.util.SplittableRandom(3000 + seed);
                        float[] dyv = new float[x.length];
                        int hw = p.height() * p.width();
                        for (int i = 0; i < dyv.length; i++) {
                            int c = (i / hw) % p.channels();
                            dyv[i] = Math.copySign(r.nextInt(-64, 65) / 64f, x[i] - stats[0][c]);
                        }
                        Device[] ds = {ref, cpu};
                        double[][] y = new double[2][], dx = new double[2][];
                        for (int k = 0; k < 2; k++) {
                            Device d = ds[k];
                            try (Tensor tx = d.upload(is, x); Tensor tg = d.upload(cs, g); Tensor tb = d.upload(cs, b);
                                 Tensor rm = d.zeros(cs); Tensor trv = d.upload(cs, rv); Tensor ty = poisoned(d, is);
                                 Tensor sm = poisoned(d, cs); Tensor si = poisoned(d, cs);
                                 Tensor mean = d.upload(cs, stats[0]); Tensor invStd = d.upload(cs, stats[1]);
                                 Tensor tdy = d.upload(is, dyv); Tensor tdx = poisoned(d, is);
                                 Tensor dg = poisoned(d, cs); Tensor db = poisoned(d, cs)) {
                                d.batchNormTrain(p, tx, tg, tb, rm, trv, ty, sm, si);
                                y[k] = ty.toDoubleArray();
                                if (p.reductionSize() >= 3) {
                                    // both devices get the same float32 statistics, as the suite does
                                    d.batchNormBackward(p, tx, tdy, tg, mean, invStd, tdx, dg, db);
                                    dx[k] = tdx.toDoubleArray();
                                }
                            }
                        }
                        worstY = Math.max(worstY, ErrorBounds.maxNormalizedError(y[1], y[0]));
                        if (dx[0] != null) {
                            worstDx = Math.max(worstDx, ErrorBounds.maxNormalizedError(dx[1], dx[0]));
                        }
                    }
                    assertTrue(worstY <= ErrorBounds.REDUCTION, p + " y: worst error " + worstY);
                    assertTrue(worstDx <= ErrorBounds.REDUCTION, p + " dx: worst error " + worstDx);
                }));
            }
        }
        return tests;
    }

    // ------------------------------------------------------------------ element-wise

    @TestFactory
    List<DynamicTest> elementwiseAgainstReference() {
        List<DynamicTest> tests = new ArrayList<>();
        Activation[] acts = {Activation.relu(), Activation.leakyRelu(0.01), Activation.elu(1.3), Activation.sigmoid(),
            Activation.tanh()};
        // More than one chunk of Elementwise.CHUNK, and not a multiple of any vector width.
        Shape s = Shape.of(3, 50_001);
        float[] x = random(s.elements(), 31);
        x[0] = 0f;
        x[1] = -0f;
        float[] dy = random(s.elements(), 32);
        for (Device cpu : CPUS) {
            for (Activation a : acts) {
                tests.add(DynamicTest.dynamicTest(name(cpu) + " " + a, () -> {
                    try (Tensor rx = ref.upload(s, x); Tensor cx = cpu.upload(s, x); Tensor rdy = ref.upload(s, dy);
                         Tensor cdy = cpu.upload(s, dy); Tensor e = ref.activation(a, rx); Tensor o = poisoned(cpu, s);
                         Tensor ed = ref.activationBackward(a, rx, rdy); Tensor od = poisoned(cpu, s)) {
                        cpu.activation(a, cx, o);
                        check(a + " forward", o, e, ErrorBounds.ELEMENTWISE);
                        cpu.activationBackward(a, cx, cdy, od);
                        check(a + " backward", od, ed, ErrorBounds.ELEMENTWISE);
                        cpu.activation(a, cx, cx); // in place
                        check(a + " in place", cx, e, ErrorBounds.ELEMENTWISE);
                    }
                }));
            }
            tests.add(DynamicTest.dynamicTest(name(cpu) + " axpby", () -> {
                try (Tensor ra = ref.upload(s, x); Tensor rb = ref.upload(s, dy); Tensor ca = cpu.upload(s, x);
                     Tensor cb = cpu.upload(s, dy); Tensor e = poisoned(ref, s); Tensor o = poisoned(cpu, s)) {
                    ref.axpby(0.7, ra, -1.9, rb, e);
                    cpu.axpby(0.7, ca, -1.9, cb, o);
                    check("axpby", o, e, ErrorBounds.ELEMENTWISE);
                    cpu.axpby(0.7, ca, -1.9, cb, cb); // out aliasing b
                    check("axpby in place", cb, e, ErrorBounds.ELEMENTWISE);
                }
            }));
            tests.add(DynamicTest.dynamicTest(name(cpu) + " dropout and random fills", () -> {
                try (Tensor rx = ref.upload(s, x); Tensor cx = cpu.upload(s, x); Tensor e = poisoned(ref, s);
                     Tensor o = poisoned(cpu, s)) {
                    ref.dropout(0.3, 1234567890123L, 77, rx, e);
                    cpu.dropout(0.3, 1234567890123L, 77, cx, o);
                    check("dropout", o, e, ErrorBounds.ELEMENTWISE);
                    float[] ov = o.toArray();
                    double[] ev = e.toDoubleArray();
                    for (int i = 0; i < ov.length; i++) {
                        assertEquals(ev[i] == 0, ov[i] == 0, "dropout mask at " + i);
                    }
                    ref.dropoutBackward(0.3, 1234567890123L, 77, rx, e);
                    cpu.dropoutBackward(0.3, 1234567890123L, 77, cx, cx);
                    check("dropout backward in place", cx, e, ErrorBounds.ELEMENTWISE);
                    ref.randomUniform(e, -2, 3, 42, 5);
                    cpu.randomUniform(o, -2, 3, 42, 5);
                    check("uniform", o, e, ErrorBounds.RANDOM);
                    ref.randomNormal(e, 1, 2, 42, 6);
                    cpu.randomNormal(o, 1, 2, 42, 6);
                    check("normal", o, e, ErrorBounds.RANDOM);
                }
            }));
        }
        return tests;
    }

    // ------------------------------------------------------------------ softmax, loss, linear

    @Test
    void softmaxAndCrossEntropyAgainstReference() {
        Shape s = Shape.of(37, 1001);
        float[] x = random(s.elements(), 41);
        for (int i = 0; i < x.length; i++) {
            x[i] *= 8;
        }
        float[] dy = random(s.elements(), 42);
        int[] labels = new int[37];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (i * 97) % 1001;
        }
        for (Device cpu : CPUS) {
            try (Tensor rx = ref.upload(s, x); Tensor cx = cpu.upload(s, x); Tensor rdy = ref.upload(s, dy);
                 Tensor cdy = cpu.upload(s, dy); Tensor ey = poisoned(ref, s); Tensor oy = poisoned(cpu, s);
                 Tensor edx = poisoned(ref, s); Tensor odx = poisoned(cpu, s); Tensor el = poisoned(ref, Shape.of(1));
                 Tensor ol = poisoned(cpu, Shape.of(1))) {
                ref.softmax(rx, ey);
                cpu.softmax(cx, oy);
                check("softmax", oy, ey, ErrorBounds.SOFTMAX);
                ref.softmaxBackward(ey, rdy, edx);
                cpu.softmaxBackward(oy, cdy, odx);
                check("softmax backward", odx, edx, ErrorBounds.SOFTMAX);
                for (double smoothing : new double[] {0, 0.1}) {
                    ref.softmaxCrossEntropy(rx, labels, smoothing, el, edx);
                    cpu.softmaxCrossEntropy(cx, labels, smoothing, ol, odx);
                    check("cross-entropy loss", ol, el, ErrorBounds.SOFTMAX);
                    check("cross-entropy gradient", odx, edx, ErrorBounds.SOFTMAX);
                }
            }
        }
    }

    @TestFactory
    List<DynamicTest> linearAgainstReference() {
        List<DynamicTest> tests = new ArrayList<>();
        // Fully connected layers are float32 tiled GEMMs: the API's GEMM bound.
        double bound = ErrorBounds.GEMM;
        for (Device cpu : CPUS) {
            for (LinearProblem p : new LinearProblem[] {new LinearProblem(5, 37, 19), new LinearProblem(130, 300, 270),
                new LinearProblem(1, 600, 3)}) {
                tests.add(DynamicTest.dynamicTest(name(cpu) + " " + p, () -> {
                    float[] x = random(p.inputShape().elements(), 51), w = random(p.weightShape().elements(), 52);
                    float[] b = random(p.biasShape().elements(), 53), dy = random(p.outputShape().elements(), 54);
                    try (Tensor rx = ref.upload(p.inputShape(), x); Tensor cx = cpu.upload(p.inputShape(), x);
                         Tensor rw = ref.upload(p.weightShape(), w); Tensor cw = cpu.upload(p.weightShape(), w);
                         Tensor rb = ref.upload(p.biasShape(), b); Tensor cb = cpu.upload(p.biasShape(), b);
                         Tensor rdy = ref.upload(p.outputShape(), dy); Tensor cdy = cpu.upload(p.outputShape(), dy);
                         Tensor ey = poisoned(ref, p.outputShape()); Tensor oy = poisoned(cpu, p.outputShape());
                         Tensor edx = poisoned(ref, p.inputShape()); Tensor odx = poisoned(cpu, p.inputShape());
                         Tensor edw = poisoned(ref, p.weightShape()); Tensor odw = poisoned(cpu, p.weightShape())) {
                        ref.linear(p, rx, rw, rb, ey);
                        cpu.linear(p, cx, cw, cb, oy);
                        check(p + " forward", oy, ey, bound);
                        ref.linearBackwardData(p, rdy, rw, edx);
                        cpu.linearBackwardData(p, cdy, cw, odx);
                        check(p + " backward-data", odx, edx, bound);
                        ref.linearBackwardWeight(p, rx, rdy, edw);
                        cpu.linearBackwardWeight(p, cx, cdy, odw);
                        check(p + " backward-weight", odw, edw, bound);
                    }
                }));
            }
        }
        return tests;
    }

    // ------------------------------------------------------------------ optimizers

    @TestFactory
    List<DynamicTest> optimizersAgainstReference() {
        Optimizer[] rules = {Sgd.of(0.1), new Sgd(0.05, 0.9, 0.1, false, 0.01), new Sgd(0.05, 0.9, 0, true, 0),
            new AdaGrad(0.1, 0.01, 0.02, 0.1, 1e-10), new RmsProp(0.01, 0.9, 1e-8, 0.01, 0, false),
            new RmsProp(0.01, 0.99, 1e-8, 0, 0.9, true), Adam.of(1e-3), new Adam(1e-3, 0.8, 0.99, 1e-8, 0.1, true),
            AdamW.of(1e-3), new AdamW(1e-3, 0.9, 0.999, 1e-8, 0.05, true), AdaDelta.defaults(),
            new AdaDelta(0.5, 0.8, 1e-6, 0.01)};
        Shape s = Shape.of(70_001);
        float[] param = random(s.elements(), 61);
        List<DynamicTest> tests = new ArrayList<>();
        for (Device cpu : CPUS) {
            for (Optimizer rule : rules) {
                tests.add(DynamicTest.dynamicTest(name(cpu) + " " + rule, () -> {
                    try (Tensor rp = ref.upload(s, param); Tensor cp = cpu.upload(s, param);
                         OptimizerState rs = ref.optimizerState(rule, s); OptimizerState cs = cpu.optimizerState(rule, s)) {
                        for (int step = 1; step <= 3; step++) {
                            float[] g = random(s.elements(), 100 + step);
                            try (Tensor rg = ref.upload(s, g); Tensor cg = cpu.upload(s, g)) {
                                ref.step(rule, rs, rp, rg);
                                cpu.step(rule, cs, cp, cg);
                            }
                            check(rule + " step " + step + " param", cp, rp, ErrorBounds.OPTIMIZER);
                            for (String n : rule.stateNames()) {
                                check(rule + " step " + step + " " + n, cs.get(n), rs.get(n), ErrorBounds.OPTIMIZER);
                            }
                        }
                    }
                }));
            }
        }
        return tests;
    }

    // ------------------------------------------------------------------ device

    @Test
    void deviceDescribesItselfAndRefusesArraysBeyondJavaLimits() {
        Device cpu = Devices.open("cpu");
        try {
            assertEquals("cpu", cpu.backend());
            assertEquals(Precision.FLOAT32, cpu.info().precision());
            assertEquals(Runtime.getRuntime().availableProcessors(), cpu.info().computeUnits());
            DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
                    () -> cpu.allocate(Shape.of(65536, 32768)));
            assertTrue(e.getMessage().contains("2^31-9"), e.getMessage());
            try (Tensor t = cpu.full(Shape.of(3, 5), 2.5f)) {
                Function<Tensor, float[]> read = Tensor::toArray;
                float[] v = read.apply(t);
                for (float f : v) {
                    assertEquals(2.5f, f);
                }
            }
        } finally {
            cpu.close();
        }
    }
}
