package io.jdnn.bench.perf.jmh;

import io.jdnn.bench.perf.FmaProbe;
import io.jdnn.bench.perf.VectorFmaProbe;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The FP32 FMA peak through Java at each width: {@link FmaProbe}'s loops, one operation = one
 * flop, so the throughput reads as FLOP/s (divide by 1e9 for GFLOP/s). {@code -t 2} runs each on
 * two threads at once (JMH sums their rates). The GEMM micro-kernel's rate
 * ({@code io.jdnn.cpu.fast.GemmKernelBenchmark}) divides by the widest.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class FmaPeakBenchmark {
    private static final int REPS = 64_000;

    /** 12 register chains of 512-bit FMAs (16 lanes). */
    @Benchmark
    @OperationsPerInvocation(2 * REPS * 12 * 16)
    public long vector512() {
        return VectorFmaProbe.loop512(REPS);
    }

    /** 12 register chains of 256-bit FMAs (8 lanes). */
    @Benchmark
    @OperationsPerInvocation(2 * REPS * 12 * 8)
    public long vector256() {
        return VectorFmaProbe.loop256(REPS);
    }

    /** The auto-vectorized {@link Math#fma} loop over 1024 floats in L1. */
    @Benchmark
    @OperationsPerInvocation(2 * 100 * FmaProbe.PLAIN_FLOATS)
    public long plainJava() {
        return FmaProbe.plainLoop(100);
    }
}
