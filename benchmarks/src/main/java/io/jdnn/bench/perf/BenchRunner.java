package io.jdnn.bench.perf;

import io.jdnn.AlgorithmNotSupportedException;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvPlan;
import io.jdnn.Device;
import io.jdnn.DeviceOutOfMemoryException;
import io.jdnn.Devices;
import io.jdnn.bench.perf.BenchProblem.Pass;
import io.jdnn.bench.perf.vendor.VendorBaseline;
import io.jdnn.bench.perf.vendor.Vendors;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs problems on one device: for every selected pass and every algorithm that applies, verify
 * against the reference (at the verification batch), then time (only what passed or could not be
 * verified, never what failed), then the vendor baseline of the same pass. One row per variant.
 */
public final class BenchRunner implements AutoCloseable {

    /** One problem to run, with where it comes from. */
    public record Job(String suite, String name, BenchProblem problem) {
    }

    private final Device device;
    private final boolean ownsDevice;
    private final BenchConfig config;
    private final PrintWriter progress;
    private final MemoryBudget memory;
    private final Oracle oracle = new Oracle();
    private long runNanos;
    private long verifyNanos;
    private long timingNanos;
    private final VendorBaseline vendor;
    private Peaks peaks;

    /**
     * Runs on {@code device} (not closed by {@link #close()}); {@code vendor} null opens the
     * baseline the config asks for. {@code progress} receives one line per problem (null: none).
     */
    public BenchRunner(Device device, BenchConfig config, VendorBaseline vendor, PrintWriter progress) {
        this(device, false, config, vendor, progress);
    }

    private BenchRunner(Device device, boolean ownsDevice, BenchConfig config, VendorBaseline vendor, PrintWriter progress) {
        this.device = device;
        this.ownsDevice = ownsDevice;
        this.config = config;
        this.progress = progress;
        this.memory = new MemoryBudget(config.memoryLimit());
        this.vendor = vendor != null ? vendor
                : Vendors.open(device, config.vendor(), config.tf32(), config.deterministic(), config.seed());
    }

    /** Opens the device the config names (and closes it with the runner). */
    public static BenchRunner open(BenchConfig config, PrintWriter progress) {
        Device d = Devices.open(config.device(), config.deviceOptions());
        try {
            return new BenchRunner(d, true, config, null, progress);
        } catch (RuntimeException | Error e) {
            d.close();
            throw e;
        }
    }

    public Device device() {
        return device;
    }

    public VendorBaseline vendor() {
        return vendor;
    }

    /** The device's peaks (measured on first call: a second or so of copies). */
    public Peaks peaks() {
        if (peaks == null) {
            peaks = Peaks.of(device, config.timing(), memory);
        }
        return peaks;
    }

    /** The reference's measured flop rate in GFLOP/s, 0 when it ran no convolution. */
    public double referenceGflops() {
        return oracle.gflops();
    }

    /**
     * Where the wall time of {@link #run} went, in seconds: in all; computing the reference's
     * outputs (full or sampled); running each variant at the verification size and comparing; timing.
     */
    public record Phases(double totalS, double referenceS, double verifyS, double timingS) {
    }

    /** The wall time of the runs so far, by phase. */
    public Phases phases() {
        return new Phases(runNanos / 1e9, oracle.seconds(), verifyNanos / 1e9, timingNanos / 1e9);
    }

