package io.jdnn.bench.perf;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outputs of a run: the table on stdout (streamed row by row), CSV, JSON and a self-contained
 * HTML page with one bar chart per suite and unit.
 */
public final class Report {

    /** What the run was: device, peaks, vendor, settings, the command. */
    public record Header(String command, String deviceSpec, String deviceName, String deviceDetails, String backend,
                         String options, Peaks peaks, String vendor, boolean vendorAvailable, BenchConfig config,
                         String java, String date) {
    }

    private final Header header;
    private final PrintWriter out;
    private final boolean repro;
    private String lastProblem;
    private final Map<String, Integer> notes = new LinkedHashMap<>();

    /** @param repro print the command that reproduces each row under it */
    public Report(Header header, PrintWriter out, boolean repro) {
        this.header = header;
        this.out = out;
        this.repro = repro;
    }

    // ================================================================== table

    private static final String ROW = "  %-10s %-26s %-14s %10s %6s %8s %8s %7s %10s %8s  %s%n";

    /** The lines above the table. */
    public void printHeader() {
        Peaks p = header.peaks;
        out.println("jdnn bench on " + header.deviceSpec + " (" + header.deviceName + ")");
        out.println("  device:       " + header.deviceDetails + (header.options.isEmpty() ? "" : "; " + header.options));
        for (String line : p.describe()) {
            out.println("  " + line);
        }
        out.println("  vendor:       " + header.vendor);
        BenchConfig c = header.config;
        Timing.Settings t = c.timing();
        out.printf(Locale.ROOT, "  timing:       median of >= %d samples after a warm-up of >= %d runs and %.0f ms (or %.0f ms); samples "
                        + "of k runs lasting about %.1f ms; inputs rotated over >= %s; random normal data%n", t.runs(),
                t.warmupRuns(), t.warmupMs(), 10 * t.warmupMs(), t.sampleMs(), MemoryBudget.mib(2 * p.cacheBytes()));
        out.println("  verification: " + (c.verify() ? "against the reference at batch " + c.verifyBatch()
                + " (optimizers: the first " + Op.VERIFY_PARAMETERS + " parameters), error = max|out - ref| / max|ref|"
                + ", reference budget " + (long) c.verifyBudgetS() + " s" : "off (--no-verify)"));
        out.println("  columns:      ms = median per run; +-% = (p90 - p10) / median; %peak = of the FP32 (TF32, BF16) FLOP "
                + "peak or the measured bandwidth, whichever the op comes closer to; cuDNN ms = the vendor library's median (cuBLAS for linear layers); "
                + "vs cuDNN = cuDNN ms / ms (> 1: faster than the vendor)");
        out.flush();
    }

    /** Prints one row (with its problem's and pass's headings when they change). */
    public void printRow(BenchResult r) {
        String problemKey = r.suite() + "/" + r.name() + "|" + r.problem() + "|" + r.parameters();
        if (!problemKey.equals(lastProblem)) {
            lastProblem = problemKey;
            out.println();
            String size = r.flops() > 0 ? String.format(Locale.ROOT, "%.3f GFLOP", r.flops() / 1e9)
                    : r.bytes() > 0 ? String.format(Locale.ROOT, "%.1f MB", r.bytes() / 1e6) : "";
            out.println((r.name().isEmpty() ? "" : (r.suite().isEmpty() ? "" : r.suite() + "/") + r.name() + "  ")
                    + r.problem() + (r.parameters() > 0 ? " x " + r.parameters() + " parameters" : "")
                    + (size.isEmpty() ? "" : "  (" + size + ")"));
            out.printf(Locale.ROOT, ROW, "pass", "algorithm", "status", "ms", "+-%", "TFLOP/s", "GB/s", "%peak",
                    "cuDNN ms", "vs cuDNN", "note");
        }
        VendorResult v = r.vendor();
        String vendorMs = v.timed() ? ms(v.ms()) : "n/a" + note(v.reason());
        String vs = v.timed() && r.stats() != null ? String.format(Locale.ROOT, "%.2fx", r.vendorSpeedup())
                : v.timed() ? "-" : "n/a";
        String reason = r.reason();
        if (v.timed() && r.algorithm().contains("TF32") && !header.config.tf32()) {
            reason = (reason.isEmpty() ? "" : reason + "; ") + "the vendor ran FP32 (--tf32 lets it use TF32)";
        }
        if (v.timed() && r.algorithm().contains("BF16")) {
            reason = (reason.isEmpty() ? "" : reason + "; ") + "the vendor ran " + (header.config.tf32() ? "TF32" : "FP32")
                    + ", not BF16";
        }
        if (r.disposition() == Disposition.PASSED) {
            reason = String.format(Locale.ROOT, "err %.1e (bound %.0e) %s %d%s", r.error(), r.bound(),
                    r.parameters() > 0 ? "on" : "at batch", r.verifyBatch(), r.parameters() > 0 ? " parameters" : "")
                    + (reason.isEmpty() ? "" : "; " + reason);
        }
        out.printf(Locale.ROOT, ROW, r.pass(), r.algorithm(), r.disposition(), r.stats() == null ? "-" : ms(r.ms()),
                r.stats() == null ? "-" : String.format(Locale.ROOT, "%.1f", 100 * r.stats().spread()),
                num(r.tflops()), num(r.gbps()), Double.isNaN(r.peakPercent()) ? "-"
                        : String.format(Locale.ROOT, "%.1f%%", r.peakPercent()), vendorMs, vs, reason);
        if (repro) {
            out.println("      $ " + r.command());
        }
        out.flush();
    }

