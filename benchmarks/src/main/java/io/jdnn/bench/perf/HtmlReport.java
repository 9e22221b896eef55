package io.jdnn.bench.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.jdnn.bench.perf.Report.ms;
import static io.jdnn.bench.perf.Report.num;

/** The run as a self-contained HTML page: the header, one bar chart per suite and unit (inline SVG), the full table. */
final class HtmlReport {

    private static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7",
            "#9c755f", "#bab0ac"};

    private final Report.Header header;

    HtmlReport(Report.Header header) {
        this.header = header;
    }

    /** A self-contained page: the header, one horizontal bar chart per suite and unit (inline SVG), the full table. */
    void write(Path file, List<BenchResult> rows) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>jdnn bench ")
                .append(esc(header.deviceSpec())).append("</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222} h1{font-size:1.4em} h2{font-size:1.1em;margin-top:2em}\n")
                .append("table{border-collapse:collapse;font-size:12px} td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}\n")
                .append("td.l,th.l{text-align:left} .INCORRECT,.ERROR{color:#b00} .NOT_SUPPORTED{color:#888} .VERIFY_SKIPPED{color:#a60}\n")
                .append("svg text{font-size:11px;font-family:system-ui,sans-serif} .meta{font-size:13px;color:#444}\n")
                .append("</style></head><body>\n");
        h.append("<h1>jdnn bench on ").append(esc(header.deviceSpec())).append(" (").append(esc(header.deviceName())).append(")</h1>\n");
        h.append("<div class=\"meta\"><p>").append(esc(header.command())).append("<br>").append(esc(header.date())).append(", ")
                .append(esc(header.java())).append("</p><ul>");
        h.append("<li>device: ").append(esc(header.deviceDetails())).append("</li>");
        for (String line : header.peaks().describe()) {
            h.append("<li>").append(esc(line)).append("</li>");
        }
        h.append("<li>vendor: ").append(esc(header.vendor())).append("</li>");
        h.append("<li>bars: the median time's throughput of every variant that ran (PASSED, or VERIFY_SKIPPED: hatched)")
                .append(header.vendorAvailable() ? " and of the vendor library" : "").append("</li></ul></div>\n");
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
                .append("<th>vendor ms</th><th>vendor/ms</th><th class=l>verified</th><th class=l>note</th>")
                .append("<th class=l>command</th></tr>\n");
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
                    .append("</td><td class=l>").append(esc(r.verified()))
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
