package io.jdnn.bench.perf;

import io.jdnn.Device;
import io.jdnn.Precision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How many bytes a benchmark may still allocate on a device, so that a problem too large for it is
 * reported as NOT_SUPPORTED (memory) instead of failing the run. The cpu and reference backends
 * hold tensors in Java arrays: the JVM's maximum heap minus what is in use bounds them. GPU
 * backends report the driver's free memory; where a backend reports none, the device's memory
 * minus what jdnn holds on it. An OpenCL device on the CPU (PoCL) is also bounded by the
 * operating system's available memory. A fraction is kept back for workspaces and fragmentation.
 */
public final class MemoryBudget {
    /** The share of the free memory a benchmark plans to use. */
    static final double USABLE = 0.8;

    private final long limit;

    /** @param limit bytes at most, whatever the device says (0 for no limit) */
    public MemoryBudget(long limit) {
        this.limit = limit;
    }

    /** Bytes the benchmark may allocate on {@code device} now. */
    public long available(Device device) {
        long free;
        String backend = device.backend();
        if (backend.equals("cpu") || backend.equals("reference")) {
            Runtime rt = Runtime.getRuntime();
            free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        } else {
            free = device.memory().deviceFreeBytes();
            if (free < 0) {
                free = device.info().memoryBytes() - device.memory().liveBytes();
            }
            if (!Peaks.isGpu(device.info())) {
                free = Math.min(free, systemAvailable());
            }
        }
        long usable = (long) (Math.max(0, free) * USABLE);
        return limit > 0 ? Math.min(limit, usable) : usable;
    }

    /** Where {@link #available} comes from, for a NOT_SUPPORTED reason. */
    public static String source(Device device) {
        String backend = device.backend();
        if (backend.equals("cpu") || backend.equals("reference")) {
            return "of the JVM heap (-Xmx" + mib(Runtime.getRuntime().maxMemory()) + "; raise with JAVA_OPTS=-Xmx...)";
        }
        return device.memory().deviceFreeBytes() >= 0 ? "of free device memory" : "of device memory";
    }

    /** Bytes per element of a device's tensors. */
    public static int bytesPerElement(Device device) {
        return device.info().precision() == Precision.FLOAT64 ? Double.BYTES : Float.BYTES;
    }

    /** MemAvailable of /proc/meminfo, or Long.MAX_VALUE where there is none. */
    static long systemAvailable() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Long.MAX_VALUE;
        }
        return Long.MAX_VALUE;
    }

    /** 1234 MiB, 1.5 GiB. */
    public static String mib(long bytes) {
        if (bytes >= 10L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1L << 20));
    }
}
