package io.jdnn.kernels;

import io.jdnn.Activation;
import io.jdnn.AlgorithmNotSupportedException;
import io.jdnn.BatchNormProblem;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.DeviceOptions;
import io.jdnn.Devices;
import io.jdnn.DirectConv;
import io.jdnn.GroupNormProblem;
import io.jdnn.LayerNormProblem;
import io.jdnn.InterpolateProblem;
import io.jdnn.PadProblem;
import io.jdnn.PixelShuffleProblem;
import io.jdnn.LinearProblem;
import io.jdnn.LrnProblem;
import io.jdnn.PoolMode;
import io.jdnn.PoolProblem;
import io.jdnn.UnpoolProblem;
import io.jdnn.optim.AdaDelta;
import io.jdnn.optim.AdaGrad;
import io.jdnn.optim.Adam;
import io.jdnn.optim.AdamW;
import io.jdnn.optim.Optimizer;
import io.jdnn.optim.RmsProp;
import io.jdnn.optim.Sgd;
import io.jdnn.spi.Buffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every op of the shared layer, issued on a {@link RecordingDevice}: each launch's arguments
 * match its kernel's declaration, uses the source's default defines or one of its variants (the
 * sets the CUDA build compiles) and a shape CUDA accepts.
 * This is the host half of every GPU launch, checked without a GPU (the OpenCL tests run the
 * same code on PoCL; the CUDA backend adds nothing to it but cuLaunchKernel).
 */
class EveryLaunchTest {

    static final List<String> CONV = List.of(
            "conv_mb2ic3ih1iw1oc4kh1kw1",
            "conv_mb2ic3ih7iw9oc5kh3kw3ph1pw1",
            "conv_mb1ic4ih11iw9oc6kh3kw3sh2sw2ph2pw2dh2dw2g2",
            "conv_mb1ic6ih6iw5oc6kh3kw3ph1pw1g6",
            "conv_mb1ic6ih5iw5oc12kh3kw3ph1pw1g6",
            "conv_mb1ic300ih3iw3oc2kh3kw3ph1pw1",
            "conv_mb2ic64ih14iw14oc130kh3kw3ph1pw1",
            "conv_mb2ic8ih9iw10oc12kh3kw3ph1pw1g2",     // GROUPED: C/G 4, K/G 6
            "conv_mb4ic4ih40iw32oc4kh3kw3ph1pw1g2",     // GROUPED: backward-filter in splits
            "deconv_mb2ic4ih5iw6oc6kh3kw3sh2sw2ph1pw1g2oph1opw1",
            "deconv_mb1ic2ih1iw1oc3kh2kw2sh2sw2",
            // large enough for IMPLICIT_GEMM to choose each of its tile shapes, with backward-filter splits
            "conv_mb32ic128ih28iw28oc128kh3kw3ph1pw1",   // 128x128
            "conv_mb32ic64ih56iw56oc64kh3kw3ph1pw1",     // 128x64
            "conv_mb8ic64ih32iw32oc64kh1kw1",            // 64x64
            "conv_mb64ic3ih32iw32oc5kh3kw3ph1pw1");      // 32x32

    static final List<String> POOL = List.of(
            "maxpool_mb2ic3ih7iw9kh3kw3sh2sw2ph1pw1dh1dw1ceil1",
            "maxpool_mb1ic2ih10iw11kh3kw3sh2sw2ph1pw1dh2dw2ceil1",
            "maxpool_mb1ic2ih1300iw5kh3kw1sh1sw1ph1pw0dh600dw1ceil0", // a halo beyond the tile: pool_max_backward
            "avgpool_mb2ic3ih7iw9kh3kw3sh2sw2ph1pw1ceil0cip1",
            "avgpool_mb1ic2ih6iw6kh3kw3sh2sw2ph1pw1ceil1cip0",
            "adaptiveavgpool_mb2ic3ih7iw9oh3ow4",
            "adaptiveavgpool_mb1ic1ih1iw1oh2ow2");

