package io.jdnn.onnx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Orders a graph's nodes topologically and checks that every value is defined exactly once
 * (static single assignment) and before it is read; then checks each node's op and infers every
 * value's type and extents.
 */
final class GraphBuilder {
    private GraphBuilder() {
    }

    static Graph build(String name, List<TensorInfo> inputs, List<String> outputs,
                       Map<String, ConstantTensor> initializers, List<Node> nodes, LoadOptions options) {
        Map<String, String> definedBy = new HashMap<>();
        for (TensorInfo in : inputs) {
            definedBy.put(in.name(), "graph input");
        }
        for (String init : initializers.keySet()) {
            definedBy.put(init, "initializer");
        }
        Map<String, Node> producer = new HashMap<>();
        for (Node n : nodes) {
            for (String out : n.outputs()) {
                if (out.isEmpty()) {
                    continue;
                }
                String before = definedBy.put(out, n.describe());
                if (before != null) {
                    throw OnnxModelException.of(n, "output '" + out + "' is already defined by " + before
                            + " (every value is assigned once)");
                }
                producer.put(out, n);
            }
        }
        List<Node> sorted = sort(nodes, producer, definedBy);
        for (String out : outputs) {
            if (!definedBy.containsKey(out)) {
                throw new OnnxModelException("graph output '" + out + "': no input, initializer or node defines it");
            }
        }
        Map<String, TensorInfo> values = new LinkedHashMap<>();
        for (TensorInfo in : inputs) {
            values.put(in.name(), in);
        }
        Map<String, ConstantTensor> constants = new LinkedHashMap<>(initializers);
        for (ConstantTensor c : initializers.values()) {
            values.put(c.name(), c.info());
        }
        ShapeInference.infer(sorted, values, constants, options);
        List<TensorInfo> outInfos = new ArrayList<>();
        for (String out : outputs) {
            outInfos.add(values.get(out));
        }
        return new Graph(name, inputs, outInfos, initializers, sorted, values, constants);
    }

    /** Kahn's algorithm, stable (keeps the model's order where it is valid); a cycle or an undefined input is refused. */
    private static List<Node> sort(List<Node> nodes, Map<String, Node> producer, Map<String, String> definedBy) {
        Map<Node, Integer> pending = new HashMap<>();
        Map<Node, List<Node>> readers = new HashMap<>();
        Map<Node, Integer> order = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            order.put(nodes.get(i), i);
        }
        for (Node n : nodes) {
            int count = 0;
            for (String in : n.inputs()) {
                if (in.isEmpty()) {
                    continue;
                }
                if (!definedBy.containsKey(in)) {
                    throw OnnxModelException.of(n, "input '" + in + "' is not defined by any graph input,"
                            + " initializer or node");
                }
                Node p = producer.get(in);
                if (p != null) {
                    if (p == n) {
                        throw OnnxModelException.of(n, "reads its own output '" + in + "' (a cycle)");
                    }
                    count++;
                    readers.computeIfAbsent(p, k -> new ArrayList<>()).add(n);
                }
            }
            pending.put(n, count);
        }
        java.util.PriorityQueue<Node> ready = new java.util.PriorityQueue<>(
                (a, b) -> Integer.compare(order.get(a), order.get(b)));
        for (Node n : nodes) {
            if (pending.get(n) == 0) {
                ready.add(n);
            }
        }
        List<Node> sorted = new ArrayList<>(nodes.size());
        while (!ready.isEmpty()) {
            Node n = ready.poll();
            sorted.add(n);
            for (Node r : readers.getOrDefault(n, List.of())) {
                if (pending.merge(r, -1, Integer::sum) == 0) {
                    ready.add(r);
                }
            }
        }
        if (sorted.size() < nodes.size()) {
            Deque<Node> stuck = new ArrayDeque<>();
            for (Node n : nodes) {
                if (pending.get(n) > 0) {
                    stuck.add(n);
                }
            }
            throw OnnxModelException.of(stuck.peek(), "is part of a cycle (" + stuck.size()
                    + " nodes wait on each other)");
        }
        return sorted;
    }
}
