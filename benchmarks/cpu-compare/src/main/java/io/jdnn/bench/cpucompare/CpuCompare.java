package io.jdnn.bench.cpucompare;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Runs {@link CompareBenchmark} for every provider and case asked for (one JMH run per provider,
 * cells a provider cannot run are skipped) and prints the side-by-side table of
 * {@link CompareTable} as Markdown, also written to {@code target/cpu-compare.md} with the run's
 * settings, start and end times and load averages.
 *
 * <p>Arguments: {@code [quick]} for a smoke test (1 fork, 1 warm-up and 5 measurement iterations of
 * 0.3 s: spreads too wide to settle most ratios); the default, full mode runs 3 forks of 2 warm-up
 * and 4 measurement iterations of 0.5 s. {@code -f N}, {@code -wi N}, {@code -i N} and {@code -r MS}
 * (forks, warm-up and measurement iterations, iteration milliseconds) override either mode;
 * {@code -p provider=a,b} and {@code -p kase=conv3x3:fwd,maxpool} restrict the cells (default
 * providers: jdnn-vector and the three peers; jdnn-plain only when named).
 */
public final class CpuCompare {
    private CpuCompare() {
    }

    /** Starts the comparison; see the class comment for the arguments. */
    public static void main(String[] args) throws RunnerException, IOException {
        boolean quick = Arrays.asList(args).contains("quick");
        int forks = quick ? 1 : 3;
        int warmups = quick ? 1 : 2;
        int iterations = quick ? 5 : 4;
        int millis = quick ? 300 : 500;
        List<String> providers = List.of("jdnn-vector", "djl", "nd4j", "ort");
        List<String> kases = Cases.kases();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("quick")) {
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("argument '" + a + "' needs a value; see docs/cpu.md");
            }
            String v = args[++i];
            switch (a) {
                case "-f" -> forks = Integer.parseInt(v);
                case "-wi" -> warmups = Integer.parseInt(v);
                case "-i" -> iterations = Integer.parseInt(v);
                case "-r" -> millis = Integer.parseInt(v);
                case "-p" -> {
                    String[] kv = v.split("=", 2);
                    List<String> values = List.of(kv.length == 2 ? kv[1].split(",") : new String[0]);
                    switch (kv[0]) {
                        case "provider" -> providers = inOrder("provider", values, Cases.PROVIDERS);
                        case "kase" -> kases = inOrder("kase", values, Cases.kases());
                        default -> throw new IllegalArgumentException("-p " + v + ": expected provider=... or kase=...");
                    }
                }
                default -> throw new IllegalArgumentException("argument '" + a + "': expected quick, -f, -wi, -i, -r or -p");
            }
        }
        String settings = String.format(Locale.ROOT, "%s mode: %d fork(s) x (%d warm-up + %d measurement iterations"
                + " of %d ms) per cell; threads: %d everywhere (jdnn's pool, ORT intra-op, PyTorch intra-op, OpenMP)",
                quick ? "quick" : "full", forks, warmups, iterations, millis, OrtProvider.threads());
        int cells = 0;
        for (String p : providers) {
            cells += runnable(p, kases).size();
        }
        System.out.printf(Locale.ROOT, "cpu-compare: %d cells, %s: at least %.1f min of iterations, plus each fork's"
                + " start and setup%n", cells, settings, cells * forks * (warmups + iterations) * millis / 60e3);
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String loadBefore = loadAverage();
        List<RunResult> results = new ArrayList<>();
        for (String p : providers) {
            List<String> ks = runnable(p, kases);
            if (ks.isEmpty()) {
                continue;
            }
            ChainedOptionsBuilder o = new OptionsBuilder()
                    .include(CompareBenchmark.class.getName())
                    .forks(forks)
                    .warmupIterations(warmups).warmupTime(TimeValue.milliseconds(millis))
                    .measurementIterations(iterations).measurementTime(TimeValue.milliseconds(millis))
                    .jvmArgsAppend("--add-modules", "jdk.incubator.vector", "-Dai.djl.offline=true",
                            "-Dai.djl.pytorch.num_threads=" + OrtProvider.threads(),
                            "-Dai.djl.pytorch.num_interop_threads=1", "-Xmx6g")
                    .param("provider", p)
                    .param("kase", ks.toArray(String[]::new))
                    .shouldFailOnError(false);
            results.addAll(new Runner(o.build()).run());
        }
        String table = CompareTable.table(results, providers, kases);
        String conditions = "Run " + start + " to " + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                + "; load average (1, 5, 15 min) before: " + loadBefore + ", after: " + loadAverage() + ".\n"
                + settings + ".\n\n";
        System.out.println(conditions + table);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "cpu-compare.md"), conditions + table);
    }

    private static List<String> runnable(String provider, List<String> kases) {
        return kases.stream().filter(k -> Cases.unsupported(provider, k) == null).toList();
    }

    /** {@code values}, each checked to be one of {@code known}, in {@code known}'s order (the table's). */
    private static List<String> inOrder(String name, List<String> values, List<String> known) {
        for (String v : values) {
            if (!known.contains(v)) {
                throw new IllegalArgumentException("-p " + name + "=" + v + ": expected one of " + known);
            }
        }
        return known.stream().filter(values::contains).toList();
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
