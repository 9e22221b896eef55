package io.jdnn.tests.reliability;

import io.jdnn.Device;
import io.jdnn.tests.support.DevicesUnderTest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Memory as something outside jdnn's own bookkeeping sees it, to check that what
 * {@link Device#memory()} says was freed really was:
 * <ul>
 *   <li>the driver's free-memory figure ({@link io.jdnn.MemoryStats#deviceFreeBytes()}: CUDA's
 *       cuMemGetInfo), where the backend has one;</li>
 *   <li>for an OpenCL GPU (no portable free-memory query), the figure of the one CUDA device under
 *       test when there is exactly one (the same GPU on the test machines);</li>
 *   <li>for an OpenCL device on the host's CPU (PoCL allocates its buffers with malloc), the process's
 *       resident memory outside the Java heap: resident set size minus the JVM's committed heap and
 *       non-heap memory;</li>
 *   <li>for the reference and cpu backends (tensors are Java arrays), the Java heap in use after a
 *       full garbage collection.</li>
 * </ul>
 * Each comes with a tolerance: how far it may move without anything leaking (allocator caches,
 * the JIT, GC bookkeeping).
 */
record MemoryFigure(String what, long bytes, long tolerance, boolean higherIsFree) {

    private static final long MIB = 1L << 20;

    /** The figure for device {@code d}, or null when there is none. */
    static MemoryFigure of(Device d) {
        long free = d.memory().deviceFreeBytes();
        if (free >= 0) {
            return new MemoryFigure("driver free memory of " + d.spec(), free, 64 * MIB, true);
        }
        if (d.backend().equals("opencl") && !Targets.onHostCpu(d)) {
            List<Device> cuda = DevicesUnderTest.devices().stream().filter(x -> x.backend().equals("cuda")).toList();
            if (cuda.size() == 1) {
                long f = cuda.get(0).memory().deviceFreeBytes();
                return f < 0 ? null : new MemoryFigure("driver free memory of " + cuda.get(0).spec()
                        + " (the GPU of " + d.spec() + ")", f, 64 * MIB, true);
            }
            return null;
        }
        if (d.backend().equals("opencl") || d.backend().equals("cuda")) {
            long rss = outsideJavaHeap();
            return rss < 0 ? null : new MemoryFigure("resident memory outside the Java heap", rss, 256 * MIB, false);
        }
        return new MemoryFigure("Java heap in use after a full GC", heapAfterGc(), 64 * MIB, false);
    }

    /** The same figure measured again. */
    MemoryFigure again(Device d) {
        MemoryFigure now = of(d);
        return now == null ? this : now;
    }

    /** Bytes this figure shows as taken since {@code start} (negative: freed). */
    long takenSince(MemoryFigure start) {
        return higherIsFree ? start.bytes - bytes : bytes - start.bytes;
    }

    static long heapAfterGc() {
        MemoryMXBean m = ManagementFactory.getMemoryMXBean();
        // Two collections: the first may only run finalization-like work (cleaners) for the second to reclaim.
        System.gc();
        System.gc();
        return m.getHeapMemoryUsage().getUsed();
    }

    /** Resident set size minus the JVM's committed heap and non-heap memory, or -1 off Linux. */
    static long outsideJavaHeap() {
        try {
            long rss = -1;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            if (rss < 0) {
                return -1;
            }
            MemoryMXBean m = ManagementFactory.getMemoryMXBean();
            return rss - m.getHeapMemoryUsage().getCommitted() - m.getNonHeapMemoryUsage().getCommitted();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