    static final List<Optimizer> RULES = List.of(
            Sgd.of(0.1),
            new Sgd(0.05, 0.9, 0.25, false, 0.01),
            new Sgd(0.05, 0.8, 0, true, 0.001),
            new AdaGrad(0.1, 0.05, 0.01, 0.2, 1e-10),
            RmsProp.of(0.01),
            new RmsProp(0.01, 0.9, 1e-6, 0.01, 0.5, true),
            new RmsProp(0.01, 0.95, 1e-8, 0, 0, true),
            new RmsProp(0.01, 0.95, 1e-8, 0, 0.3, false),
            Adam.of(0.01),
            new Adam(0.01, 0.8, 0.99, 1e-6, 0.05, true),
            AdamW.of(0.01),
            new AdamW(0.02, 0.9, 0.95, 1e-8, 0.1, true),
            AdaDelta.defaults());

    /** Sources whose every kernel (every variant's copy too) some op launches. */
    static final List<String> FULLY_USED = List.of("elementwise.cl", "pool.cl", "batchnorm.cl", "reduce.cl",
            "softmax.cl", "gemm.cl", "optimizer.cl", "conv_direct.cl", "conv_implicit_gemm.cl", "conv_grouped.cl",
            "prelu.cl");

    @Test
    void everyOpLaunchesItsKernelsAsDeclared() {
        RecordingDevice d = new RecordingDevice(DeviceOptions.DEFAULT);
        long n = 1003;
        Buffer a = d.allocate(n);
        Buffer b = d.allocate(n);
        Buffer c = d.allocate(n);
        d.fill(a, n, 1.5);
        for (Activation act : List.of(Activation.relu(), Activation.leakyRelu(0.1), Activation.elu(1.3),
                Activation.sigmoid(), Activation.tanh(), Activation.relu6(), Activation.hardswish(),
                Activation.hardsigmoid(), Activation.silu(), Activation.mish(), Activation.gelu(),
                Activation.geluTanh(), Activation.softplus(2, 10))) {
            d.activationForward(act, n, a, b);
            d.activationBackward(act, n, a, b, c);
        }
        // PReLU: per-channel slopes, one shared slope, and channels of several reduction chunks
        for (int[] nci : new int[][] {{2, 3, 167}, {1, 1, 1003}, {3, 2, 5000}}) {
            long e = (long) nci[0] * nci[1] * nci[2];
            Buffer x = d.allocate(e);
            Buffer w = d.allocate(nci[1]);
            d.preluForward(nci[0], nci[1], nci[2], x, w, d.allocate(e));
            d.preluBackward(nci[0], nci[1], nci[2], x, w, d.allocate(e), d.allocate(e), d.allocate(nci[1]));
        }
        d.axpby(n, 2, a, -1, b, c);
        d.dropoutForward(n, 0.3, 42, 7, a, b);
        d.dropoutBackward(n, 0.3, 42, 7, b, c);
        d.randomUniform(n, -1, 1, 1, 2, a);
        d.randomNormal(n, 0, 1, 1, 2, a);

        for (String text : POOL) {
            PoolProblem p = PoolProblem.parse(text);
            Buffer x = d.allocate(p.inputShape().elements());
            Buffer y = d.allocate(p.outputShape().elements());
            Buffer dx = d.allocate(p.inputShape().elements());
            d.poolForward(p, x, y);
            d.poolBackward(p, x, y, dx);
            if (p.mode() == PoolMode.MAX) {
                d.maxPoolWithIndices(p, x, y, d.allocate(p.outputShape().elements()));
            }
        }
        for (String text : List.of("maxunpool_mb2ic3ih4iw5kh2kw2", "maxunpool_mb1ic2ih3iw3kh3kw3sh2sw2ph1pw1oh6ow6")) {
            UnpoolProblem p = UnpoolProblem.parse(text);
            Buffer x = d.allocate(p.inputShape().elements());
            Buffer indices = d.allocate(p.inputShape().elements());
            Buffer y = d.allocate(p.outputShape().elements());
            d.maxUnpool(p, x, indices, y);
            d.maxUnpoolBackward(p, indices, y, x);
        }

        for (BatchNormProblem p : List.of(BatchNormProblem.of(2, 3, 5, 7), BatchNormProblem.of(600, 3, 1, 1),
                BatchNormProblem.of(1, 300, 2, 2))) {
            long e = p.inputShape().elements();
            Buffer x = d.allocate(e);
            Buffer y = d.allocate(e);
            Buffer dx = d.allocate(e);
            Buffer[] ch = new Buffer[7];
            for (int i = 0; i < ch.length; i++) {
                ch[i] = d.allocate(p.channels());
            }
            d.batchNormTrain(p, x, ch[0], ch[1], ch[2], ch[3], y, ch[4], ch[5]);
            d.batchNormInference(p, x, ch[0], ch[1], ch[2], ch[3], y);
            d.batchNormBackward(p, x, y, ch[0], ch[4], ch[5], dx, ch[6], ch[1]);
            d.batchNormInferenceBackward(p, x, y, ch[0], ch[2], ch[3], dx, ch[6], ch[1]);
        }

        d.channelSum(5, 3, 144, d.allocate(5 * 3 * 144), d.allocate(3));
        d.channelSum(7, 300, 1, d.allocate(7 * 300), d.allocate(300));
        d.channelSum(3, 2, 1500, d.allocate(3 * 2 * 1500), d.allocate(2)); // several chunks: reduce_combine

        for (int[] rc : new int[][] {{1, 1}, {7, 1000}, {300, 3}}) {
            int rows = rc[0];
            int cols = rc[1];
            Buffer x = d.allocate((long) rows * cols);
            Buffer y = d.allocate((long) rows * cols);
            Buffer dx = d.allocate((long) rows * cols);
            d.softmaxForward(rows, cols, x, y);
            d.softmaxBackward(rows, cols, y, x, dx);
            d.logSoftmaxForward(rows, cols, x, y);
            d.logSoftmaxBackward(rows, cols, y, x, dx);
            int[] labels = new int[rows];
            d.softmaxCrossEntropy(rows, cols, labels, 0.1, x, d.allocate(1), dx);
        }

        for (LinearProblem p : List.of(new LinearProblem(1, 1, 1), new LinearProblem(3, 70, 65),
                new LinearProblem(67, 130, 5))) {
            Buffer x = d.allocate(p.inputShape().elements());
            Buffer w = d.allocate((long) p.outFeatures() * p.inFeatures());
            Buffer bias = d.allocate(p.outFeatures());
            Buffer y = d.allocate((long) p.batch() * p.outFeatures());
            d.linearForward(p, x, w, bias, y);
            d.linearForward(p, x, w, null, y);
            d.linearBackwardData(p, y, w, x);
            d.linearBackwardWeight(p, x, y, w);
        }

        for (Optimizer rule : RULES) {
            Buffer[] state = new Buffer[rule.stateNames().size()];
            for (int i = 0; i < state.length; i++) {
                state[i] = d.allocate(n);
            }
            for (long step = 1; step <= 2; step++) {
                d.optimizerStep(rule, step, n, a, b, state);
            }
        }

        for (String text : CONV) {
            convEveryAlgorithm(d, ConvProblem.parse(text).direct());
            // TENSOR_CORE_TF32's and _BF16's backward-data (CUDA-only algorithms, not in this registry): the flip,
            // sub-filter and scatter kernels around a forward pass (conv_direct_forward takes the same arguments)
            DirectConv conv = ConvProblem.parse(text).direct();
            if (FlippedBackwardData.whyNot(conv).isEmpty()) {
                Buffer dx = d.allocate(conv.imageElements());
                for (Buffer bias : new Buffer[] {d.allocate(conv.c()), null}) {
                    FlippedBackwardData.backwardData(d, "convBackwardData", conv, d.allocate(conv.responseElements()),
                            d.allocate(conv.weightElements()), bias, dx, (f, in, wf, fb, out) ->
                                    d.launch("convBackwardData", text, DirectConvAlgorithm.SOURCE,
                                                    "conv_direct_forward").convShape(f)
                                            .arg("has_bias", fb != null).epilogue(null).arg("x", in).arg("w", wf)
                                            .arg("bias", d.orPlaceholder(fb)).arg("y", out)
                                            .elements(f.responseElements()));
                }
            }
        }

        Set<String> launched = new TreeSet<>();
        for (RecordingDevice.Launch l : d.launches()) {
            launched.add(l.source() + ":" + l.compiled());
        }
        List<String> never = new ArrayList<>();
        for (String source : FULLY_USED) {
            for (String kernel : KernelSources.precompiledKernels(source).keySet()) {
                if (!launched.contains(source + ":" + kernel)) {
                    never.add(source + ":" + kernel);
                }
            }
        }
        assertEquals(List.of(), never, "kernels no op launched");
    }

