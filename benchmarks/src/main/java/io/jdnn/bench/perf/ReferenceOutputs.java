package io.jdnn.bench.perf;

import io.jdnn.ErrorBounds;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The reference's outputs of one op at the verification size, by tensor name: every element (full
 * verification), or a random sample of the elements with their indices ({@code --verify sample});
 * or why there are none. A device's outputs are compared with them element by element, over the
 * elements the reference has.
 */
public final class ReferenceOutputs {
    private final Map<String, double[]> values;
    private final Map<String, int[]> indices;
    private final String skipped;

    private ReferenceOutputs(Map<String, double[]> values, Map<String, int[]> indices, String skipped) {
        this.values = values;
        this.indices = indices;
        this.skipped = skipped;
    }

    /** Every element of each compared tensor. */
    static ReferenceOutputs full(Map<String, double[]> arrays) {
        return new ReferenceOutputs(new LinkedHashMap<>(arrays), Map.of(), null);
    }

    /** The elements at {@code indices} of each tensor, with their values (same names, same lengths). */
    static ReferenceOutputs sample(Map<String, int[]> indices, Map<String, double[]> values) {
        return new ReferenceOutputs(new LinkedHashMap<>(values), new LinkedHashMap<>(indices), null);
    }

    /** No outputs, and why: the reference is missing, too slow for the budget, or verification is off. */
    public static ReferenceOutputs skipped(String why) {
        return new ReferenceOutputs(Map.of(), Map.of(), why);
    }

    /** Whether the reference has outputs to compare with. */
    public boolean available() {
        return skipped == null;
    }

    /** Why there are no outputs, or null when there are. */
    public String skipped() {
        return skipped;
    }

    /** Whether the reference has (some) elements of the tensor {@code name}. */
    public boolean compares(String name) {
        return values.containsKey(name);
    }

    /** How much is verified: "full", or "sample of N" with N the sampled elements over all tensors. */
    public String verified() {
        if (indices.isEmpty()) {
            return "full";
        }
        long n = 0;
        for (int[] i : indices.values()) {
            n += i.length;
        }
        return "sample of " + n;
    }

    /** The error of {@code out} (every element of the tensor) over the elements the reference has: see {@link ErrorBounds#maxNormalizedError}. */
    public double error(String name, double[] out) {
        return ErrorBounds.maxNormalizedError(compared(name, out), values.get(name));
    }

    /** The error, the bound, and the first compared elements outside it with their indices. */
    public String mismatch(String name, double[] out, double bound, double error) {
        double[] ref = values.get(name);
        double[] got = compared(name, out);
        int[] at = indices.get(name);
        double maxRef = 0;
        for (double r : ref) {
            if (Double.isFinite(r)) {
                maxRef = Math.max(maxRef, Math.abs(r));
            }
        }
        double tol = maxRef == 0 ? bound : bound * maxRef;
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "max |out - ref| / max |ref| = %.2e in '%s' > bound %.0e; first mismatches:", error, name, bound));
        int shown = 0;
        int count = 0;
        for (int i = 0; i < ref.length; i++) {
            boolean bad = !(Math.abs(got[i] - ref[i]) <= tol) && Double.compare(got[i], ref[i]) != 0;
            if (bad) {
                count++;
                if (shown < 3) {
                    b.append(String.format(Locale.ROOT, " %s[%d] = %.6g (ref %.6g)", name, at == null ? i : at[i], got[i],
                            ref[i]));
                    shown++;
                }
            }
        }
        b.append(String.format(Locale.ROOT, "; %d of %d %selements outside", count, ref.length,
                at == null ? "" : "sampled "));
        return b.toString();
    }

    /** The elements of {@code out} the reference has, in the reference's order. */
    private double[] compared(String name, double[] out) {
        int[] at = indices.get(name);
        if (at == null) {
            return out;
        }
        double[] picked = new double[at.length];
        for (int i = 0; i < at.length; i++) {
            picked[i] = out[at[i]];
        }
        return picked;
    }
}
