package io.jdnn.bench.perf;

/**
 * One row of the report: one algorithm of one pass of one problem on one device.
 *
 * @param suite       the suite, or "" for a problem given on the command line
 * @param name        the entry's name in its suite, or ""
 * @param problem     the canonical problem string
 * @param parameters  an optimizer's parameter count, else 0
 * @param kind        conv, deconv, pool, bn, linear, optimizer
 * @param pass        fwd, bwd-data, bwd-filter, bwd, fwd-train, fwd-infer, step
 * @param algorithm   the algorithm ("-" for ops without a choice; "AUTO->X" when AUTO chose X)
 * @param disposition what became of it
 * @param reason      why it was not supported, failed, was not verified; the error of an incorrect one; "" otherwise
 * @param error       the verification error (max |out - ref| / max |ref|), NaN when not verified
 * @param bound       the bound the error was held to, NaN when not verified
 * @param verifyBatch the batch (elements for an optimizer) verification ran at, 0 when not verified
 * @param verified    how much of the output verification compared: "full", "sample of N" ({@code --verify sample}), "" when not verified
 * @param stats       the timing, null when not timed
 * @param rotation    input sets the timing rotated over
 * @param flops       the problem's flop count of this pass, -1 for memory-bound ops
 * @param bytes       the problem's minimal byte count of this pass, -1 where the record has none
 * @param peakPercent the measured throughput as a percentage of the device's peak, NaN when unknown
 * @param peakBasis   which peak: "FP32", "TF32", "BF16" or "bandwidth" ("" when none)
 * @param vendor      the vendor library's result for the same pass, never null
 * @param command     the command line that reproduces this row
 */
public record BenchResult(String suite, String name, String problem, long parameters, String kind, String pass,
                          String algorithm, Disposition disposition, String reason, double error, double bound,
                          int verifyBatch, String verified, Timing.Stats stats, int rotation, long flops, long bytes, double peakPercent,
                          String peakBasis, VendorResult vendor, String command) {

    /** Milliseconds per run (the median), NaN when not timed. */
    public double ms() {
        return stats == null ? Double.NaN : stats.median();
    }

    /** TFLOP/s at the median time, NaN for memory-bound ops or when not timed. */
    public double tflops() {
        return flops > 0 && stats != null ? flops / (stats.median() / 1e3) / 1e12 : Double.NaN;
    }

    /** GB/s of the minimal byte count at the median time, NaN where unknown. */
    public double gbps() {
        return bytes > 0 && stats != null ? bytes / (stats.median() / 1e3) / 1e9 : Double.NaN;
    }

    /** Vendor time over this time: above 1 this variant is faster than the vendor library. NaN when either is missing. */
    public double vendorSpeedup() {
        return stats != null && vendor.timed() ? vendor.ms() / stats.median() : Double.NaN;
    }

    /** Whether the throughput column is TFLOP/s (compute) rather than GB/s. */
    public boolean computeBound() {
        return flops > 0;
    }
}
