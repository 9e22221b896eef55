package io.jdnn.cpu.fast;

import io.jdnn.BackendStatus;
import io.jdnn.BackendUnavailableException;
import io.jdnn.DeviceInfo;
import io.jdnn.DeviceOptions;
import io.jdnn.Precision;
import io.jdnn.spi.Backend;
import io.jdnn.spi.DeviceBackend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code cpu} backend: the fast CPU fallback, always available, one device ({@code cpu:0}).
 * It uses the Vector API kernels when the JVM runs with {@code --add-modules jdk.incubator.vector}
 * (turn them off with {@code -Djdnn.cpu.vector=false}), the plain auto-vectorized ones otherwise;
 * {@link DeviceInfo#details()} says which.
 */
public final class CpuBackend implements Backend {
    /** Below GPUs, above the reference. */
    static final int AUTO_RANK = 10;

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public BackendStatus status() {
        return BackendStatus.available(name(), List.of(info(KernelsLoader.best())), AUTO_RANK);
    }

    @Override
    public DeviceBackend open(String selector, DeviceOptions options) {
        if (selector != null && !selector.equals("0")) {
            throw new BackendUnavailableException(name(), "the cpu backend has one device, cpu:0; got selector '"
                    + selector + "'");
        }
        Kernels k = KernelsLoader.best();
        return new CpuDevice(info(k), options, k);
    }

    /** Opens a device on the given kernels (tests compare the plain and the Vector API kernels). */
    static CpuDevice open(DeviceOptions options, Kernels kernels) {
        return new CpuDevice(info(kernels), options, kernels);
    }

    static DeviceInfo info(Kernels k) {
        int cores = Runtime.getRuntime().availableProcessors();
        return new DeviceInfo("cpu", 0, cpuModel(), Runtime.getRuntime().maxMemory(), cores, Precision.FLOAT32,
                "kernels " + k.name() + ", " + Parallel.shared().threads() + " threads");
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    int i = line.indexOf(':');
                    if (i >= 0) {
                        return line.substring(i + 1).trim();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: fall through to the JVM's description
        }
        return System.getProperty("os.arch", "cpu") + " (" + Runtime.getRuntime().availableProcessors() + " cores)";
    }
}
