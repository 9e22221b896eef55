package io.jdnn.golden;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One case of a golden file: an op, its parameters (plain Java values: Map, List, String, Long,
 * Double, Boolean, and null for JSON's null), the names of its input and expected-output tensors,
 * and the tensors. {@link GoldenFile} checks the structure (every listed name has a tensor, every
 * tensor is listed once); {@link GoldenRunner} interprets the op and its parameters.
 *
 * @param name    the case's name, unique in its file
 * @param op      the op the runner runs
 * @param params  the op's parameters by name
 * @param inputs  names of the input tensors, in the op's order
 * @param outputs names of the expected-output tensors
 * @param tensors every input and output tensor by name
 */
public record GoldenCase(String name, String op, Map<String, Object> params, List<String> inputs,
                         List<String> outputs, Map<String, GoldenTensor> tensors) {

    /** Copies the parameters, the name lists and the tensors into unmodifiable collections. */
    public GoldenCase {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /** The tensor called {@code tensorName}, or null. */
    public GoldenTensor tensor(String tensorName) {
        return tensors.get(tensorName);
    }

    /** The same case with one tensor replaced (or added); the lists of names are unchanged. */
    public GoldenCase withTensor(GoldenTensor t) {
        Map<String, GoldenTensor> m = new LinkedHashMap<>(tensors);
        m.put(t.name(), t);
        return new GoldenCase(name, op, params, inputs, outputs, m);
    }

    /** The same case under another op. */
    public GoldenCase withOp(String newOp) {
        return new GoldenCase(name, newOp, params, inputs, outputs, tensors);
    }

    /** The same case with one parameter set (or added). */
    public GoldenCase withParam(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(params);
        m.put(key, value);
        return new GoldenCase(name, op, m, inputs, outputs, tensors);
    }

    /** The case as the file's JSON object. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("op", op);
        m.put("params", params);
        m.put("inputs", new ArrayList<Object>(inputs));
        m.put("outputs", new ArrayList<Object>(outputs));
        Map<String, Object> ts = new LinkedHashMap<>();
        for (GoldenTensor t : tensors.values()) {
            ts.put(t.name(), t.toJson());
        }
        m.put("tensors", ts);
        return m;
    }
}
