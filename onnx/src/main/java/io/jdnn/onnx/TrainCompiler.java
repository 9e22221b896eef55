package io.jdnn.onnx;

import io.jdnn.Device;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.nn.Layers;
import io.jdnn.nn.Module;
import io.jdnn.nn.Parameter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link TrainableModel}: checks the graph's shape (one float input, one output), turns
 * each node the output needs into a {@link TrainStep} by its op's rule ({@link TrainRules}), and
 * copies every float initializer a layer takes into that layer's {@link Parameter} or buffer. An op
 * without a rule (no backward in jdnn), a constant-only node, or a weight that two nodes share is
 * refused, naming the node, before any layer is made.
 */
final class TrainCompiler {
    final Device device;
    final Graph graph;
    final Layers layers;
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final List<Module> made = new ArrayList<>();
    private final Set<String> variables = new HashSet<>();

    TrainCompiler(Device device, Graph graph) {
        this.device = device;
        this.graph = graph;
        this.layers = Layers.on(device, 0);
    }

    TrainableModel compile() {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new OnnxModelException("training: the model has " + graph.inputs().size() + " inputs and "
                    + graph.outputs().size() + " outputs; training takes models of one input and one output");
        }
        String input = graph.inputs().get(0).name();
        String output = graph.outputs().get(0).name();
        List<Node> nodes = needed(output);
        for (Node n : nodes) {
            if (TrainRules.get(n.opType()) == null) {
                throw OnnxModelException.of(n, "has no backward pass in jdnn, so the model cannot be trained (ops "
                        + "that train: " + TrainRules.ops() + ")");
            }
        }
        Set<String> used = new HashSet<>();
        for (Node n : nodes) {
            for (String in : n.inputs()) {
                if (graph.initializers().containsKey(in) && graph.initializers().get(in).isFloat() && !used.add(in)) {
                    throw OnnxModelException.of(n, "initializer '" + in + "' is read by two nodes; training needs one "
                            + "owner per weight");
                }
            }
        }
        variables.add(input);
        List<TrainStep> steps = new ArrayList<>();
        Map<String, String> aliases = new HashMap<>();
        try {
            for (Node n : nodes) {
                TrainStep s = TrainRules.get(n.opType()).make(this, n);
                if (s == null) {
                    aliases.put(n.output(0), n.input(0));
                } else {
                    steps.add(s);
                }
                variables.add(n.output(0));
            }
        } catch (RuntimeException e) {
            made.forEach(Module::close);
            throw e;
        }
        return new TrainableModel(device, input, output, steps, aliases, parameters);
    }

    /** The nodes the output depends on, in graph order; a node that reads no variable is refused. */
    private List<Node> needed(String output) {
        Map<String, Node> producer = new HashMap<>();
        for (Node n : graph.nodes()) {
            for (String o : n.outputs()) {
                producer.put(o, n);
            }
        }
        Set<Node> need = new HashSet<>();
        List<String> todo = new ArrayList<>(List.of(output));
        while (!todo.isEmpty()) {
            Node n = producer.get(todo.remove(todo.size() - 1));
            if (n != null && !graph.constants().containsKey(n.output(0)) && need.add(n)) {
                n.inputs().stream().filter(s -> !s.isEmpty()).forEach(todo::add);
            }
        }
        return graph.nodes().stream().filter(need::contains).toList();
    }

    // ---------------------------------------------------------------- services for TrainRules

    /** The inferred shape of value {@code name}. */
    Shape shape(String name) {
        return graph.info(name).shape();
    }

    /** True when {@code name} is the input or a node's output (not a constant). */
    boolean isVariable(String name) {
        return variables.contains(name);
    }

    /** The float constant input {@code i} of {@code n}, or a refusal naming it. */
    ConstantTensor constant(Node n, int i, String what) {
        ConstantTensor c = n.hasInput(i) ? graph.constants().get(n.input(i)) : null;
        if (c == null || !c.isFloat()) {
            throw OnnxModelException.of(n, what + " (input " + i + ") must be a float initializer to train");
        }
        return c;
    }

    /** Copies constant input {@code i} of {@code n} into {@code p}, which becomes the model's parameter of that name. */
    void load(Node n, int i, Parameter p) {
        ConstantTensor c = constant(n, i, "weight");
        copy(n, c, p.value());
        parameters.put(c.name(), p);
    }

    /** Copies constant input {@code i} of {@code n} into a layer's buffer {@code t} (running statistics). */
    void loadBuffer(Node n, int i, Tensor t) {
        copy(n, constant(n, i, "statistic"), t);
    }

    private static void copy(Node n, ConstantTensor c, Tensor t) {
        float[] v = c.floats();
        if (v.length != t.elements()) {
            throw OnnxModelException.of(n, "'" + c.name() + "' has " + v.length + " elements where the layer takes "
                    + t.shape());
        }
        t.copyFrom(v);
    }

    /** A step running {@code m} on the node's first input. */
    TrainStep layer(Node n, Module m) {
        made.add(m);
        return new TrainStep.Layer(n, n.input(0), m);
    }

    /**
     * A step running {@code m} on the node's first input, its {@code weight} loaded from input 1 and
     * its {@code bias} from input 2 where the node has one.
     */
    TrainStep layer(Node n, Module m, Parameter weight, Parameter bias) {
        TrainStep step = layer(n, m);
        load(n, 1, weight);
        if (n.hasInput(2)) {
            load(n, 2, bias);
        }
        return step;
    }
}