    /** The normalization family: every kernel of norm.cl launched as declared, with rows and channels past a group. */
    @Test
    void normalizationLaunchesEveryKernelOfItsSource() {
        RecordingDevice d = new RecordingDevice(DeviceOptions.DEFAULT);
        for (GroupNormProblem p : List.of(GroupNormProblem.of(2, 6, 3, 5, 3), GroupNormProblem.of(1, 300, 1, 1, 300),
                new LayerNormProblem(600, 1000, 1e-5).asGroupNorm())) {
            long e = p.inputShape().elements();
            Buffer x = d.allocate(e);
            Buffer y = d.allocate(e);
            Buffer dx = d.allocate(e);
            Buffer w = d.allocate(p.channels());
            Buffer b = d.allocate(p.channels());
            Buffer mean = d.allocate(p.statsShape().elements());
            Buffer invStd = d.allocate(p.statsShape().elements());
            d.groupNormForward(p, x, w, b, y, mean, invStd);
            d.groupNormBackward(p, x, y, w, mean, invStd, dx, d.allocate(p.channels()), d.allocate(p.channels()));
        }
        for (LrnProblem p : List.of(LrnProblem.of(2, 5, 3, 4, 5), new LrnProblem(1, 3, 1, 1, 8, 1, 0.5, 2))) {
            long e = p.inputShape().elements();
            Buffer x = d.allocate(e);
            Buffer y = d.allocate(e);
            d.lrnForward(p, x, y);
            d.lrnBackward(p, x, y, d.allocate(e));
        }
        assertEquals(List.of(), neverLaunched(d, "norm.cl"), "norm.cl kernels no op launched");
    }

