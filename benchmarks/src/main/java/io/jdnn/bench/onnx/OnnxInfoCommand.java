package io.jdnn.bench.onnx;

import io.jdnn.onnx.LoadOptions;
import io.jdnn.onnx.ModelStats;
import io.jdnn.onnx.OnnxModel;
import io.jdnn.onnx.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code jdnn onnx info MODEL}: loads a model (checks and shape inference, nothing runs) and prints
 * its inputs and outputs with their extents, the node count per op, the parameter count and the
 * FLOPs of one image. A refused model prints the refusal and exits 1.
 */
@Command(name = "info", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Loads an ONNX model (graph checks and shape inference; nothing runs) and prints its inputs and "
                + "outputs with their extents, the nodes per op, the parameters (elements of float initializers) and "
                + "the FLOPs of one image (multiply-adds x2 of Conv, ConvTranspose, Gemm and MatMul).",
                "A model jdnn refuses prints the reason (the node, its op and opset) and exits with status 1."})
public final class OnnxInfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file (external data is read from its folder).")
    Path model;

    @Option(names = "--batch", defaultValue = "1", description = "Extent of each input's symbolic first extent "
            + "(default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--dim", paramLabel = "NAME=N", description = "Extent of a symbolic extent by name (repeatable).")
    Map<String, Long> dims = Map.of();

    @Override
    public Integer call() {
        LoadOptions.Builder options = LoadOptions.builder().batch(batch);
        dims.forEach(options::dim);
        OnnxModel m = OnnxModel.load(model, options.build());
        ModelStats stats = ModelStats.of(m);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "model     %s%n", model);
        out.printf(Locale.ROOT, "producer  %s %s, IR version %d, opset %d%n", m.producerName(), m.producerVersion(),
                m.irVersion(), m.opset());
        for (TensorInfo in : m.graph().inputs()) {
            out.printf(Locale.ROOT, "input     %-24s %s %s%n", in.name(), in.type(), Arrays.toString(in.dims()));
        }
        for (TensorInfo o : m.graph().outputs()) {
            out.printf(Locale.ROOT, "output    %-24s %s %s%n", o.name(), o.type(), Arrays.toString(o.dims()));
        }
        out.printf(Locale.ROOT, "nodes     %d%n", stats.nodes());
        stats.opCounts().forEach((op, n) -> out.printf(Locale.ROOT, "  %-22s %d%n", op, n));
        out.printf(Locale.ROOT, "parameters %,d%n", stats.parameters());
        out.printf(Locale.ROOT, "FLOPs/image %,d (%.3f GFLOP) at batch %d%n", stats.flopsPerImage(),
                stats.flopsPerImage() / 1e9, stats.batch());
        return 0;
    }
}
