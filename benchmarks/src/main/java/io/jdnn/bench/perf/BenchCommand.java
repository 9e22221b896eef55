package io.jdnn.bench.perf;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jdnn.ConvAlgorithm;
import io.jdnn.DeviceInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code jdnn bench}: verified, honest benchmarking of the problems of a suite, or of problems given
 * as canonical strings or as flags, on one device, with the vendor library beside it where there
 * is one. See docs/bench.md.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Verifies every variant against the reference, then times it: median and spread of >= 20 "
                + "samples after warm-up, inputs rotated over more than the last-level cache, random normal data. "
                + "Reports ms, TFLOP/s or GB/s, %% of the device's peak and, on NVIDIA GPUs, the ratio to cuDNN/cuBLAS.",
                "Without a suite or problem it runs the short default suite '" + Suites.DEFAULT + "' on the best device.",
                "Exit status: 0 when every variant passed (or was not supported or not verified), 1 when one was "
                        + "INCORRECT or failed with an ERROR, 2 on a usage error."},
        footer = {"%nExamples:",
                "  jdnn bench",
                "  jdnn bench --suite resnet50 --device cuda",
                "  jdnn bench --suite mobilenet_v2 --device cpu --batch 4 --csv out.csv --html out.html",
                "  jdnn bench --problem conv_mb32ic64ih56oc64kh3ph1 --dir fwd --algo WINOGRAD",
                "  jdnn bench --mb 32 --ic 64 --ih 56 --oc 64 --kh 3 --ph 1 --device opencl:pocl",
                "  jdnn bench --problem adam_lr=0.001 --params 25557032",
                "  jdnn bench --list",
                "  jdnn bench --suite pooling --batch 8 --print-problems"})
public final class BenchCommand implements Callable<Integer> {