    /** The rows of one pass, then the vendor library's own result for it. */
    public void printPass(List<BenchResult> rows) {
        for (BenchResult r : rows) {
            printRow(r);
        }
        if (!rows.isEmpty()) {
            printVendor(rows.get(rows.size() - 1));
        }
    }

    /** One line for the vendor library's own result of a pass. */
    public void printVendor(BenchResult r) {
        if (!header.vendorAvailable) {
            return;
        }
        VendorResult v = r.vendor();
        if (v.disposition() == null) {
            out.printf(Locale.ROOT, ROW, r.pass(), "[vendor]", "n/a", "-", "-", "-", "-", "-", "-", "-", v.reason());
            return;
        }
        double tflops = r.flops() > 0 && v.timed() ? r.flops() / (v.ms() / 1e3) / 1e12 : Double.NaN;
        double gbps = r.bytes() > 0 && v.timed() ? r.bytes() / (v.ms() / 1e3) / 1e9 : Double.NaN;
        String pct = "-";
        if (v.timed()) {
            double seconds = v.ms() / 1e3;
            Peaks p = header.peaks;
            double flopPeak = v.algorithm().contains("TF32") ? p.tf32Flops() : p.flops();
            double f = r.flops() > 0 && flopPeak > 0 ? r.flops() / seconds / flopPeak * 100 : Double.NaN;
            double b = r.bytes() > 0 && p.bandwidth() > 0 ? r.bytes() / seconds / p.bandwidth() * 100 : Double.NaN;
            double best = Double.isNaN(f) ? b : Double.isNaN(b) ? f : Math.max(f, b);
            pct = Double.isNaN(best) ? "-" : String.format(Locale.ROOT, "%.1f%%", best);
        }
        String note = v.library() + " " + v.algorithm() + (v.reason().isEmpty() ? "" : "; " + v.reason())
                + (Double.isNaN(v.error()) ? "" : String.format(Locale.ROOT, "; err %.1e", v.error()));
        out.printf(Locale.ROOT, ROW, r.pass(), "[" + v.library() + "]", v.disposition(), v.timed() ? ms(v.ms()) : "-",
                v.timed() ? String.format(Locale.ROOT, "%.1f", 100 * v.stats().spread()) : "-", num(tflops), num(gbps), pct,
                v.timed() ? ms(v.ms()) : "-", v.timed() ? "1.00x" : "-", note);
        out.flush();
    }

    /** Counts by disposition, the footnotes, and where the files went. */
    public void printSummary(List<BenchResult> rows, double referenceGflops) {
        Map<Disposition, Integer> counts = new EnumMap<>(Disposition.class);
        for (BenchResult r : rows) {
            counts.merge(r.disposition(), 1, Integer::sum);
        }
        out.println();
        StringBuilder b = new StringBuilder("summary: " + rows.size() + " variants");
        for (Map.Entry<Disposition, Integer> e : counts.entrySet()) {
            b.append(", ").append(e.getValue()).append(' ').append(e.getKey());
        }
        if (referenceGflops > 0) {
            b.append(String.format(Locale.ROOT, "; the reference ran at %.2f GFLOP/s", referenceGflops));
        }
        out.println(b);
        for (Map.Entry<String, Integer> n : notes.entrySet()) {
            out.println("  [" + n.getValue() + "] " + n.getKey());
        }
        out.flush();
    }

