package io.jdnn.onnx;

import io.jdnn.Shape;
import io.jdnn.nn.Module;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes an {@code nn} model as an ONNX file that ONNX Runtime and jdnn's own loader read: the model's
 * evaluation-mode form (batch normalization with its running statistics, dropout as the identity),
 * for one input of the given shape, at ONNX opset {@value #DEFAULT_OPSET} unless a layer needs a
 * later one (GELU: 20). The graph input is named {@code input}, the output {@code output}, and each
 * weight after its module's path in the model, PyTorch's way ({@code 4.main.0.weight}).
 *
 * <p>Exported: {@link io.jdnn.nn.Sequential}, {@link io.jdnn.nn.Residual}, {@link io.jdnn.nn.Concat},
 * {@link io.jdnn.nn.Identity} and the layers {@link io.jdnn.nn.Layers} makes. A module that has no
 * ONNX form (one of the caller's own classes, an LRN of even size, adaptive pooling with uneven
 * windows) is refused with an {@link IllegalArgumentException} naming it, its path and the reason,
 * before anything is written. Parameters are read from the device; the model is not changed.
 */
public final class OnnxExport {
    /** The opset an export imports unless a layer needs a later one. */
    public static final int DEFAULT_OPSET = 17;
    /** The graph input's name. */
    public static final String INPUT = "input";
    /** The graph output's name. */
    public static final String OUTPUT = "output";

    private OnnxExport() {
    }

    /**
     * The ONNX model of {@code model} applied to an input of shape {@code input}, serialized.
     *
     * @throws IllegalArgumentException naming the first module that cannot be exported and why
     */
    public static byte[] toBytes(Module model, Shape input) {
        if (model == null || input == null) {
            throw new IllegalArgumentException("ONNX export: expected a model and an input shape, got " + model + ", "
                    + input);
        }
        ExportGraph g = new ExportGraph("jdnn", DEFAULT_OPSET);
        g.fresh(OUTPUT);
        String x = g.input(INPUT, input);
        ModuleExporter.Value y = new ModuleExporter(g).export(model, "", new ModuleExporter.Value(x, input));
        g.output(y.name(), OUTPUT, y.shape());
        String version = OnnxExport.class.getPackage().getImplementationVersion();
        return g.model(version == null ? "" : version).toByteArray();
    }

    /**
     * Writes the ONNX model of {@code model} applied to an input of shape {@code input} to {@code file}.
     *
     * @throws IllegalArgumentException naming the first module that cannot be exported and why (the file is not
     *                                  written)
     * @throws IOException              when the file cannot be written
     */
    public static void write(Module model, Shape input, Path file) throws IOException {
        Files.write(file, toBytes(model, input));
    }
}
