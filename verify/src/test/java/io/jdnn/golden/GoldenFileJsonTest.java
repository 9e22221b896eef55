package io.jdnn.golden;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.jdnn.golden.GoldenFileTest.doc;
import static io.jdnn.golden.GoldenFileTest.rejects;
import static io.jdnn.golden.GoldenFileTest.reluCase;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JSON layer of golden files as a user meets it through {@link GoldenFile}: what a text that is
 * not JSON (malformed, truncated, too deep) reports, how parameter values read, and how a file
 * writes.
 */
class GoldenFileJsonTest {

    /** The parameters of the one case of a golden file whose case has {@code params} (JSON text). */
    static Map<String, Object> params(String params) {
        String text = doc(reluCase("c", "").replace("\"params\": {}", "\"params\": " + params));
        return GoldenFile.parse(text, "f.json").find("c").params();
    }

    /** A one-case file whose case has the given parameter values. */
    static GoldenFile withParams(Map<String, Object> params) {
        GoldenCase c = GoldenFile.parse(doc(reluCase("c", "")), "f.json").find("c");
        for (Map.Entry<String, Object> e : params.entrySet()) {
            c = c.withParam(e.getKey(), e.getValue());
        }
        return new GoldenFile("f.json", GoldenFile.FORMAT, "test", List.of(c));
    }

    @Test
    void readsEveryKindOfValue() {
        Map<String, Object> m = params("{\"a\": [1, -2.5, 3e2, true, false, null], \"b\": {\"c\": \"d\"}, \"e\": []}");
        assertEquals(List.of("a", "b", "e"), List.copyOf(m.keySet()), "keys keep their order");
        assertEquals(Arrays.asList(1L, -2.5, 300.0, true, false, null), m.get("a"), "JSON's null is null");
        assertEquals(Map.of("c", "d"), m.get("b"));
        assertEquals(List.of(), m.get("e"));
        Map<String, Object> n = params("{\"z\": null}");
        assertTrue(n.containsKey("z"), "a null parameter is present");
        assertNull(n.get("z"));
    }

    @Test
    void integersAreLongsAndOtherNumbersDoubles() {
        Map<String, Object> m = params("{\"zero\": 0, \"negzero\": -0.0, \"big\": 9007199254740993, \"e\": 1e-05, "
                + "\"E\": 1.0E-5, \"tenth\": 0.1, \"huge\": 100000000000000000000}");
        assertEquals(0L, m.get("zero"));
        assertEquals(-0.0, m.get("negzero"));
        assertEquals(9007199254740993L, m.get("big"), "integers keep every digit a long holds");
        assertEquals(1e-5, m.get("e"));
        assertEquals(1e-5, m.get("E"));
        assertEquals(0.1, m.get("tenth"), "Python's repr of a double reads back to the same double");
        assertEquals(1e20, m.get("huge"), "an integer beyond a long becomes a double");
    }