    private String note(String reason) {
        if (reason == null || reason.isEmpty()) {
            return "";
        }
        return "[" + notes.computeIfAbsent(reason, k -> notes.size() + 1) + "]";
    }

    static String ms(double ms) {
        if (Double.isNaN(ms)) {
            return "-";
        }
        if (ms < 0.1) {
            return String.format(Locale.ROOT, "%.5f", ms);
        } else if (ms < 10) {
            return String.format(Locale.ROOT, "%.4f", ms);
        } else if (ms < 1000) {
            return String.format(Locale.ROOT, "%.2f", ms);
        }
        return String.format(Locale.ROOT, "%.0f", ms);
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        } else if (v >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        } else if (v >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        } else if (v == 0) {
            return "0";
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }

    // ================================================================== CSV

    private static final String[] CSV_COLUMNS = {"suite", "name", "problem", "parameters", "kind", "pass", "algorithm",
            "status", "reason", "error", "bound", "verify_batch", "ms_median", "ms_p10", "ms_p90", "ms_min", "ms_max",
            "samples", "runs_per_sample", "rotation_sets", "flops", "bytes", "tflops", "gbps", "peak_percent", "peak_basis",
            "vendor_library", "vendor_status", "vendor_algorithm", "vendor_ms", "vendor_error", "vendor_reason",
            "vendor_time_over_time", "command"};

    public void writeCsv(Path file, List<BenchResult> rows) throws IOException {
        StringBuilder b = new StringBuilder(String.join(",", CSV_COLUMNS)).append('\n');
        for (BenchResult r : rows) {
            Timing.Stats s = r.stats();
            VendorResult v = r.vendor();
            List<Object> cells = List.of(r.suite(), r.name(), r.problem(), r.parameters(), r.kind(), r.pass(),
                    r.algorithm(), r.disposition(), r.reason(), d(r.error()), d(r.bound()), r.verifyBatch(),
                    s == null ? "" : d(s.median()), s == null ? "" : d(s.p10()), s == null ? "" : d(s.p90()),
                    s == null ? "" : d(s.min()), s == null ? "" : d(s.max()), s == null ? "" : s.count(),
                    s == null ? "" : s.runsPerSample(), r.rotation(), r.flops(), r.bytes(), d(r.tflops()), d(r.gbps()),
                    d(r.peakPercent()), r.peakBasis(), v.library(), v.disposition() == null ? "n/a" : v.disposition(),
                    v.algorithm(), d(v.ms()), d(v.error()), v.reason(), d(r.vendorSpeedup()), r.command());
            List<String> quoted = new ArrayList<>();
            for (Object c : cells) {
                quoted.add(csv(String.valueOf(c)));
            }
            b.append(String.join(",", quoted)).append('\n');
        }
        Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    }

