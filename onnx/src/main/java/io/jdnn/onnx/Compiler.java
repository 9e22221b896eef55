package io.jdnn.onnx;

import io.jdnn.Device;
import io.jdnn.Precision;
import io.jdnn.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a loaded graph into a {@link CompiledModel} for one device: the nodes that the outputs
 * need, in order, each lowered by its rule ({@link Lowerings}) into Device calls; values that load
 * folded, and nodes whose inputs are all constants, become constants computed once; then the
 * outputs get buffers of their own and the temporaries a {@link BufferPlan}. Anything that cannot
 * be lowered is refused before a single buffer of the plan is allocated.
 */
final class Compiler {
    final Device device;
    final Graph graph;
    final CompileOptions options;
    final LoadOptions loadOptions;
    private final Map<String, Value> values = new HashMap<>();
    private final List<Step> steps = new ArrayList<>();
    private final List<Value> constants = new ArrayList<>();
    private final List<Tensor> owned = new ArrayList<>();
    private final Map<String, List<Node>> consumers = new HashMap<>();
    private final Set<String> outputNames = new HashSet<>();
    private final Set<Node> absorbed = new HashSet<>();

    Compiler(Device device, Graph graph, CompileOptions options, LoadOptions loadOptions) {
        this.device = device;
        this.graph = graph;
        this.options = options;
        this.loadOptions = loadOptions;
    }

    CompiledModel compile() {
        try {
            return build();
        } catch (RuntimeException e) {
            release();
            throw e;
        }
    }

    private CompiledModel build() {
        Map<String, Value> inputs = new LinkedHashMap<>();
        for (TensorInfo t : graph.inputs()) {
            if (!t.type().isFloat()) {
                throw new OnnxModelException("input '" + t.name() + "' is " + t.type()
                        + ": jdnn runs models on float32 tensors");
            }
            if (t.elementCount() == 0) {
                throw new OnnxModelException("input '" + t.name() + "' is empty " + java.util.Arrays.toString(t.dims())
                        + ": jdnn has no empty tensors");
            }
            Value v = Value.of(t.name(), dims(t), Value.Kind.INPUT);
            values.put(t.name(), v);
            inputs.put(t.name(), v);
        }
        for (ConstantTensor c : graph.constants().values()) {
            values.putIfAbsent(c.name(), constantValue(c.name(), c));
        }
        for (TensorInfo t : graph.outputs()) {
            if (!t.type().isFloat()) {
                throw new OnnxModelException("output '" + t.name() + "' is " + t.type()
                        + ": the runner computes float32 tensors");
            }
            outputNames.add(t.name());
        }
        List<Node> needed = needed();
        for (Node n : needed) {
            for (String in : n.inputs()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
        }
        for (Node n : needed) {
            if (absorbed.contains(n) || n.outputs().stream().allMatch(o -> o.isEmpty() || values.containsKey(o))) {
                continue;
            }
            lower(n);
        }
        Map<String, Value> outputs = new LinkedHashMap<>();
        for (TensorInfo t : graph.outputs()) {
            outputs.put(t.name(), outputValue(t.name()));
        }
        BufferPlan plan = new BufferPlan(steps);
        List<Tensor> buffers = plan.allocate(device);
        owned.addAll(buffers);
        for (Value c : constants) {
            if (c.tensor != null && !owned.contains(c.tensor)) {
                owned.add(c.tensor);
            }
        }
        long constantElements = 0;
        for (Value c : constants) {
            constantElements += c.tensor != null ? c.elements() : 0;
        }
        int bytes = device.info().precision() == Precision.FLOAT64 ? Double.BYTES : Float.BYTES;
        CompiledModel.Memory memory = new CompiledModel.Memory(plan.plannedElements() * bytes,
                plan.activationElements() * bytes, constantElements * bytes, plan.buffers());
        return new CompiledModel(device, graph, inputs, outputs, steps, owned, memory);
    }

    /** The nodes that some output depends on, in graph order. */
    private List<Node> needed() {
        Map<String, Node> producer = new HashMap<>();
        for (Node n : graph.nodes()) {
            for (String o : n.outputs()) {
                producer.put(o, n);
            }
        }
        Set<Node> need = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(outputNames);
        while (!todo.isEmpty()) {
            Node n = producer.get(todo.pop());
            if (n != null && need.add(n)) {
                n.inputs().stream().filter(s -> !s.isEmpty()).forEach(todo::push);
            }
        }
        return graph.nodes().stream().filter(need::contains).toList();
    }

    private void lower(Node n) {
        if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
            throw OnnxModelException.of(n, "ops of domain '" + n.domain() + "' are not supported");
        }
        Lowerings.Rule rule = Lowerings.get(n.opType());
        if (rule == null) {
            throw OnnxModelException.of(n, "the op is not supported by the runner");
        }
        boolean allConstant = !n.inputs().isEmpty();
        for (String in : n.inputs()) {
            Value v = in.isEmpty() ? null : values.get(in);
            allConstant &= in.isEmpty() || (v != null && v.isConstant());
        }
        try {
            rule.lower(new Lowerer(this, n, values, allConstant));
        } catch (IllegalArgumentException e) {
            throw OnnxModelException.of(n, e.getMessage());
        }
        for (String o : n.outputs()) {
            if (!o.isEmpty() && !values.containsKey(o) && (outputNames.contains(o) || consumers.containsKey(o))) {
                throw OnnxModelException.of(n, "output '" + o + "' is used but the runner does not produce it");
            }
        }
    }

