package io.jdnn.onnx.run;

import io.jdnn.BackendStatus;
import io.jdnn.Device;
import io.jdnn.Devices;
import org.junit.jupiter.api.Assumptions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The devices the runner tests compile models for: reference, cpu and opencl, opened once per
 * test JVM and closed at its exit. An unavailable opencl is skipped with its reason, or fails
 * when {@code -Djdnn.test.require} names it.
 */
public final class TestDevices {
    /** The backends every runner test covers (cuda where a GPU and its driver are present). */
    public static final List<String> BACKENDS = List.of("reference", "cpu", "opencl", "cuda");

    private static final Map<String, Device> OPEN = new LinkedHashMap<>();

    private TestDevices() {
    }

    /** Null when {@code backend} can be opened here; otherwise why not. */
    public static String unavailable(String backend) {
        for (BackendStatus s : Devices.list()) {
            if (s.backend().equals(backend)) {
                return s.available() ? null : backend + " unavailable: " + s.reason();
            }
        }
        return backend + " unavailable: no such backend on the class path";
    }

    /** Skips the calling test because {@code backend} is unavailable, or fails it when jdnn.test.require names it. */
    public static void skipOrFail(String backend) {
        String why = unavailable(backend);
        if (required().contains(backend)) {
            throw new AssertionError(why + " (required by jdnn.test.require)");
        }
        Assumptions.abort(why);
    }

    /** The open device of {@code backend}, or a skipped (or, when required, failed) test. */
    public static synchronized Device get(String backend) {
        Device d = OPEN.get(backend);
        if (d != null) {
            return d;
        }
        if (unavailable(backend) != null) {
            skipOrFail(backend);
        }
        d = Devices.open(backend);
        OPEN.put(backend, d);
        if (OPEN.size() == 1) {
            Runtime.getRuntime().addShutdownHook(new Thread(TestDevices::closeAll));
        }
        return d;
    }

    private static synchronized void closeAll() {
        OPEN.values().forEach(Device::close);
    }

    private static List<String> required() {
        String r = System.getProperty("jdnn.test.require", "");
        return new ArrayList<>(Arrays.asList(r.split(",")));
    }
}
