package io.jdnn.golden;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@code jdnn-golden/1} file (see {@code shared/golden/FORMAT.md}):
 * <pre>
 * { "format": "jdnn-golden/1", "generator": "...",
 *   "cases": [ { "name", "op", "params": {...}, "inputs": [...], "outputs": [...],
 *                "tensors": { NAME: {"shape": [...], "dtype": "f32|f64|i64", "data": BASE64} } } ] }
 * </pre>
 * Reading is strict: unknown keys, a tensor listed but absent or present but unlisted, a name both
 * input and output, a repeated case name, or data of the wrong length is an error naming the case
 * and the key. The ops and parameters are not checked here: {@link GoldenRunner} does that per case,
 * so one case it cannot run does not hide the others.
 *
 * @param source    what the file was read from, for messages
 * @param format    the format version, {@value #FORMAT}
 * @param generator what wrote the file (free text)
 * @param cases     the cases in file order
 */
public record GoldenFile(String source, String format, String generator, List<GoldenCase> cases) {

    /** The one format version this reader understands. */
    public static final String FORMAT = "jdnn-golden/1";

    private static final Set<String> TOP_KEYS = Set.of("format", "generator", "cases");
    private static final Set<String> CASE_KEYS = Set.of("name", "op", "params", "inputs", "outputs", "tensors");
    private static final Set<String> TENSOR_KEYS = Set.of("shape", "dtype", "data");

    /** Copies {@code cases}. */
    public GoldenFile {
        cases = List.copyOf(cases);
    }

    /** Reads and checks a file (UTF-8). */
    public static GoldenFile read(Path path) throws IOException {
        String text = Files.readString(path, StandardCharsets.UTF_8);
        return parse(text, path.toString());
    }

    /** Parses and checks the text of a golden file; {@code source} names it in messages. */
    public static GoldenFile parse(String text, String source) {
        JsonNode top = object(source, "the document", GoldenJson.read(text, source));
        allowOnly(source, "the document", top, TOP_KEYS);
        String format = string(source, "format", top.get("format"));
        if (!FORMAT.equals(format)) {
            throw new GoldenFormatException(source + ": format: expected \"" + FORMAT + "\", got \"" + format + "\"");
        }
        JsonNode gen = top.get("generator");
        String generator = gen == null ? "" : string(source, "generator", gen);
        JsonNode rawCases = array(source, "cases", top.get("cases"));
        List<GoldenCase> cases = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < rawCases.size(); i++) {
            GoldenCase c = readCase(source, i, rawCases.get(i));
            if (!names.add(c.name())) {
                throw new GoldenFormatException(source + ": cases[" + i + "]: name: expected a name no earlier case has, got \""
                        + c.name() + "\" again");
            }
            cases.add(c);
        }
        return new GoldenFile(source, format, generator, cases);
    }

    /** The case called {@code name}, or null. */
    public GoldenCase find(String name) {
        for (GoldenCase c : cases) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** The same file with other cases. */
    public GoldenFile withCases(List<GoldenCase> newCases) {
        return new GoldenFile(source, format, generator, newCases);
    }

    /** The file as JSON text, laid out as the generator writes it (one line, Python's separators). */
    public String toJsonText() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", format);
        m.put("generator", generator);
        List<Object> cs = new ArrayList<>();
        for (GoldenCase c : cases) {
            cs.add(c.toJson());
        }
        m.put("cases", cs);
        return GoldenJson.write(m);
    }

    private static GoldenCase readCase(String source, int index, JsonNode raw) {
        String where = source + ": cases[" + index + "]";
        JsonNode m = object(where, "the case", raw);
        String name = string(where, "name", m.get("name"));
        if (name.isEmpty()) {
            throw new GoldenFormatException(where + ": name: expected a non-empty string, got \"\"");
        }
        where = where + " \"" + name + "\"";
        allowOnly(where, "the case", m, CASE_KEYS);
        String op = string(where, "op", m.get("op"));
        @SuppressWarnings("unchecked")
        Map<String, Object> params = (Map<String, Object>) GoldenJson.toJava(object(where, "params", m.get("params")));
        List<String> inputs = names(where, "inputs", m.get("inputs"));
        List<String> outputs = names(where, "outputs", m.get("outputs"));
        JsonNode rawTensors = object(where, "tensors", m.get("tensors"));
        Map<String, GoldenTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : rawTensors.properties()) {
            tensors.put(e.getKey(), readTensor(where, e.getKey(), e.getValue()));
        }
        Set<String> listed = new HashSet<>();
        for (String n : inputs) {
            if (!listed.add(n)) {
                throw new GoldenFormatException(where + ": inputs: expected each name once, got \"" + n + "\" twice");
            }
        }
        for (String n : outputs) {
            if (!listed.add(n)) {
                throw new GoldenFormatException(where + ": outputs: expected names that are not also inputs or repeated, got \""
                        + n + "\" again");
            }
        }
        for (String n : listed) {
            if (!tensors.containsKey(n)) {
                throw new GoldenFormatException(where + ": tensors: expected a tensor \"" + n
                        + "\" (listed in inputs or outputs), got none");
            }
        }
        for (String n : tensors.keySet()) {
            if (!listed.contains(n)) {
                throw new GoldenFormatException(where + ": tensors." + n + ": expected every tensor to be listed in inputs or "
                        + "outputs, got one listed in neither");
            }
        }
        return new GoldenCase(name, op, params, inputs, outputs, tensors);
    }

    private static GoldenTensor readTensor(String where, String name, JsonNode raw) {
        String at = where + ": tensors." + name;
        JsonNode m = object(at, "the tensor", raw);
        allowOnly(at, "the tensor", m, TENSOR_KEYS);
        JsonNode dims = array(at, "shape", m.get("shape"));
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            Object d = GoldenJson.toJava(dims.get(i));
            if (!(d instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) {
                throw new GoldenFormatException(at + ".shape[" + i + "]: expected an integer extent >= 0, got " + d);
            }
            shape[i] = (int) (long) l;
        }
        String token = string(at, "dtype", m.get("dtype"));
        DType dtype = DType.ofToken(token);
        if (dtype == null) {
            throw new GoldenFormatException(at + ".dtype: expected f32, f64 or i64, got \"" + token + "\"");
        }
        String data = string(at, "data", m.get("data"));
        try {
            return GoldenTensor.decode(name, shape, dtype, data);
        } catch (GoldenFormatException e) {
            throw new GoldenFormatException(where + ": tensors." + e.getMessage(), e);
        }
    }

    /** {@code v} (null when the key is missing) if it is a JSON object. */
    private static JsonNode object(String where, String key, JsonNode v) {
        if (v == null || !v.isObject()) {
            throw new GoldenFormatException(where + ": " + key + ": expected a JSON object, got " + kind(v));
        }
        return v;
    }

    /** {@code v} (null when the key is missing) if it is a JSON array. */
    private static JsonNode array(String where, String key, JsonNode v) {
        if (v == null || !v.isArray()) {
            throw new GoldenFormatException(where + ": " + key + ": expected a JSON array, got " + kind(v));
        }
        return v;
    }

    private static String string(String where, String key, JsonNode v) {
        if (v == null || !v.isTextual()) {
            throw new GoldenFormatException(where + ": " + key + ": expected a string, got " + kind(v));
        }
        return v.textValue();
    }

    private static List<String> names(String where, String key, JsonNode v) {
        JsonNode raw = array(where, key, v);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            out.add(string(where, key + "[" + i + "]", raw.get(i)));
        }
        return out;
    }

    private static void allowOnly(String where, String what, JsonNode m, Set<String> known) {
        for (Map.Entry<String, JsonNode> e : m.properties()) {
            if (!known.contains(e.getKey())) {
                throw new GoldenFormatException(where + ": " + what + ": expected only the keys " + new TreeSet<>(known)
                        + ", got \"" + e.getKey() + "\"");
            }
        }
    }

    /** A short description of a JSON value for messages; null is a missing key. */
    private static String kind(JsonNode v) {
        return v == null ? "nothing (the key is missing)" : GoldenJson.describe(GoldenJson.toJava(v));
    }
}
