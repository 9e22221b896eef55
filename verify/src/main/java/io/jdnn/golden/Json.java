package io.jdnn.golden;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader and writer (RFC 8259), enough for golden files and without a
 * third-party dependency.
 *
 * <p>Values map to Java as: object → {@code Map<String, Object>} (insertion-ordered, unmodifiable),
 * array → {@code List<Object>} (unmodifiable), string → {@link String}, number → {@link Long} when
 * the literal has no fraction or exponent and fits a long, {@link Double} otherwise, true/false →
 * {@link Boolean}, null → {@link #NULL}.
 *
 * <p>Strict means: exactly one value with only whitespace around it; no comments, trailing commas,
 * single quotes, leading zeros, leading '+', bare NaN or Infinity; no control characters inside
 * strings; escapes as the RFC lists them, {@code \\u} surrogates paired; no duplicate keys; nesting at
 * most {@value #MAX_DEPTH} deep. Every error says where (line and column) and what was expected.
 */
public final class Json {
    /** The JSON {@code null}, distinct from a missing key. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** Deepest nesting of arrays and objects accepted. */
    public static final int MAX_DEPTH = 512;

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /** Parses one JSON text. */
    public static Object parse(String text) {
        if (text == null) {
            throw new JsonException("JSON text: expected a string, got null");
        }
        Json p = new Json(text);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) {
            throw p.error("end of input after the value", describe(p.peekChar()));
        }
        return value;
    }

    // ------------------------------------------------------------------ reading

    private Object value(int depth) {
        if (pos >= text.length()) {
            throw error("a value", "end of input");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case '"':
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return NULL;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("a value (object, array, string, number, true, false or null)", describe(c));
        }
    }

    private Map<String, Object> object(int depth) {
        checkDepth(depth);
        pos++; // '{'
        Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return Collections.unmodifiableMap(map);
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("a string key", describe(peekChar()));
            }
            int keyPos = pos;
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object v = value(depth);
            if (map.containsKey(key)) {
                int saved = pos;
                pos = keyPos;
                JsonException e = error("a key not given before in this object", "'" + key + "' a second time");
                pos = saved;
                throw e;
            }
            map.put(key, v);
            skipWhitespace();
            char c = peekChar();
            if (c == ',') {
                pos++;
            } else if (c == '}') {
                pos++;
                return Collections.unmodifiableMap(map);
            } else {
                throw error("',' or '}' in an object", describe(c));
            }
        }
    }

    private List<Object> array(int depth) {
        checkDepth(depth);
        pos++; // '['
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return Collections.unmodifiableList(list);
        }
        while (true) {
            skipWhitespace();
            list.add(value(depth));
            skipWhitespace();
            char c = peekChar();
            if (c == ',') {
                pos++;
            } else if (c == ']') {
                pos++;
                return Collections.unmodifiableList(list);
            } else {
                throw error("',' or ']' in an array", describe(c));
            }
        }
    }

    private String string() {
        pos++; // opening quote
        StringBuilder b = null;
        int start = pos;
        while (true) {
            if (pos >= text.length()) {
                throw error("a closing '\"'", "end of input");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                String s = b == null ? text.substring(start, pos) : b.append(text, start, pos).toString();
                pos++;
                return s;
            }
            if (c < 0x20) {
                throw error("a character of a string (control characters must be escaped)", describe(c));
            }
            if (c != '\\') {
                pos++;
                continue;
            }
            if (b == null) {
                b = new StringBuilder();
            }
            b.append(text, start, pos);
            pos++;
            if (pos >= text.length()) {
                throw error("an escape character", "end of input");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"' -> b.append('"');
                case '\\' -> b.append('\\');
                case '/' -> b.append('/');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    char u = hex4();
                    if (Character.isHighSurrogate(u)) {
                        if (!text.startsWith("\\u", pos)) {
                            throw error("a low surrogate escape after the high surrogate \\u"
                                    + Integer.toHexString(u), describe(peekChar()));
                        }
                        pos += 2;
                        char low = hex4();
                        if (!Character.isLowSurrogate(low)) {
                            throw error("a low surrogate (\\udc00-\\udfff)", "\\u" + Integer.toHexString(low));
                        }
                        b.append(u).append(low);
                    } else if (Character.isLowSurrogate(u)) {
                        throw error("a high surrogate before a low surrogate", "\\u" + Integer.toHexString(u));
                    } else {
                        b.append(u);
                    }
                }
                default -> {
                    pos--;
                    throw error("one of the escapes \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX", "\\" + e);
                }
            }
            start = pos;
        }
    }

    private char hex4() {
        if (pos + 4 > text.length()) {
            throw error("four hex digits", "end of input");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos), 16);
            if (d < 0) {
                throw error("a hex digit", describe(text.charAt(pos)));
            }
            v = v * 16 + d;
            pos++;
        }
        return (char) v;
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        char c = peekChar();
        if (c == '0') {
            pos++;
            if (isDigit(peek())) {
                throw error("no leading zero (a '.', 'e' or the end of the number after '0')", describe(peekChar()));
            }
        } else if (c >= '1' && c <= '9') {
            while (isDigit(peek())) {
                pos++;
            }
        } else {
            throw error("a digit", describe(c));
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) {
                throw error("a digit after '.'", describe(peekChar()));
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw error("a digit in the exponent", describe(peekChar()));
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        String literal = text.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(literal);
            } catch (NumberFormatException tooLong) {
                return Double.parseDouble(literal);
            }
        }
        return Double.parseDouble(literal);
    }

    private void literal(String word) {
        if (!text.startsWith(word, pos)) {
            int end = pos;
            while (end < text.length() && end - pos < 12 && Character.isLetterOrDigit(text.charAt(end))) {
                end++;
            }
            throw error("a value (object, array, string, number, true, false or null)",
                    "'" + text.substring(pos, Math.max(end, pos + 1)) + "'");
        }
        pos += word.length();
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("'" + c + "'", describe(peekChar()));
        }
        pos++;
    }

    private void checkDepth(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nesting at most " + MAX_DEPTH + " deep", "deeper nesting");
        }
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else {
                break;
            }
        }
    }

    /** The next character, or 0 at the end (never a valid token start). */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    /** Like {@link #peek()}, but -1 (shown as "end of input") at the end. */
    private char peekChar() {
        return pos < text.length() ? text.charAt(pos) : (char) -1;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String describe(char c) {
        if (c == (char) -1) {
            return "end of input";
        }
        if (c < 0x20 || c == 0x7f) {
            return String.format("control character U+%04X", (int) c);
        }
        return "'" + c + "'";
    }

    private JsonException error(String expected, String actual) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < pos && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return new JsonException("JSON line " + line + ", column " + col + ": expected " + expected + ", got " + actual,
                line, col);
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes a value as compact JSON on one line, with ", " and ": " separators (as Python's
     * {@code json.dumps} does by default). Accepts the types {@link #parse} returns, any
     * {@link Map} with string keys, any {@link List}, any {@link Number}, and {@code null} or
     * {@link #NULL} for null. Non-finite numbers are rejected: JSON has no literal for them.
     */
    public static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, 0);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v, int depth) {
        if (depth > MAX_DEPTH) {
            throw new JsonException("value: expected nesting at most " + MAX_DEPTH + " deep, got deeper nesting");
        }
        if (v == null || v == NULL) {
            b.append("null");
        } else if (v instanceof String s) {
            writeString(b, s);
        } else if (v instanceof Boolean bool) {
            b.append(bool ? "true" : "false");
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) {
                throw new JsonException("value: expected a finite number, got " + d);
            }
            b.append(d);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            b.append(((Number) v).longValue());
        } else if (v instanceof Number n) {
            throw new JsonException("value: expected a Long, Integer or Double number, got " + n.getClass().getName());
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    throw new JsonException("object key: expected a string, got " + e.getKey());
                }
                if (!first) {
                    b.append(", ");
                }
                first = false;
                writeString(b, k);
                b.append(": ");
                write(b, e.getValue(), depth + 1);
            }
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(", ");
                }
                write(b, l.get(i), depth + 1);
            }
            b.append(']');
        } else {
            throw new JsonException("value: expected a JSON value (Map, List, String, Number, Boolean, null), got "
                    + v.getClass().getName());
        }
    }

    private static void writeString(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
