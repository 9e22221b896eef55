package io.jdnn.opencl;

import io.jdnn.BackendStatus;
import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.Devices;
import io.jdnn.kernels.KernelTestSupport;

/**
 * Opening the OpenCL device under test: skipped with the reason when OpenCL is absent, unless
 * {@code -Djdnn.test.require} lists opencl. {@code -Djdnn.test.opencl=SPEC} picks the device
 * (default {@code opencl}: the first GPU, else the first device). Inputs, poisoning and comparisons
 * are {@link KernelTestSupport}'s.
 */
final class ClTestSupport {
    private ClTestSupport() {
    }

    /** The device spec the tests run on. */
    static String spec() {
        return System.getProperty("jdnn.test.opencl", "opencl");
    }

    /** The opencl backend's status; skips (or fails when required) when it is unavailable. */
    static BackendStatus requireOpenCl() {
        return KernelTestSupport.requireBackend("opencl");
    }

    /** Opens the OpenCL device under test, or skips. */
    static Device openOpenCl() {
        return openOpenCl(DeviceOptions.DEFAULT);
    }

    static Device openOpenCl(DeviceOptions options) {
        requireOpenCl();
        return Devices.open(spec(), options);
    }

    /** The float64 reference device, the oracle. */
    static Device openReference() {
        return KernelTestSupport.openReference();
    }
}
