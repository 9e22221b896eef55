package io.jdnn.bench.onnx;

import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.Tensor;
import io.jdnn.onnx.CompileOptions;
import io.jdnn.onnx.CompiledModel;
import io.jdnn.onnx.LoadOptions;
import io.jdnn.onnx.OnnxModel;
import io.jdnn.onnx.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code jdnn onnx bench MODEL --device D --batch B}: the latency of a compiled model's run (p50,
 * p90 over timed runs after warm-up), images per second at the median and the device's peak
 * memory; on the CPU backends ONNX Runtime's CPU provider is timed the same way in the same
 * process, and the ratio of images per second printed.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Times a compiled ONNX model on random inputs: latency p50 and p90, images/s, peak device memory.",
                "On the cpu and reference devices, ONNX Runtime's CPU provider runs the same model on the same inputs "
                        + "in the same process, timed the same way, and the ratio of images/s is printed.",
                "Timings taken while other work runs on the machine are noise."})
public final class OnnxBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Option(names = {"-d", "--device"}, defaultValue = "auto", paramLabel = "D",
            description = "Device spec, as `jdnn devices` lists them (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--batch", defaultValue = "1", description = "Images per run (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--runs", defaultValue = "20", description = "Timed runs (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--no-onnxruntime", description = "Do not time ONNX Runtime beside jdnn.")
    boolean noOrt;

    @Option(names = "--profile", description = "After the timed runs, time every launch of --runs more runs (the device "
            + "synchronized around each) and print the time per op kind.")
    boolean profile;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || runs < 1 || warmup < 0) {
            throw new IllegalArgumentException("--batch and --runs must be positive and --warmup not negative");
        }
        PrintWriter out = spec.commandLine().getOut();
        OnnxModel m = OnnxModel.load(model, LoadOptions.builder().batch(batch).build());
        Map<String, float[]> data = new LinkedHashMap<>();
        Map<String, long[]> dims = new LinkedHashMap<>();
        double[] jdnn;
        long peak;
        boolean cpu;
        try (Device d = Devices.open(device)) {
            cpu = d.backend().equals("cpu") || d.backend().equals("reference");
            long t0 = System.nanoTime();
            try (CompiledModel c = m.compile(d, CompileOptions.defaults().withBatch(batch))) {
                OnnxCli.summary(out, c, (System.nanoTime() - t0) / 1e6);
                List<Tensor> fed = new ArrayList<>();
                Map<String, Tensor> feeds = new LinkedHashMap<>();
                try {
                    for (TensorInfo in : c.inputs()) {
                        float[] v = OnnxCli.random(in, seed);
                        data.put(in.name(), v);
                        dims.put(in.name(), in.dims());
                        Tensor t = OnnxCli.upload(d, in, v);
                        fed.add(t);
                        feeds.put(in.name(), t);
                    }
                    jdnn = time(warmup, runs, () -> d.timeMillis(() -> c.run(feeds).values().forEach(Tensor::close)));
                    if (profile) {
                        double[] ms = new double[c.launches().size()];
                        for (int i = 0; i < runs; i++) {
                            c.profile(feeds, ms).values().forEach(Tensor::close);
                        }
                        OnnxProfile.print(out, c.launches(), ms, runs, jdnn[0]);
                    }
                } finally {
                    fed.forEach(Tensor::close);
                }
                peak = d.memory().peakBytes();
            }
        }
        out.printf(Locale.ROOT, "batch %d, %d warm-up and %d timed runs%n", batch, warmup, runs);
        out.printf(Locale.ROOT, "%-12s %10s %10s %12s  %s%n", "", "p50 ms", "p90 ms", "images/s", "peak device memory");
        row(out, "jdnn " + device, jdnn, OnnxCli.mib(peak));
        if (cpu && !noOrt) {
            double[] ort = OrtBench.time(Files.readAllBytes(model), dims, data, warmup, runs);
            row(out, "onnxruntime", ort, ort[2] < 0 ? "n/a (not reported by its Java API)"
                    : OnnxCli.mib((long) ort[2]) + " (rise of the process's peak resident set)");
            out.printf(Locale.ROOT, "ratio     %.2fx images/s (jdnn / onnxruntime, medians of one run of this command)%n",
                    ort[0] / jdnn[0]);
        }
        return 0;
    }

    private void row(PrintWriter out, String name, double[] ms, String memory) {
        out.printf(Locale.ROOT, "%-12s %10.3f %10.3f %12.1f  %s%n", name, ms[0], ms[1], batch * 1000.0 / ms[0], memory);
    }

    /** A timed action returning milliseconds. */
    interface Timed {
        double millis() throws Exception;
    }

    /** Runs {@code warmup} untimed then {@code runs} timed calls; returns {p50, p90} in milliseconds. */
    static double[] time(int warmup, int runs, Timed t) throws Exception {
        for (int i = 0; i < warmup; i++) {
            t.millis();
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            ms[i] = t.millis();
        }
        Arrays.sort(ms);
        return new double[] {percentile(ms, 0.5), percentile(ms, 0.9)};
    }

    static double percentile(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
