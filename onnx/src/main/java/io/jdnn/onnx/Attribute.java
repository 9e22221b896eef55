package io.jdnn.onnx;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One attribute of a {@link Node}: its name, its kind and its value. Graph-valued attributes
 * (If, Loop, Scan) are refused at load. Read them through {@link Node}'s typed getters, which
 * name the node and the attribute when the kind is not the one expected.
 */
public final class Attribute {
    /** The kinds of attribute jdnn reads (ONNX's AttributeType without graphs and sparse tensors). */
    public enum Kind {
        /** One float. */
        FLOAT,
        /** One int64. */
        INT,
        /** One UTF-8 string. */
        STRING,
        /** One tensor. */
        TENSOR,
        /** A list of floats. */
        FLOATS,
        /** A list of int64. */
        INTS,
        /** A list of strings. */
        STRINGS
    }

    private final String name;
    private final Kind kind;
    private final Object value;

    private Attribute(String name, Kind kind, Object value) {
        this.name = Objects.requireNonNull(name, "name");
        this.kind = kind;
        this.value = Objects.requireNonNull(value, "value");
    }

    /** A FLOAT attribute. */
    public static Attribute of(String name, float value) {
        return new Attribute(name, Kind.FLOAT, value);
    }

    /** An INT attribute. */
    public static Attribute of(String name, long value) {
        return new Attribute(name, Kind.INT, value);
    }

    /** A STRING attribute. */
    public static Attribute of(String name, String value) {
        return new Attribute(name, Kind.STRING, value);
    }

    /** A TENSOR attribute. */
    public static Attribute of(String name, ConstantTensor value) {
        return new Attribute(name, Kind.TENSOR, value);
    }

    /** A FLOATS attribute. */
    public static Attribute of(String name, float[] values) {
        return new Attribute(name, Kind.FLOATS, values.clone());
    }

    /** An INTS attribute. */
    public static Attribute of(String name, long[] values) {
        return new Attribute(name, Kind.INTS, values.clone());
    }

    /** A STRINGS attribute. */
    public static Attribute of(String name, List<String> values) {
        return new Attribute(name, Kind.STRINGS, List.copyOf(values));
    }

    /** The attribute's name. */
    public String name() {
        return name;
    }

    /** The attribute's kind. */
    public Kind kind() {
        return kind;
    }

    /** The value: a Float, Long, String, ConstantTensor, float[] (a copy), long[] (a copy) or List of String. */
    public Object value() {
        return value instanceof float[] f ? f.clone() : value instanceof long[] l ? l.clone() : value;
    }

    /** {@code kernel_shape=[3, 3]}. */
    @Override
    public String toString() {
        String v = value instanceof float[] f ? Arrays.toString(f)
                : value instanceof long[] l ? Arrays.toString(l) : String.valueOf(value);
        return name + "=" + v;
    }
}
