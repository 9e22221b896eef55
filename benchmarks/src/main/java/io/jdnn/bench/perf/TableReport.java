package io.jdnn.bench.perf;

import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.jdnn.bench.perf.Report.ms;
import static io.jdnn.bench.perf.Report.num;

/**
 * The table on stdout: the run's header lines, one row per variant streamed as it finishes (with
 * the vendor library's own line after each pass), and the summary with numbered footnotes.
 */
final class TableReport {

    private final Report.Header header;
    private final PrintWriter out;
    private final boolean repro;
    private String lastProblem;
    private final Map<String, Integer> notes = new LinkedHashMap<>();

    /** @param repro print the command that reproduces each row under it */
    TableReport(Report.Header header, PrintWriter out, boolean repro) {
        this.header = header;
        this.out = out;
        this.repro = repro;
    }

    private static final String ROW = "  %-10s %-26s %-14s %10s %6s %8s %8s %7s %10s %8s  %s%n";

    /** The lines above the table. */
    void printHeader() {
        Peaks p = header.peaks();
        out.println("jdnn bench on " + header.deviceSpec() + " (" + header.deviceName() + ")");
        out.println("  device:       " + header.deviceDetails() + (header.options().isEmpty() ? "" : "; " + header.options()));
        for (String line : p.describe()) {
            out.println("  " + line);
        }
        out.println("  vendor:       " + header.vendor());
        BenchConfig c = header.config();
        Timing.Settings t = c.timing();
        out.printf(Locale.ROOT, "  timing:       median of >= %d samples (>= %d, ms marked *, where sampling passed %.0f s) after a "
                        + "warm-up of >= %d runs and %.0f ms (or %.0f ms); samples of k runs lasting about %.1f ms; inputs rotated "
                        + "over >= %s; random normal data%n", t.runs(), Math.min(t.runs(), Timing.MIN_SAMPLES), t.maxTimeMs() / 1000,
                t.warmupRuns(), t.warmupMs(), 10 * t.warmupMs(), t.sampleMs(), MemoryBudget.mib(2 * p.cacheBytes()));
        out.println("  verification: " + (c.verify() ? "against the reference at batch " + c.verifyBatch()
                + " (optimizers: the first " + Op.VERIFY_PARAMETERS + " parameters), error = max|out - ref| / max|ref|"
                + ", reference budget " + (long) c.verifyBudgetS() + " s; " + verifyMode(c.verifyMode()) : "off (--no-verify)"));
        out.println("  columns:      ms = median per run; +-% = (p90 - p10) / median; %peak = of the FP32 (TF32, BF16) FLOP "
                + "peak or the measured bandwidth, whichever the op comes closer to; cuDNN ms = the vendor library's median (cuBLAS for linear layers); "
                + "vs cuDNN = cuDNN ms / ms (> 1: faster than the vendor)");
        out.flush();
    }

    /** What {@code --verify MODE} checks, in words. */
    static String verifyMode(String mode) {
        String sample = "a sample of " + ConvSample.SIZE + " outputs (if 0.1% of the outputs were wrong, such a sample "
                + "would miss them all with probability < 5%)";
        return switch (mode) {
            case BenchConfig.VERIFY_FULL -> "--verify full: every output";
            case BenchConfig.VERIFY_SAMPLE -> "--verify sample: every convolution on " + sample + ", other ops on every output";
            default -> String.format(Locale.ROOT, "--verify auto: every output up to %.0f GFLOP a pass, a larger convolution "
                    + "(or one over the budget) on %s", Oracle.FULL_MAX_FLOPS / 1e9, sample);
        };
    }

