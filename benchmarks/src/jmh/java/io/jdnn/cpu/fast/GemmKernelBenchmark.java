package io.jdnn.cpu.fast;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The cpu backend's GEMM micro-kernel ({@link Kernels#gemm} of the kernels this JVM runs) on the
 * blocks convolutions hand it: m output channels x n pixels (a column block) x kc reduction rows
 * (one packed chunk). The {@code flops} counter reads as FLOP/s; compare it with
 * {@code FmaPeakBenchmark} at the same thread count. This class sits in the backend's package
 * (the kernels are package-private); it runs from the class path, where the package spans both
 * jars. {@code -p kernels=plain} measures the plain kernels, {@code -jvmArgsAppend
 * -Djdnn.cpu.vector.bits=256} the narrower width.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class GemmKernelBenchmark {

    /**
     * m x n x kc: ResNet-50 stage 2's 3x3 (64 filters, 576-deep reduction in 256-row chunks) and 1x1
     * layers (64 deep; 256 filters), a Winograd product (64 x 128 tiles x 64 channels), a larger block.
     */
    @Param({"64x128x256", "64x128x64", "256x128x64", "128x128x256"})
    public String shape;

    /** {@code best} (the kernels this JVM runs) or {@code plain}. */
    @Param({"best"})
    public String kernels;

    private Kernels k;
    private int m;
    private int n;
    private int kc;
    private float[] a;
    private float[][] b;
    private float[][] c;
    private float[] packed;

    /** Floating-point operations done, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        /** Flops of the calls so far. */
        public long flops;
    }

    /** Random operands of the shape. */
    @Setup(Level.Trial)
    public void setUp() {
        String[] p = shape.split("x");
        m = Integer.parseInt(p[0]);
        n = Integer.parseInt(p[1]);
        kc = Integer.parseInt(p[2]);
        k = kernels.equals("plain") ? KernelsLoader.plain() : KernelsLoader.best();
        Random r = new Random(1);
        a = new float[m * kc];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat();
        }
        int np = Workspace.padTile(n);
        b = new float[kc][np];
        c = new float[m][np];
        for (float[] row : b) {
            for (int j = 0; j < n; j++) {
                row[j] = r.nextFloat();
            }
        }
        if (k.panelWidth() > 0) {
            float[] flat = new float[kc * np];
            int[] start = new int[kc];
            for (int i = 0; i < kc; i++) {
                System.arraycopy(b[i], 0, flat, i * np, np);
                start[i] = i * np;
            }
            packed = new float[kc * np];
            k.packSlices(flat, start, 0, 0, kc, n, packed, 0);
        }
    }

    /** One block product, overwriting C; B is repacked into panels on every call. */
    @Benchmark
    public void gemm(Flops f) {
        k.gemm(m, n, kc, a, 0, kc, b, 0, c, 0, false);
        f.flops += 2L * m * n * kc;
    }

    /**
     * One block product from B already in panels, overwriting C: the call convolutions make, whose
     * column gathers write the panels ({@link Kernels#packSlices}, the gathers of {@code ConvGemm}),
     * so no separate repack is paid. Skipped where the kernels take no panels (the plain ones).
     */
    @Benchmark
    public void gemmPacked(Flops f) {
        if (packed == null) {
            return;
        }
        k.gemmPacked(m, n, kc, a, 0, kc, packed, 0, c, 0, false);
        f.flops += 2L * m * n * kc;
    }
}