    /** The resampling family: every kernel of resample.cl launched as declared, every interpolation and pad mode. */
    @Test
    void resamplingLaunchesEveryKernelOfItsSource() {
        RecordingDevice d = new RecordingDevice(DeviceOptions.DEFAULT);
        for (PixelShuffleProblem p : List.of(PixelShuffleProblem.shuffle(2, 8, 3, 5, 2),
                PixelShuffleProblem.unshuffle(1, 3, 6, 4, 2))) {
            d.pixelShuffle(p, d.allocate(p.inputShape().elements()), d.allocate(p.outputShape().elements()));
        }
        for (InterpolateProblem p : List.of(new InterpolateProblem(2, 3, 5, 7, 11, 4, InterpolateProblem.Mode.NEAREST, false),
                new InterpolateProblem(1, 2, 4, 6, 9, 13, InterpolateProblem.Mode.BILINEAR, false),
                new InterpolateProblem(1, 2, 4, 6, 3, 1, InterpolateProblem.Mode.BILINEAR, true))) {
            Buffer x = d.allocate(p.inputShape().elements());
            Buffer y = d.allocate(p.outputShape().elements());
            d.interpolate(p, x, y);
            d.interpolateBackward(p, y, x);
        }
        for (PadProblem.Mode mode : PadProblem.Mode.values()) {
            PadProblem p = PadProblem.of(2, 3, 5, 7, new int[] {1, 2, 0, 3}, mode, mode == PadProblem.Mode.CONSTANT ? 0.5 : 0);
            Buffer x = d.allocate(p.inputShape().elements());
            Buffer y = d.allocate(p.outputShape().elements());
            d.pad(p, x, y);
            d.padBackward(p, y, x);
        }
        assertEquals(List.of(), neverLaunched(d, "resample.cl"), "resample.cl kernels no op launched");
    }

