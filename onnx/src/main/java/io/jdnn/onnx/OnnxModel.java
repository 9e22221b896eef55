package io.jdnn.onnx;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An ONNX model that jdnn has read, checked and shape-inferred: the entry point of jdnn-onnx.
 * {@link #load(Path)} refuses, with an {@link OnnxModelException} that names the node, tensor or
 * file and the reason, anything it cannot run or cannot trust: malformed or oversized files,
 * external data outside the model's folder, unsupported ops, opsets, attributes and data types,
 * cycles, values defined twice or never, extents that cannot be inferred. A model that loads has a
 * known type and extent for every value ({@link Graph#info}). Immutable.
 */
public final class OnnxModel {
    private final Path path;
    private final long irVersion;
    private final String producerName;
    private final String producerVersion;
    private final Map<String, Integer> opsetImports;
    private final Graph graph;
    private final LoadOptions options;

    /** A model; used by the loader (and by tests that build graphs directly). */
    public OnnxModel(Path path, long irVersion, String producerName, String producerVersion,
                     Map<String, Integer> opsetImports, Graph graph, LoadOptions options) {
        this.path = path;
        this.irVersion = irVersion;
        this.producerName = producerName;
        this.producerVersion = producerVersion;
        this.opsetImports = Collections.unmodifiableMap(new LinkedHashMap<>(opsetImports));
        this.graph = graph;
        this.options = options;
    }

    /** Reads, checks and shape-infers the model at {@code path} with {@link LoadOptions#defaults()}. */
    public static OnnxModel load(Path path) {
        return load(path, LoadOptions.defaults());
    }

    /**
     * Reads, checks and shape-infers the model at {@code path}; external data is read from the
     * model's folder.
     *
     * @throws OnnxModelException naming what is refused and why
     */
    public static OnnxModel load(Path path, LoadOptions options) {
        return ModelLoader.load(path, options);
    }

    /**
     * Reads, checks and shape-infers a model held in memory; a tensor with external data is refused
     * (there is no folder to read it from).
     *
     * @throws OnnxModelException naming what is refused and why
     */
    public static OnnxModel fromBytes(byte[] model, LoadOptions options) {
        return ModelLoader.fromBytes(model, options);
    }

    /** The ops of ONNX's default domain that load accepts, each with the first opset that defines it. */
    public static Map<String, Integer> supportedOps() {
        return OpTable.supported();
    }

    /** The oldest default-domain opset that load accepts. */
    public static int minOpset() {
        return OpTable.MIN_OPSET;
    }

    /** The newest default-domain opset that load accepts. */
    public static int maxOpset() {
        return OpTable.MAX_OPSET;
    }

    /** The file the model was read from, when it was read from one. */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }

    /** The IR version the file declares. */
    public long irVersion() {
        return irVersion;
    }

    /** The producer named in the file (e.g. "pytorch"), or "". */
    public String producerName() {
        return producerName;
    }

    /** The producer's version named in the file, or "". */
    public String producerVersion() {
        return producerVersion;
    }

    /** The imported operator sets: domain ("" for ONNX's default domain) to version. */
    public Map<String, Integer> opsetImports() {
        return opsetImports;
    }

    /** The version of ONNX's default operator set that the model imports. */
    public int opset() {
        return opsetImports.getOrDefault("", 0);
    }

    /** The checked, shape-inferred main graph. */
    public Graph graph() {
        return graph;
    }

    /**
     * Compiles the model for {@code device} with {@link CompileOptions#defaults()}: constants
     * folded, batch norms folded into their convolutions, algorithms picked, buffers planned.
     *
     * @throws OnnxModelException naming the node (op, opset) that cannot be lowered to Device calls, and why
     */
    public CompiledModel compile(io.jdnn.Device device) {
        return compile(device, CompileOptions.defaults());
    }

    /**
     * Compiles the model for {@code device} with {@code options} (a batch size fixed here re-infers
     * every extent from the inputs' new first extent).
     *
     * @throws OnnxModelException naming the node (op, opset) that cannot be lowered to Device calls, and why
     */
    public CompiledModel compile(io.jdnn.Device device, CompileOptions options) {
        Graph g = options.batch() == 0 ? graph : Rebatch.apply(graph, options.batch(), this.options);
        return new Compiler(device, g, options, this.options).compile();
    }

    /**
     * Compiles the model for training on {@code device}: a {@link TrainableModel}, an {@code nn}
     * module whose float initializers are parameters, with batch normalization kept as a layer
     * (batch statistics in training mode, not folded). {@code options}' batch re-infers the extents
     * as {@link #compile(io.jdnn.Device, CompileOptions)} does; its algorithm is not used (each
     * layer picks its own, as nn layers do).
     *
     * @throws OnnxModelException naming the first node that cannot be trained: an op with no backward pass in jdnn
     *                            (found before any layer is made), or an attribute value its layer cannot express
     *                            (the layers made so far are closed)
     */
    public TrainableModel compileTrainable(io.jdnn.Device device, CompileOptions options) {
        Graph g = options.batch() == 0 ? graph : Rebatch.apply(graph, options.batch(), this.options);
        return new TrainCompiler(device, g).compile();
    }

    /** The options the model was loaded with. */
    public LoadOptions options() {
        return options;
    }
}