    /** Prints one row (with its problem's and pass's headings when they change). */
    void printRow(BenchResult r) {
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
        if (v.timed() && r.algorithm().contains("TF32") && !header.config().tf32()) {
            reason = (reason.isEmpty() ? "" : reason + "; ") + "the vendor ran FP32 (--tf32 lets it use TF32)";
        }
        if (v.timed() && r.algorithm().contains("BF16")) {
            reason = (reason.isEmpty() ? "" : reason + "; ") + "the vendor ran " + (header.config().tf32() ? "TF32" : "FP32")
                    + ", not BF16";
        }
        if (r.disposition() == Disposition.PASSED) {
            reason = String.format(Locale.ROOT, "err %.1e (bound %.0e) %s %d%s, verified: %s", r.error(), r.bound(),
                    r.parameters() > 0 ? "on" : "at batch", r.verifyBatch(), r.parameters() > 0 ? " parameters" : "",
                    r.verified()) + (reason.isEmpty() ? "" : "; " + reason);
        }
        out.printf(Locale.ROOT, ROW, r.pass(), r.algorithm(), r.disposition(), r.stats() == null ? "-"
                        : ms(r.ms()) + (header.config().timing().cut(r.stats()) ? "*" : ""),
                r.stats() == null ? "-" : String.format(Locale.ROOT, "%.1f", 100 * r.stats().spread()),
                num(r.tflops()), num(r.gbps()), Double.isNaN(r.peakPercent()) ? "-"
                        : String.format(Locale.ROOT, "%.1f%%", r.peakPercent()), vendorMs, vs, reason);
        if (repro) {
            out.println("      $ " + r.command());
        }
        out.flush();
    }

    /** The rows of one pass, then the vendor library's own result for it. */
    void printPass(List<BenchResult> rows) {
        for (BenchResult r : rows) {
            printRow(r);
        }
        if (!rows.isEmpty()) {
            printVendor(rows.get(rows.size() - 1));
        }
    }

    /** One line for the vendor library's own result of a pass. */
    void printVendor(BenchResult r) {
        if (!header.vendorAvailable()) {
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
            Peaks p = header.peaks();
            double flopPeak = v.algorithm().contains("TF32") ? p.tf32Flops() : p.flops();
            double f = r.flops() > 0 && flopPeak > 0 ? r.flops() / seconds / flopPeak * 100 : Double.NaN;
            double b = r.bytes() > 0 && p.bandwidth() > 0 ? r.bytes() / seconds / p.bandwidth() * 100 : Double.NaN;
            double best = Double.isNaN(f) ? b : Double.isNaN(b) ? f : Math.max(f, b);
            pct = Double.isNaN(best) ? "-" : String.format(Locale.ROOT, "%.1f%%", best);
        }
        String note = v.library() + " " + v.algorithm() + (v.reason().isEmpty() ? "" : "; " + v.reason())
                + (Double.isNaN(v.error()) ? "" : String.format(Locale.ROOT, "; err %.1e, verified: %s", v.error(),
                v.verified()));
        out.printf(Locale.ROOT, ROW, r.pass(), "[" + v.library() + "]", v.disposition(), v.timed() ? ms(v.ms()) : "-",
                v.timed() ? String.format(Locale.ROOT, "%.1f", 100 * v.stats().spread()) : "-", num(tflops), num(gbps), pct,
                v.timed() ? ms(v.ms()) : "-", v.timed() ? "1.00x" : "-", note);
        out.flush();
    }

    /** Counts by disposition, the footnotes, and where the wall time went ({@code phases} may be null). */
    void printSummary(List<BenchResult> rows, double referenceGflops, BenchRunner.Phases phases) {
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
        if (phases != null) {
            double other = phases.totalS() - phases.referenceS() - phases.verifyS() - phases.timingS();
            out.printf(Locale.ROOT, "time: %.0f s in all: reference outputs %.1f s, verification runs and comparison %.1f s, "
                    + "timing %.0f s, other (peaks, AUTO's choice, vendor, set-up) %.0f s%n", phases.totalS(), phases.referenceS(),
                    phases.verifyS(), phases.timingS(), other);
        }
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
}
