package io.jdnn.bench.perf;

/**
 * The vendor library's (cuDNN's, cuBLAS's) result for one pass of one problem.
 *
 * @param library     cuDNN or cuBLAS, or "" when no library ran
 * @param disposition PASSED (verified and timed), INCORRECT, NOT_SUPPORTED, ERROR; null when the vendor column is n/a
 * @param algorithm   the vendor algorithm timed (the best of cudnnFind...), or ""
 * @param reason      why the column is n/a or the vendor result is missing, else ""
 * @param error       verification error against the reference, NaN when not verified
 * @param verified    how much of the output verification compared ("full", "sample of N"), "" when not verified
 * @param stats       the timing, null when not timed
 */
public record VendorResult(String library, Disposition disposition, String algorithm, String reason, double error,
                           String verified, Timing.Stats stats) {

    /** The column reads n/a, with the reason. */
    public static VendorResult na(String reason) {
        return new VendorResult("", null, "", reason, Double.NaN, "", null);
    }

    public boolean timed() {
        return stats != null;
    }

    public double ms() {
        return stats == null ? Double.NaN : stats.median();
    }
}
