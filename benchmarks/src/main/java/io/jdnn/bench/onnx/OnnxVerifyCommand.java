package io.jdnn.bench.onnx;

import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.ErrorBounds;
import io.jdnn.Tensor;
import io.jdnn.onnx.CompileOptions;
import io.jdnn.onnx.CompiledModel;
import io.jdnn.onnx.ConstantTensor;
import io.jdnn.onnx.OnnxModel;
import io.jdnn.onnx.OnnxTensors;
import io.jdnn.onnx.TensorInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
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
import java.util.stream.Stream;

/**
 * {@code jdnn onnx verify MODEL --data DIR --device D}: runs a model on every data set of ONNX's
 * test layout ({@code DIR/test_data_set_N/input_K.pb} and {@code output_K.pb}; DIR may also be one
 * data set) and compares each output with the expected one by jdnn's metric
 * ({@link ErrorBounds#maxNormalizedError}); prints each output's error against the bound and
 * {@code N passed, N failed}; exits 1 when any output fails.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs an ONNX model on ONNX's test data layout (DIR/test_data_set_N/input_K.pb, output_K.pb) "
                + "and compares every output with the expected one: max |out - expected| / max |expected|.",
                "Prints each output's error against the bound and 'N passed, N failed'; exits with status 1 when "
                        + "any output fails."})
public final class OnnxVerifyCommand implements Callable<Integer> {
    /**
     * The default bound: a whole float32 network against another float32 implementation (the
     * exporting framework or ONNX Runtime), whose summation orders differ in every layer; the
     * loosest single-layer bound jdnn states (Winograd convolution's) covers the errors of
     * networks of up to about a hundred layers seen in practice.
     */
    static final double DEFAULT_BOUND = io.jdnn.ConvAlgorithm.WINOGRAD.errorBound();

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "A folder of test_data_set_N folders (or one such folder) holding input_K.pb and output_K.pb.")
    Path data;

    @Option(names = {"-d", "--device"}, defaultValue = "auto", paramLabel = "D",
            description = "Device spec, as `jdnn devices` lists them (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--bound", paramLabel = "E", description = "Largest error accepted (default: the Winograd "
            + "convolution bound, 1e-4, for whole float32 networks).")
    Double bound;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<Path> sets = dataSets(data);
        OnnxModel m = OnnxModel.load(model);
        double limit = bound != null ? bound : DEFAULT_BOUND;
        int passed = 0;
        int failed = 0;
        try (Device d = Devices.open(device)) {
            Map<String, float[]> first = inputs(sets.get(0), m.graph().inputs());
            int batch = batchOf(m, sets.get(0));
            long t0 = System.nanoTime();
            try (CompiledModel c = m.compile(d, CompileOptions.defaults().withBatch(batch))) {
                OnnxCli.summary(out, c, (System.nanoTime() - t0) / 1e6);
                out.printf(Locale.ROOT, "bound     %.3g (max |out - expected| / max |expected|)%n", limit);
                for (Path set : sets) {
                    Map<String, float[]> in = set.equals(sets.get(0)) ? first : inputs(set, m.graph().inputs());
                    List<float[]> got = run(c, in);
                    List<TensorInfo> outs = c.outputs();
                    for (int k = 0; k < outs.size(); k++) {
                        Path want = set.resolve("output_" + k + ".pb");
                        if (!Files.exists(want)) {
                            throw new IllegalArgumentException("--data: " + want + " is missing (output '"
                                    + outs.get(k).name() + "')");
                        }
                        ConstantTensor e = OnnxTensors.read(want);
                        double err = e.size() != got.get(k).length ? Double.POSITIVE_INFINITY
                                : ErrorBounds.maxNormalizedError(doubles(got.get(k)), doubles(e.floats()));
                        boolean ok = err <= limit;
                        passed += ok ? 1 : 0;
                        failed += ok ? 0 : 1;
                        out.printf(Locale.ROOT, "%-18s output %-20s %-16s max error %.3g  bound %.3g  %s%n",
                                set.getFileName(), "'" + outs.get(k).name() + "'", Arrays.toString(outs.get(k).dims()),
                                err, limit, ok ? "ok" : "FAILED");
                    }
                }
            }
        }
        out.printf(Locale.ROOT, "%d passed, %d failed%n", passed, failed);
        return failed == 0 ? 0 : CommandLine.ExitCode.SOFTWARE;
    }

    private static List<Path> dataSets(Path dir) throws IOException {
        if (Files.exists(dir.resolve("input_0.pb"))) {
            return List.of(dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--data " + dir + ": not a folder");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_")).sorted().toList();
            if (sets.isEmpty()) {
                throw new IllegalArgumentException("--data " + dir + ": holds no test_data_set_N folder and no input_0.pb");
            }
            return sets;
        }
    }

    /** The set's input_K.pb files by graph input: by the tensor's name when it names an input, else in order. */
    private static Map<String, float[]> inputs(Path set, List<TensorInfo> declared) {
        Map<String, float[]> byName = new LinkedHashMap<>();
        for (int k = 0; Files.exists(set.resolve("input_" + k + ".pb")); k++) {
            ConstantTensor t = OnnxTensors.read(set.resolve("input_" + k + ".pb"));
            TensorInfo in = declared.stream().filter(i -> i.name().equals(t.name())).findFirst()
                    .orElse(k < declared.size() ? declared.get(k) : null);
            if (in == null) {
                throw new IllegalArgumentException("--data: " + set.resolve("input_" + k + ".pb") + " matches no input");
            }
            if (!t.isFloat()) {
                throw new IllegalArgumentException("--data: input '" + in.name() + "' holds " + t.type() + " data");
            }
            byName.put(in.name(), t.floats());
        }
        return byName;
    }

    /** The batch the data holds: the first input file's first extent. */
    private static int batchOf(OnnxModel m, Path set) {
        ConstantTensor t = OnnxTensors.read(set.resolve("input_0.pb"));
        long[] dims = t.info().dims();
        return dims.length == 0 || m.graph().inputs().isEmpty() || m.graph().inputs().get(0).rank() == 0 ? 0
                : Math.toIntExact(dims[0]);
    }

    private static List<float[]> run(CompiledModel c, Map<String, float[]> in) {
        List<Tensor> fed = new ArrayList<>();
        try {
            Map<String, Tensor> feeds = new LinkedHashMap<>();
            for (TensorInfo i : c.inputs()) {
                float[] v = in.get(i.name());
                if (v == null) {
                    throw new IllegalArgumentException("--data: no input_K.pb for input '" + i.name() + "'");
                }
                Tensor t = OnnxCli.upload(c.device(), i, v);
                fed.add(t);
                feeds.put(i.name(), t);
            }
            List<float[]> out = new ArrayList<>();
            for (Tensor y : c.run(feeds).values()) {
                try (y) {
                    out.add(y.toArray());
                }
            }
            return out;
        } finally {
            fed.forEach(Tensor::close);
        }
    }

    static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
