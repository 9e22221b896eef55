package io.jdnn.opencl;

import io.jdnn.BackendStatus;
import io.jdnn.Device;
import io.jdnn.DeviceOptions;
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
 * What this module's tests share: opening the OpenCL device under test (skipped with the reason
 * when OpenCL is absent, unless {@code -Djdnn.test.require} lists opencl), the reference device,
 * seeded inputs, NaN poisoning and the comparison against the reference with {@link ErrorBounds}.
 *
 * <p>{@code -Djdnn.test.opencl=SPEC} picks the device (default {@code opencl}: the first GPU, else
 * the first device).
 */
final class ClTestSupport {
    private ClTestSupport() {
    }

    /** The device spec the tests run on. */
    static String spec() {
        return System.getProperty("jdnn.test.opencl", "opencl");
    }

    /** Whether -Djdnn.test.require lists opencl (a missing OpenCL then fails instead of skipping). */
    static boolean required() {
        String req = System.getProperty("jdnn.test.require", "");
        return Arrays.stream(req.toLowerCase(Locale.ROOT).split("[,\\s]+")).anyMatch("opencl"::equals);
    }

    /** The opencl backend's status; skips (or fails when required) when it is unavailable. */
    static BackendStatus requireOpenCl() {
        BackendStatus st = new OpenClBackend().status();
        if (!st.available()) {
            String why = "OpenCL backend unavailable: " + st.reason();
            if (required()) {
                Assertions.fail(why + " (and -Djdnn.test.require lists opencl)");
            }
            Assumptions.abort(why);
        }
        return st;
    }

    /** Opens the OpenCL device under test, or skips. */
    static Device openOpenCl() {
        return openOpenCl(DeviceOptions.DEFAULT);
    }

    static Device openOpenCl(DeviceOptions options) {
        requireOpenCl();
        return Devices.open(spec(), options);
    }

    /** The float64 reference device, the oracle. */
    static Device openReference() {
        return Devices.open("reference");
    }

    /** {@code n} values uniform in [lo, hi), float32, from a seeded generator. */
    static float[] random(long seed, int n, double lo, double hi) {
        Random r = new Random(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return out;
    }

    /** Uploads seeded uniform values in [-1, 1) of {@code shape} to the device. */
    static Tensor randomTensor(Device d, Shape shape, long seed) {
        return d.upload(shape, random(seed, Math.toIntExact(shape.elements()), -1, 1));
    }

    /** A tensor of {@code shape} filled with NaN: an element no kernel writes then fails the comparison. */
    static Tensor poisoned(Device d, Shape shape) {
        return d.full(shape, Float.NaN);
    }

    /**
     * Asserts that {@code out} matches the reference {@code ref} within {@code bound} of
     * {@link ErrorBounds#maxNormalizedError}; on failure the message shows the error and the first
     * mismatches with their indices (at most ten).
     */
    static void assertClose(String what, Tensor out, Tensor ref, double bound) {
        assertClose(what, toDouble(out.toArray()), ref.toDoubleArray(), bound);
    }

    static void assertClose(String what, double[] out, double[] ref, double bound) {
        double err = ErrorBounds.maxNormalizedError(out, ref);
        if (!(err <= bound)) {
            Assertions.fail(what + ": max normalized error " + err + " exceeds " + bound + mismatches(out, ref, bound));
        }
    }

    /** Asserts bitwise equality of the float32 values of two tensors (the reference's rounded to float32). */
    static void assertBitwiseEqual(String what, Tensor out, Tensor ref) {
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

    static double[] toDouble(float[] f) {
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
