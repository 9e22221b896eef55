package io.jdnn.bench.cpucompare;

import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs {@link CompareBenchmark} for every provider, case and pass in one JMH run and prints the
 * side-by-side table (GFLOP/s for convolutions, GB/s for the memory-bound ops, from the problem
 * records' flop and byte counts) as Markdown, also written to {@code target/cpu-compare.md}. Each
 * rate comes from the best one-second measurement iteration (the machine may be shared), and the
 * JMH averages are printed above the table as usual.
 *
 * <p>Arguments: {@code [quick]} for 2 warm-up and 3 measurement iterations of 1 s (default 3 and 8);
 * {@code -p provider=a,b} and {@code -p kase=conv3x3:fwd,maxpool} restrict the parameters.
 */
public final class CpuCompare {
    private CpuCompare() {
    }

    public static void main(String[] args) throws RunnerException, IOException {
        boolean quick = false;
        Map<String, String[]> params = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("quick")) {
                quick = true;
            } else if (args[i].equals("-p") && i + 1 < args.length) {
                String[] kv = args[++i].split("=", 2);
                params.put(kv[0], kv[1].split(","));
            } else {
                throw new IllegalArgumentException("argument " + i + ": expected quick or -p name=v1,v2, got '" + args[i] + "'");
            }
        }
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include(CompareBenchmark.class.getName())
                .forks(1)
                .warmupIterations(quick ? 2 : 3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 3 : 8).measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend("--add-modules", "jdk.incubator.vector", "-Dai.djl.offline=true", "-Xmx6g")
                .shouldFailOnError(false);
        params.forEach(o::param);
        Collection<RunResult> results = new Runner(o.build()).run();
        String table = table(results);
        System.out.println(table);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "cpu-compare.md"), table);
    }

    static String table(Collection<RunResult> results) {
        // case/pass -> provider -> rate
        Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
        List<String> providers = new ArrayList<>(List.of("jdnn-vector", "jdnn-plain", "djl", "nd4j"));
        Map<String, String> units = new TreeMap<>();
        for (RunResult r : results) {
            String provider = r.getParams().getParam("provider");
            String param = r.getParams().getParam("kase");
            String kase = param.contains(":") ? param.substring(0, param.indexOf(':')) : param;
            String pass = param.contains(":") ? param.substring(param.indexOf(':') + 1) : "fwd";
            // The best measurement iteration: on a shared machine other processes only ever slow a run down.
            double ms = Double.MAX_VALUE;
            for (BenchmarkResult br : r.getBenchmarkResults()) {
                for (IterationResult ir : br.getIterationResults()) {
                    ms = Math.min(ms, ir.getPrimaryResult().getScore());
                }
            }
            double rate;
            String unit;
            if (Cases.CONVS.containsKey(kase)) {
                ConvProblem p = Cases.conv(kase);
                rate = (pass.equals("fwd") ? p.flops() : 3.0 * p.flops()) / (ms * 1e6);
                unit = "GFLOP/s";
            } else {
                double bytes = switch (kase) {
                    case "maxpool" -> Cases.MAXPOOL.forwardBytes();
                    case "batchnorm" -> Cases.BN.trainForwardBytes();
                    default -> Cases.ADAM.bytes(Cases.ADAM_PARAMS);
                };
                rate = bytes / (ms * 1e6);
                unit = "GB/s";
            }
            String key = kase + " " + pass;
            units.put(key, unit);
            rows.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(provider, rate);
        }
        StringBuilder b = new StringBuilder();
        b.append("| case | pass | unit | ").append(String.join(" | ", providers))
                .append(" | jdnn-vector / best other |\n");
        b.append("|---|---|---|").append("---:|".repeat(providers.size())).append("---:|\n");
        for (Map.Entry<String, Map<String, Double>> e : rows.entrySet()) {
            String[] kp = e.getKey().split(" ");
            b.append("| ").append(kp[0]).append(" | ").append(kp[1]).append(" | ").append(units.get(e.getKey())).append(" |");
            double best = 0;
            for (String p : providers) {
                Double v = e.getValue().get(p);
                b.append(' ').append(v == null ? "n/a" : String.format(Locale.ROOT, "%.1f", v)).append(" |");
                if (v != null && (p.equals("djl") || p.equals("nd4j"))) {
                    best = Math.max(best, v);
                }
            }
            Double mine = e.getValue().get("jdnn-vector");
            b.append(' ').append(mine == null || best == 0 ? "n/a" : String.format(Locale.ROOT, "%.2fx", mine / best)).append(" |\n");
        }
        b.append("\nconvolution GFLOP/s count ").append(ConvDirection.FORWARD.shortName())
                .append(" as the problem's flops, train (forward + both gradients) as 3x that.\n");
        return b.toString();
    }
}