    /** Suite names for picocli's completion and help. */
    static final class SuiteNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Suites.names().iterator();
        }
    }

    @Option(names = {"-s", "--suite"}, split = ",", paramLabel = "NAME", completionCandidates = SuiteNames.class,
            description = "Suites to run: ${COMPLETION-CANDIDATES} (repeatable or comma-separated).")
    List<String> suites = new ArrayList<>();

    @Option(names = {"-p", "--problem"}, paramLabel = "STRING",
            description = "A canonical problem string (conv_..., deconv_..., maxpool_..., avgpool_..., adaptiveavgpool_..., "
                    + "bn_..., linear_..., cat_..., permute_..., add_... (sub, mul, div, maximum, minimum), or an optimizer rule such as adam_lr=0.001 with --params). Repeatable.")
    List<String> problems = new ArrayList<>();

    @Option(names = "--params", paramLabel = "N", defaultValue = "0",
            description = "Parameters an optimizer problem steps (e.g. 25557032 for ResNet-50).")
    long parameters;

    @Option(names = {"-d", "--device"}, defaultValue = "auto", paramLabel = "SPEC",
            description = "Device: auto, reference, cpu, opencl[:N|:NAME], cuda[:N] (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--dir", split = ",", paramLabel = "DIR",
            description = "Passes: fwd, bwd-data, bwd-filter (default: all); pooling's backward is bwd-data, batch norm's "
                    + "fwd is fwd-train and fwd-infer, an optimizer step counts as fwd. Exact pass names work too.")
    List<String> directions = new ArrayList<>(List.of("fwd", "bwd-data", "bwd-filter"));

    @Option(names = "--algo", paramLabel = "NAME",
            description = "One convolution algorithm (DIRECT, IM2COL_GEMM, IMPLICIT_GEMM, WINOGRAD, DEPTHWISE, "
                    + "TENSOR_CORE_TF32, GROUPED, TENSOR_CORE_BF16) or auto (what AUTO picks); default: every one that applies.")
    String algorithm;

    @Option(names = {"-b", "--batch"}, paramLabel = "N", defaultValue = "0",
            description = "Batch size of every problem (default: each suite's published one).")
    int batch;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "20",
            description = "Timed samples at least, >= 20 (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "3", description = "Warm-up runs at least (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--min-time", paramLabel = "MS", defaultValue = "100",
            description = "Measured time per variant at least, in ms: short ops take more samples (default: ${DEFAULT-VALUE}).")
    double minTimeMs;

    @Option(names = "--max-time", paramLabel = "S", defaultValue = "5",
            description = "Sampling time per variant, in s, after which no sample starts beyond the fifth (slow variants; "
                    + "their ms is marked *) (default: ${DEFAULT-VALUE}).")
    double maxTimeS;

    @Option(names = "--tf32", description = "Let cuDNN/cuBLAS (and the device's AUTO) use TF32 tensor cores.")
    boolean tf32;

    @Option(names = "--deterministic", description = "Open the device in deterministic mode; deterministic cuDNN algorithms only.")
    boolean deterministic;

    @Option(names = "--no-verify", negatable = false, description = "Time without verifying (rows read VERIFY_SKIPPED).")
    boolean noVerify;

    @Option(names = "--verify", paramLabel = "MODE", defaultValue = BenchConfig.VERIFY_AUTO,
            description = "How much of each output to check: full (every element), sample (" + ConvSample.SIZE
                    + " random elements of each convolution, each computed alone in float64; other ops in full), auto "
                    + "(full up to " + Oracle.FULL_MAX_FLOPS / 1_000_000_000L + " GFLOP a pass at the verification batch, "
                    + "sample above it or over the budget; "
                    + "default: ${DEFAULT-VALUE}). Each row says which it got.")
    String verifyMode;

    @Option(names = "--verify-batch", paramLabel = "N", defaultValue = "1",
            description = "Batch of the verification run against the reference (default: ${DEFAULT-VALUE}).")
    int verifyBatch;

    @Option(names = "--verify-budget", paramLabel = "S", defaultValue = "30",
            description = "Longest the float64 reference may take for one verification, in seconds; longer ones are "
                    + "VERIFY_SKIPPED with the estimate (default: ${DEFAULT-VALUE}).")
    double verifyBudget;

    @Option(names = "--vendor", paramLabel = "WHEN", defaultValue = "auto",
            description = "cuDNN/cuBLAS baseline: auto (when the device is a GPU), on (always try), off (default: ${DEFAULT-VALUE}).")
    String vendor;

    @Option(names = "--csv", paramLabel = "FILE", description = "Write every row as CSV.")
    Path csv;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the run (settings, peaks, rows with every sample) as JSON.")
    Path json;

    @Option(names = "--html", paramLabel = "FILE", description = "Write a self-contained HTML page with a chart per suite.")
    Path html;

    @Option(names = "--repro", description = "Print the command that reproduces each row under it.")
    boolean repro;

    @Option(names = "--list", description = "Print the suites and their problems as Markdown (docs/bench.md) and exit.")
    boolean list;

    @Option(names = "--print-problems", description = "Print the problems and passes the other options select (suite, "
            + "name, kind, problem string, parameters, passes) as JSON on stdout and exit, without opening a device: "
            + "what a script timing the same problems elsewhere reads (benchmarks/pytorch/bench_torch.py).")
    boolean printProblems;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed of every input (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--memory-limit", paramLabel = "MIB", defaultValue = "0",
            description = "Plan with at most this much device memory, in MiB (default: what the device has).")
    long memoryLimitMib;

    @Option(names = "--no-progress", negatable = false, description = "No progress lines ([n/m] problem) on stderr.")
    boolean noProgress;

    // Convolution flags: put together into a canonical string that ConvProblem.parse reads, so the
    // defaults of left-out keys are the parser's (iw = ih, kw = kh, stride 1, padding 0, ...).
    @Option(names = "--mb", paramLabel = "N", description = "Convolution as flags: batch (then --ic --ih [--iw] --oc --kh "
            + "[--kw] [--sh --sw --ph --pw --dh --dw --g] [--deconv --oph --opw]; defaults as in the problem string).")
    Integer mb;
    @Option(names = "--ic", hidden = true) Integer ic;
    @Option(names = "--ih", hidden = true) Integer ih;
    @Option(names = "--iw", hidden = true) Integer iw;
    @Option(names = "--oc", hidden = true) Integer oc;
    @Option(names = "--kh", hidden = true) Integer kh;
    @Option(names = "--kw", hidden = true) Integer kw;
    @Option(names = "--sh", hidden = true) Integer sh;
    @Option(names = "--sw", hidden = true) Integer sw;
    @Option(names = "--ph", hidden = true) Integer ph;
    @Option(names = "--pw", hidden = true) Integer pw;
    @Option(names = "--dh", hidden = true) Integer dh;
    @Option(names = "--dw", hidden = true) Integer dw;
    @Option(names = "--g", hidden = true) Integer g;
    @Option(names = "--deconv", hidden = true) boolean deconv;
    @Option(names = "--oph", hidden = true) Integer oph;
    @Option(names = "--opw", hidden = true) Integer opw;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (list) {
            out.print(listMarkdown());
            out.flush();
            return 0;
        }
        List<BenchRunner.Job> jobs = jobs();
        BenchConfig config = config();
        if (printProblems) {
            out.print(problemsJson(jobs, config));
            out.flush();
            return 0;
        }
        try (BenchRunner runner = BenchRunner.open(config, noProgress ? null : err)) {
            DeviceInfo info = runner.device().info();
            String options = (tf32 ? "TF32 allowed" : "") + (deterministic ? (tf32 ? ", " : "") + "deterministic" : "");
            Report.Header header = new Report.Header("jdnn " + String.join(" ",
                    spec.commandLine().getParseResult().originalArgs()), runner.device().spec(), info.name(),
                    info.details() + ", " + info.computeUnits() + " compute units, " + MemoryBudget.mib(info.memoryBytes()),
                    info.backend(), options, runner.peaks(), runner.vendor().describe(), runner.vendor().available(),
                    config, "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
                    ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
            Report report = new Report(header, out, repro);
            report.printHeader();
            List<BenchResult> rows = runner.run(jobs, report::printPass);
            report.printSummary(rows, runner.referenceGflops(), runner.phases());
            if (csv != null) {
                report.writeCsv(csv, rows);
                out.println("wrote " + csv);
            }
            if (json != null) {
                report.writeJson(json, rows);
                out.println("wrote " + json);
            }
            if (html != null) {
                report.writeHtml(html, rows);
                out.println("wrote " + html);
            }
            out.flush();
            for (BenchResult r : rows) {
                if (r.disposition() == Disposition.INCORRECT || r.disposition() == Disposition.ERROR) {
                    return 1;
                }
            }
            return 0;
        }
    }

    /** The settings the options give. */
    BenchConfig config() {
        if (runs < 20) {
            throw new IllegalArgumentException("--runs: expected a value >= 20 (fewer samples give no trustworthy median "
                    + "and spread), got " + runs);
        }
        if (warmup < 1) {
            throw new IllegalArgumentException("--warmup: expected a value >= 1, got " + warmup);
        }
        if (algorithm != null && !algorithm.equalsIgnoreCase("auto")) {
            ConvAlgorithm a = ConvAlgorithm.parse(algorithm);
            if (a == ConvAlgorithm.AUTO) {
                algorithm = "auto";
            }
        }
        Timing.Settings d = Timing.Settings.defaults();
        if (!(maxTimeS > 0)) {
            throw new IllegalArgumentException("--max-time: expected seconds > 0, got " + maxTimeS);
        }
        Timing.Settings t = new Timing.Settings(runs, warmup, d.warmupMs(), d.sampleMs(), minTimeMs, maxTimeS * 1000);
        return new BenchConfig(device, tf32, deterministic, new LinkedHashSet<>(directions), algorithm, t, !noVerify,
                verifyBatch, verifyBudget, verifyMode.toLowerCase(Locale.ROOT), vendor.toLowerCase(Locale.ROOT), seed,
                memoryLimitMib << 20);
    }

    /** The problems the options name, in order: suites, then --problem strings, then the conv flags. */
    List<BenchRunner.Job> jobs() {
        if (batch < 0) {
            throw new IllegalArgumentException("--batch: expected a value >= 1, got " + batch);
        }
        List<BenchRunner.Job> jobs = new ArrayList<>();
        String flags = convFromFlags();
        if (suites.isEmpty() && problems.isEmpty() && flags == null) {
            suites = List.of(Suites.DEFAULT);
        }
        for (String s : suites) {
            for (Suites.Suite suite : Suites.resolve(s.trim())) {
                for (Suites.Entry e : suite.entries()) {
                    BenchProblem p = e.parse();
                    jobs.add(new BenchRunner.Job(suite.name(), e.name(), batch > 0 ? p.withBatch(batch) : p));
                }
            }
        }
        List<String> strings = new ArrayList<>(problems);
        if (flags != null) {
            strings.add(flags);
        }
        for (String text : strings) {
            BenchProblem p = BenchProblem.parse(text.trim(), parameters);
            jobs.add(new BenchRunner.Job("", "", batch > 0 ? p.withBatch(batch) : p));
        }
        if (parameters > 0 && problems.isEmpty()) {
            throw new IllegalArgumentException("--params: goes with an optimizer --problem (e.g. --problem adam_lr=0.001)");
        }
        return jobs;
    }

    /** The conv flags as a problem string, or null when none is given. */
    String convFromFlags() {
        Object[][] keys = {{"mb", mb}, {"ic", ic}, {"ih", ih}, {"iw", iw}, {"oc", oc}, {"kh", kh}, {"kw", kw}, {"sh", sh},
                {"sw", sw}, {"ph", ph}, {"pw", pw}, {"dh", dh}, {"dw", dw}, {"g", g}, {"oph", oph}, {"opw", opw}};
        StringBuilder b = new StringBuilder();
        for (Object[] k : keys) {
            if (k[1] != null) {
                b.append(k[0]).append(k[1]);
            }
        }
        if (b.length() == 0) {
            if (deconv) {
                throw new IllegalArgumentException("--deconv: goes with the convolution flags (--ic --ih --oc --kh ...)");
            }
            return null;
        }
        return (deconv ? "deconv_" : "conv_") + b;
    }

    /**
     * The jobs as JSON: one object per problem with its suite and name ("" for a --problem), kind,
     * canonical problem string (the {@code problem} field of the rows {@code --json} writes), the
     * parameter count of an optimizer step (0 otherwise) and the passes {@code --dir} selects, in
     * the order a run takes them.
     */
    static String problemsJson(List<BenchRunner.Job> jobs, BenchConfig config) {
        ObjectNode j = JsonReport.object();
        j.put("tool", "jdnn bench --print-problems");
        ArrayNode problems = j.putArray("problems");
        for (BenchRunner.Job job : jobs) {
            BenchProblem p = job.problem();
            ObjectNode problem = problems.addObject();
            problem.put("suite", job.suite());
            problem.put("name", job.name());
            problem.put("kind", p.kind());
            problem.put("problem", p.canonical());
            problem.put("parameters", p instanceof BenchProblem.Step s ? s.parameters() : 0L);
            ArrayNode passes = problem.putArray("passes");
            for (BenchProblem.Pass pass : p.passes()) {
                if (config.selects(pass)) {
                    passes.add(pass.label());
                }
            }
        }
        return JsonReport.text(j);
    }

    /** Every suite as Markdown: its description and a table of names, problem strings and sizes. */
    static String listMarkdown() {
        StringBuilder b = new StringBuilder();
        b.append("| suite | problems | what |\n|---|---|---|\n");
        for (Suites.Suite s : Suites.all()) {
            b.append("| `").append(s.name()).append("` | ").append(s.entries().size()).append(" | ")
                    .append(s.description()).append(" |\n");
        }
        b.append("| `all` | ").append(Suites.resolve("all").stream().mapToInt(x -> x.entries().size()).sum())
                .append(" | every suite above but `").append(Suites.DEFAULT).append("` |\n");
        for (Suites.Suite s : Suites.all()) {
            b.append("\n### `").append(s.name()).append("`\n\n").append(s.description()).append(".\n\n");
            b.append("| name | problem | size (one pass) |\n|---|---|---|\n");
            for (Suites.Entry e : s.entries()) {
                BenchProblem p = e.parse();
                Op op = Op.of(p, p.passes().get(0));
                String size = op.flops() > 0 ? String.format(Locale.ROOT, "%.3f GFLOP", op.flops() / 1e9)
                        : String.format(Locale.ROOT, "%.1f MB (%s)", op.bytes() / 1e6, p.passes().get(0).label());
                b.append("| ").append(e.name()).append(" | `").append(e.problem()).append('`')
                        .append(e.parameters() > 0 ? " `--params " + e.parameters() + "`" : "").append(" | ").append(size)
                        .append(" |\n");
            }
        }
        return b.toString();
    }
}
