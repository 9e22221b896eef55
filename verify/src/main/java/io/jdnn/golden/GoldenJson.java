package io.jdnn.golden;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for golden files, through Jackson: strict reading (RFC 8259 only: no comments, trailing
 * commas, leading zeros, NaN; no duplicate keys, nothing after the value, surrogates in pairs,
 * nesting at most {@value #MAX_DEPTH} deep), one-line writing with Python's separators, and the
 * plain Java values that {@link GoldenCase#params()} and the {@code toJson()} methods use: object →
 * {@code Map<String, Object>} (insertion-ordered, unmodifiable), array → {@code List<Object>}
 * (unmodifiable), string → String, number → Long when it is an integer that fits a long, Double
 * otherwise, true/false → Boolean, null → null.
 */
final class GoldenJson {
    /** Deepest nesting of arrays and objects read or written. */
    static final int MAX_DEPTH = 512;

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Tensor data is one base64 string: no limit on its length beyond the tensor's own.
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(Integer.MAX_VALUE).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final ObjectWriter WRITER = MAPPER.writer(new PythonLayout());

    private GoldenJson() {
    }

    /** Parses one JSON text; a text that is not JSON is a {@link GoldenFormatException} naming {@code source}. */
    static JsonNode read(String text, String source) {
        JsonNode root;
        try {
            root = MAPPER.readValue(text, JsonNode.class);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : "JSON line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
            // Jackson names the start of an unclosed object as "[Source: ...; line: L, column: C]".
            String why = e.getOriginalMessage().replaceAll("\\[Source: [^;\\]]*; (line: \\d+, column: \\d+)]", "$1");
            throw new GoldenFormatException(source + ": not valid JSON: " + where + why, e);
        }
        String lone = loneSurrogate(root);
        if (lone != null) {
            throw new GoldenFormatException(source + ": not valid JSON: expected surrogate escapes in high-low pairs, got "
                    + lone);
        }
        return root;
    }

    /** A JSON value as plain Java values (see the class comment). */
    static Object toJava(JsonNode n) {
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                m.put(e.getKey(), toJava(e.getValue()));
            }
            return Collections.unmodifiableMap(m);
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            for (JsonNode e : n) {
                l.add(toJava(e));
            }
            return Collections.unmodifiableList(l);
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return n.longValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        return null;
    }

    /**
     * Writes plain Java values as compact JSON on one line with ", " and ": " separators (as Python's
     * {@code json.dumps} does by default). Accepts any Map with string keys, any List, String,
     * Boolean, Long, Integer, Short, Byte, Double, Float and null; a non-finite number, another type,
     * or nesting deeper than {@value #MAX_DEPTH} is an IllegalArgumentException.
     */
    static String write(Object value) {
        try {
            return WRITER.writeValueAsString(toNode(value, 0));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("writing a JSON tree failed: " + e.getOriginalMessage(), e);
        }
    }

    /** A short description of a plain Java JSON value for messages (null is JSON's null). */
    static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof String s) {
            return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
        if (v instanceof Boolean b) {
            return b.toString();
        }
        return "the number " + v;
    }

    private static JsonNode toNode(Object v, int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("value: expected nesting at most " + MAX_DEPTH + " deep, got deeper nesting");
        }
        if (v == null) {
            return f.nullNode();
        } else if (v instanceof String s) {
            return f.textNode(s);
        } else if (v instanceof Boolean b) {
            return f.booleanNode(b);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("value: expected a finite number, got " + d);
            }
            return f.numberNode(d);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return f.numberNode(((Number) v).longValue());
        } else if (v instanceof Number n) {
            throw new IllegalArgumentException("value: expected a Long, Integer or Double number, got " + n.getClass().getName());
        } else if (v instanceof Map<?, ?> m) {
            ObjectNode o = f.objectNode();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    throw new IllegalArgumentException("object key: expected a string, got " + e.getKey());
                }
                o.set(k, toNode(e.getValue(), depth + 1));
            }
            return o;
        } else if (v instanceof List<?> l) {
            ArrayNode a = f.arrayNode(l.size());
            for (Object e : l) {
                a.add(toNode(e, depth + 1));
            }
            return a;
        }
        throw new IllegalArgumentException("value: expected a JSON value (Map, List, String, Number, Boolean, null), got "
                + v.getClass().getName());
    }

    /** The first string or key holding a surrogate outside a high-low pair, described; null when none does. */
    private static String loneSurrogate(JsonNode n) {
        if (n.isTextual()) {
            return loneSurrogate(n.textValue());
        }
        if (n.isObject()) {
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                String lone = loneSurrogate(e.getKey());
                if (lone == null) {
                    lone = loneSurrogate(e.getValue());
                }
                if (lone != null) {
                    return lone;
                }
            }
        } else if (n.isArray()) {
            for (JsonNode e : n) {
                String lone = loneSurrogate(e);
                if (lone != null) {
                    return lone;
                }
            }
        }
        return null;
    }

    private static String loneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "a lone \\u" + Integer.toHexString(c) + " in a string or key";
            }
        }
        return null;
    }

    /** Python's {@code json.dumps} layout: one line, ", " between items and ": " after keys. */
    private static final class PythonLayout extends MinimalPrettyPrinter {
        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }
    }
}
