package io.jdnn;

import io.jdnn.spi.Backend;
import io.jdnn.spi.DeviceBackend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Finds backends (through {@link ServiceLoader}) and opens devices by spec:
 * <ul>
 *   <li>{@code reference}: naive float64 loops, the oracle of every test;</li>
 *   <li>{@code cpu}: the fast CPU backend;</li>
 *   <li>{@code opencl}, {@code opencl:N}, {@code opencl:NAME} (a platform or device name fragment such as
 *       {@code pocl} or {@code nvidia});</li>
 *   <li>{@code cuda}, {@code cuda:N};</li>
 *   <li>{@code auto}: the available backend that ranks highest (a GPU over the CPU).</li>
 * </ul>
 * A backend whose native library is missing is reported as unavailable with the reason; opening it
 * raises {@link BackendUnavailableException}, never an {@link UnsatisfiedLinkError}, and never
 * opens something else instead.
 */
public final class Devices {
    private static final System.Logger LOG = System.getLogger(Devices.class.getName());

    private Devices() {
    }

    /** Every backend on the class path with its status, in a stable order. */
    public static List<BackendStatus> list() {
        List<BackendStatus> out = new ArrayList<>();
        for (Backend b : backends()) {
            out.add(status(b));
        }
        return out;
    }

    /** Opens the device {@code spec} names with default options. */
    public static Device open(String spec) {
        return open(spec, DeviceOptions.DEFAULT);
    }

    /** Opens the device {@code spec} names. */
    public static Device open(String spec, DeviceOptions options) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("spec: expected auto, reference, cpu, opencl[:N|:NAME] or cuda[:N], got "
                    + (spec == null ? "null" : "an empty string"));
        }
        if (options == null) {
            throw new IllegalArgumentException("options: expected DeviceOptions, got null");
        }
        String s = spec.trim().toLowerCase(Locale.ROOT);
        int colon = s.indexOf(':');
        String name = colon < 0 ? s : s.substring(0, colon);
        String selector = colon < 0 ? null : spec.trim().substring(colon + 1);
        List<Backend> all = backends();
        if (name.equals("auto")) {
            if (selector != null) {
                throw new IllegalArgumentException("spec: 'auto' takes no selector, got '" + spec + "'");
            }
            BackendStatus best = null;
            Backend bestBackend = null;
            for (Backend b : all) {
                BackendStatus st = status(b);
                if (st.available() && st.autoRank() >= 0 && (best == null || st.autoRank() > best.autoRank())) {
                    best = st;
                    bestBackend = b;
                }
            }
            if (bestBackend == null) {
                throw new BackendUnavailableException("auto", "no backend is available: " + list());
            }
            return wrap(bestBackend.open(null, options), options);
        }
        for (Backend b : all) {
            if (b.name().equals(name)) {
                BackendStatus st = status(b);
                if (!st.available()) {
                    throw new BackendUnavailableException(name, st.reason());
                }
                try {
                    return wrap(b.open(selector == null || selector.isEmpty() ? null : selector, options), options);
                } catch (LinkageError e) {
                    throw new BackendUnavailableException(name, "native library failed to load: " + e);
                }
            }
        }
        List<String> names = new ArrayList<>();
        for (Backend b : all) {
            names.add(b.name());
        }
        throw new IllegalArgumentException("spec: expected auto or one of the backends " + names + ", got '" + spec + "'");
    }

    /** Wraps a backend device whose SPI came from elsewhere (tests of a backend that is not registered). */
    public static Device wrap(DeviceBackend impl, DeviceOptions options) {
        return new Device(impl, options);
    }

    private static BackendStatus status(Backend b) {
        try {
            return b.status();
        } catch (LinkageError | RuntimeException e) {
            return BackendStatus.unavailable(b.name(), "probe failed: " + e);
        }
    }

    private static final List<String> ORDER = List.of("reference", "cpu", "opencl", "cuda");

    private static List<Backend> backends() {
        List<Backend> out = new ArrayList<>();
        ServiceLoader<Backend> loader = ServiceLoader.load(Backend.class, Devices.class.getClassLoader());
        java.util.Iterator<Backend> it = loader.iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                out.add(it.next());
            } catch (java.util.ServiceConfigurationError | LinkageError e) {
                // A provider that cannot even load is reported once and left out; Devices.list()
                // cannot name it as a backend because its name() is unreachable.
                LOG.log(System.Logger.Level.WARNING, "jdnn: a backend failed to load: " + e);
            }
        }
        out.sort(Comparator.comparingInt((Backend b) -> {
            int i = ORDER.indexOf(b.name());
            return i < 0 ? ORDER.size() : i;
        }).thenComparing(Backend::name));
        return out;
    }
}
