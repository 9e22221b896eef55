package io.jdnn.bench.perf;

import io.jdnn.DeviceOptions;

import java.util.Set;

/**
 * Everything that shapes a benchmark run besides the problems.
 *
 * @param device        the device spec (auto, reference, cpu, opencl[:...], cuda[:N])
 * @param tf32          let cuDNN and cuBLAS use TF32 tensor cores (and AUTO on the device)
 * @param deterministic open the device in deterministic mode
 * @param directions    the passes to run: fwd, bwd-data, bwd-filter (families) or exact pass names
 * @param algorithm     one convolution algorithm by name, "auto" for what AUTO picks, or null for every one that applies
 * @param timing        the measurement settings
 * @param verify        verify each variant against the reference before timing it
 * @param verifyBatch   the batch verification runs at (the problem's own when smaller)
 * @param verifyBudgetS the longest the reference may take for one verification, in seconds
 * @param verifyMode    auto (every output up to {@link Oracle#FULL_MAX_FLOPS}, a sample of a larger
 *                      convolution), full (every output, within the budget), sample (a sample of every
 *                      convolution with more outputs than a sample holds)
 * @param vendor        auto (the vendor baseline when the device is a GPU), on (always try), off
 * @param seed          seed of every input
 * @param memoryLimit   bytes a run may allocate on the device at most, 0 for what the device has
 */
public record BenchConfig(String device, boolean tf32, boolean deterministic, Set<String> directions, String algorithm,
                          Timing.Settings timing, boolean verify, int verifyBatch, double verifyBudgetS,
                          String verifyMode, String vendor, long seed, long memoryLimit) {

    /** {@code --verify auto}: every output of a small op, a sample of a large convolution's. */
    public static final String VERIFY_AUTO = "auto";
    /** {@code --verify full}: every output. */
    public static final String VERIFY_FULL = "full";
    /** {@code --verify sample}: a sample of every convolution's outputs. */
    public static final String VERIFY_SAMPLE = "sample";

    public BenchConfig {
        directions = Set.copyOf(directions);
        if (verifyBatch < 1) {
            throw new IllegalArgumentException("--verify-batch: expected a value >= 1, got " + verifyBatch);
        }
        if (!Set.of(VERIFY_AUTO, VERIFY_FULL, VERIFY_SAMPLE).contains(verifyMode)) {
            throw new IllegalArgumentException("--verify: expected auto, full or sample, got '" + verifyMode + "'");
        }
        if (!Set.of("auto", "on", "off").contains(vendor)) {
            throw new IllegalArgumentException("--vendor: expected auto, on or off, got '" + vendor + "'");
        }
        for (String d : directions) {
            if (!Set.of("fwd", "bwd-data", "bwd-filter", "bwd", "fwd-train", "fwd-infer", "step").contains(d)) {
                throw new IllegalArgumentException("--dir: expected fwd, bwd-data, bwd-filter (or a pass name: bwd, "
                        + "fwd-train, fwd-infer, step), got '" + d + "'");
            }
        }
    }

    /** The defaults of {@code jdnn bench} on {@code device}. */
    public static BenchConfig defaults(String device) {
        return new BenchConfig(device, false, false, Set.of("fwd", "bwd-data", "bwd-filter"), null,
                Timing.Settings.defaults(), true, 1, 30, VERIFY_AUTO, "auto", 1, 0);
    }

    /** The options the device opens with. */
    public DeviceOptions deviceOptions() {
        return DeviceOptions.DEFAULT.withAllowTf32(tf32).withDeterministic(deterministic);
    }

    /** Whether {@code --dir} selects a pass. */
    public boolean selects(BenchProblem.Pass pass) {
        return directions.contains(pass.family()) || directions.contains(pass.label());
    }

    public BenchConfig withTiming(Timing.Settings t) {
        return new BenchConfig(device, tf32, deterministic, directions, algorithm, t, verify, verifyBatch, verifyBudgetS,
                verifyMode, vendor, seed, memoryLimit);
    }

    public BenchConfig withVendor(String v) {
        return new BenchConfig(device, tf32, deterministic, directions, algorithm, timing, verify, verifyBatch,
                verifyBudgetS, verifyMode, v, seed, memoryLimit);
    }

    public BenchConfig withAlgorithm(String a) {
        return new BenchConfig(device, tf32, deterministic, directions, a, timing, verify, verifyBatch, verifyBudgetS,
                verifyMode, vendor, seed, memoryLimit);
    }

    public BenchConfig withVerifyMode(String mode) {
        return new BenchConfig(device, tf32, deterministic, directions, algorithm, timing, verify, verifyBatch,
                verifyBudgetS, mode, vendor, seed, memoryLimit);
    }

    public BenchConfig withVerifyBudget(double seconds) {
        return new BenchConfig(device, tf32, deterministic, directions, algorithm, timing, verify, verifyBatch, seconds,
                verifyMode, vendor, seed, memoryLimit);
    }

    public BenchConfig withDirections(Set<String> d) {
        return new BenchConfig(device, tf32, deterministic, d, algorithm, timing, verify, verifyBatch, verifyBudgetS,
                verifyMode, vendor, seed, memoryLimit);
    }
}