    /** The kernels of {@code source} (as the fatbin names them) that none of {@code d}'s launches ran. */
    private static List<String> neverLaunched(RecordingDevice d, String source) {
        Set<String> launched = new TreeSet<>();
        for (RecordingDevice.Launch l : d.launches()) {
            launched.add(l.source() + ":" + l.compiled());
        }
        List<String> never = new ArrayList<>();
        for (String kernel : KernelSources.precompiledKernels(source).keySet()) {
            if (!launched.contains(source + ":" + kernel)) {
                never.add(kernel);
            }
        }
        return never;
    }

    /** Every registered algorithm that takes the problem, every direction, with and without a bias; and AUTO. */
    private static void convEveryAlgorithm(RecordingDevice d, DirectConv conv) {
        Buffer image = d.allocate(conv.imageElements());
        Buffer weight = d.allocate(conv.weightElements());
        Buffer response = d.allocate(conv.responseElements());
        Buffer biasK = d.allocate(conv.k());
        Buffer biasC = d.allocate(conv.c());
        for (KernelConvAlgorithm a : d.convAlgorithms()) {
            for (ConvDirection dir : ConvDirection.values()) {
                if (a.whyNot(d, conv, dir).isPresent()) {
                    continue;
                }
                switch (dir) {
                    case FORWARD -> {
                        d.convForward(conv, a.id(), image, weight, biasK, response);
                        d.convForward(conv, a.id(), image, weight, null, response);
                    }
                    case BACKWARD_DATA -> {
                        d.convBackwardData(conv, a.id(), response, weight, biasC, image);
                        d.convBackwardData(conv, a.id(), response, weight, null, image);
                    }
                    case BACKWARD_FILTER -> d.convBackwardFilter(conv, a.id(), image, response, weight);
                }
            }
        }
        for (ConvDirection dir : ConvDirection.values()) {
            ConvAlgorithm chosen = auto(d, conv, dir);
            assertTrue(d.algorithms().contains(chosen), dir + ": " + chosen);
        }
    }

