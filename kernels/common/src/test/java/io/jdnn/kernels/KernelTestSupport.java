package io.jdnn.kernels;

import io.jdnn.BackendStatus;
import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.ErrorBounds;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * What the GPU backends' module tests share (published as this module's test jar): skipping a
 * backend that is unavailable with the reason, unless {@code -Djdnn.test.require} lists it; the
 * reference device; seeded inputs; NaN poisoning; and the comparison with {@link ErrorBounds},
 * whose failure message shows the first mismatching elements with their indices.
 */
public final class KernelTestSupport {
    private KernelTestSupport() {
    }

    /** Whether -Djdnn.test.require lists the backend (its absence then fails instead of skipping). */
    public static boolean required(String backend) {
        String req = System.getProperty("jdnn.test.require", "");
        return Arrays.stream(req.toLowerCase(Locale.ROOT).split("[,\\s]+")).anyMatch(backend::equals);
    }

    /** The backend's status; skips (or fails when required) when it is unavailable. */
    public static BackendStatus requireBackend(String backend) {
        BackendStatus st = Devices.list().stream().filter(s -> s.backend().equals(backend)).findFirst().orElse(null);
        String why = st == null ? "backend " + backend + " is not on the class path"
                : st.available() ? null : backend + " backend unavailable: " + st.reason();
        if (why != null) {
            if (required(backend)) {
                Assertions.fail(why + " (and -Djdnn.test.require lists " + backend + ")");
            }
            Assumptions.abort(why);
        }
        return st;
    }

    /** The float64 reference device, the oracle. */
    public static Device openReference() {
        return Devices.open("reference");
    }

    /** {@code n} values uniform in [lo, hi), float32, from a seeded generator. */
    public static float[] random(long seed, int n, double lo, double hi) {
        Random r = new Random(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return out;
    }

    /** Uploads seeded uniform values in [-1, 1) of {@code shape} to the device. */
    public static Tensor randomTensor(Device d, Shape shape, long seed) {
        return d.upload(shape, random(seed, Math.toIntExact(shape.elements()), -1, 1));
    }

    /** A tensor of {@code shape} filled with NaN: an element no kernel writes then fails the comparison. */
    public static Tensor poisoned(Device d, Shape shape) {
        return d.full(shape, Float.NaN);
    }

    /** max|out - ref| / max|ref| of two tensors (see {@link ErrorBounds#maxNormalizedError}). */
    public static double error(Tensor out, Tensor ref) {
        return ErrorBounds.maxNormalizedError(toDouble(out.toArray()), ref.toDoubleArray());
    }

    /**
     * Asserts that {@code out} matches the reference {@code ref} within {@code bound} of
     * {@link ErrorBounds#maxNormalizedError}; on failure the message shows the error and the first
     * mismatches with their indices (at most ten).
     */
    public static void assertClose(String what, Tensor out, Tensor ref, double bound) {
        assertClose(what, toDouble(out.toArray()), ref.toDoubleArray(), bound);
    }

    public static void assertClose(String what, double[] out, double[] ref, double bound) {
        double err = ErrorBounds.maxNormalizedError(out, ref);
        if (!(err <= bound)) {
            Assertions.fail(what + ": max normalized error " + err + " exceeds " + bound + mismatches(out, ref, bound));
        }
    }

    /** Asserts bitwise equality of the float32 values of two tensors (the reference's rounded to float32). */
    public static void assertBitwiseEqual(String what, Tensor out, Tensor ref) {
        float[] a = out.toArray();
        float[] b = ref.toArray();
        Assertions.assertEquals(b.length, a.length, what + ": element count");
        StringBuilder m = new StringBuilder();
        int bad = 0;
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
                if (bad < 10) {
                    m.append("\n  [").append(i).append("] got ").append(a[i]).append(", expected ").append(b[i]);
                }
                bad++;
            }
        }
        if (bad > 0) {
            Assertions.fail(what + ": " + bad + " of " + a.length + " elements differ" + m);
        }
    }

    public static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static String mismatches(double[] out, double[] ref, double bound) {
        double maxRef = 0;
        for (double r : ref) {
            if (Double.isFinite(r)) {
                maxRef = Math.max(maxRef, Math.abs(r));
            }
        }
        double scale = maxRef == 0 ? 1 : maxRef;
        StringBuilder b = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < ref.length && shown < 10; i++) {
            boolean same = Double.compare(out[i], ref[i]) == 0;
            if (!same && !(Math.abs(out[i] - ref[i]) / scale <= bound)) {
                b.append("\n  [").append(i).append("] got ").append(out[i]).append(", expected ").append(ref[i]);
                shown++;
            }
        }
        return b.toString();
    }
}
