package io.jdnn.cuda;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.DirectConv;
import io.jdnn.ErrorBounds;
import io.jdnn.Tensor;
import io.jdnn.kernels.FlippedBackwardData;
import io.jdnn.kernels.KernelTestSupport;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.jdnn.kernels.KernelTestSupport.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * TENSOR_CORE_TF32's kernel, {@code conv_tc_tf32.cu}, run on the CPU: compiled with g++ against
 * {@code src/test/sim/cuda_sim.h}, which emulates the CUDA launch model, shared memory, barriers,
 * {@code cvt.rna.tf32.f32} and warp-level {@code mma.sync} m16n8k8 with the PTX ISA's fragment
 * layouts. The kernel's own code (gathers, tiles, tails, fragment loads, epilogue, and the flipped
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

    /** The forward kernel's shape arguments for a direct problem (stride as given). */
    private static int[] forwardArgs(DirectConv c) {
        return new int[] {c.n(), c.c(), c.h(), c.w(), c.k(), c.p(), c.q(), c.r(), c.s(), c.strideH(), c.strideW(),
                c.padH(), c.padW(), c.dilationH(), c.dilationW(), c.groups()};
    }

    /** Runs the emulated forward kernel (after flipping w when {@code flip} holds the flip's arguments); returns out. */
    private float[] run(int[] flip, int[] args, float[] in, float[] w, float[] bias, long outElements)
            throws IOException, InterruptedException {
        return run(flip == null ? 0 : 1, flip == null ? new int[0] : flip, args, new int[0], in, w, bias, outElements);
    }

    /** Runs op (tc_sim_main.cpp's: 0 forward, 1 flip and forward, 2 backward-filter) with its ints; returns out. */
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
        Path dir = binary.getParent();
        Path inFile = Files.createTempFile(dir, "in", ".bin");
        Path outFile = Files.createTempFile(dir, "out", ".bin");
        try {
            Files.write(inFile, bytes.toByteArray());
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
    void forwardIsWithinTheTf32BoundAndRoundsToTf32() throws Exception {
        for (String text : KernelOpsTest.TF32) {
            ConvProblem p = ConvProblem.parse(text);
            DirectConv c = p.direct();
            float[] xs = random(text.hashCode(), Math.toIntExact(p.inputShape().elements()), -1, 1);
            float[] ws = random(text.hashCode() + 1, Math.toIntExact(p.weightShape().elements()), -1, 1);
            float[] bs = random(text.hashCode() + 2, p.outChannels(), -1, 1);
            float[] y = run(null, forwardArgs(c), xs, ws, bs, c.responseElements());
            float[] y0 = run(null, forwardArgs(c), xs, ws, null, c.responseElements());
            try (Tensor rx = ref.upload(p.inputShape(), xs); Tensor rw = ref.upload(p.weightShape(), ws);
                 Tensor rb = ref.upload(p.biasShape(), bs);
                 Tensor ry = ref.conv2d(p, ConvAlgorithm.DIRECT, rx, rw, rb);
                 Tensor ry0 = ref.conv2d(p, ConvAlgorithm.DIRECT, rx, rw, null)) {
                // TF32 inputs (unit roundoff 2^-11), float32 accumulation: ConvAlgorithm.TENSOR_CORE_TF32's bound
                double bound = ConvAlgorithm.TENSOR_CORE_TF32.errorBound();
                KernelTestSupport.assertClose(text + " emulated TF32 forward with bias", KernelTestSupport.toDouble(y),
                        ry.toDoubleArray(), bound);
                KernelTestSupport.assertClose(text + " emulated TF32 forward", KernelTestSupport.toDouble(y0),
                        ry0.toDoubleArray(), bound);
                if (p.weightShape().elements() / p.outChannels() >= 500) {
                    // hundreds of products of TF32-rounded inputs cannot all be exact: the rounding ran
                    double err = ErrorBounds.maxNormalizedError(KernelTestSupport.toDouble(y0), ry0.toDoubleArray());
                    assertTrue(err > 1e-6, text + ": error " + err + " is float32's, not TF32's");
                }
            }
        }
    }

    @Test
    void strideOneBackwardDataRunsTheForwardKernelOverTheFlippedFilter() throws Exception {
        for (String text : KernelOpsTest.TF32) {
            ConvProblem p = ConvProblem.parse(text);
            DirectConv c = p.direct();
            if (FlippedBackwardData.whyNot(c).isPresent()) {
                continue; // strided: TENSOR_CORE_TF32 refuses it (KernelOpsTest checks the refusal)
            }
            FlippedBackwardData.ForwardShape f = FlippedBackwardData.forwardShape(c);
            int[] args = {f.n(), f.c(), f.h(), f.w(), f.k(), f.p(), f.q(), f.r(), f.s(), 1, 1, f.padH(), f.padW(),
                    f.dilationH(), f.dilationW(), f.groups()};
            int[] flip = {c.k(), c.c(), c.r() * c.s(), c.groups()};
            float[] dys = random(text.hashCode() + 3, Math.toIntExact(p.outputShape().elements()), -1, 1);
            float[] ws = random(text.hashCode() + 1, Math.toIntExact(p.weightShape().elements()), -1, 1);
            float[] dx = run(flip, args, dys, ws, null, c.imageElements());
            try (Tensor rdy = ref.upload(p.outputShape(), dys); Tensor rw = ref.upload(p.weightShape(), ws);
                 Tensor rdx = ref.conv2dBackwardData(p, ConvAlgorithm.DIRECT, rdy, rw)) {
                // TF32 inputs, float32 accumulation over K/G*R*S terms: the same bound as the forward pass
                KernelTestSupport.assertClose(text + " emulated TF32 backward-data", KernelTestSupport.toDouble(dx),
                        rdx.toDoubleArray(), ConvAlgorithm.TENSOR_CORE_TF32.errorBound());
            }
        }
    }

    @Test
    void backwardFilterWithAndWithoutSplitsIsWithinTheTf32Bound() throws Exception {
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
                for (int sms : devices) {
                    int[] sc = TensorCoreTf32ConvAlgorithm.splits(c, sms);
                    float[] dw = run(2, new int[0], forwardArgs(c), sc, xs, dys, null, c.weightElements());
                    // TF32 inputs, float32 accumulation over N*P*Q terms (in splits added in order)
                    KernelTestSupport.assertClose(text + " emulated TF32 backward-filter, " + sc[0] + " splits",
                            KernelTestSupport.toDouble(dw), rdw.toDoubleArray(),
                            ConvAlgorithm.TENSOR_CORE_TF32.errorBound());
                }
            }
        }
    }
}
