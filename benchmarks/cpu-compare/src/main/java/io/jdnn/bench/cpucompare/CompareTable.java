package io.jdnn.bench.cpucompare;

import io.jdnn.ConvProblem;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The side-by-side Markdown table of a cpu-compare run: per case and provider the mean rate with
 * its spread, and jdnn-vector's ratio to the best peer where the two spreads do not overlap.
 *
 * <p>A cell's spread is the wider of JMH's 99.9 % confidence interval of the mean time (over every
 * measurement iteration of every fork) and the range of the forks' own mean times, turned into a
 * rate range: a run whose forks disagree (a different algorithm pick, a burst of load) widens it
 * even where the iterations within each fork agree. Fewer than 3 measurement iterations in all give
 * no interval: such a cell's spread is 0 to infinity, so it never states a ratio.
 */
final class CompareTable {
    private CompareTable() {
    }

    /** A rate (GFLOP/s or GB/s) from the mean time, and the rate range of the spread. */
    record Cell(double rate, double low, double high) {
        /** The cell of {@code r}, whose case does {@code work} (GFLOP or GB) per operation. */
        static Cell of(RunResult r, double work) {
            Result<?> all = r.getPrimaryResult();
            double ms = all.getScore();
            double err = all.getScoreError();
            // JMH gives no interval for fewer than 3 measurements: the spread is then unknown (0 to infinity).
            double fast = Double.isNaN(err) ? 0 : ms - err;
            double slow = Double.isNaN(err) ? Double.POSITIVE_INFINITY : ms + err;
            for (BenchmarkResult fork : r.getBenchmarkResults()) {
                double m = fork.getPrimaryResult().getScore();
                fast = Math.min(fast, m);
                slow = Math.max(slow, m);
            }
            return new Cell(work * 1e3 / ms, work * 1e3 / slow, fast > 0 ? work * 1e3 / fast : Double.POSITIVE_INFINITY);
        }

        boolean overlaps(Cell o) {
            return low <= o.high && o.low <= high;
        }

        @Override
        public String toString() {
            return num(rate) + " (" + num(low) + "-" + num(high) + ")";
        }
    }

    /** GFLOP (convolutions: the forward's flops, train 3x that) or GB moved by one operation of {@code kase}. */
    static double work(String kase) {
        String name = Cases.name(kase);
        if (Cases.CONVS.containsKey(name)) {
            ConvProblem p = Cases.conv(name);
            return (Cases.pass(kase).equals("train") ? 3.0 : 1.0) * p.flops() / 1e9;
        }
        return switch (name) {
            case "maxpool" -> Cases.MAXPOOL.forwardBytes() / 1e9;
            case "batchnorm" -> Cases.BN.trainForwardBytes() / 1e9;
            default -> Cases.ADAM.bytes(Cases.ADAM_PARAMS) / 1e9;
        };
    }

    static String unit(String kase) {
        return Cases.CONVS.containsKey(Cases.name(kase)) ? "GFLOP/s" : "GB/s";
    }

    /**
     * The table of {@code results} for the {@code providers} and {@code kases} asked for: a cell no
     * result came back for says why (unsupported, with the reason below the table) or "failed".
     */
    static String table(Collection<RunResult> results, List<String> providers, List<String> kases) {
        Map<String, Map<String, Cell>> cells = new LinkedHashMap<>();
        for (RunResult r : results) {
            String kase = r.getParams().getParam("kase");
            cells.computeIfAbsent(kase, k -> new LinkedHashMap<>())
                    .put(r.getParams().getParam("provider"), Cell.of(r, work(kase)));
        }
        Map<String, List<String>> skipped = new LinkedHashMap<>(); // "provider: reason" -> cells
        StringBuilder b = new StringBuilder("| case | pass | unit | ").append(String.join(" | ", providers))
                .append(" | jdnn-vector / best peer |\n|---|---|---|").append("---:|".repeat(providers.size()))
                .append("---:|\n");
        for (String kase : kases) {
            Map<String, Cell> row = cells.getOrDefault(kase, Map.of());
            b.append("| ").append(Cases.name(kase)).append(" | ").append(Cases.pass(kase)).append(" | ")
                    .append(unit(kase)).append(" |");
            for (String p : providers) {
                Cell c = row.get(p);
                String why = Cases.unsupported(p, kase);
                if (c == null && why != null) {
                    skipped.computeIfAbsent(p + ": " + why, k -> new ArrayList<>()).add(kase);
                }
                b.append(' ').append(c != null ? c.toString() : why != null ? "n/a" : "failed").append(" |");
            }
            b.append(' ').append(ratio(row)).append(" |\n");
        }
        b.append("\nEach cell: rate from the mean time (spread: the wider of JMH's 99.9 % interval and the range of the"
                + " forks' means). Ratio: jdnn-vector's mean over the best peer's where the spreads do not overlap,"
                + " \"level\" where they do. Convolution GFLOP/s count the forward's flops; train (forward and both"
                + " gradients) counts 3x that.\n");
        if (!skipped.isEmpty()) {
            b.append('\n');
            skipped.forEach((why, ks) -> b.append("- ").append(why).append(" (").append(String.join(", ", ks))
                    .append(")\n"));
        }
        return b.toString();
    }

    /** jdnn-vector against the peer with the highest mean rate: "0.47x (djl)", "level (ort)" or "n/a". */
    static String ratio(Map<String, Cell> row) {
        Cell mine = row.get("jdnn-vector");
        String best = null;
        for (String p : Cases.PEERS) {
            if (row.containsKey(p) && (best == null || row.get(p).rate() > row.get(best).rate())) {
                best = p;
            }
        }
        if (mine == null || best == null) {
            return "n/a";
        }
        Cell peer = row.get(best);
        return (mine.overlaps(peer) ? "level" : String.format(Locale.ROOT, "%.2fx", mine.rate() / peer.rate()))
                + " (" + best + ")";
    }

    private static String num(double v) {
        if (Double.isInfinite(v)) {
            return "inf";
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }
}
