package io.jdnn.tests.support;

import io.jdnn.BackendStatus;
import io.jdnn.Device;
import io.jdnn.DeviceInfo;
import io.jdnn.Devices;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The devices the conformance suite compares with the reference, opened once per test JVM and
 * closed when it exits (opening an OpenCL device builds its programs; doing that once per test
 * class would dominate the run time on PoCL).
 *
 * <p>Without {@code jdnn.test.devices}: every device of every available backend except the
 * reference, in {@link Devices#list()} order: {@code cpu:0}, every {@code opencl:N} of every
 * platform (on the GPU machine both NVIDIA's and PoCL's), every {@code cuda:N}. The backends the
 * suite knows of ({@link #KNOWN_BACKENDS}) that are unavailable or absent from the class path
 * become {@link Target}s with the reason, so that they show up as skipped (or, when named in
 * {@code jdnn.test.require}, as failed) instead of silently absent.
 *
 * <p>With {@code jdnn.test.devices=spec,...}: exactly those devices (the reference too, if named:
 * that runs the suite as a check of the suite, where every error must be 0); a named spec that does
 * not open is a failure.
 */
public final class DevicesUnderTest {
    /** The backends the suite expects to exist besides the reference. */
    public static final List<String> KNOWN_BACKENDS = List.of("cpu", "opencl", "cuda");

    /**
     * A device to test, or a backend or spec that cannot be tested and why.
     *
     * @param spec     the device spec ({@code opencl:1}), or the backend name when the backend is unavailable
     * @param backend  the backend's name
     * @param info     what the backend lists for the device; null when unavailable
     * @param problem  null when the device opened; otherwise why it cannot be tested
     * @param mustWork whether {@link #problem} is a failure (required backend, explicitly named spec,
     *                 a listed device that would not open) rather than a skip
     */
    public record Target(String spec, String backend, DeviceInfo info, String problem, boolean mustWork) {
        public boolean available() {
            return problem == null;
        }

        /** One line for test names and messages. */
        public String describe() {
            if (available()) {
                return spec + (info == null ? "" : " (" + info.name() + ")");
            }
            return spec + ": " + problem;
        }
    }

    private static final String NOT_ON_CLASS_PATH =
            "not on the class path: ServiceLoader found no io.jdnn.spi.Backend of this name";

    private static List<Target> targets;
    private static final List<Device> OPEN = new ArrayList<>();
    private static Device reference;
    private static boolean hookInstalled;

    private DevicesUnderTest() {
    }

    /** Every target: the devices under test and the backends or specs that cannot be tested. */
    public static synchronized List<Target> targets() {
        if (targets == null) {
            List<Target> found;
            try {
                found = discover();
            } catch (RuntimeException | java.util.ServiceConfigurationError e) {
                // Devices.list() is documented never to throw; if it does, every property fails with this.
                found = List.of(new Target("Devices.list()", "all", null, "threw " + e, true));
            }
            targets = Collections.unmodifiableList(found);
        }
        return targets;
    }

    /** The open devices under test, in {@link #targets()} order. */
    public static synchronized List<Device> devices() {
        targets();
        return List.copyOf(OPEN);
    }

    /** The shared reference device (the oracle). */
    public static synchronized Device reference() {
        if (reference == null) {
            reference = Devices.open("reference");
            installHook();
        }
        return reference;
    }

    /**
     * Null when every required backend and every explicitly named spec is there; otherwise the
     * failure message (naming each missing one with its reason).
     */
    public static synchronized String requirementFailure() {
        List<String> lines = new ArrayList<>();
        for (Target t : targets()) {
            if (!t.available() && t.mustWork()) {
                lines.add(t.describe());
            }
        }
        return lines.isEmpty() ? null : "devices that must be tested are not available:\n  " + String.join("\n  ", lines);
    }

    /** Why the suite has nothing to run, or null when at least one device is under test. */
    public static synchronized String nothingToTest() {
        if (!devices().isEmpty()) {
            return null;
        }
        List<String> lines = new ArrayList<>();
        for (Target t : targets()) {
            lines.add(t.describe());
        }
        return "no device under test besides the reference: " + String.join("; ", lines);
    }

    private static List<Target> discover() {
        List<String> named = Knobs.devices();
        Set<String> required = new LinkedHashSet<>(Knobs.required());
        List<Target> out = new ArrayList<>();
        List<BackendStatus> statuses = Devices.list();
        if (!named.isEmpty()) {
            for (String spec : named) {
                String backend = backendOf(spec);
                out.add(open(spec, backend, null, true));
                required.remove(backend);
            }
        } else {
            Set<String> seen = new LinkedHashSet<>();
            for (BackendStatus st : statuses) {
                if (st.backend().equals("reference")) {
                    continue;
                }
                seen.add(st.backend());
                boolean mustWork = required.remove(st.backend());
                if (!st.available()) {
                    out.add(new Target(st.backend(), st.backend(), null, "unavailable: " + st.reason(), mustWork));
                    continue;
                }
                if (st.devices().isEmpty()) {
                    out.add(new Target(st.backend(), st.backend(), null, "available but lists no device", mustWork));
                    continue;
                }
                for (DeviceInfo info : st.devices()) {
                    // A listed device that does not open is a bug of its backend: always a failure.
                    out.add(open(info.spec(), st.backend(), info, true));
                }
            }
            for (String b : KNOWN_BACKENDS) {
                if (!seen.contains(b)) {
                    out.add(new Target(b, b, null, NOT_ON_CLASS_PATH, required.remove(b)));
                }
            }
        }
        // Required backends not covered above: unknown names, or (with jdnn.test.devices) backends left
        // out of the list. Leaving an available backend out is a deliberate narrowing; an unavailable
        // one is the failure jdnn.test.require asks for.
        for (String b : required) {
            if (b.equals("reference")) {
                continue;
            }
            BackendStatus st = statuses.stream().filter(s -> s.backend().equals(b)).findFirst().orElse(null);
            if (st == null) {
                out.add(new Target(b, b, null, NOT_ON_CLASS_PATH, true));
            } else if (!st.available()) {
                out.add(new Target(b, b, null, "unavailable: " + st.reason(), true));
            }
        }
        return out;
    }

    private static Target open(String spec, String backend, DeviceInfo info, boolean mustWork) {
        try {
            Device d = Devices.open(spec);
            OPEN.add(d);
            installHook();
            return new Target(d.spec(), backend, d.info(), null, mustWork);
        } catch (RuntimeException | LinkageError e) {
            return new Target(spec, backend, info, "does not open: " + e, mustWork);
        }
    }

    private static String backendOf(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        int colon = s.indexOf(':');
        return colon < 0 ? s : s.substring(0, colon);
    }

    private static void installHook() {
        if (hookInstalled) {
            return;
        }
        hookInstalled = true;
        Runtime.getRuntime().addShutdownHook(new Thread(DevicesUnderTest::closeAll, "jdnn-devices-under-test-close"));
    }

    private static synchronized void closeAll() {
        for (Device d : OPEN) {
            d.close();
        }
        OPEN.clear();
        if (reference != null) {
            reference.close();
            reference = null;
        }
    }
}
