package io.jdnn.bench.perf;

import io.jdnn.BackendUnavailableException;
import io.jdnn.ConvAlgorithm;
import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.Devices;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The reference backend as the benchmark's oracle: computes an op's outputs at the verification
 * size from the host inputs, once per op (every algorithm and the vendor library are compared with
 * the same result). A convolution above {@link #FULL_MAX_FLOPS} (or over the budget) is verified
 * on a sample of its outputs ({@link ConvSample}) unless {@code --verify full} asks for all of
 * them; {@code --verify sample} samples every convolution with more outputs than a sample holds.
 * It estimates how long the reference will take from the flop rate it has measured so far, and
 * declines a full verification above the budget instead of stalling the run.
 */
final class Oracle implements AutoCloseable {
    /** Flops of a convolution pass (at the verification size) up to which {@code --verify auto} verifies every output. */
    static final long FULL_MAX_FLOPS = 2_000_000_000L;

    private Device reference;
    private String unavailable;
    private double flopsDone;
    private double secondsDone;
    private long nanos;
    private final Map<String, ReferenceOutputs> cache = new HashMap<>();

    /** Forgets the cached outputs (call between problems). */
    void clear() {
        cache.clear();
    }

    /** Why the reference cannot run, or null once it is open. */
    String unavailableReason() {
        open();
        return unavailable;
    }

    private void open() {
        if (reference != null || unavailable != null) {
            return;
        }
        try {
            reference = Devices.open("reference", DeviceOptions.DEFAULT);
        } catch (BackendUnavailableException | IllegalArgumentException e) {
            unavailable = "the reference backend is unavailable: " + e.getMessage();
        }
    }

    /** Estimated seconds for an op with {@code flops}, from the rate measured so far (calibrating once). */
    double estimateSeconds(long flops) {
        if (flops <= 0) {
            return 0;
        }
        if (flopsDone == 0) {
            calibrate();
        }
        return flops / (flopsDone / secondsDone);
    }

    /** Wall time spent computing reference outputs (full and sampled, calibration included), in seconds. */
    double seconds() {
        return nanos / 1e9;
    }

    /** The reference's flop rate so far, in GFLOP/s (0 before any conv ran). */
    double gflops() {
        return secondsDone == 0 ? 0 : flopsDone / secondsDone / 1e9;
    }

    /** Times a small forward convolution twice (the second run, after the JIT has compiled the loop, counts). */
    private void calibrate() {
        open();
        if (reference == null) {
            flopsDone = 1;
            secondsDone = 1e-9;
            return;
        }
        Op op = Op.of(BenchProblem.parse("conv_mb1ic32ih32oc32kh3ph1", 0), BenchProblem.Pass.FWD);
        Inputs.Host host = new Inputs.Host(0);
        for (int i = 0; i < 2; i++) {
            try (Op.Instance inst = op.instantiate(reference, ConvAlgorithm.DIRECT.name(), host)) {
                long t0 = System.nanoTime();
                inst.run();
                reference.synchronize();
                if (i == 1) {
                    flopsDone = op.flops();
                    secondsDone = (System.nanoTime() - t0) / 1e9;
                }
            }
        }
    }

    /**
     * The reference's outputs of {@code op} (at the verification size) from {@code host}'s inputs,
     * all of them or a sample as {@code config.verifyMode()} and the op's size say, or the reason
     * there are none: the reference is missing, or it would take longer than the budget.
     */
    ReferenceOutputs outputs(Op op, Inputs.Host host, BenchConfig config) {
        String key = op.toString() + "|" + op.problem().commandLine();
        ReferenceOutputs cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        long start = System.nanoTime();
        ReferenceOutputs out;
        try {
            out = compute(op, host, config);
        } finally {
            nanos += System.nanoTime() - start;
        }
        cache.put(key, out);
        return out;
    }

    private ReferenceOutputs compute(Op op, Inputs.Host host, BenchConfig config) {
        open();
        if (reference == null) {
            return ReferenceOutputs.skipped(unavailable);
        }
        double estimate = estimateSeconds(op.flops());
        if (op instanceof Op.ConvOp conv && ConvSample.smaller(conv) && switch (config.verifyMode()) {
            case BenchConfig.VERIFY_SAMPLE -> true;
            case BenchConfig.VERIFY_AUTO -> op.flops() > FULL_MAX_FLOPS || estimate > config.verifyBudgetS();
            default -> false;
        }) {
            return ConvSample.of(conv, host, config.seed() * 0x9E3779B97F4A7C15L + op.toString().hashCode());
        }
        if (estimate > config.verifyBudgetS()) {
            return ReferenceOutputs.skipped(String.format(Locale.ROOT, "the reference would take about %.0f s for %s at "
                    + "%.2f GFLOP/s (budget %.0f s; raise it with --verify-budget)", estimate, batchLabel(op), gflops(),
                    config.verifyBudgetS()));
        }
        List<String> algorithms = op.algorithms(reference);
        String algorithm = algorithms.get(0);
        for (String a : algorithms) {
            if (op.whyNot(reference, a).isEmpty()) {
                algorithm = a;
                break;
            }
        }
        long t0 = System.nanoTime();
        try (Op.Instance inst = op.instantiate(reference, algorithm, host)) {
            inst.run();
            Map<String, double[]> arrays = new LinkedHashMap<>();
            for (String name : inst.compared()) {
                arrays.put(name, inst.tensor(name).toDoubleArray());
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (op.flops() > 0) {
                flopsDone += op.flops();
                secondsDone += seconds;
            }
            return ReferenceOutputs.full(arrays);
        }
    }

    static String batchLabel(Op op) {
        BenchProblem p = op.problem();
        if (p instanceof BenchProblem.Step s) {
            return s.parameters() + " parameters";
        }
        return "batch " + p.batch();
    }

    @Override
    public void close() {
        if (reference != null) {
            reference.close();
        }
    }
}
