package io.jdnn.golden;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GoldenFileTest {
    /** f32 [1.0, -2.5] little-endian, base64 (from Python: struct.pack('<2f', 1.0, -2.5)). */
    static final String F32_ONE_MINUS_TWO_AND_A_HALF = "AACAPwAAIMA=";
    /** f64 [0.1]: struct.pack('<d', 0.1). */
    static final String F64_TENTH = "mpmZmZmZuT8=";
    /** i64 [3, -1]: struct.pack('<2q', 3, -1). */
    static final String I64_THREE_MINUS_ONE = "AwAAAAAAAAD//////////w==";

    static String doc(String cases) {
        return "{\"format\": \"jdnn-golden/1\", \"generator\": \"hand-written\", \"cases\": [" + cases + "]}";
    }

    static String reluCase(String name, String extra) {
        return "{\"name\": \"" + name + "\", \"op\": \"relu\", \"params\": {}, \"inputs\": [\"x\", \"t\"], \"outputs\": [\"y\"],"
                + " \"tensors\": {\"x\": {\"shape\": [2], \"dtype\": \"f32\", \"data\": \"" + F32_ONE_MINUS_TWO_AND_A_HALF + "\"},"
                + " \"t\": {\"shape\": [2], \"dtype\": \"i64\", \"data\": \"" + I64_THREE_MINUS_ONE + "\"},"
                + " \"y\": {\"shape\": [1, 1], \"dtype\": \"f64\", \"data\": \"" + F64_TENTH + "\"}" + extra + "}}";
    }

    static GoldenFormatException rejects(String text, String... parts) {
        GoldenFormatException e = assertThrows(GoldenFormatException.class, () -> GoldenFile.parse(text, "f.json"));
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message \"" + e.getMessage() + "\" lacks \"" + p + "\"");
        }
        return e;
    }

    @Test
    void decodesLittleEndianFloat32Float64AndInt64() {
        GoldenFile f = GoldenFile.parse(doc(reluCase("c", "")), "f.json");
        assertEquals("hand-written", f.generator());
        GoldenCase c = f.find("c");
        assertEquals("relu", c.op());
        assertEquals(List.of("x", "t"), c.inputs());
        assertArrayEquals(new float[] {1.0f, -2.5f}, c.tensor("x").toFloatArray());
        assertArrayEquals(new double[] {0.1}, c.tensor("y").toDoubleArray());
        assertArrayEquals(new int[] {1, 1}, c.tensor("y").shape());
        assertArrayEquals(new long[] {3, -1}, c.tensor("t").toLongArray());
        assertEquals(DType.I64, c.tensor("t").dtype());
    }

    @Test
    void writesWhatItReads() {
        GoldenFile f = GoldenFile.parse(doc(reluCase("c", "")), "f.json");
        GoldenFile again = GoldenFile.parse(f.toJsonText(), "again");
        GoldenCase a = f.find("c");
        GoldenCase b = again.find("c");
        assertEquals(a.tensor("x").encode(), b.tensor("x").encode());
        assertEquals(F32_ONE_MINUS_TWO_AND_A_HALF, b.tensor("x").encode());
        assertEquals(F64_TENTH, b.tensor("y").encode());
        assertEquals(I64_THREE_MINUS_ONE, b.tensor("t").encode());
    }

    @Test
    void rejectsAnotherFormat() {
        rejects("{\"format\": \"jdnn-golden/2\", \"cases\": []}", "f.json", "format", "jdnn-golden/1", "jdnn-golden/2");
        rejects("[1]", "f.json", "the document", "expected a JSON object", "an array");
        rejects("{\"format\": \"jdnn-golden/1\", \"cases\": [], \"extra\": 1}", "\"extra\"");
        rejects("{\"format\": \"jdnn-golden/1\"", "not valid JSON", "line 1");
    }

    @Test
    void rejectsDataOfTheWrongLength() {
        rejects(doc(reluCase("c", "").replace("\"shape\": [2], \"dtype\": \"f32\"", "\"shape\": [3], \"dtype\": \"f32\"")),
                "cases[0] \"c\"", "tensors.x.data", "expected 12 bytes", "got 8 bytes");
    }

    @Test
    void rejectsBadBase64AndBadDtypes() {
        rejects(doc(reluCase("c", "").replace(F64_TENTH, "mpmZ!ZmZuT8=")), "tensors.y.data", "base64");
        rejects(doc(reluCase("c", "").replace("\"dtype\": \"f64\"", "\"dtype\": \"f16\"")), "tensors.y.dtype", "f16");
        rejects(doc(reluCase("c", "").replace("\"shape\": [1, 1]", "\"shape\": [1, -1]")), "tensors.y.shape[1]", "-1");
        rejects(doc(reluCase("c", "").replace("\"shape\": [1, 1]", "\"shape\": [1, 1.0]")), "tensors.y.shape[1]");
    }

    @Test
    void everyListedTensorExistsAndEveryTensorIsListed() {
        rejects(doc(reluCase("c", "").replace("\"outputs\": [\"y\"]", "\"outputs\": [\"y\", \"dx\"]")),
                "cases[0] \"c\"", "expected a tensor \"dx\"");
        rejects(doc(reluCase("c", "").replace("\"inputs\": [\"x\", \"t\"]", "\"inputs\": [\"x\"]")),
                "tensors.t", "listed in neither");
        rejects(doc(reluCase("c", "").replace("\"outputs\": [\"y\"]", "\"outputs\": [\"y\", \"x\"]")), "\"x\" again");
    }

    @Test
    void rejectsUnknownKeysMissingKeysAndRepeatedNames() {
        rejects(doc(reluCase("c", "").replace("\"op\": \"relu\",", "\"op\": \"relu\", \"note\": 1,")), "\"note\"");
        rejects(doc(reluCase("c", "").replace("\"op\": \"relu\",", "")), "cases[0] \"c\"", "op", "the key is missing");
        rejects(doc(reluCase("c", "") + ", " + reluCase("c", "")), "cases[1]", "\"c\" again");
        rejects(doc(reluCase("", "")), "cases[0]", "non-empty");
    }

    @Test
    void float32TensorsHoldOnlyFloat32Values() {
        GoldenFormatException e = assertThrows(GoldenFormatException.class,
                () -> GoldenTensor.ofReals("x", new int[] {1}, DType.F32, new double[] {0.1}));
        assertTrue(e.getMessage().contains("representable in float32"), e.getMessage());
        GoldenTensor ok = GoldenTensor.ofReals("x", new int[] {}, DType.F32, new double[] {0.5});
        assertEquals(1, ok.elements(), "a scalar holds one element");
    }
}
