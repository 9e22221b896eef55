package io.jdnn.bench;

import io.jdnn.BackendStatus;
import io.jdnn.Device;
import io.jdnn.DeviceInfo;
import io.jdnn.Devices;
import io.jdnn.MemoryStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code jdnn devices}: the Java runtime and whether it has the Vector API, then every backend on the
 * class path, available with its devices or unavailable with the reason. Exit status 0 (a missing
 * backend is information, not an error).
 */
@Command(name = "devices", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Names the Java runtime (version, vendor, home) and whether it has the Vector API module "
                + "(jdk.incubator.vector), then lists every backend: available with its devices (spec, name, memory, "
                + "compute units, precision, details), or unavailable with the reason.",
                "A device's spec is what --device takes in the other commands."})
public final class DevicesCommand implements Callable<Integer> {

    /** The incubating module the cpu backend's Vector API kernels need. */
    static final String VECTOR_MODULE = "jdk.incubator.vector";

    /** The backends jdnn ships; one that ServiceLoader does not find is listed as unavailable too. */
    static final List<String> KNOWN = List.of("reference", "cpu", "opencl", "cuda");

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--memory"}, description = {"Also open each available device and print its memory "
            + "counters (Device.memory(): live tensors and bytes, peak, allocations, the driver's free memory) and "
            + "its live allocations (Device.liveAllocations()). This process has just opened the device, so they "
            + "show its empty state; the driver's figure is the whole device's."})
    boolean memory;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        printRuntime(out);
        List<BackendStatus> all = new ArrayList<>(Devices.list());
        for (String name : KNOWN) {
            if (all.stream().noneMatch(b -> b.backend().equals(name))) {
                all.add(BackendStatus.unavailable(name, "not on the class path (ServiceLoader finds no io.jdnn.spi.Backend named "
                        + name + ")"));
            }
        }
        for (BackendStatus b : all) {
            if (!b.available()) {
                out.printf(Locale.ROOT, "%-10s unavailable: %s%n", b.backend(), b.reason());
                continue;
            }
            out.printf(Locale.ROOT, "%-10s available, %d device%s%n", b.backend(), b.devices().size(),
                    b.devices().size() == 1 ? "" : "s");
            for (DeviceInfo d : b.devices()) {
                out.printf(Locale.ROOT, "  %s  %s%n", d.spec(), d.name());
                out.printf(Locale.ROOT, "      memory         %s%n", bytes(d.memoryBytes()));
                out.printf(Locale.ROOT, "      compute units  %s%n", d.computeUnits() > 0 ? Integer.toString(d.computeUnits()) : "unknown");
                out.printf(Locale.ROOT, "      precision      %s%n", d.precision());
                if (d.details() != null && !d.details().isBlank()) {
                    out.printf(Locale.ROOT, "      details        %s%n", d.details());
                }
                if (memory) {
                    printMemory(out, d.spec());
                }
            }
        }
        out.flush();
        return 0;
    }

    /**
     * The Java runtime (version, vendor, home) and whether the Vector API module is in the boot layer: with it
     * the cpu backend can run its Vector API kernels (its device's details say which kernels it runs).
     */
    private static void printRuntime(PrintWriter out) {
        out.printf(Locale.ROOT, "%-10s %s, %s, %s%n", "java", Runtime.version(), System.getProperty("java.vendor"),
                System.getProperty("java.home"));
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()) {
            out.printf(Locale.ROOT, "%-10s %s present: cpu:0's details name the kernels it runs%n", "vector API",
                    VECTOR_MODULE);
        } else {
            out.printf(Locale.ROOT, "%-10s %s absent: the cpu backend runs its plain kernels (start the JVM with "
                    + "--add-modules %s for the Vector API ones)%n", "vector API", VECTOR_MODULE, VECTOR_MODULE);
        }
    }

    /** Opens {@code deviceSpec} and prints its memory counters and live allocations (none: it is fresh). */
    private static void printMemory(PrintWriter out, String deviceSpec) {
        try (Device dev = Devices.open(deviceSpec)) {
            MemoryStats m = dev.memory();
            out.printf(Locale.ROOT, "      live tensors   %d (%s, peak %s, %d allocated since this process opened it)%n",
                    m.liveTensors(), bytesOrZero(m.liveBytes()), bytesOrZero(m.peakBytes()), m.allocations());
            out.printf(Locale.ROOT, "      driver free    %s%n",
                    m.deviceFreeBytes() < 0 ? "not reported by this backend" : bytes(m.deviceFreeBytes()));
            for (String a : dev.liveAllocations()) {
                out.printf(Locale.ROOT, "        %s%n", a.replace("\n", "\n        "));
            }
        } catch (RuntimeException e) {
            out.printf(Locale.ROOT, "      live tensors   unknown: the device did not open: %s%n", e.getMessage());
        }
    }

    private static String bytesOrZero(long b) {
        return b == 0 ? "0 bytes" : bytes(b);
    }

    /** 12.0 GiB, 512.0 MiB; "unknown" where the backend does not say. */
    static String bytes(long b) {
        if (b <= 0) {
            return "unknown";
        }
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? b + " bytes" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
