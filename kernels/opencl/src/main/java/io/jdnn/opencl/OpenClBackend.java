package io.jdnn.opencl;

import io.jdnn.BackendStatus;
import io.jdnn.BackendUnavailableException;
import io.jdnn.DeviceInfo;
import io.jdnn.DeviceOptions;
import io.jdnn.spi.Backend;
import io.jdnn.spi.DeviceBackend;
import org.jocl.CLException;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code opencl} backend: every device of every OpenCL platform, through JOCL.
 *
 * <p>Device specs: {@code opencl} opens the first GPU, or the first device when there is no GPU;
 * {@code opencl:N} the device with global index N (devices numbered across platforms in the order
 * {@link #status()} lists them); any other selector is a case-insensitive fragment of the platform
 * or device name, vendor or version ({@code opencl:pocl}, {@code opencl:nvidia}), the first
 * matching device wins.
 *
 * <p>"auto" ranks this backend 20 when a GPU is present and never picks it otherwise: an OpenCL
 * CPU device such as PoCL is slower than the {@code cpu} backend.
 */
public final class OpenClBackend implements Backend {

    /** Rank for {@code Devices.open("auto")} when an OpenCL GPU is present. */
    static final int AUTO_RANK_GPU = 20;

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public BackendStatus status() {
        List<ClPlatforms.Entry> entries;
        try {
            entries = ClPlatforms.list();
        } catch (LinkageError e) {
            return BackendStatus.unavailable(name(), "the OpenCL library (libOpenCL.so) or JOCL's native library "
                    + "could not be loaded: " + e);
        } catch (CLException e) {
            return BackendStatus.unavailable(name(), "probing OpenCL platforms failed with "
                    + ClErrors.statusName(e.getStatus()) + ": " + e.getMessage());
        } catch (RuntimeException e) {
            return BackendStatus.unavailable(name(), "probing OpenCL platforms failed: " + e);
        }
        if (entries.isEmpty()) {
            return BackendStatus.unavailable(name(), "no OpenCL platform with a device was found (is an ICD such as "
                    + "pocl-opencl-icd or NVIDIA's installed?)");
        }
        List<DeviceInfo> infos = new ArrayList<>();
        boolean gpu = false;
        for (ClPlatforms.Entry e : entries) {
            infos.add(e.info());
            gpu |= e.isGpu();
        }
        return BackendStatus.available(name(), infos, gpu ? AUTO_RANK_GPU : -1);
    }

    @Override
    public DeviceBackend open(String selector, DeviceOptions options) {
        List<ClPlatforms.Entry> entries;
        try {
            entries = ClPlatforms.list();
        } catch (LinkageError | RuntimeException e) {
            throw new BackendUnavailableException(name(), "probing OpenCL platforms failed: " + e);
        }
        ClPlatforms.Entry chosen = select(entries, selector);
        return new OpenClDevice(chosen, options == null ? DeviceOptions.DEFAULT : options);
    }

    /** The device a selector names (see the class comment). */
    static ClPlatforms.Entry select(List<ClPlatforms.Entry> entries, String selector) {
        if (entries.isEmpty()) {
            throw new BackendUnavailableException("opencl", "no OpenCL device was found");
        }
        if (selector == null || selector.isBlank()) {
            for (ClPlatforms.Entry e : entries) {
                if (e.isGpu()) {
                    return e;
                }
            }
            return entries.get(0);
        }
        String s = selector.trim();
        if (s.chars().allMatch(Character::isDigit)) {
            int index;
            try {
                index = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                index = -1;
            }
            if (index >= 0 && index < entries.size()) {
                return entries.get(index);
            }
            throw new BackendUnavailableException("opencl", "no OpenCL device with index " + s + "; devices: "
                    + describe(entries));
        }
        for (ClPlatforms.Entry e : entries) {
            if (e.matches(s)) {
                return e;
            }
        }
        throw new BackendUnavailableException("opencl", "no OpenCL platform or device matches '" + s + "'; devices: "
                + describe(entries));
    }

    private static String describe(List<ClPlatforms.Entry> entries) {
        List<String> lines = new ArrayList<>();
        for (ClPlatforms.Entry e : entries) {
            lines.add(e.describe());
        }
        return String.join("; ", lines);
    }
}
