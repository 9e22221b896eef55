package io.jdnn.cuda;

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
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What this module's tests share: the GPU backends under test ({@code -Djdnn.test.kernels},
 * default {@code cuda}; {@code opencl} runs the same tests on PoCL), skipping with the reason when
 * a backend is unavailable unless {@code -Djdnn.test.require} lists it; the reference device;
 * seeded inputs, NaN poisoning and the comparison with {@link ErrorBounds}.
 * {@code -Djdnn.test.cuda=SPEC} (or {@code jdnn.test.opencl}) picks the device.
 */
final class GpuTestSupport {
    private GpuTestSupport() {
    }

    /** The backends the parameterized tests run on. */
    static List<String> backends() {
        return Arrays.stream(System.getProperty("jdnn.test.kernels", "cuda").split("[,\\s]+"))
                .filter(s -> !s.isBlank()).map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }

    /** The device spec a backend's tests open. */
    static String spec(String backend) {
        return System.getProperty("jdnn.test." + backend, backend);
    }

    /** Whether -Djdnn.test.require lists the backend (its absence then fails instead of skipping). */
    static boolean required(String backend) {
        String req = System.getProperty("jdnn.test.require", "");
        return Arrays.stream(req.toLowerCase(Locale.ROOT).split("[,\\s]+")).anyMatch(backend::equals);
    }

    /** The backend's status; skips (or fails when required) when it is unavailable. */
    static BackendStatus requireBackend(String backend) {
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

    /** Opens the device under test of a backend, or skips. */
    static Device open(String backend, DeviceOptions options) {
        requireBackend(backend);
        return Devices.open(spec(backend), options);
    }

    /** The raw CUDA device under test (for what Device does not expose), or skips. */
    static CudaDevice openRawCuda(DeviceOptions options) {
        requireBackend("cuda");
        String spec = spec("cuda");
        int colon = spec.indexOf(':');
        return (CudaDevice) new CudaBackend().open(colon < 0 ? null : spec.substring(colon + 1), options);
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

    /** Uploads seeded uniform values in [-1, 1) of {@code shape}. */
    static Tensor randomTensor(Device d, Shape shape, long seed) {
        return d.upload(shape, random(seed, Math.toIntExact(shape.elements()), -1, 1));
    }

    /** A tensor filled with NaN: an element no kernel writes then fails the comparison. */
    static Tensor poisoned(Device d, Shape shape) {
        return d.full(shape, Float.NaN);
    }

    /** max|out - ref| / max|ref| of two tensors (see {@link ErrorBounds#maxNormalizedError}). */
    static double error(Tensor out, Tensor ref) {
        return ErrorBounds.maxNormalizedError(toDouble(out.toArray()), ref.toDoubleArray());
    }

    /** Asserts {@link #error} within {@code bound}; the message shows the first mismatches (at most ten). */
    static void assertClose(String what, Tensor out, Tensor ref, double bound) {
        assertClose(what, toDouble(out.toArray()), ref.toDoubleArray(), bound);
    }

    static void assertClose(String what, double[] out, double[] ref, double bound) {
        double err = ErrorBounds.maxNormalizedError(out, ref);
        if (!(err <= bound)) {
            Assertions.fail(what + ": max normalized error " + err + " exceeds " + bound + mismatches(out, ref, bound));
        }
    }

    /** Asserts bitwise equality of the float32 values of two tensors. */
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
