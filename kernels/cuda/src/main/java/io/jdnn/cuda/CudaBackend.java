package io.jdnn.cuda;

import io.jdnn.BackendStatus;
import io.jdnn.BackendUnavailableException;
import io.jdnn.DeviceInfo;
import io.jdnn.DeviceOptions;
import io.jdnn.spi.Backend;
import io.jdnn.spi.DeviceBackend;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code cuda} backend: NVIDIA GPUs of compute capability 8.0 or newer through JCuda's driver
 * API, running the kernels nvcc compiled into this jar's fatbin.
 *
 * <p>Device specs: {@code cuda} opens the first usable device; {@code cuda:N} the device with
 * CUDA ordinal N (as {@code nvidia-smi} and CUDA_VISIBLE_DEVICES number them); any other selector
 * is a case-insensitive fragment of the device name ({@code cuda:h100}).
 *
 * <p>{@link #status()} never throws. It reports the backend unavailable when the jar was built
 * without nvcc, when JCuda's native library or libcuda.so.1 does not load, when cuInit fails or
 * there is no device, and when no device has compute capability 8.0 or newer (devices below it
 * are not listed). "auto" ranks it 30, above OpenCL.
 */
public final class CudaBackend implements Backend {

    /** Rank for {@code Devices.open("auto")}. */
    static final int AUTO_RANK = 30;

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public BackendStatus status() {
        try {
            String why = unavailableReason();
            if (why != null) {
                return BackendStatus.unavailable(name(), why);
            }
            CudaDriver.Probe probe = CudaDriver.probe();
            String fatbin = CudaFatbin.get().describe();
            List<DeviceInfo> infos = new ArrayList<>();
            for (CudaDriver.Entry e : probe.devices()) {
                if (e.usable()) {
                    infos.add(e.info(fatbin));
                }
            }
            return BackendStatus.available(name(), infos, AUTO_RANK);
        } catch (RuntimeException | LinkageError e) {
            return BackendStatus.unavailable(name(), "probing CUDA failed: " + e);
        }
    }

    /** Null when a device can be opened; otherwise why not (no fatbin, no driver, no device, none new enough). */
    static String unavailableReason() {
        String why = CudaFatbin.get().unavailableReason();
        if (why != null) {
            return why;
        }
        CudaDriver.Probe probe = CudaDriver.probe();
        if (!probe.ok()) {
            return probe.failure();
        }
        for (CudaDriver.Entry e : probe.devices()) {
            if (e.usable()) {
                return null;
            }
        }
        return "no CUDA device of compute capability " + CudaDriver.MIN_MAJOR + ".0 or newer (the fatbin holds "
                + "sm_80, sm_90 and compute_90 code); devices: " + describe(probe.devices());
    }

    @Override
    public DeviceBackend open(String selector, DeviceOptions options) {
        String why;
        try {
            why = unavailableReason();
        } catch (RuntimeException | LinkageError e) {
            why = "probing CUDA failed: " + e;
        }
        if (why != null) {
            throw new BackendUnavailableException(name(), why);
        }
        CudaDriver.Entry chosen = select(CudaDriver.probe().devices(), selector);
        return new CudaDevice(chosen, CudaFatbin.get(), options == null ? DeviceOptions.DEFAULT : options);
    }

    /** The device a selector names (see the class comment); only usable devices are chosen. */
    static CudaDriver.Entry select(List<CudaDriver.Entry> entries, String selector) {
        List<CudaDriver.Entry> usable = entries.stream().filter(CudaDriver.Entry::usable).toList();
        if (usable.isEmpty()) {
            throw new BackendUnavailableException("cuda", "no CUDA device of compute capability "
                    + CudaDriver.MIN_MAJOR + ".0 or newer; devices: " + describe(entries));
        }
        if (selector == null || selector.isBlank()) {
            return usable.get(0);
        }
        String s = selector.trim();
        if (s.chars().allMatch(Character::isDigit)) {
            int index;
            try {
                index = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                index = -1;
            }
            for (CudaDriver.Entry e : entries) {
                if (e.ordinal() == index) {
                    if (!e.usable()) {
                        throw new BackendUnavailableException("cuda", "device " + e.describe() + " is older than compute "
                                + "capability " + CudaDriver.MIN_MAJOR + ".0, which the fatbin needs");
                    }
                    return e;
                }
            }
            throw new BackendUnavailableException("cuda", "no CUDA device with index " + s + "; devices: "
                    + describe(entries));
        }
        for (CudaDriver.Entry e : usable) {
            if (e.matches(s)) {
                return e;
            }
        }
        throw new BackendUnavailableException("cuda", "no CUDA device matches '" + s + "'; devices: "
                + describe(entries));
    }

    private static String describe(List<CudaDriver.Entry> entries) {
        List<String> lines = new ArrayList<>();
        for (CudaDriver.Entry e : entries) {
            lines.add(e.describe());
        }
        return lines.isEmpty() ? "none" : String.join("; ", lines);
    }
}
