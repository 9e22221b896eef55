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
 * the same result). It estimates how long the float64 loops will take from the flop rate it has
 * measured so far, and declines ops above the budget instead of stalling the run.
 */
final class Oracle implements AutoCloseable {
    /** The reference's outputs of one op, or why there are none. */
    record Outputs(Map<String, double[]> arrays, String skipped) {
    }

    private Device reference;
    private String unavailable;
    private double flopsDone;
    private double secondsDone;
    private final Map<String, Outputs> cache = new HashMap<>();

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
     * The reference's outputs of {@code op} (at the verification size) from {@code host}'s inputs, or
     * the reason there are none: the reference is missing, or it would take longer than {@code budgetS}.
     */
    Outputs outputs(Op op, Inputs.Host host, double budgetS) {
        String key = op.toString() + "|" + op.problem().commandLine();
        Outputs cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        Outputs out = compute(op, host, budgetS);
        cache.put(key, out);
        return out;
    }

    private Outputs compute(Op op, Inputs.Host host, double budgetS) {
        open();
        if (reference == null) {
            return new Outputs(null, unavailable);
        }
        double estimate = estimateSeconds(op.flops());
        if (estimate > budgetS) {
            return new Outputs(null, String.format(Locale.ROOT, "the reference would take about %.0f s for %s at %.2f GFLOP/s "
                    + "(budget %.0f s; raise it with --verify-budget)", estimate, batchLabel(op), gflops(), budgetS));
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
            return new Outputs(arrays, null);
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
