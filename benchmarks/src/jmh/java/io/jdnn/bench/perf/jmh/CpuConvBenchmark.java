package io.jdnn.bench.perf.jmh;

import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.Devices;
import io.jdnn.bench.perf.Op;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Throughput of the CPU backends' convolutions, one pass of one problem per benchmark: a run of
 * the op and the synchronization that waits for it. The default problems are ResNet-50's 3x3 and
 * 1x1 layers and a MobileNetV2 depthwise layer at batch 4; {@code -p device=reference} measures the
 * oracle, {@code -p algorithm=IM2COL_GEMM} (DIRECT, WINOGRAD, ...) one algorithm instead of AUTO's
 * choice.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CpuConvBenchmark {

    @Param({"cpu"})
    public String device;

    @Param({"conv_mb4ic64ih56oc64kh3ph1", "conv_mb4ic256ih56oc64kh1", "conv_mb4ic144ih56oc144kh3sh2ph1g144"})
    public String problem;

    @Param({"fwd", "bwd-data", "bwd-filter"})
    public String pass;

    @Param({"AUTO"})
    public String algorithm;

    private Device d;
    private Op.Instance op;

    @Setup(Level.Trial)
    public void setUp() {
        d = Devices.open(device, DeviceOptions.DEFAULT);
        op = JmhOps.instantiate(d, JmhOps.op(problem, pass, 0), algorithm);
    }

    @Benchmark
    public void run() {
        op.run();
        d.synchronize();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        op.close();
        d.close();
    }
}
