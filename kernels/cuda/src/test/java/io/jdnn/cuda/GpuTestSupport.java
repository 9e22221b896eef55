package io.jdnn.cuda;

import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.Devices;
import io.jdnn.kernels.KernelTestSupport;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The GPU backends under test ({@code -Djdnn.test.kernels}, default {@code cuda}; {@code opencl}
 * runs the same tests on PoCL), each skipped with the reason when unavailable unless
 * {@code -Djdnn.test.require} lists it. {@code -Djdnn.test.cuda=SPEC} (or {@code jdnn.test.opencl})
 * picks the device. Inputs, poisoning and comparisons are {@link KernelTestSupport}'s.
 */
final class GpuTestSupport {
    private GpuTestSupport() {
    }

    /** The backends the parameterized tests run on. */
    static List<String> backends() {
        return Arrays.stream(System.getProperty("jdnn.test.kernels", "cuda").split("[,\\s]+"))
                .filter(s -> !s.isBlank()).map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }

    /** The device spec a backend's tests open. */
    static String spec(String backend) {
        return System.getProperty("jdnn.test." + backend, backend);
    }

    /** Opens the device under test of a backend, or skips. */
    static Device open(String backend, DeviceOptions options) {
        KernelTestSupport.requireBackend(backend);
        return Devices.open(spec(backend), options);
    }

    /** The raw CUDA device under test (for what Device does not expose), or skips. */
    static CudaDevice openRawCuda(DeviceOptions options) {
        KernelTestSupport.requireBackend("cuda");
        String spec = spec("cuda");
        int colon = spec.indexOf(':');
        return (CudaDevice) new CudaBackend().open(colon < 0 ? null : spec.substring(colon + 1), options);
    }

    /** The float64 reference device, the oracle. */
    static Device openReference() {
        return KernelTestSupport.openReference();
    }
}
