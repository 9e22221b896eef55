package io.jdnn.bench.perf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The run as JSON (device, peaks, settings, every row with every sample), written with Jackson;
 * benchmarks/pytorch/merge.py reads it. Also the JSON conventions of the benchmarks' other JSON
 * output ({@code --print-problems}): two-space indentation, one value a line, and numbers as
 * {@link #number} writes them.
 */
final class JsonReport {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectWriter WRITER = MAPPER.writer(prettyPrinter());

    private final Report.Header header;

    JsonReport(Report.Header header) {
        this.header = header;
    }

    /** Writes the header and the rows to {@code file}. */
    void write(Path file, List<BenchResult> rows) throws IOException {
        ObjectNode j = object();
        j.put("tool", "jdnn bench");
        j.put("command", header.command());
        j.put("date", header.date());
        j.put("java", header.java());
        ObjectNode device = j.putObject("device");
        device.put("spec", header.deviceSpec());
        device.put("name", header.deviceName());
        device.put("backend", header.backend());
        device.put("details", header.deviceDetails());
        device.put("options", header.options());
        Peaks p = header.peaks();
        ObjectNode peaks = j.putObject("peaks");
        peaks.set("fp32_flops", number(p.flops()));
        peaks.set("tf32_flops", number(p.tf32Flops()));
        peaks.set("bf16_flops", number(p.bf16Flops()));
        peaks.put("flops_source", p.flopsSource());
        peaks.set("bandwidth_bytes_per_s", number(p.bandwidth()));
        peaks.put("bandwidth_source", p.bandwidthSource());
        peaks.put("cache_bytes", p.cacheBytes());
        peaks.put("cache_source", p.cacheSource());
        j.put("vendor", header.vendor());
        BenchConfig c = header.config();
        Timing.Settings t = c.timing();
        ObjectNode settings = j.putObject("settings");
        settings.put("runs_min", t.runs());
        settings.put("warmup_runs_min", t.warmupRuns());
        settings.set("warmup_ms_min", number(t.warmupMs()));
        settings.set("sample_ms", number(t.sampleMs()));
        settings.set("measured_ms_min", number(t.minTimeMs()));
        settings.put("rotation_bytes_min", 2 * p.cacheBytes());
        settings.put("verify", c.verify());
        settings.put("verify_batch", c.verifyBatch());
        settings.set("verify_budget_s", number(c.verifyBudgetS()));
        settings.put("verify_mode", c.verifyMode());
        settings.put("tf32", c.tf32());
        settings.put("deterministic", c.deterministic());
        settings.put("seed", c.seed());
        ArrayNode results = j.putArray("results");
        for (BenchResult r : rows) {
            results.add(row(r));
        }
        Files.writeString(file, text(j), StandardCharsets.UTF_8);
    }

    private static ObjectNode row(BenchResult r) {
        ObjectNode j = object();
        j.put("suite", r.suite());
        j.put("name", r.name());
        j.put("problem", r.problem());
        if (r.parameters() > 0) {
            j.put("parameters", r.parameters());
        }
        j.put("kind", r.kind());
        j.put("pass", r.pass());
        j.put("algorithm", r.algorithm());
        j.put("status", r.disposition().name());
        j.put("reason", r.reason());
        j.set("error", number(r.error()));
        j.set("bound", number(r.bound()));
        j.put("verify_batch", r.verifyBatch());
        j.put("verified", r.verified());
        j.put("flops", r.flops());
        j.put("bytes", r.bytes());
        if (r.stats() != null) {
            stats(j, r.stats());
            j.put("rotation_sets", r.rotation());
            j.set("tflops", number(r.tflops()));
            j.set("gbps", number(r.gbps()));
            j.set("peak_percent", number(r.peakPercent()));
            j.put("peak_basis", r.peakBasis());
        }
        VendorResult v = r.vendor();
        ObjectNode vendor = j.putObject("vendor");
        vendor.put("library", v.library());
        vendor.put("status", v.disposition() == null ? "n/a" : v.disposition().name());
        vendor.put("algorithm", v.algorithm());
        vendor.put("reason", v.reason());
        vendor.set("error", number(v.error()));
        vendor.put("verified", v.verified());
        if (v.stats() != null) {
            stats(vendor, v.stats());
            vendor.set("vendor_time_over_time", number(r.vendorSpeedup()));
        }
        j.put("command", r.command());
        return j;
    }

    private static void stats(ObjectNode j, Timing.Stats s) {
        j.set("ms_median", number(s.median()));
        j.set("ms_p10", number(s.p10()));
        j.set("ms_p90", number(s.p90()));
        j.set("ms_min", number(s.min()));
        j.set("ms_max", number(s.max()));
        j.set("ms_mean", number(s.mean()));
        j.put("runs_per_sample", s.runsPerSample());
        ArrayNode samples = j.putArray("samples_ms");
        for (double x : s.samples()) {
            samples.add(number(x));
        }
    }

    /** An empty JSON object, to fill and then write with {@link #text}. */
    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /**
     * A number as the reports write it: NaN and infinities as null (what merge.py reads as "not
     * measured"), a whole number below 1e15 without a fraction (2.0 as 2), any other one as
     * {@link Double#toString} spells it (2.0E-6).
     */
    static JsonNode number(double v) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return f.nullNode();
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return f.numberNode((long) v);
        }
        return f.numberNode(v);
    }

    /** The document, indented by two spaces with one value a line and {@code "key": value}, and a final newline. */
    static String text(JsonNode document) {
        try {
            return WRITER.writeValueAsString(document) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree of plain nodes always serializes
        }
    }

    private static DefaultPrettyPrinter prettyPrinter() {
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        Separators separators = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator("");
        return new DefaultPrettyPrinter(separators).withObjectIndenter(indenter).withArrayIndenter(indenter);
    }
}
