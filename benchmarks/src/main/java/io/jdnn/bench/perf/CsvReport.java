package io.jdnn.bench.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The rows as CSV: one line per variant with every column of the table, the timing and the vendor's result. */
final class CsvReport {

    private static final String[] CSV_COLUMNS = {"suite", "name", "problem", "parameters", "kind", "pass", "algorithm",
            "status", "reason", "error", "bound", "verify_batch", "verified", "ms_median", "ms_p10", "ms_p90", "ms_min", "ms_max",
            "samples", "runs_per_sample", "rotation_sets", "flops", "bytes", "tflops", "gbps", "peak_percent", "peak_basis",
            "vendor_library", "vendor_status", "vendor_algorithm", "vendor_ms", "vendor_error", "vendor_verified", "vendor_reason",
            "vendor_time_over_time", "command"};

    private CsvReport() {
    }

    /** Writes the rows to {@code file}. */
    static void write(Path file, List<BenchResult> rows) throws IOException {
        StringBuilder b = new StringBuilder(String.join(",", CSV_COLUMNS)).append('\n');
        for (BenchResult r : rows) {
            Timing.Stats s = r.stats();
            VendorResult v = r.vendor();
            List<Object> cells = List.of(r.suite(), r.name(), r.problem(), r.parameters(), r.kind(), r.pass(),
                    r.algorithm(), r.disposition(), r.reason(), d(r.error()), d(r.bound()), r.verifyBatch(), r.verified(),
                    s == null ? "" : d(s.median()), s == null ? "" : d(s.p10()), s == null ? "" : d(s.p90()),
                    s == null ? "" : d(s.min()), s == null ? "" : d(s.max()), s == null ? "" : s.count(),
                    s == null ? "" : s.runsPerSample(), r.rotation(), r.flops(), r.bytes(), d(r.tflops()), d(r.gbps()),
                    d(r.peakPercent()), r.peakBasis(), v.library(), v.disposition() == null ? "n/a" : v.disposition(),
                    v.algorithm(), d(v.ms()), d(v.error()), v.verified(), v.reason(), d(r.vendorSpeedup()), r.command());
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
}
