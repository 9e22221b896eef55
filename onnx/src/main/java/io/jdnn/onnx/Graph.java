package io.jdnn.onnx;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checked, shape-inferred ONNX graph: its inputs (the values a caller feeds, initializers
 * excluded), outputs, initializers, nodes in topological order, and for every value its type and
 * extents ({@link #info}). Values whose elements load could compute (initializers, Constant nodes,
 * shape subgraphs: Shape, Gather, Concat, arithmetic on int64, ...) are in {@link #constants()};
 * a later compile step folds the nodes that produce them. Immutable.
 */
public final class Graph {
    private final String name;
    private final List<TensorInfo> inputs;
    private final List<TensorInfo> outputs;
    private final Map<String, ConstantTensor> initializers;
    private final List<Node> nodes;
    private final Map<String, TensorInfo> values;
    private final Map<String, ConstantTensor> constants;

    /**
     * A graph; {@code nodes} must be topologically ordered, {@code values} must hold every input,
     * initializer and node output, and {@code constants} every initializer.
     */
    public Graph(String name, List<TensorInfo> inputs, List<TensorInfo> outputs,
                 Map<String, ConstantTensor> initializers, List<Node> nodes,
                 Map<String, TensorInfo> values, Map<String, ConstantTensor> constants) {
        this.name = name;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
        this.nodes = List.copyOf(nodes);
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.constants = Collections.unmodifiableMap(new LinkedHashMap<>(constants));
    }

    /** The graph's name in the model (may be empty). */
    public String name() {
        return name;
    }

    /** The inputs a caller feeds, in the model's order (initializers listed as inputs are not here). */
    public List<TensorInfo> inputs() {
        return inputs;
    }

    /** The outputs, in the model's order, with their inferred types and extents. */
    public List<TensorInfo> outputs() {
        return outputs;
    }

    /** The initializers (weights and other constant inputs) by name, in the model's order. */
    public Map<String, ConstantTensor> initializers() {
        return initializers;
    }

    /** The nodes in topological order: every node comes after the producers of its inputs. */
    public List<Node> nodes() {
        return nodes;
    }

    /** Every value of the graph (inputs, initializers, node outputs) by name, with type and extents. */
    public Map<String, TensorInfo> values() {
        return values;
    }

    /**
     * The type and extents of value {@code name}.
     *
     * @throws IllegalArgumentException when the graph has no such value
     */
    public TensorInfo info(String value) {
        TensorInfo t = values.get(value);
        if (t == null) {
            throw new IllegalArgumentException("graph '" + name + "' has no value '" + value + "'");
        }
        return t;
    }

    /** Values whose elements are known at load: initializers and folded values, by name. */
    public Map<String, ConstantTensor> constants() {
        return constants;
    }

    /** The elements of value {@code name} when load knows them (see {@link #constants()}). */
    public Optional<ConstantTensor> constant(String value) {
        return Optional.ofNullable(constants.get(value));
    }

    /** Number of weights: the elements of every float initializer. */
    public long parameterCount() {
        long n = 0;
        for (ConstantTensor t : initializers.values()) {
            if (t.isFloat()) {
                n += t.size();
            }
        }
        return n;
    }
}
