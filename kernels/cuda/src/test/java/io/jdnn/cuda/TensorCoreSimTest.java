package io.jdnn.cuda;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.DirectConv;
import io.jdnn.ErrorBounds;
import io.jdnn.Tensor;
import io.jdnn.kernels.FlippedBackwardData;
import io.jdnn.kernels.KernelTestSupport;
import io.jdnn.kernels.RecordingDevice;
import io.jdnn.spi.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.jdnn.kernels.KernelTestSupport.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * TENSOR_CORE_TF32's and TENSOR_CORE_BF16's kernels, {@code conv_tc_tf32.cu} and its {@code bf16}
 * variant, run on the CPU: compiled with g++ against {@code src/test/sim/cuda_sim.h}, which emulates
 * the CUDA launch model, shared memory, barriers, {@code cvt.rna.tf32.f32} and warp-level
 * {@code mma.sync} m16n8k8 .tf32 and m16n8k16 .bf16 with the PTX ISA's fragment layouts. The kernel's own code (gathers, tiles, tails, fragment loads, epilogue, and the flipped
 * filter of backward-data) runs unchanged but for the two inline-PTX helpers, so this checks on
 * every CI run what otherwise only a GPU could; the GPU runs the same problems in KernelOpsTest.
 * Skipped, with the reason, where no g++ is found.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TensorCoreSimTest {
    private Path binary;
    private Device ref;

    @BeforeAll
    void build() throws IOException, InterruptedException {
        Path gxx = findOnPath("g++");
        Assumptions.assumeTrue(gxx != null, "no g++ on PATH: the CPU emulation of the CUDA kernel cannot be built");
        Path module = Path.of("").toAbsolutePath();
        Path dir = module.resolve("target/sim");
        Files.createDirectories(dir);
        binary = dir.resolve("tc_sim");
        List<String> cmd = List.of(gxx.toString(), "-std=c++20", "-O1", "-pthread", "-Wall", "-Werror",
                "-Wno-unknown-pragmas", "-DJDNN_CUDA_SIM", "-include", module.resolve("src/test/sim/cuda_sim.h").toString(),
                "-I", module.resolve("../src").normalize().toString(), "-I", module.resolve("src/main/cuda").toString(),
                "-o", binary.toString(), module.resolve("src/test/sim/tc_sim_main.cpp").toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("building the CPU emulation failed: " + String.join(" ", cmd) + "\n" + log);
        }
        ref = KernelTestSupport.openReference();
    }

    @AfterAll
    void close() {
        if (ref != null) {
            ref.close();
        }
    }

    private static Path findOnPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path c = Path.of(d, name);
            if (Files.isExecutable(c)) {
                return c;
            }
        }
        return null;
    }

    /** The kernels' 16 shape arguments (CONV_SHAPE_PARAMS) for a direct problem (stride as given). */
    private static int[] forwardArgs(DirectConv c) {
        return new int[] {c.n(), c.c(), c.h(), c.w(), c.k(), c.p(), c.q(), c.r(), c.s(), c.strideH(), c.strideW(),
                c.padH(), c.padW(), c.dilationH(), c.dilationW(), c.groups()};
    }

    /** The precisions, by algorithm: TF32 runs the source's kernels, BF16 its bf16 variant's (tc_sim_main.cpp's op + 4). */
    private static final List<ConvAlgorithm> PRECISIONS = List.of(ConvAlgorithm.TENSOR_CORE_TF32,
            ConvAlgorithm.TENSOR_CORE_BF16);

    /** tc_sim_main.cpp's op code: {@code op} run by tc's kernels. */
    private static int op(int op, ConvAlgorithm tc) {
        return tc == ConvAlgorithm.TENSOR_CORE_BF16 ? op + 4 : op;
    }

    /** Runs tc's emulated forward kernel (after flipping w when {@code flip} holds the flip's arguments); returns out. */
    private float[] run(ConvAlgorithm tc, int[] flip, int[] args, float[] in, float[] w, float[] bias, long outElements)
            throws IOException, InterruptedException {
        return run(op(flip == null ? 0 : 1, tc), flip == null ? new int[0] : flip, args, new int[0], in, w, bias,
                outElements);
    }

    /** Runs op (tc_sim_main.cpp's: 0 forward, 1 flip and forward, 2 backward-filter; + 4 bf16) with its ints; returns out. */
    private float[] run(int op, int[] before, int[] args, int[] after, float[] in, float[] w, float[] bias,
                        long outElements) throws IOException, InterruptedException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<Integer> ints = new ArrayList<>();
        ints.add(op);
        for (int[] part : new int[][] {before, args, after}) {
            for (int v : part) {
                ints.add(v);
            }
        }
        ints.add(bias == null ? 0 : 1);
        ByteBuffer head = ByteBuffer.allocate(4 * ints.size() + 32).order(ByteOrder.LITTLE_ENDIAN);
        ints.forEach(head::putInt);
        head.putLong(in.length).putLong(w.length).putLong(bias == null ? 0 : bias.length).putLong(outElements);
        bytes.write(head.array());
        for (float[] a : new float[][] {in, w, bias == null ? new float[0] : bias}) {
            ByteBuffer b = ByteBuffer.allocate(4 * a.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : a) {
                b.putFloat(v);
            }
            bytes.write(b.array());
        }
        return execute(bytes.toByteArray(), outElements);
    }

    /** Runs the emulation on {@code input}; returns its output of {@code outElements} floats. */
    private float[] execute(byte[] input, long outElements) throws IOException, InterruptedException {
        Path dir = binary.getParent();
        Path inFile = Files.createTempFile(dir, "in", ".bin");
        Path outFile = Files.createTempFile(dir, "out", ".bin");
        try {
            Files.write(inFile, input);
            Process p = new ProcessBuilder(binary.toString(), inFile.toString(), outFile.toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                fail("the emulated kernel failed: " + log);
            }
            ByteBuffer out = ByteBuffer.wrap(Files.readAllBytes(outFile)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(4 * outElements, out.capacity(), "output size");
            float[] y = new float[Math.toIntExact(outElements)];
            out.asFloatBuffer().get(y);
            return y;
        } finally {
            Files.deleteIfExists(inFile);
            Files.deleteIfExists(outFile);
        }
    }

    @Test
    void forwardIsWithinTheBoundAndRoundsAsTheAlgorithmSays() throws Exception {
        for (String text : KernelOpsTest.TF32) {
            ConvProblem p = ConvProblem.parse(text);
            DirectConv c = p.direct();
            float[] xs = random(text.hashCode(), Math.toIntExact(p.inputShape().elements()), -1, 1);
            float[] ws = random(text.hashCode() + 1, Math.toIntExact(p.weightShape().elements()), -1, 1);
            float[] bs = random(text.hashCode() + 2, p.outChannels(), -1, 1);
            try (Tensor rx = ref.upload(p.inputShape(), xs); Tensor rw = ref.upload(p.weightShape(), ws);
                 Tensor rb = ref.upload(p.biasShape(), bs);
                 Tensor ry = ref.conv2d(p, ConvAlgorithm.DIRECT, rx, rw, rb);
                 Tensor ry0 = ref.conv2d(p, ConvAlgorithm.DIRECT, rx, rw, null)) {
                double[] errors = new double[PRECISIONS.size()];
                for (int i = 0; i < PRECISIONS.size(); i++) {
                    ConvAlgorithm tc = PRECISIONS.get(i);
                    float[] y = run(tc, null, forwardArgs(c), xs, ws, bs, c.responseElements());
                    float[] y0 = run(tc, null, forwardArgs(c), xs, ws, null, c.responseElements());
                    // TF32 (unit roundoff 2^-11) or BF16 (2^-8) inputs, float32 accumulation: the algorithm's bound
                    double bound = tc.errorBound();
                    KernelTestSupport.assertClose(text + " emulated " + tc + " forward with bias",
                            KernelTestSupport.toDouble(y), ry.toDoubleArray(), bound);
                    KernelTestSupport.assertClose(text + " emulated " + tc + " forward", KernelTestSupport.toDouble(y0),
                            ry0.toDoubleArray(), bound);
                    errors[i] = ErrorBounds.maxNormalizedError(KernelTestSupport.toDouble(y0), ry0.toDoubleArray());
                }
                if (p.weightShape().elements() / p.outChannels() >= 500) {
                    // hundreds of products of TF32-rounded inputs cannot all be exact: the rounding ran
                    assertTrue(errors[0] > 1e-6, text + ": error " + errors[0] + " is float32's, not TF32's");
                    // BF16 keeps 3 bits fewer than TF32: its error exceeds TF32's (about 8x expected; 2x asked) and 1e-4
                    assertTrue(errors[1] > 1e-4 && errors[1] > 2 * errors[0], text + ": BF16 error " + errors[1]
                            + " against TF32's " + errors[0] + ": the BF16 rounding did not run");
                }
            }
        }
    }

    @Test
    void strideOneBackwardDataRunsTheForwardKernelOverTheFlippedFilter() throws Exception {
        for (String text : KernelOpsTest.TF32) {
            ConvProblem p = ConvProblem.parse(text);
            DirectConv c = p.direct();
            if (c.strideH() != 1 || c.strideW() != 1) {
                continue; // strided: per residue class, stridedBackwardDataReplaysTheAlgorithmsLaunchesWithinTheBound
            }
            int[] args = forwardArgs(FlippedBackwardData.forwardShape(c));
            int[] flip = forwardArgs(c);
            float[] dys = random(text.hashCode() + 3, Math.toIntExact(p.outputShape().elements()), -1, 1);
            float[] ws = random(text.hashCode() + 1, Math.toIntExact(p.weightShape().elements()), -1, 1);
            try (Tensor rdy = ref.upload(p.outputShape(), dys); Tensor rw = ref.upload(p.weightShape(), ws);
                 Tensor rdx = ref.conv2dBackwardData(p, ConvAlgorithm.DIRECT, rdy, rw)) {
                for (ConvAlgorithm tc : PRECISIONS) {
                    float[] dx = run(tc, flip, args, dys, ws, null, c.imageElements());
                    // rounded inputs, float32 accumulation over K/G*R*S terms: the same bound as the forward pass
                    KernelTestSupport.assertClose(text + " emulated " + tc + " backward-data",
                            KernelTestSupport.toDouble(dx), rdx.toDoubleArray(), tc.errorBound());
                }
            }
        }
    }

    /** Strided backward-data problems: kinds of residue class, kept few and small (each class is a launch). */
    static final List<String> STRIDED = List.of(
            "conv_mb2ic70ih6iw6oc64kh3kw3sh2sw2ph1pw1",                  // stride 2: 1 and 2 taps a class, 2 channel tiles
            "conv_mb3ic5ih9iw11oc70kh3kw3sh2sw2ph1pw1dh2dw2",            // KernelOpsTest's: sh = dh, one class every tap
            "conv_mb1ic2ih9iw7oc3kh2kw2sh3sw3",                          // stride > kernel: classes no tap reaches
            "deconv_mb2ic4ih5iw5oc6kh4kw4sh2sw2ph1pw1dh1dw1g1oph0opw0",  // DCGAN's transposed 4x4 stride 2, bias
            "deconv_mb1ic4ih4iw3oc6kh3kw3sh2sw2ph1pw1dh1dw1g2oph1opw1"); // groups, output padding, bias

    @Test
    void stridedBackwardDataReplaysTheAlgorithmsLaunchesWithinTheBound() throws Exception {
        for (String text : STRIDED) {
            ConvProblem p = ConvProblem.parse(text);
            DirectConv c = p.direct();
            boolean withBias = p.transposed();
            float[] dys = random(text.hashCode() + 3, Math.toIntExact(c.responseElements()), -1, 1);
            float[] ws = random(text.hashCode() + 1, Math.toIntExact(c.weightElements()), -1, 1);
            float[] bs = random(text.hashCode() + 2, Math.toIntExact(p.biasShape().elements()), -1, 1);
            try (Tensor rdy = ref.upload(p.transposed() ? p.inputShape() : p.outputShape(), dys);
                 Tensor rw = ref.upload(p.weightShape(), ws); Tensor rb = ref.upload(p.biasShape(), bs);
                 Tensor rdx = withBias ? ref.conv2d(p, ConvAlgorithm.DIRECT, rdy, rw, rb)
                         : ref.conv2dBackwardData(p, ConvAlgorithm.DIRECT, rdy, rw)) {
                for (TensorCoreConvAlgorithm.Precision precision : TensorCoreConvAlgorithm.Precision.values()) {
                    TensorCoreConvAlgorithm tc = new TensorCoreConvAlgorithm(precision);
                    // the algorithm's own launches (sub-filter, forward kernel, scatter per class), recorded, then run
                    RecordingDevice d = new RecordingDevice(DeviceOptions.DEFAULT);
                    Buffer dy = d.allocate(c.responseElements());
                    Buffer w = d.allocate(c.weightElements());
                    Buffer bias = withBias ? d.allocate(c.c()) : null;
                    Buffer dx = d.allocate(c.imageElements());
                    tc.backwardData(d, c, dy, w, bias, dx);
                    Map<Buffer, float[]> inputs = new IdentityHashMap<>();
                    inputs.put(dy, dys);
                    inputs.put(w, ws);
                    if (bias != null) {
                        inputs.put(bias, bs);
                    }
                    float[] out = replay(d.launches(), inputs, dx);
                    // rounded inputs, float32 accumulation over K/G*Rc*Sc terms: the forward pass's bound; every
                    // buffer but the inputs starts as NaN, so a pixel no class wrote fails too
                    KernelTestSupport.assertClose(text + " emulated " + tc.id() + " strided backward-data",
                            KernelTestSupport.toDouble(out), rdx.toDoubleArray(), tc.id().errorBound());
                }
            }
        }
    }

    /** tc_sim_main.cpp's op 3: replays {@code launches} on buffers holding {@code inputs} (the rest NaN); returns output. */
    private float[] replay(List<RecordingDevice.Launch> launches, Map<Buffer, float[]> inputs, Buffer output)
            throws IOException, InterruptedException {
        Map<Buffer, Integer> index = new IdentityHashMap<>();
        List<Buffer> buffers = new ArrayList<>();
        for (RecordingDevice.Launch l : launches) {
            for (Object v : l.values()) {
                if (v instanceof Buffer b && !index.containsKey(b)) {
                    index.put(b, buffers.size());
                    buffers.add(b);
                }
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ByteBuffer head = ByteBuffer.allocate(8 + 8 * buffers.size()).order(ByteOrder.LITTLE_ENDIAN);
        head.putInt(3).putInt(buffers.size());
        buffers.forEach(b -> head.putLong(b.elements()));
        bytes.write(head.array());
        bytes.write(ints(inputs.size()));
        for (Map.Entry<Buffer, float[]> e : inputs.entrySet()) {
            assertEquals(e.getKey().elements(), e.getValue().length);
            bytes.write(ints(index.get(e.getKey())));
            ByteBuffer b = ByteBuffer.allocate(4 * e.getValue().length).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : e.getValue()) {
                b.putFloat(v);
            }
            bytes.write(b.array());
        }
        bytes.write(ints(index.get(output), launches.size()));
        for (RecordingDevice.Launch l : launches) {
            byte[] name = l.compiled().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            ByteBuffer b = ByteBuffer.allocate(8 + name.length + 12 * l.values().size() + 48)
                    .order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(name.length).put(name).putInt(l.values().size());
            for (Object v : l.values()) {
                if (v instanceof Integer i) {
                    b.putInt(0).putLong(i);
                } else if (v instanceof Long n) {
                    b.putInt(1).putLong(n);
                } else if (v instanceof Float f) {
                    b.putInt(2).putLong(Float.floatToRawIntBits(f));
                } else {
                    b.putInt(3).putLong(index.get((Buffer) v));
                }
            }
            for (long[] dims : new long[][] {l.global(), l.local()}) {
                for (int i = 0; i < 3; i++) {
                    b.putLong(i < dims.length ? dims[i] : 1);
                }
            }
            bytes.write(b.array());
        }
        return execute(bytes.toByteArray(), output.elements());
    }

    private static byte[] ints(int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    @Test
    void backwardFilterWithAndWithoutSplitsIsWithinTheBound() throws Exception {
        for (String text : KernelOpsTest.TF32) {
            ConvProblem p = ConvProblem.parse(text);
            DirectConv c = p.direct();
            float[] xs = random(text.hashCode(), Math.toIntExact(p.inputShape().elements()), -1, 1);
            float[] dys = random(text.hashCode() + 3, Math.toIntExact(p.outputShape().elements()), -1, 1);
            try (Tensor rx = ref.upload(p.inputShape(), xs); Tensor rdy = ref.upload(p.outputShape(), dys);
                 Tensor rdw = ref.conv2dBackwardFilter(p, ConvAlgorithm.DIRECT, rx, rdy)) {
                // the H100's 132 SMs (several splits where the rows allow); one split (a 1-SM device) on two problems
                int[] devices = text.equals(KernelOpsTest.TF32.get(0)) || text.equals(KernelOpsTest.TF32.get(1))
                        ? new int[] {1, 132} : new int[] {132};
                for (ConvAlgorithm tc : PRECISIONS) {
                    for (int sms : devices) {
                        int[] sc = TensorCoreConvAlgorithm.splits(c, sms);
                        float[] dw = run(op(2, tc), new int[0], forwardArgs(c), sc, xs, dys, null, c.weightElements());
                        // rounded inputs, float32 accumulation over N*P*Q terms (in splits added in order)
                        KernelTestSupport.assertClose(text + " emulated " + tc + " backward-filter, " + sc[0]
                                + " splits", KernelTestSupport.toDouble(dw), rdw.toDoubleArray(), tc.errorBound());
                    }
                }
            }
        }
    }

    @Test
    void bf16RoundingIsNearestEvenAndKeepsNanAndInfinity() throws Exception {
        // one 1x1 convolution of a single channel by weight 1: y = bf16(x) exactly (products and sums exact)
        float[] xs = {1.0f, Float.intBitsToFloat(0x3f808000), Float.intBitsToFloat(0x3f818000),
                Float.intBitsToFloat(0x3f808001), Float.intBitsToFloat(0x3f807fff), -3.0e38f, Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7f800001), 1e-40f, 0.1f};
        float[] want = {1.0f, 1.0f /* tie, even below */, Float.intBitsToFloat(0x3f820000) /* tie, even above */,
                Float.intBitsToFloat(0x3f810000), 1.0f, Float.intBitsToFloat(0xff620000) /* -3.0e38 (0xff61b1e6) rounds up in magnitude */,
                Float.POSITIVE_INFINITY /* beyond BF16's largest */, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.NaN /* payload only in the low half: still NaN */, Float.intBitsToFloat(0x00010000) /* subnormal */,
                Float.intBitsToFloat(0x3dcd0000)};
        ConvProblem p = ConvProblem.parse("conv_mb1ic1ih1iw" + xs.length + "oc1kh1kw1");
        float[] y = run(ConvAlgorithm.TENSOR_CORE_BF16, null, forwardArgs(p.direct()), xs, new float[] {1.0f}, null,
                xs.length);
        for (int i = 0; i < xs.length; i++) {
            if (Float.isNaN(want[i])) {
                assertTrue(Float.isNaN(y[i]), i + ": " + y[i]);
            } else {
                assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(y[i]),
                        i + ": bf16(" + xs[i] + ") = " + want[i] + ", got " + y[i]);
            }
        }
    }
}
