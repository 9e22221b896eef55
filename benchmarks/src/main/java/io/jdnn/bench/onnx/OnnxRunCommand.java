package io.jdnn.bench.onnx;

import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.Tensor;
import io.jdnn.onnx.CompileOptions;
import io.jdnn.onnx.CompiledModel;
import io.jdnn.onnx.LoadOptions;
import io.jdnn.onnx.OnnxModel;
import io.jdnn.onnx.OnnxTensors;
import io.jdnn.onnx.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code jdnn onnx run MODEL --device D [--input NAME=FILE.pb|random]}: compiles a model for a
 * device, runs it once on the given inputs (random ones by default) and prints each output's
 * extents, its first values and its minimum, maximum and mean.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compiles an ONNX model for a device (constants and batch norms folded, algorithms picked, "
                + "buffers planned), runs it once and prints each output's extents, first values, min, max and mean.",
                "A model or node the runner refuses prints the reason (the node, its op and opset) and exits with status 1."})
public final class OnnxRunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file (external data is read from its folder).")
    Path model;

    @Option(names = {"-d", "--device"}, defaultValue = "auto", paramLabel = "D",
            description = "Device spec, as `jdnn devices` lists them (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--input", paramLabel = "NAME=FILE.pb|random", description = "An input's data: a serialized "
            + "TensorProto file or 'random' (uniform in [-1, 1)); inputs not named are random (repeatable).")
    Map<String, String> inputs = Map.of();

    @Option(names = "--batch", defaultValue = "0", description = "Batch size to compile for (0, the default: the "
            + "model's own, with a symbolic one read as 1).")
    int batch;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--show", defaultValue = "8", description = "Values of each output printed (default: ${DEFAULT-VALUE}).")
    int show;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        OnnxModel m = OnnxModel.load(model, LoadOptions.builder().batch(Math.max(batch, 1)).build());
        for (String name : inputs.keySet()) {
            if (m.graph().inputs().stream().noneMatch(t -> t.name().equals(name))) {
                throw new IllegalArgumentException("--input " + name + ": the model has no such input (inputs: "
                        + m.graph().inputs().stream().map(TensorInfo::name).toList() + ")");
            }
        }
        try (Device d = Devices.open(device)) {
            long t0 = System.nanoTime();
            try (CompiledModel c = m.compile(d, CompileOptions.defaults().withBatch(batch))) {
                OnnxCli.summary(out, c, (System.nanoTime() - t0) / 1e6);
                List<Tensor> fed = new ArrayList<>();
                try {
                    Map<String, Tensor> feeds = new LinkedHashMap<>();
                    for (TensorInfo in : c.inputs()) {
                        String src = inputs.getOrDefault(in.name(), "random");
                        float[] data = src.equals("random") ? OnnxCli.random(in, seed)
                                : OnnxCli.data(OnnxTensors.read(Path.of(src)), in, "--input " + in.name() + "=" + src);
                        Tensor t = OnnxCli.upload(d, in, data);
                        fed.add(t);
                        feeds.put(in.name(), t);
                        out.printf(Locale.ROOT, "input     %-24s %s from %s%n", in.name(), Arrays.toString(in.dims()), src);
                    }
                    long r0 = System.nanoTime();
                    Map<String, Tensor> result = c.run(feeds);
                    List<float[]> values = new ArrayList<>();
                    for (Tensor y : result.values()) {
                        try (y) {
                            values.add(y.toArray());
                        }
                    }
                    out.printf(Locale.ROOT, "ran       in %.2f ms (the first run, synchronized by reading the outputs)%n",
                            (System.nanoTime() - r0) / 1e6);
                    int k = 0;
                    for (TensorInfo o : c.outputs()) {
                        print(out, o, values.get(k++));
                    }
                } finally {
                    fed.forEach(Tensor::close);
                }
            }
        }
        return 0;
    }

    private void print(PrintWriter out, TensorInfo o, float[] v) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (float x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
            sum += x;
        }
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < Math.min(show, v.length); i++) {
            first.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.6g", v[i]));
        }
        out.printf(Locale.ROOT, "output    %-24s %s  min %.6g  max %.6g  mean %.6g%n          [%s%s]%n", o.name(),
                Arrays.toString(o.dims()), min, max, sum / v.length, first, v.length > show ? ", ..." : "");
    }
}
