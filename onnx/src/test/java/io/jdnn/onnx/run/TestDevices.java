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
    /** The backends every runner test covers. */
    public static final List<String> BACKENDS = List.of("reference", "cpu", "opencl");

    private static final Map<String, Device> OPEN = new LinkedHashMap<>();

    private TestDevices() {
    }

    /** The open device of {@code backend}, or a skipped (or, when required, failed) test. */
    public static synchronized Device get(String backend) {
        Device d = OPEN.get(backend);
        if (d != null) {
            return d;
        }
        for (BackendStatus s : Devices.list()) {
            if (s.backend().equals(backend) && !s.available()) {
                String why = backend + " unavailable: " + s.reason();
                if (required().contains(backend)) {
                    throw new AssertionError(why + " (required by jdnn.test.require)");
                }
                Assumptions.abort(why);
            }
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
