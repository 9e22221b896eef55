package io.jdnn.onnx;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One operator application of a {@link Graph}: its name (synthesized as {@code OpType_index}
 * when the model leaves it empty), op type, domain, the opset version it binds to, the names of
 * its inputs and outputs (an omitted optional input is the empty string) and its attributes.
 * The typed getters throw {@link OnnxModelException} naming the node and the attribute when an
 * attribute has another kind or an out-of-range value. Immutable.
 */
public final class Node {
    private final String name;
    private final String opType;
    private final String domain;
    private final int opset;
    private final List<String> inputs;
    private final List<String> outputs;
    private final Map<String, Attribute> attributes;

    /** A node; {@code domain} is "" for the default ONNX domain, {@code opset} the version it binds to. */
    public Node(String name, String opType, String domain, int opset, List<String> inputs, List<String> outputs,
                List<Attribute> attributes) {
        this.name = Objects.requireNonNull(name, "name");
        this.opType = Objects.requireNonNull(opType, "opType");
        this.domain = Objects.requireNonNull(domain, "domain");
        this.opset = opset;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        Map<String, Attribute> byName = new LinkedHashMap<>();
        for (Attribute a : attributes) {
            if (byName.put(a.name(), a) != null) {
                throw new OnnxModelException(describe() + ": attribute '" + a.name() + "' is given twice");
            }
        }
        this.attributes = Collections.unmodifiableMap(byName);
    }

    /** The node's name (unique in its graph). */
    public String name() {
        return name;
    }

    /** The operator, e.g. {@code Conv}. */
    public String opType() {
        return opType;
    }

    /** The operator's domain: "" for ONNX's default domain. */
    public String domain() {
        return domain;
    }

    /** The version of the node's domain that the model imports (the op's semantics follow it). */
    public int opset() {
        return opset;
    }

    /** The input names, in order; an omitted optional input is "". */
    public List<String> inputs() {
        return inputs;
    }

    /** The output names, in order; an unused optional output may be "". */
    public List<String> outputs() {
        return outputs;
    }

    /** Input {@code i}'s name, or "" when it is omitted or past the last input. */
    public String input(int i) {
        return i < inputs.size() ? inputs.get(i) : "";
    }

    /** True when input {@code i} is given (not omitted). */
    public boolean hasInput(int i) {
        return !input(i).isEmpty();
    }

    /** Output {@code i}'s name, or "" when it is not used or past the last output. */
    public String output(int i) {
        return i < outputs.size() ? outputs.get(i) : "";
    }

    /** The attributes by name, in the model's order. */
    public Map<String, Attribute> attributes() {
        return attributes;
    }

    /** True when the node has the attribute. */
    public boolean has(String attribute) {
        return attributes.containsKey(attribute);
    }

    /** An INT attribute, or {@code absent} when the node does not set it. */
    public long getInt(String attribute, long absent) {
        Attribute a = attr(attribute, Attribute.Kind.INT);
        return a == null ? absent : (Long) a.value();
    }

    /** An INT attribute that must be set. */
    public long requireInt(String attribute) {
        return (Long) require(attribute, Attribute.Kind.INT).value();
    }

    /** A FLOAT attribute, or {@code absent} when the node does not set it. */
    public float getFloat(String attribute, float absent) {
        Attribute a = attr(attribute, Attribute.Kind.FLOAT);
        return a == null ? absent : (Float) a.value();
    }

    /** A STRING attribute, or {@code absent} when the node does not set it. */
    public String getString(String attribute, String absent) {
        Attribute a = attr(attribute, Attribute.Kind.STRING);
        return a == null ? absent : (String) a.value();
    }

    /** An INTS attribute (a copy), or {@code absent} (may be null) when the node does not set it. */
    public long[] getInts(String attribute, long[] absent) {
        Attribute a = attr(attribute, Attribute.Kind.INTS);
        return a == null ? absent : (long[]) a.value();
    }

    /** A FLOATS attribute (a copy), or {@code absent} (may be null) when the node does not set it. */
    public float[] getFloats(String attribute, float[] absent) {
        Attribute a = attr(attribute, Attribute.Kind.FLOATS);
        return a == null ? absent : (float[]) a.value();
    }

    /** A TENSOR attribute, or null when the node does not set it. */
    public ConstantTensor getTensor(String attribute) {
        Attribute a = attr(attribute, Attribute.Kind.TENSOR);
        return a == null ? null : (ConstantTensor) a.value();
    }

    /**
     * An INT attribute that must lie in {@code [min, max]}, or {@code absent} when not set.
     *
     * @throws OnnxModelException naming the node, the attribute, the range and the value
     */
    public int getInt(String attribute, int absent, int min, int max) {
        long v = getInt(attribute, absent);
        if (v < min || v > max) {
            throw OnnxModelException.of(this, "attribute '" + attribute + "' must be in [" + min + ", " + max
                    + "], got " + v);
        }
        return (int) v;
    }

    /** "node 'Conv_3' (Conv, opset 13)", the prefix of every refusal of this node. */
    public String describe() {
        return "node '" + name + "' (" + (domain.isEmpty() ? "" : domain + ".") + opType + ", opset " + opset + ")";
    }

    private Attribute attr(String attribute, Attribute.Kind kind) {
        Attribute a = attributes.get(attribute);
        if (a != null && a.kind() != kind) {
            throw OnnxModelException.of(this, "attribute '" + attribute + "' must be " + kind + ", got " + a.kind());
        }
        return a;
    }

    private Attribute require(String attribute, Attribute.Kind kind) {
        Attribute a = attr(attribute, kind);
        if (a == null) {
            throw OnnxModelException.of(this, "attribute '" + attribute + "' is required");
        }
        return a;
    }

    /** {@code Conv_3 = Conv(x, w) -> (y)}. */
    @Override
    public String toString() {
        return name + " = " + opType + inputs.toString().replace('[', '(').replace(']', ')')
                + " -> " + outputs.toString().replace('[', '(').replace(']', ')');
    }
}