    @Test
    void stringEscapes() {
        Map<String, Object> m = params("{\"all\": \"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\", \"u\": \"\\u00e9\\u20AC\", "
                + "\"pair\": \"\\ud83d\\ude00\", \"raw\": \"\u00e9\"}");
        assertEquals("a\"b\\c/d\b\f\n\r\t", m.get("all"));
        assertEquals("\u00e9\u20ac", m.get("u"));
        assertEquals("\ud83d\ude00", m.get("pair"), "a surrogate pair");
        assertEquals("\u00e9", m.get("raw"), "raw non-ASCII characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "[1,]", "{\"a\":1,}", "01", "-", "1.", ".5", "+1", "1e", "NaN", "Infinity",
            "'a'", "tru", "nul", "[1 2]", "{\"a\" 1}", "{1: 2}", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"",
            "\"\\udc00\"", "\"a\tb\"", "1 2", "{} x", "// c\n1", "[1] /* c */"})
    void rejectsWhatTheGrammarDoesNot(String text) {
        rejects(text, "f.json: not valid JSON: ");
    }

    @Test
    void rejectsJsonExtensionsInsideAGoldenFile() {
        String ok = doc(reluCase("c", ""));
        rejects(ok.replace("\"params\": {}", "\"params\": {\"lr\": NaN}"), "not valid JSON", "NaN");
        rejects(ok.replace("\"params\": {}", "\"params\": {\"lr\": 0.1,}"), "not valid JSON");
        rejects(ok.replace("\"params\": {}", "\"params\": {} // none"), "not valid JSON");
        rejects(ok.replace("\"params\": {}", "\"params\": {\"s\": \"\\ud800\"}"), "not valid JSON", "\\ud800");
        rejects(ok + " {}", "not valid JSON");
    }

    @Test
    void aTruncatedFileIsNotValidJson() {
        String full = doc(reluCase("c", ""));
        for (int end : new int[] {1, full.indexOf("cases"), full.indexOf("\"tensors\""), full.indexOf("AACA"),
                full.length() - 2, full.length() - 1}) {
            GoldenFormatException e = rejects(full.substring(0, end), "f.json: not valid JSON: JSON line 1, column ");
            assertTrue(e.getMessage().contains("end-of-input"), e.getMessage());
        }
    }

    @Test
    void errorsSayWhereAndWhat() {
        GoldenFormatException e = rejects("{\n  \"a\": [1,\n  ]\n}", "not valid JSON: JSON line 3, column 3: ", "']'");
        assertTrue(e.getMessage().contains("expected a valid value"), e.getMessage());
        rejects("{\"k\": 1, \"k\": 2}", "not valid JSON: JSON line 1, column ", "'k'");
        String twoYs = reluCase("c", ", \"y\": {\"shape\": [1], \"dtype\": \"f64\", \"data\": \""
                + GoldenFileTest.F64_TENTH + "\"}");
        rejects(doc(twoYs), "not valid JSON", "'y'");
    }

    @Test
    void nestingIsBounded() {
        int max = GoldenJson.MAX_DEPTH;
        rejects("[".repeat(max) + "]".repeat(max), "the document", "expected a JSON object, got an array");
        rejects("[".repeat(max + 1) + "]".repeat(max + 1), "not valid JSON", "nesting depth", String.valueOf(max));
    }

    @Test
    void writeThenParseGivesTheSameValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "q\"\\\n\u0001\u00e9");
        m.put("n", List.of(1L, -2L, 0.5, 1e-300, -0.0, Double.MAX_VALUE));
        m.put("b", List.of(true, false));
        m.put("z", null);
        m.put("o", Map.of());
        GoldenFile f = withParams(m);
        GoldenFile again = GoldenFile.parse(f.toJsonText(), "again");
        assertEquals(f.find("c").params(), again.find("c").params());
        assertEquals(f.toJsonText(), again.toJsonText());
    }

    @Test
    void writeLaysOutAsPythonsJsonDumps() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", List.of(1L, 2.5));
        m.put("b", null);
        m.put("c", "x");
        String text = withParams(m).toJsonText();
        assertTrue(text.startsWith("{\"format\": \"jdnn-golden/1\", \"generator\": \"test\", \"cases\": [{\"name\": \"c\", "
                + "\"op\": \"relu\", \"params\": {\"a\": [1, 2.5], \"b\": null, \"c\": \"x\"}, \"inputs\": [\"x\", \"t\"], "
                + "\"outputs\": [\"y\"], \"tensors\": {\"x\": {\"shape\": [2], \"dtype\": \"f32\", \"data\": \""), text);
        assertTrue(text.endsWith("\"}}}]}"), text);
        assertEquals(-1, text.indexOf('\n'), "one line");
    }

    @Test
    void writeRejectsWhatJsonCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> withParams(Map.of("x", Double.NaN)).toJsonText());
        assertThrows(IllegalArgumentException.class,
                () -> withParams(Map.of("x", List.of(Double.POSITIVE_INFINITY))).toJsonText());
        assertThrows(IllegalArgumentException.class, () -> withParams(Map.of("x", new Object())).toJsonText());
        assertThrows(IllegalArgumentException.class, () -> withParams(Map.of("x", Map.of(1, 2))).toJsonText());
    }
}
