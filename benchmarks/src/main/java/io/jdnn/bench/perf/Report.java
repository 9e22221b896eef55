package io.jdnn.bench.perf;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The outputs of a run: the table on stdout (streamed row by row, {@link TableReport}), CSV
 * ({@link CsvReport}), JSON ({@link JsonReport}) and a self-contained HTML page with one bar chart
 * per suite and unit ({@link HtmlReport}).
 */
public final class Report {

    /** What the run was: device, peaks, vendor, settings, the command. */
    public record Header(String command, String deviceSpec, String deviceName, String deviceDetails, String backend,
                         String options, Peaks peaks, String vendor, boolean vendorAvailable, BenchConfig config,
                         String java, String date) {
    }

    private final Header header;
    private final TableReport table;

    /** @param repro print the command that reproduces each row under it */
    public Report(Header header, PrintWriter out, boolean repro) {
        this.header = header;
        this.table = new TableReport(header, out, repro);
    }

    // ================================================================== table

    /** The lines above the table. */
    public void printHeader() {
        table.printHeader();
    }

    /** Prints one row (with its problem's and pass's headings when they change). */
    public void printRow(BenchResult r) {
        table.printRow(r);
    }

    /** The rows of one pass, then the vendor library's own result for it. */
    public void printPass(List<BenchResult> rows) {
        table.printPass(rows);
    }

    /** One line for the vendor library's own result of a pass. */
    public void printVendor(BenchResult r) {
        table.printVendor(r);
    }

    /** Counts by disposition and the footnotes. */
    public void printSummary(List<BenchResult> rows, double referenceGflops) {
        table.printSummary(rows, referenceGflops, null);
    }

    /** Counts by disposition, where the wall time went, and the footnotes. */
    public void printSummary(List<BenchResult> rows, double referenceGflops, BenchRunner.Phases phases) {
        table.printSummary(rows, referenceGflops, phases);
    }

    // ================================================================== files

    /** Writes every row as CSV. */
    public void writeCsv(Path file, List<BenchResult> rows) throws IOException {
        CsvReport.write(file, rows);
    }

    /** Writes the run (header, settings, peaks, rows with every sample) as JSON. */
    public void writeJson(Path file, List<BenchResult> rows) throws IOException {
        new JsonReport(header).write(file, rows);
    }

    /** Writes a self-contained HTML page: the header, a bar chart per suite and unit, the full table. */
    public void writeHtml(Path file, List<BenchResult> rows) throws IOException {
        new HtmlReport(header).write(file, rows);
    }

    // ================================================================== numbers shared by the table and the page

    /** Milliseconds as the table and the page show them: more decimals the shorter the time, "-" for NaN. */
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

    /** A throughput (TFLOP/s, GB/s) as the table and the page show them: about three significant digits, "-" for NaN. */
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
    }}
