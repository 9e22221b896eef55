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
 * End-to-end latency of one small op as an application sees it: argument validation by
 * {@link Device}, the backend's dispatch (kernel launch on GPU backends), the op, and
 * {@link Device#synchronize()}; sampled, so JMH prints percentiles. Small problems on purpose: here
 * the fixed cost per call is what is measured. {@code -p device=opencl} or {@code -p device=cuda}
 * measures a GPU backend the same way.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class OpLatencyBenchmark {

    @Param({"cpu"})
    public String device;

    @Param({"conv_mb1ic16ih14oc16kh3ph1:fwd", "maxpool_mb1ic16ih28kh2:fwd", "bn_mb1ic16ih14:fwd-train",
            "linear_mb1ic256oc256:fwd", "adam_lr=0.001:step"})
    public String op;

    /** Parameters of an optimizer step. */
    @Param({"65536"})
    public long parameters;

    private Device d;
    private Op.Instance instance;

    @Setup(Level.Trial)
    public void setUp() {
        int colon = op.lastIndexOf(':');
        d = Devices.open(device, DeviceOptions.DEFAULT);
        instance = JmhOps.instantiate(d, JmhOps.op(op.substring(0, colon), op.substring(colon + 1), parameters), "AUTO");
    }

    @Benchmark
    public void opAndSynchronize() {
        instance.run();
        d.synchronize();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        instance.close();
        d.close();
    }
}
