package io.jdnn.golden;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {

    @Test
    void readsEveryKindOfValue() {
        Object v = Json.parse(" {\"a\": [1, -2.5, 3e2, true, false, null], \"b\": {\"c\": \"d\"}, \"e\": []}\n");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("a", "b", "e"), List.copyOf(m.keySet()), "keys keep their order");
        List<?> a = (List<?>) m.get("a");
        assertEquals(1L, a.get(0));
        assertEquals(-2.5, a.get(1));
        assertEquals(300.0, a.get(2));
        assertEquals(true, a.get(3));
        assertEquals(false, a.get(4));
        assertSame(Json.NULL, a.get(5));
        assertEquals(Map.of("c", "d"), m.get("b"));
        assertEquals(List.of(), m.get("e"));
    }

    @Test
    void integersAreLongsAndOtherNumbersDoubles() {
        assertEquals(0L, Json.parse("0"));
        assertEquals(-0.0, Json.parse("-0.0"));
        assertEquals(9007199254740993L, Json.parse("9007199254740993"), "integers keep every digit a long holds");
        assertEquals(1e-5, Json.parse("1e-05"));
        assertEquals(1e-5, Json.parse("1.0E-5"));
        assertEquals(0.1, Json.parse("0.1"), "Python's repr of a double reads back to the same double");
        assertEquals(1e20, Json.parse("100000000000000000000"), "an integer beyond a long becomes a double");
    }

    @Test
    void stringEscapes() {
        assertEquals("a\"b\\c/d\b\f\n\r\t", Json.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\""));
        assertEquals("\u00e9\u20ac", Json.parse("\"\\u00e9\\u20AC\""));
        assertEquals("\ud83d\ude00", Json.parse("\"\\ud83d\\ude00\""), "a surrogate pair");
        assertEquals("\u00e9", Json.parse("\"\u00e9\""), "raw non-ASCII characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "[1,]", "{\"a\":1,}", "01", "-", "1.", ".5", "+1", "1e", "NaN", "Infinity",
            "'a'", "tru", "nul", "[1 2]", "{\"a\" 1}", "{1: 2}", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"",
            "\"\\udc00\"", "\"a\tb\"", "1 2", "{} x", "// c\n1", "[1] /* c */"})
    void rejectsWhatTheGrammarDoesNot(String text) {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(text), "accepted: " + text);
        assertTrue(e.getMessage().startsWith("JSON line "), e.getMessage());
        assertTrue(e.getMessage().contains("expected"), e.getMessage());
    }

    @Test
    void errorsSayWhereAndWhat() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("{\n  \"a\": [1,\n  ]\n}"));
        assertEquals(3, e.line());
        assertEquals(3, e.column());
        assertEquals("JSON line 3, column 3: expected a value (object, array, string, number, true, false or null), got ']'",
                e.getMessage());
        JsonException dup = assertThrows(JsonException.class, () -> Json.parse("{\"k\": 1, \"k\": 2}"));
        assertTrue(dup.getMessage().contains("'k' a second time"), dup.getMessage());
        assertEquals(10, dup.column(), "the position of the repeated key");
    }

    @Test
    void nestingIsBounded() {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        Json.parse(ok);
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("nesting at most " + Json.MAX_DEPTH), e.getMessage());
    }

    @Test
    void writeThenParseGivesTheSameValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "q\"\\\n\u0001\u00e9");
        m.put("n", List.of(1L, -2L, 0.5, 1e-300, -0.0, Double.MAX_VALUE));
        m.put("b", List.of(true, false));
        m.put("z", Json.NULL);
        m.put("o", Map.of());
        String text = Json.write(m);
        assertEquals(m, Json.parse(text));
    }

    @Test
    void writeLaysOutAsPythonsJsonDumps() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", List.of(1L, 2.5));
        m.put("b", Json.NULL);
        m.put("c", "x");
        assertEquals("{\"a\": [1, 2.5], \"b\": null, \"c\": \"x\"}", Json.write(m));
    }

    @Test
    void writeRejectsWhatJsonCannotHold() {
        assertThrows(JsonException.class, () -> Json.write(Double.NaN));
        assertThrows(JsonException.class, () -> Json.write(List.of(Double.POSITIVE_INFINITY)));
        assertThrows(JsonException.class, () -> Json.write(new Object()));
        assertThrows(JsonException.class, () -> Json.write(Map.of(1, 2)));
    }
}