    @Test
    void anArgumentListThatDoesNotMatchTheKernelIsRefusedWithBothLists() {
        RecordingDevice d = new RecordingDevice(DeviceOptions.DEFAULT);
        Buffer b = d.allocate(10);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> d.launch("test", "n=10", "elementwise.cl", "ew_fill").arg("n", 10).arg("value", 1f).arg("out", b)
                        .elements(10));
        assertTrue(e.getMessage().contains("[int n, float value, buffer out]")
                && e.getMessage().contains("[i64 n, float value, buffer out]"), e.getMessage());
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> d.launch("test", "n=10", "elementwise.cl", "ew_fill").arg("n", 10L).arg("value", 1f).elements(10));
        assertTrue(missing.getMessage().contains("passes 2 arguments"), missing.getMessage());
        IllegalStateException misnamed = assertThrows(IllegalStateException.class,
                () -> d.launch("test", "n=10", "elementwise.cl", "ew_fill").arg("n", 10L).arg("v", 1f).arg("out", b)
                        .elements(10));
        assertTrue(misnamed.getMessage().contains("[i64 n, float v, buffer out]"), misnamed.getMessage());
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class,
                () -> d.launch("test", "n=10", "elementwise.cl", "ew_fill").arg("n", 10L).arg("value", 1f)
                        .arg("out", (Buffer) null));
        assertTrue(nul.getMessage().contains("orPlaceholder"), nul.getMessage());
        assertTrue(d.launches().isEmpty(), "nothing was issued");
    }

    @Test
    void aSwappedPairOfArgumentsOfOneKindIsRefusedWithBothLists() {
        RecordingDevice d = new RecordingDevice(DeviceOptions.DEFAULT);
        Buffer b = d.allocate(16);
        // H and W swapped: the same kinds, in an order the kernel does not declare
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> d.launch("test", "swap", "pool.cl", "pool_adaptive_avg_forward")
                        .arg("total", 4L).arg("W", 4).arg("H", 2).arg("OH", 1).arg("OW", 2).arg("x", b).arg("y", b)
                        .elements(4));
        assertTrue(e.getMessage().contains("[i64 total, int W, int H, int OH, int OW, buffer x, buffer y]")
                && e.getMessage().contains("[i64 total, int H, int W, int OH, int OW, buffer x, buffer y]"),
                e.getMessage());
        // the convolution shape with padH and padW swapped (a kernel taking CONV_SHAPE_PARAMS)
        DirectConv c = ConvProblem.parse("conv_mb1ic2ih5iw6oc3kh3kw3ph1pw2").direct();
        IllegalStateException pads = assertThrows(IllegalStateException.class,
                () -> d.launch("test", c.toString(), DirectConvAlgorithm.SOURCE, FlippedBackwardData.KERNEL)
                        .arg("N", c.n()).arg("C", c.c()).arg("H", c.h()).arg("W", c.w()).arg("K", c.k())
                        .arg("P", c.p()).arg("Q", c.q()).arg("R", c.r()).arg("S", c.s())
                        .arg("sh", c.strideH()).arg("sw", c.strideW()).arg("pw", c.padW()).arg("ph", c.padH())
                        .arg("dh", c.dilationH()).arg("dw", c.dilationW()).arg("G", c.groups())
                        .arg("w", b).arg("wf", b)
                        .elements(c.weightElements()));
        assertTrue(pads.getMessage().contains("int sw, int pw, int ph, int dh")
                && pads.getMessage().contains("int sw, int ph, int pw, int dh"), pads.getMessage());
        // the same launch in the declared order runs
        d.launch("test", c.toString(), DirectConvAlgorithm.SOURCE, FlippedBackwardData.KERNEL).convShape(c)
                .arg("w", b).arg("wf", b).elements(c.weightElements());
        assertEquals(1, d.launches().size(), "only the launch in the declared order was issued");
    }

    @Test
    void gemmAndReductionsUseTheSourceDefaultsOnADeviceThatRunsThem() {
        RecordingDevice d = new RecordingDevice(DeviceOptions.DEFAULT);
        assertEquals(Gemm.TILES.get(0), d.gemmTiles("test", null));
        for (var e : Gemm.TILES.get(0).defines().entrySet()) {
            assertEquals(String.valueOf(e.getValue()), KernelSources.defaults(Gemm.SOURCE).get(e.getKey()),
                    "the first tile shape is gemm.cl's default: " + e.getKey());
        }
        KernelDevice.Reduction r = d.reduction("test", null, "batchnorm.cl", "bn_chunk_grad_sums", "BN_WG");
        assertEquals(KernelSources.defaultInt("batchnorm.cl", "BN_WG"), r.localSize());
    }

    /** AUTO's choice for {@code conv} on {@code d}, planned by a Device wrapping it (the API's one planner). */
    private static ConvAlgorithm auto(RecordingDevice d, DirectConv conv, ConvDirection dir) {
        return Devices.wrap(d, d.options()).plan(conv.problem(), dir, ConvAlgorithm.AUTO).algorithm();
    }

    /** DIRECT under a TF32 (or BF16) algorithm's id, to check how AUTO treats such algorithms. */
    private record Tf32StandIn(ConvAlgorithm id) implements KernelConvAlgorithm {
        private static final DirectConvAlgorithm DIRECT = new DirectConvAlgorithm();

        @Override
        public boolean deterministic() {
            return true;
        }

        @Override
        public Optional<String> whyNot(KernelDevice device, DirectConv conv, ConvDirection direction) {
            return Optional.empty();
        }

        @Override
        public void forward(KernelDevice device, DirectConv conv, Buffer x, Buffer w, Buffer bias, Buffer y) {
            DIRECT.forward(device, conv, x, w, bias, y);
        }

        @Override
        public void backwardData(KernelDevice device, DirectConv conv, Buffer dy, Buffer w, Buffer bias, Buffer dx) {
            DIRECT.backwardData(device, conv, dy, w, bias, dx);
        }

        @Override
        public void backwardFilter(KernelDevice device, DirectConv conv, Buffer x, Buffer dy, Buffer dw) {
            DIRECT.backwardFilter(device, conv, x, dy, dw);
        }
    }

    @Test
    void autoConsidersTf32AlgorithmsOnlyWhenTheDeviceAllowsTf32() {
        DirectConv conv = ConvProblem.parse("conv_mb1ic2ih6iw6oc3kh3kw3ph1pw1").direct();
        List<KernelConvAlgorithm> registry = List.of(new DirectConvAlgorithm(),
                new Tf32StandIn(ConvAlgorithm.TENSOR_CORE_TF32));
        RecordingDevice strict = new RecordingDevice(DeviceOptions.DEFAULT, registry);
        assertEquals(ConvAlgorithm.DIRECT, auto(strict, conv, ConvDirection.FORWARD));
        assertTrue(strict.launches().isEmpty(), "one candidate left: nothing timed");
        RecordingDevice strict2 = new RecordingDevice(DeviceOptions.DEFAULT, List.of(registry.get(1)));
        AlgorithmNotSupportedException e = assertThrows(AlgorithmNotSupportedException.class,
                () -> auto(strict2, conv, ConvDirection.FORWARD));
        assertTrue(e.getMessage().contains("allowTf32=false"), e.getMessage());

        RecordingDevice tf32 = new RecordingDevice(DeviceOptions.DEFAULT.withAllowTf32(true), registry);
        ConvAlgorithm chosen = auto(tf32, conv, ConvDirection.FORWARD);
        assertTrue(chosen == ConvAlgorithm.DIRECT || chosen == ConvAlgorithm.TENSOR_CORE_TF32, "chosen " + chosen);
        assertEquals(4, tf32.launches().stream().filter(l -> l.kernel().equals("conv_direct_forward")).count(),
                "both candidates warmed up and timed");
    }

    @Test
    void autoConsidersBf16AlgorithmsOnlyWhenTheDeviceAllowsBf16() {
        DirectConv conv = ConvProblem.parse("conv_mb1ic2ih6iw6oc3kh3kw3ph1pw1").direct();
        KernelConvAlgorithm bf16 = new Tf32StandIn(ConvAlgorithm.TENSOR_CORE_BF16);
        List<KernelConvAlgorithm> registry = List.of(new DirectConvAlgorithm(),
                new Tf32StandIn(ConvAlgorithm.TENSOR_CORE_TF32), bf16);
        // neither allowed, or TF32 only: BF16 is never a candidate
        for (DeviceOptions o : List.of(DeviceOptions.DEFAULT, DeviceOptions.DEFAULT.withAllowTf32(true))) {
            RecordingDevice d = new RecordingDevice(o, registry);
            assertTrue(auto(d, conv, ConvDirection.FORWARD) != ConvAlgorithm.TENSOR_CORE_BF16, "" + o);
            RecordingDevice only = new RecordingDevice(o, List.of(bf16));
            AlgorithmNotSupportedException e = assertThrows(AlgorithmNotSupportedException.class,
                    () -> auto(only, conv, ConvDirection.FORWARD));
            assertTrue(e.getMessage().contains("allowBf16=false"), e.getMessage());
        }
        // BF16 allowed (TF32 not): DIRECT and BF16 timed, the TF32 stand-in refused
        RecordingDevice allowed = new RecordingDevice(DeviceOptions.DEFAULT.withAllowBf16(true), registry);
        ConvAlgorithm chosen = auto(allowed, conv, ConvDirection.FORWARD);
        assertTrue(chosen == ConvAlgorithm.DIRECT || chosen == ConvAlgorithm.TENSOR_CORE_BF16, "chosen " + chosen);
        assertEquals(4, allowed.launches().stream().filter(l -> l.kernel().equals("conv_direct_forward")).count(),
                "two candidates warmed up and timed");
        assertEquals(new DeviceOptions(true, true, false), new DeviceOptions(true, true), "the two-flag constructor");
    }
}
