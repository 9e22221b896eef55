package io.jdnn.bench.cpucompare;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * The same problem through jdnn's cpu backend (plain kernels and Vector API kernels), DJL
 * (PyTorch 2.7.1), ND4J (oneDNN) and ONNX Runtime 1.23.2 (CPU provider, inference only): one
 * benchmark, parameterized by provider and case. A convolution case names its pass: {@code fwd} is
 * the forward pass; {@code train} is forward plus backward (input and weight gradients), which is how
 * PyTorch's autograd and ND4J's *_bp ops run it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CompareBenchmark {

    @Param({"jdnn-vector", "jdnn-plain", "djl", "nd4j", "ort"})
    public String provider;

    /** A case of {@link Cases}, with ":fwd" or ":train" for convolutions. */
    @Param({"conv3x3:fwd", "conv3x3:train", "conv1x1:fwd", "conv1x1:train", "strided3x3:fwd", "strided3x3:train",
        "dilated3x3:fwd", "dilated3x3:train", "depthwise3x3:fwd", "depthwise3x3:train", "transposed4x4:fwd",
        "transposed4x4:train", "maxpool", "batchnorm", "adam"})
    public String kase;

    private Providers.Prepared prepared;

    @Setup(Level.Trial)
    public void setup() {
        if (provider.equals("jdnn-plain")) {
            System.setProperty("jdnn.cpu.vector", "false");
        }
        String name = Cases.name(kase);
        String pass = Cases.pass(kase);
        prepared = switch (provider) {
            case "jdnn-vector", "jdnn-plain" -> Providers.jdnn(name, pass);
            case "djl" -> Providers.djl(name, pass);
            case "ort" -> OrtProvider.prepare(name, pass);
            default -> Providers.nd4j(name, pass);
        };
        prepared.run(); // AUTO's one-time algorithm search happens here, not in the measurement
    }

    @Benchmark
    public void run() {
        prepared.run();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        prepared.close();
    }
}