    private static String d(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    private static String csv(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    // ================================================================== JSON

    public void writeJson(Path file, List<BenchResult> rows) throws IOException {
        Json j = new Json();
        j.begin();
        j.field("tool", "jdnn bench");
        j.field("command", header.command);
        j.field("date", header.date);
        j.field("java", header.java);
        j.key("device").begin();
        j.field("spec", header.deviceSpec);
        j.field("name", header.deviceName);
        j.field("backend", header.backend);
        j.field("details", header.deviceDetails);
        j.field("options", header.options);
        j.end();
        Peaks p = header.peaks;
        j.key("peaks").begin();
        j.field("fp32_flops", p.flops());
        j.field("tf32_flops", p.tf32Flops());
        j.field("bf16_flops", p.bf16Flops());
        j.field("flops_source", p.flopsSource());
        j.field("bandwidth_bytes_per_s", p.bandwidth());
        j.field("bandwidth_source", p.bandwidthSource());
        j.field("cache_bytes", p.cacheBytes());
        j.field("cache_source", p.cacheSource());
        j.end();
        j.field("vendor", header.vendor);
        BenchConfig c = header.config;
        Timing.Settings t = c.timing();
        j.key("settings").begin();
        j.field("runs_min", t.runs());
        j.field("warmup_runs_min", t.warmupRuns());
        j.field("warmup_ms_min", t.warmupMs());
        j.field("sample_ms", t.sampleMs());
        j.field("measured_ms_min", t.minTimeMs());
        j.field("rotation_bytes_min", 2 * p.cacheBytes());
        j.field("verify", c.verify());
        j.field("verify_batch", c.verifyBatch());
        j.field("verify_budget_s", c.verifyBudgetS());
        j.field("tf32", c.tf32());
        j.field("deterministic", c.deterministic());
        j.field("seed", c.seed());
        j.end();
        j.key("results").beginArray();
        for (BenchResult r : rows) {
            j.begin();
            j.field("suite", r.suite());
            j.field("name", r.name());
            j.field("problem", r.problem());
            if (r.parameters() > 0) {
                j.field("parameters", r.parameters());
            }
            j.field("kind", r.kind());
            j.field("pass", r.pass());
            j.field("algorithm", r.algorithm());
            j.field("status", r.disposition().name());
            j.field("reason", r.reason());
            j.field("error", r.error());
            j.field("bound", r.bound());
            j.field("verify_batch", r.verifyBatch());
            j.field("flops", r.flops());
            j.field("bytes", r.bytes());
            if (r.stats() != null) {
                stats(j, r.stats());
                j.field("rotation_sets", r.rotation());
                j.field("tflops", r.tflops());
                j.field("gbps", r.gbps());
                j.field("peak_percent", r.peakPercent());
                j.field("peak_basis", r.peakBasis());
            }
            VendorResult v = r.vendor();
            j.key("vendor").begin();
            j.field("library", v.library());
            j.field("status", v.disposition() == null ? "n/a" : v.disposition().name());
            j.field("algorithm", v.algorithm());
            j.field("reason", v.reason());
            j.field("error", v.error());
            if (v.stats() != null) {
                stats(j, v.stats());
                j.field("vendor_time_over_time", r.vendorSpeedup());
            }
            j.end();
            j.field("command", r.command());
            j.end();
        }
        j.endArray();
        j.end();
        Files.writeString(file, j.toString(), StandardCharsets.UTF_8);
    }

    private static void stats(Json j, Timing.Stats s) {
        j.field("ms_median", s.median());
        j.field("ms_p10", s.p10());
        j.field("ms_p90", s.p90());
        j.field("ms_min", s.min());
        j.field("ms_max", s.max());
        j.field("ms_mean", s.mean());
        j.field("runs_per_sample", s.runsPerSample());
        j.key("samples_ms").beginArray();
        for (double x : s.samples()) {
            j.value(x);
        }
        j.endArray();
    }

    /** A small JSON writer: objects, arrays, strings, numbers (NaN as null), booleans. */
    static final class Json {
        private final StringBuilder b = new StringBuilder();
        private boolean first = true;
        private int depth;

        Json begin() {
            sep();
            b.append('{');
            depth++;
            first = true;
            return this;
        }

        Json end() {
            depth--;
            newline();
            b.append('}');
            first = false;
            return this;
        }

        Json beginArray() {
            sep();
            b.append('[');
            depth++;
            first = true;
            return this;
        }

        Json endArray() {
            depth--;
            newline();
            b.append(']');
            first = false;
            return this;
        }

        Json key(String k) {
            sep();
            b.append(quote(k)).append(": ");
            first = true;
            pendingKey = true;
            return this;
        }

        private boolean pendingKey;

        void field(String k, String v) {
            key(k);
            value(v);
        }

        void field(String k, double v) {
            key(k);
            value(v);
        }

        void field(String k, long v) {
            key(k);
            sep();
            b.append(v);
            first = false;
        }

        void field(String k, boolean v) {
            key(k);
            sep();
            b.append(v);
            first = false;
        }

        void value(String v) {
            sep();
            b.append(v == null ? "null" : quote(v));
            first = false;
        }

        void value(double v) {
            sep();
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                b.append("null");
            } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
                b.append((long) v);
            } else {
                b.append(v);
            }
            first = false;
        }

        private void sep() {
            if (pendingKey) {
                pendingKey = false;
                return;
            }
            if (!first) {
                b.append(',');
            }
            if (depth > 0) {
                newline();
            }
        }

        private void newline() {
            b.append('\n');
            b.append("  ".repeat(Math.max(0, depth)));
        }

        static String quote(String s) {
            StringBuilder q = new StringBuilder("\"");
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> q.append("\\\"");
                    case '\\' -> q.append("\\\\");
                    case '\n' -> q.append("\\n");
                    case '\r' -> q.append("\\r");
                    case '\t' -> q.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            q.append(String.format("\\u%04x", (int) c));
                        } else {
                            q.append(c);
                        }
                    }
                }
            }
            return q.append('"').toString();
        }

        @Override
        public String toString() {
            return b.toString() + "\n";
        }
    }

    // ================================================================== HTML

    private static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7",
            "#9c755f", "#bab0ac"};

    /** A self-contained page: the header, one horizontal bar chart per suite and unit (inline SVG), the full table. */
    public void writeHtml(Path file, List<BenchResult> rows) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>jdnn bench ")
                .append(esc(header.deviceSpec)).append("</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222} h1{font-size:1.4em} h2{font-size:1.1em;margin-top:2em}\n")
                .append("table{border-collapse:collapse;font-size:12px} td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}\n")
                .append("td.l,th.l{text-align:left} .INCORRECT,.ERROR{color:#b00} .NOT_SUPPORTED{color:#888} .VERIFY_SKIPPED{color:#a60}\n")
                .append("svg text{font-size:11px;font-family:system-ui,sans-serif} .meta{font-size:13px;color:#444}\n")
                .append("</style></head><body>\n");
        h.append("<h1>jdnn bench on ").append(esc(header.deviceSpec)).append(" (").append(esc(header.deviceName)).append(")</h1>\n");
        h.append("<div class=\"meta\"><p>").append(esc(header.command)).append("<br>").append(esc(header.date)).append(", ")
                .append(esc(header.java)).append("</p><ul>");
        h.append("<li>device: ").append(esc(header.deviceDetails)).append("</li>");
        for (String line : header.peaks.describe()) {
            h.append("<li>").append(esc(line)).append("</li>");
        }
        h.append("<li>vendor: ").append(esc(header.vendor)).append("</li>");
        h.append("<li>bars: the median time's throughput of every variant that ran (PASSED, or VERIFY_SKIPPED: hatched)")
                .append(header.vendorAvailable ? " and of the vendor library" : "").append("</li></ul></div>\n");
        Map<String, List<BenchResult>> bySuiteUnit = new LinkedHashMap<>();
        for (BenchResult r : rows) {
            if (r.stats() == null && !r.vendor().timed()) {
                continue;
            }
            String unit = r.computeBound() ? "TFLOP/s" : "GB/s";
            if (!r.computeBound() && r.bytes() <= 0) {
                continue;
            }
            bySuiteUnit.computeIfAbsent((r.suite().isEmpty() ? "problems" : r.suite()) + "|" + unit, k -> new ArrayList<>())
                    .add(r);
        }
        for (Map.Entry<String, List<BenchResult>> e : bySuiteUnit.entrySet()) {
            String[] su = e.getKey().split("\\|");
            h.append("<h2>").append(esc(su[0])).append(": ").append(esc(su[1])).append("</h2>\n");
            h.append(chart(e.getValue(), su[1].equals("TFLOP/s")));
        }
        h.append("<h2>All results</h2>\n<table><tr><th class=l>problem</th><th class=l>pass</th><th class=l>algorithm</th>")
                .append("<th class=l>status</th><th>ms</th><th>&plusmn;%</th><th>TFLOP/s</th><th>GB/s</th><th>%peak</th>")
                .append("<th>vendor ms</th><th>vendor/ms</th><th class=l>note</th><th class=l>command</th></tr>\n");
        for (BenchResult r : rows) {
            VendorResult v = r.vendor();
            h.append("<tr><td class=l>").append(esc((r.name().isEmpty() ? "" : r.name() + " ") + r.problem()))
                    .append("</td><td class=l>").append(esc(r.pass())).append("</td><td class=l>").append(esc(r.algorithm()))
                    .append("</td><td class=\"l ").append(r.disposition()).append("\">").append(r.disposition())
                    .append("</td><td>").append(r.stats() == null ? "" : ms(r.ms())).append("</td><td>")
                    .append(r.stats() == null ? "" : String.format(Locale.ROOT, "%.1f", 100 * r.stats().spread()))
                    .append("</td><td>").append(num(r.tflops())).append("</td><td>").append(num(r.gbps())).append("</td><td>")
                    .append(Double.isNaN(r.peakPercent()) ? "" : String.format(Locale.ROOT, "%.1f", r.peakPercent()))
                    .append("</td><td>").append(v.timed() ? ms(v.ms()) : "n/a").append("</td><td>")
                    .append(Double.isNaN(r.vendorSpeedup()) ? "" : String.format(Locale.ROOT, "%.2f", r.vendorSpeedup()))
                    .append("</td><td class=l>").append(esc(r.reason() + (v.timed() || v.reason().isEmpty() ? ""
                            : " (vendor: " + v.reason() + ")"))).append("</td><td class=l><code>").append(esc(r.command()))
                    .append("</code></td></tr>\n");
        }
        h.append("</table>\n</body></html>\n");
        Files.writeString(file, h.toString(), StandardCharsets.UTF_8);
    }

    /** Horizontal bars, one group per problem and pass, one bar per algorithm and one for the vendor. */
    private String chart(List<BenchResult> rows, boolean compute) {
        record Bar(String group, String label, double value, boolean hatched, String color) {
        }
        List<Bar> bars = new ArrayList<>();
        Map<String, String> colors = new LinkedHashMap<>();
        String lastGroup = null;
        for (BenchResult r : rows) {
            String group = (r.name().isEmpty() ? r.problem() : r.name()) + " " + r.pass();
            if (r.stats() != null) {
                String color = colors.computeIfAbsent(r.algorithm(), k -> PALETTE[colors.size() % PALETTE.length]);
                bars.add(new Bar(group, r.algorithm(), compute ? r.tflops() : r.gbps(),
                        r.disposition() == Disposition.VERIFY_SKIPPED, color));
            }
            boolean lastOfGroup = rows.indexOf(r) == rows.size() - 1
                    || !((rows.get(rows.indexOf(r) + 1).name().isEmpty() ? rows.get(rows.indexOf(r) + 1).problem()
                    : rows.get(rows.indexOf(r) + 1).name()) + " " + rows.get(rows.indexOf(r) + 1).pass()).equals(group);
            VendorResult v = r.vendor();
            if (lastOfGroup && v.timed() && !group.equals(lastGroup)) {
                lastGroup = group;
                double value = compute ? r.flops() / (v.ms() / 1e3) / 1e12 : r.bytes() / (v.ms() / 1e3) / 1e9;
                bars.add(new Bar(group, v.library() + " " + v.algorithm(), value, v.disposition() != Disposition.PASSED,
                        "#333333"));
            }
        }
        double max = 0;
        for (Bar b : bars) {
            max = Math.max(max, b.value);
        }
        if (max <= 0) {
            max = 1;
        }
        int left = 330;
        int width = 520;
        int barH = 14;
        int y = 24;
        StringBuilder s = new StringBuilder();
        String prev = null;
        StringBuilder body = new StringBuilder();
        for (Bar b : bars) {
            if (!b.group.equals(prev)) {
                y += 8;
                body.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\" font-weight=\"bold\">%s</text>%n", y + 11,
                        esc(b.group)));
                y += 16;
                prev = b.group;
            }
            int w = (int) Math.round(width * b.value / max);
            body.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", left - 6,
                    y + 11, esc(b.label)));
            body.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"%s>"
                            + "<title>%s: %s %s</title></rect>", left, y, Math.max(w, 1), barH, b.color,
                    b.hatched ? " fill-opacity=\"0.45\" stroke=\"" + b.color + "\" stroke-dasharray=\"3,2\"" : "",
                    esc(b.label), num(b.value), compute ? "TFLOP/s" : "GB/s"));
            body.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", left + Math.max(w, 1) + 4, y + 11,
                    num(b.value)));
            y += barH + 3;
        }
        int height = y + 16;
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">%n",
                left + width + 80, height));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"14\" fill=\"#666\">%s (longer is faster)</text>%n", left,
                compute ? "TFLOP/s" : "GB/s"));
        s.append(body);
        s.append("</svg>\n");
        return s.toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