    /** Runs every job; the rows of each pass go to {@code onPass} as soon as the pass is complete. */
    public List<BenchResult> run(List<Job> jobs, Consumer<List<BenchResult>> onPass) {
        long start = System.nanoTime();
        peaks();
        List<BenchResult> all = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            if (progress != null) {
                progress.printf(Locale.ROOT, "[%d/%d] %s%s (%.0f s)%n", i + 1, jobs.size(),
                        job.suite().isEmpty() ? "" : job.suite() + "/" + job.name() + " ", job.problem().canonical(),
                        (System.nanoTime() - start) / 1e9);
                progress.flush();
            }
            oracle.clear();
            for (Pass pass : job.problem().passes()) {
                if (!config.selects(pass)) {
                    continue;
                }
                List<BenchResult> rows = runPass(job, Op.of(job.problem(), pass));
                all.addAll(rows);
                if (onPass != null) {
                    onPass.accept(rows);
                }
            }
        }
        runNanos += System.nanoTime() - start;
        return all;
    }

    private List<BenchResult> runPass(Job job, Op op) {
        Op vop = op.forVerification(config.verifyBatch());
        Inputs.Host host = new Inputs.Host(config.seed());
        List<BenchResult> rows = new ArrayList<>();
        for (String[] algo : algorithms(op)) {
            rows.add(runVariant(job, op, vop, host, algo[0], algo[1]));
        }
        VendorResult v;
        Optional<String> na = vendor.whyNot(op);
        if (na.isPresent()) {
            v = VendorResult.na(na.get());
        } else {
            ReferenceOutputs ref = config.verify() ? oracle.outputs(vop, host, config)
                    : ReferenceOutputs.skipped("--no-verify");
            v = vendor.run(op, vop, host, ref, config.timing(), rotationTarget());
        }
        List<BenchResult> out = new ArrayList<>();
        for (BenchResult r : rows) {
            out.add(new BenchResult(r.suite(), r.name(), r.problem(), r.parameters(), r.kind(), r.pass(), r.algorithm(),
                    r.disposition(), r.reason(), r.error(), r.bound(), r.verifyBatch(), r.verified(), r.stats(), r.rotation(),
                    r.flops(), r.bytes(), r.peakPercent(), r.peakBasis(), v, r.command()));
        }
        return out;
    }

    /** {algorithm to run, label}: every algorithm of the backend, the one --algo names, or what AUTO picks. */
    private List<String[]> algorithms(Op op) {
        List<String[]> out = new ArrayList<>();
        if (!(op instanceof Op.ConvOp conv)) {
            out.add(new String[] {"-", "-"});
            return out;
        }
        String a = config.algorithm();
        if (a == null) {
            for (String name : op.algorithms(device)) {
                out.add(new String[] {name, name});
            }
        } else if (a.equalsIgnoreCase("auto")) {
            ConvPlan plan = device.plan(conv.convProblem(), conv.direction(), ConvAlgorithm.AUTO);
            if (plan.isRunnable()) {
                String chosen = plan.algorithm().name();
                out.add(new String[] {chosen, "AUTO->" + chosen});
            } else {
                out.add(new String[] {ConvAlgorithm.AUTO.name(), "AUTO"}); // its row says why not
            }
        } else {
            String name = ConvAlgorithm.parse(a).name();
            out.add(new String[] {name, name});
        }
        return out;
    }

    private BenchResult runVariant(Job job, Op op, Op vop, Inputs.Host host, String algorithm, String label) {
        Row row = new Row(job, op, label);
        if (device.isBroken()) {
            return row.done(Disposition.ERROR, "the device is broken after an earlier failure: " + device.brokenReason());
        }
        try {
            Optional<String> why = op.whyNot(device, algorithm);
            if (why.isPresent()) {
                return row.done(Disposition.NOT_SUPPORTED, why.get());
            }
            long setBytes = op.elements() * MemoryBudget.bytesPerElement(device);
            long available = memory.available(device);
            if (setBytes > available) {
                System.gc();
                available = memory.available(device);
            }
            if (setBytes > available) {
                return row.done(Disposition.NOT_SUPPORTED, "memory: the op's tensors need " + MemoryBudget.mib(setBytes)
                        + ", " + MemoryBudget.mib(available) + " available " + MemoryBudget.source(device));
            }
            row.bound = op.errorBound(device.info().precision(), algorithm);
            String unverified = verify(row, op, vop, host, algorithm);
            if (row.disposition == Disposition.INCORRECT) {
                return row.done(Disposition.INCORRECT, row.reason);
            }
            long timingStart = System.nanoTime();
            try {
                time(row, op, algorithm, setBytes, available);
            } finally {
                timingNanos += System.nanoTime() - timingStart;
            }
            return row.done(unverified == null ? Disposition.PASSED : Disposition.VERIFY_SKIPPED,
                    unverified == null ? "" : unverified);
        } catch (AlgorithmNotSupportedException e) {
            return row.done(Disposition.NOT_SUPPORTED, e.getMessage());
        } catch (DeviceOutOfMemoryException e) {
            return row.done(Disposition.NOT_SUPPORTED, "memory: " + e.getMessage());
        } catch (OutOfMemoryError e) {
            // a backend's workspace beyond the heap: the tensors of the variant are freed by now
            return row.done(Disposition.NOT_SUPPORTED, "memory: the JVM heap ran out (" + e.getMessage() + "; -Xmx"
                    + MemoryBudget.mib(Runtime.getRuntime().maxMemory()) + ", raise it with JDNN_JAVA_OPTS=-Xmx...)");
        } catch (RuntimeException e) {
            return row.done(Disposition.ERROR, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * Verifies one variant; returns null when verified, the reason when not verified; sets the
     * row's INCORRECT disposition when the output is wrong.
     */
    private String verify(Row row, Op op, Op vop, Inputs.Host host, String algorithm) {
        if (!config.verify()) {
            return "not verified (--no-verify)";
        }
        Optional<String> whyNot = vop.whyNot(device, algorithm);
        if (whyNot.isPresent()) {
            return "not verified: " + algorithm + " does not run the verification size (" + Oracle.batchLabel(vop) + "): "
                    + whyNot.get();
        }
        ReferenceOutputs ref = oracle.outputs(vop, host, config);
        if (!ref.available()) {
            return "not verified: " + ref.skipped();
        }
        long start = System.nanoTime();
        double worst = 0;
        String detail = "";
        try (Op.Instance inst = vop.instantiate(device, algorithm, host)) {
            inst.run();
            for (String name : inst.compared()) {
                double[] out = inst.tensor(name).toDoubleArray();
                double e = ref.error(name, out);
                if (!(e <= worst)) {
                    worst = e;
                    detail = ref.mismatch(name, out, row.bound, e);
                }
            }
        } finally {
            verifyNanos += System.nanoTime() - start;
        }
        row.error = worst;
        row.verifyBatch = vop.problem() instanceof BenchProblem.Step s ? (int) s.parameters() : vop.problem().batch();
        row.verified = ref.verified();
        if (!(worst <= row.bound)) {
            row.disposition = Disposition.INCORRECT;
            row.reason = detail;
        }
        return null;
    }

    /** Rotation footprint: twice the cache, so a run never finds its inputs left in cache by the previous one. */
    private long rotationTarget() {
        return 2 * peaks().cacheBytes();
    }

    private void time(Row row, Op op, String algorithm, long setBytes, long available) {
        int sets = (int) Math.max(1, Math.min(64, Math.min((rotationTarget() + setBytes - 1) / setBytes,
                available / setBytes)));
        List<Op.Instance> instances = new ArrayList<>();
        Inputs.OnDevice filler = new Inputs.OnDevice(config.seed() + 1);
        try {
            for (int i = 0; i < sets; i++) {
                try {
                    instances.add(op.instantiate(device, algorithm, filler));
                } catch (DeviceOutOfMemoryException e) {
                    if (instances.isEmpty()) {
                        throw e;
                    }
                    break;
                }
            }
            int[] next = {0};
            int n = instances.size();
            row.stats = Timing.measure(k -> device.timeMillis(() -> {
                for (int i = 0; i < k; i++) {
                    instances.get(next[0]++ % n).run();
                }
            }), config.timing());
            row.rotation = n;
        } finally {
            for (Op.Instance i : instances) {
                i.close();
            }
        }
    }

    /** A row being filled in. */
    private final class Row {
        final Job job;
        final Op op;
        final String algorithm;
        Disposition disposition;
        String reason = "";
        double error = Double.NaN;
        double bound = Double.NaN;
        int verifyBatch;
        String verified = "";
        Timing.Stats stats;
        int rotation;

        Row(Job job, Op op, String algorithm) {
            this.job = job;
            this.op = op;
            this.algorithm = algorithm;
        }

        BenchResult done(Disposition d, String why) {
            double percent = Double.NaN;
            String basis = "";
            if (stats != null) {
                double seconds = stats.median() / 1e3;
                Peaks pk = peaks();
                double flopPct = Double.NaN;
                double bytePct = Double.NaN;
                double flopPeak = pk.flopsFor(algorithm);
                if (op.flops() > 0 && flopPeak > 0) {
                    flopPct = op.flops() / seconds / flopPeak * 100;
                }
                if (op.bytes() > 0 && pk.bandwidth() > 0) {
                    bytePct = op.bytes() / seconds / pk.bandwidth() * 100;
                }
                if (!Double.isNaN(flopPct) && !(bytePct > flopPct)) {
                    percent = flopPct;
                    basis = algorithm.contains("TF32") ? "TF32" : algorithm.contains("BF16") ? "BF16" : "FP32";
                } else if (!Double.isNaN(bytePct)) {
                    percent = bytePct;
                    basis = "bandwidth";
                }
            }
            BenchProblem p = job.problem();
            long params = p instanceof BenchProblem.Step s ? s.parameters() : 0;
            return new BenchResult(job.suite(), job.name(), p.canonical(), params, p.kind(), op.pass().label(), algorithm, d,
                    why == null ? "" : why, error, bound, verifyBatch, verified, d.timed() ? stats : null, rotation, op.flops(),
                    op.bytes(), d.timed() ? percent : Double.NaN, d.timed() ? basis : "", VendorResult.na(""),
                    command(p, op.pass(), algorithm));
        }
    }

    /** The command line that reproduces one row. */
    String command(BenchProblem p, Pass pass, String algorithm) {
        StringBuilder b = new StringBuilder("./jdnn bench --device ").append(device.spec()).append(' ').append(p.commandLine())
                .append(" --dir ").append(pass.label());
        if (!algorithm.equals("-")) {
            b.append(" --algo ").append(algorithm.startsWith("AUTO->") ? "auto" : algorithm);
        }
        if (config.tf32()) {
            b.append(" --tf32");
        }
        if (config.deterministic()) {
            b.append(" --deterministic");
        }
        if (config.verifyBatch() != 1) {
            b.append(" --verify-batch ").append(config.verifyBatch());
        }
        if (config.seed() != 1) {
            b.append(" --seed ").append(config.seed());
        }
        return b.toString();
    }

    @Override
    public void close() {
        vendor.close();
        oracle.close();
        if (ownsDevice) {
            device.close();
        }
    }
}
