package io.jdnn.bench.perf.vendor;

import io.jdnn.Device;
import io.jdnn.DeviceInfo;
import io.jdnn.bench.perf.Peaks;

/**
 * Opens the vendor baseline for a device under test. The JavaCPP presets are touched only here,
 * and only when the baseline is wanted: a machine without CUDA never loads them, and one whose
 * libraries fail to load gets a baseline whose every column reads n/a with the loader's message.
 */
public final class Vendors {
    private Vendors() {
    }

    /**
     * @param mode auto (when the device is a GPU), on (always try: the first CUDA device, or the
     *             one the device spec names), off
     */
    public static VendorBaseline open(Device device, String mode, boolean tf32, boolean deterministic, long seed) {
        if (mode.equals("off")) {
            return VendorBaseline.unavailable("--vendor off");
        }
        DeviceInfo info = device.info();
        boolean gpu = Peaks.isGpu(info);
        if (!gpu && mode.equals("auto")) {
            return VendorBaseline.unavailable("cuDNN and cuBLAS time NVIDIA GPUs; the device under test is "
                    + device.spec() + " (" + info.name() + "); --vendor on times them on CUDA device 0 anyway");
        }
        int index;
        String name = null;
        if (info.backend().equals("cuda")) {
            index = info.index();
        } else if (gpu) {
            index = -1;
            name = info.name();
        } else {
            index = 0;
        }
        try {
            return CudnnBaseline.open(index, name, tf32, deterministic, seed);
        } catch (LinkageError | RuntimeException e) {
            return VendorBaseline.unavailable("cuDNN/cuBLAS did not load: " + e);
        }
    }
}
