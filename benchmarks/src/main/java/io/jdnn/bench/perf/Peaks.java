package io.jdnn.bench.perf;

import io.jdnn.Device;
import io.jdnn.DeviceInfo;
import io.jdnn.Precision;
import io.jdnn.Shape;
import io.jdnn.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What "% of peak" divides by, and where each figure comes from.
 *
 * <ul>
 *   <li>Memory bandwidth: measured once per run, a device-to-device {@link Device#copy} of a
 *       buffer larger than the last-level cache timed with {@link Device#timeMillis} like every
 *       op (read + write bytes over the fastest sample: a peak is the best the device sustained,
 *       and on a shared machine the median is depressed by other load). Memory-bound ops report
 *       % of this.</li>
 *   <li>FP32 FLOP/s of a GPU: the vendor's datasheet figure for the GPU named (boost clock,
 *       FP32 without tensor cores; TF32 and BF16 tensor-core figures dense, without sparsity) from
 *       the table below. A GPU not in the table has no FLOP peak, and the reason says so.</li>
 *   <li>FP32 FLOP/s of a CPU: measured once per run by {@link FmaProbe} on every available
 *       processor at once: register-resident FMA loops through the Vector API at 512 and 256 bits
 *       (where the JVM has the module) and an auto-vectorized plain Java loop; the fastest counts,
 *       so no convolution can exceed 100% of it by using a wider vector than the peak did.</li>
 *   <li>Cache size, for rotating inputs: the GPU's L2 from the same table, the CPU's last-level
 *       cache from sysfs.</li>
 * </ul>
 *
 * @param flops          FP32 FLOP/s, NaN when unknown
 * @param tf32Flops      TF32 tensor-core FLOP/s (dense), NaN when unknown or absent
 * @param bf16Flops      BF16 tensor-core FLOP/s (dense, float32 accumulation), NaN when unknown or absent
 * @param flopsSource    where {@code flops} comes from, or why there is none
 * @param bandwidth      bytes per second of the measured copy, NaN when not measured
 * @param bandwidthSource how it was measured, or why not
 * @param cacheBytes     the last-level cache the rotation must exceed
 * @param cacheSource    where {@code cacheBytes} comes from
 * @param gpu            whether the device is a GPU
 */
public record Peaks(double flops, double tf32Flops, double bf16Flops, String flopsSource, double bandwidth, String bandwidthSource,
                    long cacheBytes, String cacheSource, boolean gpu) {

    /** A GPU of the table: a name pattern, FP32 and dense TF32 and BF16 tensor-core peaks in TFLOP/s, L2 in MiB. */
    record Gpu(String pattern, String label, double fp32, double tf32, double bf16, int l2MiB) {
    }

    /**
     * NVIDIA datasheets (boost clock; TF32 and BF16 dense, i.e. half the "with sparsity" figure; BF16
     * with float32 accumulation, the datasheets' "BF16 Tensor Core" line). No BF16 tensor cores before
     * Ampere (V100, T4); the GeForce cards carry no figure here, as for TF32.
     */
    static final List<Gpu> GPUS = List.of(
            new Gpu("H100.*PCIe", "H100 PCIe", 51, 378, 756, 50),
            new Gpu("H100.*NVL", "H100 NVL", 60, 417.5, 835.5, 50),
            new Gpu("H100", "H100 SXM5", 67, 494.7, 989.4, 50),
            new Gpu("GH200", "GH200", 67, 494.7, 989.4, 50),
            new Gpu("H200", "H200 SXM", 67, 494.7, 989.4, 50),
            new Gpu("A100", "A100", 19.5, 156, 312, 40),
            new Gpu("A10\\b", "A10", 31.2, 62.5, 125, 6),
            new Gpu("L40S", "L40S", 91.6, 183, 362, 96),
            new Gpu("L4\\b", "L4", 30.3, 60, 121, 48),
            new Gpu("V100", "V100 SXM2", 15.7, Double.NaN, Double.NaN, 6),
            new Gpu("T4\\b", "T4", 8.1, Double.NaN, Double.NaN, 4),
            new Gpu("RTX 4090", "GeForce RTX 4090", 82.6, Double.NaN, Double.NaN, 72),
            new Gpu("RTX 3090", "GeForce RTX 3090", 35.6, Double.NaN, Double.NaN, 6));

    /** Rotation target when the cache size is unknown: larger than any GPU L2 in the table. */
    static final long UNKNOWN_CACHE = 128L << 20;

    /** Rounds and round length of the CPU's FMA probe: about a second for the three loops. */
    static final int PROBE_ROUNDS = 5;
    static final int PROBE_MILLIS = 50;

    /** Smallest copy measured for the bandwidth figure. */
    static final long MIN_COPY_BYTES = 64L << 20;

    /** Peaks of {@code device}; measures the copy bandwidth (a second or so). */
    public static Peaks of(Device device, Timing.Settings timing, MemoryBudget memory) {
        DeviceInfo info = device.info();
        if (info.precision() == Precision.FLOAT64) {
            return new Peaks(Double.NaN, Double.NaN, Double.NaN, "none: the " + info.backend() + " backend is the float64 oracle, "
                    + "not a performance target", Double.NaN, "not measured on the float64 oracle", UNKNOWN_CACHE,
                    "assumed", false);
        }
        boolean gpu = isGpu(info);
        double flops;
        double tf32 = Double.NaN;
        double bf16 = Double.NaN;
        String flopsSource;
        long cache;
        String cacheSource;
        if (gpu) {
            Gpu g = lookup(info.name());
            if (g != null) {
                flops = g.fp32 * 1e12;
                tf32 = g.tf32 * 1e12;
                bf16 = g.bf16 * 1e12;
                flopsSource = String.format(Locale.ROOT, "NVIDIA datasheet, %s: %.1f TFLOP/s FP32%s%s (boost clock)",
                        g.label, g.fp32, Double.isNaN(g.tf32) ? "" : String.format(Locale.ROOT, ", %.1f TF32 dense", g.tf32),
                        Double.isNaN(g.bf16) ? "" : String.format(Locale.ROOT, ", %.1f BF16 dense", g.bf16));
                cache = (long) g.l2MiB << 20;
                cacheSource = g.label + " L2 " + g.l2MiB + " MiB (datasheet)";
            } else {
                flops = Double.NaN;
                flopsSource = "none: GPU '" + info.name() + "' is not in the datasheet table of " + Peaks.class.getName();
                cache = UNKNOWN_CACHE;
                cacheSource = "unknown GPU: assumed " + (UNKNOWN_CACHE >> 20) + " MiB";
            }
        } else {
            CpuCache c = CpuCache.read();
            FmaProbe.Result probe = FmaProbe.measure(Runtime.getRuntime().availableProcessors(), PROBE_ROUNDS, PROBE_MILLIS);
            flops = probe.best();
            flopsSource = String.format(Locale.ROOT, "measured: %s; the fastest counts (best of %d rounds of %d ms)",
                    probe.describe(), PROBE_ROUNDS, PROBE_MILLIS);
            cache = c.bytes > 0 ? c.bytes : UNKNOWN_CACHE;
            cacheSource = c.bytes > 0 ? c.source : "unknown: assumed " + (UNKNOWN_CACHE >> 20) + " MiB";
        }
        double bw;
        String bwSource;
        long bytes = Math.max(MIN_COPY_BYTES, 4 * cache);
        long elements = bytes / Float.BYTES;
        long available = memory.available(device);
        if (2 * bytes > available) {
            elements = available / 4 / Float.BYTES;
        }
        if (elements < (16L << 20) / Float.BYTES) {
            bw = Double.NaN;
            bwSource = "not measured: too little memory for a copy larger than the cache (" + MemoryBudget.mib(available)
                    + " available)";
        } else {
            int n = (int) Math.min(elements, Integer.MAX_VALUE - 8);
            try (Tensor a = device.allocate(Shape.of(n)); Tensor b = device.allocate(Shape.of(n))) {
                device.randomUniform(a, 0, 1, 1, 0);
                device.fill(b, 0);
                Timing.Stats s = Timing.measure(k -> device.timeMillis(() -> {
                    for (int i = 0; i < k; i++) {
                        if ((i & 1) == 0) {
                            device.copy(a, b);
                        } else {
                            device.copy(b, a);
                        }
                    }
                }), new Timing.Settings(20, 2, 50, 1, 100, 10_000));
                long moved = 2L * n * Float.BYTES;
                bw = moved / (s.min() / 1e3);
                bwSource = String.format(Locale.ROOT, "measured: Device.copy of %s (read + write %s), the fastest of %d "
                        + "samples (median %.1f GB/s)", MemoryBudget.mib((long) n * Float.BYTES), MemoryBudget.mib(moved),
                        s.count(), moved / (s.median() / 1e3) / 1e9);
            } catch (RuntimeException e) {
                bw = Double.NaN;
                bwSource = "not measured: " + e.getMessage();
            }
        }
        return new Peaks(flops, tf32, bf16, flopsSource, bw, bwSource, cache, cacheSource, gpu);
    }

    /** Whether a device is a GPU: the cuda backend always; OpenCL devices whose type says GPU. */
    public static boolean isGpu(DeviceInfo info) {
        if (info.backend().equals("cuda")) {
            return true;
        }
        if (info.backend().equals("opencl")) {
            return Pattern.compile("\\bGPU\\b").matcher(info.details()).find();
        }
        return false;
    }

    /** The table's entry for a device name, or null. */
    static Gpu lookup(String name) {
        for (Gpu g : GPUS) {
            if (Pattern.compile(g.pattern, Pattern.CASE_INSENSITIVE).matcher(name).find()) {
                return g;
            }
        }
        return null;
    }

    /** The FLOP/s peak that applies to an algorithm: the TF32 figure for tensor-core TF32, BF16's for BF16, else FP32. */
    public double flopsFor(String algorithm) {
        return algorithm.contains("TF32") ? tf32Flops : algorithm.contains("BF16") ? bf16Flops : flops;
    }

    /** The CPU's last-level cache from sysfs: bytes (-1 when unknown) and where the figure comes from. */
    record CpuCache(long bytes, String source) {
        static CpuCache read() {
            long[] cache = lastLevelCache();
            return new CpuCache(cache[0], cache[0] > 0 ? "L" + cache[1] + " " + MemoryBudget.mib(cache[0]) + " (sysfs)" : "");
        }

        /** {bytes, level} of the largest cache sysfs lists for cpu0, {-1, 0} when none. */
        static long[] lastLevelCache() {
            long best = -1;
            long level = 0;
            for (int i = 0; i < 8; i++) {
                Path dir = Path.of("/sys/devices/system/cpu/cpu0/cache/index" + i);
                try {
                    String size = Files.readString(dir.resolve("size")).trim();
                    Matcher m = Pattern.compile("(\\d+)([KMG]?)").matcher(size);
                    if (!m.matches()) {
                        continue;
                    }
                    long v = Long.parseLong(m.group(1)) * switch (m.group(2)) {
                        case "K" -> 1L << 10;
                        case "M" -> 1L << 20;
                        case "G" -> 1L << 30;
                        default -> 1L;
                    };
                    if (v > best) {
                        best = v;
                        level = Long.parseLong(Files.readString(dir.resolve("level")).trim());
                    }
                } catch (IOException | RuntimeException e) {
                    // no such cache index
                }
            }
            return new long[] {best, level};
        }
    }

    /** One line per figure, for the report's header and the JSON. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        out.add("FLOP/s peak: " + flopsSource);
        out.add("bandwidth peak: " + (Double.isNaN(bandwidth) ? "" : String.format(Locale.ROOT, "%.1f GB/s, ", bandwidth / 1e9))
                + bandwidthSource);
        out.add("cache for input rotation: " + cacheSource);
        return out;
    }
}