    /** The value graph output {@code name} is returned in: a planned-out temporary, or a copy of anything else. */
    private Value outputValue(String name) {
        Value v = values.get(name);
        if (v == null) {
            throw new OnnxModelException("output '" + name + "' has no value");
        }
        if (v.kind == Value.Kind.TEMP) {
            v.kind = Value.Kind.OUTPUT;
            return v;
        }
        Value out = Value.of(name, v.dims, Value.Kind.OUTPUT);
        v.materialize(device);
        steps.add(new Step("output " + name + ": copy", List.of(v), List.of(out), null,
                () -> device.copy(v.tensor(), out.tensor())));
        return out;
    }

    // ---------------------------------------------------------------- services for Lowerer

    void add(Step s) {
        steps.add(s);
    }

    void own(Tensor t) {
        owned.add(t);
    }

    /** Binds node output {@code name} to {@code v}, checking v's extents against load's inference. */
    void bind(Node node, String name, Value v) {
        TensorInfo info = graph.values().get(name);
        if (info != null && !Arrays.equals(info.dims(), Value.longs(v.dims))) {
            throw OnnxModelException.of(node, "output '" + name + "' comes out as " + Arrays.toString(v.dims)
                    + " but load inferred " + Arrays.toString(info.dims()));
        }
        values.put(name, v);
    }

    Value constantValue(String name, ConstantTensor c) {
        int[] d = dims(c.info());
        Value v = Value.constant(name, d, c);
        constants.add(v);
        return v;
    }

    /** The one node that reads {@code value}, when exactly one does and it is no graph output; else null. */
    Node soleConsumer(String value) {
        List<Node> c = consumers.get(value);
        return c != null && c.size() == 1 && !outputNames.contains(value) ? c.get(0) : null;
    }

    /** A lowerer of node {@code n} for reading its attributes and constant inputs (a fusion's check), not for lowering it. */
    Lowerer inspect(Node n) {
        return new Lowerer(this, n, values, false);
    }

    /** The value named {@code name} so far, or null. */
    Value valueOf(String name) {
        return values.get(name);
    }

    /** True when a needed node reads {@code value} or it is a graph output. */
    boolean isUsed(String value) {
        return consumers.containsKey(value) || outputNames.contains(value);
    }

    /** Marks {@code n} as lowered together with its producer (a batch norm folded into a Conv, a fused activation). */
    void absorb(Node n) {
        absorbed.add(n);
    }

    /** True when {@code n} was lowered together with its producer. */
    boolean isAbsorbed(Node n) {
        return absorbed.contains(n);
    }

    private static int[] dims(TensorInfo t) {
        long[] d = t.dims();
        int[] out = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            if (d[i] > Integer.MAX_VALUE) {
                throw new OnnxModelException("value '" + t.name() + "': extent " + d[i] + " does not fit in 32 bits");
            }
            out[i] = (int) d[i];
        }
        return out;
    }

    private void release() {
        for (Tensor t : owned) {
            t.close();
        }
        for (Value c : constants) {
            if (c.tensor != null) {
                c.tensor.close();
            }
        }
    }
}
