package io.jdnn.bench.onnx;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code jdnn onnx bench --profile}: launch times grouped by op kind. */
final class OnnxProfile {
    private OnnxProfile() {
    }

    /**
     * The kind of a launch label ("node: conv2d WINOGRAD ConvProblem..." gives "conv2d WINOGRAD"):
     * the Device call, with the algorithm for convolutions.
     */
    static String kind(String label) {
        int colon = label.indexOf(": ");
        String call = colon < 0 ? label : label.substring(colon + 2);
        String[] words = call.split(" ", 3);
        if (words[0].equals("conv2d") && words.length > 1) {
            return words[0] + " " + words[1];
        }
        return words[0];
    }

    /**
     * Prints one row per kind (launches, milliseconds per run, share of the launches' sum), slowest
     * first, then the launches' sum against {@code runMs} (a run's median time without
     * synchronizations: the difference is the run's own cost outside the launches, or, when
     * negative, the synchronizations' cost).
     */
    static void print(PrintWriter out, List<String> labels, double[] totalMs, int runs, double runMs) {
        Map<String, double[]> byKind = new LinkedHashMap<>();
        double sum = 0;
        for (int i = 0; i < labels.size(); i++) {
            double[] k = byKind.computeIfAbsent(kind(labels.get(i)), x -> new double[2]);
            k[0]++;
            k[1] += totalMs[i] / runs;
            sum += totalMs[i] / runs;
        }
        List<Map.Entry<String, double[]>> rows = new ArrayList<>(byKind.entrySet());
        rows.sort((a, b) -> Double.compare(b.getValue()[1], a.getValue()[1]));
        out.printf(Locale.ROOT, "profile   %d runs, the device synchronized around each launch%n", runs);
        out.printf(Locale.ROOT, "%-28s %8s %10s %7s%n", "op kind", "launches", "ms/run", "share");
        for (Map.Entry<String, double[]> r : rows) {
            out.printf(Locale.ROOT, "%-28s %8d %10.3f %6.1f%%%n", r.getKey(), (int) r.getValue()[0], r.getValue()[1],
                    100 * r.getValue()[1] / sum);
        }
        out.printf(Locale.ROOT, "%-28s %8d %10.3f  (a run without synchronizations: p50 %.3f ms)%n", "sum of launches",
                labels.size(), sum, runMs);
    }
}
