package io.jdnn.cuda;

import io.jdnn.DeviceInfo;
import io.jdnn.Precision;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The CUDA driver as this machine has it: whether JCuda's native library and libcuda.so.1 load,
 * whether cuInit succeeds, and the devices. Loading and cuInit happen once per JVM; a failure is
 * remembered as a readable reason (a JNI library that failed to load cannot be loaded again).
 * Nothing here throws: callers get a {@link Probe} with either devices or a reason.
 */
final class CudaDriver {
    /** Compute capability the fatbin needs: SASS for sm_80 and sm_90, PTX for compute_90. */
    static final int MIN_MAJOR = 8;

    /** CUresult 35, which JCuda 12.0.0's CUresult does not name. */
    private static final int CUDA_ERROR_INSUFFICIENT_DRIVER = 35;

    private static String initFailure;
    private static boolean initialized;

    private CudaDriver() {
    }

    /** One CUDA device and what the backend needs to know about it. */
    record Entry(int ordinal, String name, long totalMemBytes, int multiprocessors, int ccMajor, int ccMinor,
                 int maxThreadsPerBlock, int maxGridX, int maxGridY, int maxGridZ, int sharedMemPerBlock,
                 int pciBus, int driverVersion) {

        CUdevice device() {
            CUdevice d = new CUdevice();
            int r = JCudaDriver.cuDeviceGet(d, ordinal);
            if (r != CUresult.CUDA_SUCCESS) {
                throw CudaErrors.exception(r, "open", null, "device " + ordinal, "cuDeviceGet");
            }
            return d;
        }

        /** True when the fatbin has code this device runs (compute capability 8.0 or newer). */
        boolean usable() {
            return ccMajor >= MIN_MAJOR;
        }

        String computeCapability() {
            return ccMajor + "." + ccMinor;
        }

        DeviceInfo info(String fatbin) {
            String details = "compute capability " + computeCapability() + ", " + multiprocessors + " SMs, PCI bus "
                    + pciBus + ", CUDA driver " + (driverVersion / 1000) + "." + (driverVersion % 1000 / 10) + ", "
                    + fatbin;
            return new DeviceInfo("cuda", ordinal, name, totalMemBytes, multiprocessors, Precision.FLOAT32, details);
        }

        boolean matches(String fragment) {
            return name.toLowerCase(Locale.ROOT).contains(fragment.toLowerCase(Locale.ROOT));
        }

        String describe() {
            return ordinal + ": " + name + " (compute capability " + computeCapability() + ")";
        }
    }

    /** The outcome of probing: the devices, or why there are none to use. */
    record Probe(List<Entry> devices, String failure) {
        boolean ok() {
            return failure == null;
        }
    }

    /** Loads the driver (once), then lists every device. */
    static synchronized Probe probe() {
        String why = init();
        if (why != null) {
            return new Probe(List.of(), why);
        }
        try {
            int[] count = new int[1];
            int r = JCudaDriver.cuDeviceGetCount(count);
            if (r != CUresult.CUDA_SUCCESS) {
                return new Probe(List.of(), "cuDeviceGetCount failed with " + CudaErrors.name(r));
            }
            int[] version = new int[1];
            r = JCudaDriver.cuDriverGetVersion(version);
            if (r != CUresult.CUDA_SUCCESS) {
                return new Probe(List.of(), "cuDriverGetVersion failed with " + CudaErrors.name(r));
            }
            List<Entry> out = new ArrayList<>();
            for (int i = 0; i < count[0]; i++) {
                out.add(entry(i, version[0]));
            }
            if (out.isEmpty()) {
                return new Probe(List.of(), "no CUDA device (cuDeviceGetCount returned 0)");
            }
            return new Probe(List.copyOf(out), null);
        } catch (ProbeException e) {
            return new Probe(List.of(), e.getMessage());
        } catch (LinkageError | RuntimeException e) {
            return new Probe(List.of(), "probing CUDA devices failed: " + e);
        }
    }

    /** Null once the driver is loaded and initialized; otherwise why not (remembered). */
    private static String init() {
        if (initialized) {
            return null;
        }
        if (initFailure != null) {
            return initFailure;
        }
        int r;
        try {
            r = JCudaDriver.cuInit(0);
        } catch (UnsatisfiedLinkError e) {
            initFailure = describeLinkFailure(e);
            return initFailure;
        } catch (LinkageError e) {
            initFailure = "JCuda could not be loaded: " + firstLine(String.valueOf(e));
            return initFailure;
        } catch (RuntimeException e) {
            initFailure = "cuInit failed: " + e;
            return initFailure;
        }
        if (r == CUresult.CUDA_SUCCESS) {
            initialized = true;
            return null;
        }
        initFailure = switch (r) {
            case CUresult.CUDA_ERROR_NO_DEVICE -> "no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE)";
            case CUDA_ERROR_INSUFFICIENT_DRIVER -> "the NVIDIA driver is too old for JCuda 12 "
                    + "(cuInit: CUDA_ERROR_INSUFFICIENT_DRIVER)";
            case CUresult.CUDA_ERROR_STUB_LIBRARY -> "libcuda.so.1 is the toolkit's stub library, not a driver "
                    + "(cuInit: CUDA_ERROR_STUB_LIBRARY)";
            default -> "cuInit failed with " + CudaErrors.name(r);
        };
        return initFailure;
    }

    /** JCuda's UnsatisfiedLinkError message nests whole stack traces; keep what says why. */
    static String describeLinkFailure(UnsatisfiedLinkError e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("libcuda.so")) {
            return "CUDA driver library libcuda.so.1 not found (no NVIDIA driver on this machine?): "
                    + "JCuda's native library JCudaDriver needs it";
        }
        for (String line : m.split("\n")) {
            if (line.contains("cannot open shared object file") || line.contains("undefined symbol")) {
                return "JCuda's native driver library could not be loaded: " + line.trim();
            }
        }
        return "JCuda's native driver library could not be loaded: " + firstLine(m);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static Entry entry(int ordinal, int driverVersion) {
        CUdevice d = new CUdevice();
        check(JCudaDriver.cuDeviceGet(d, ordinal), "cuDeviceGet", ordinal);
        byte[] name = new byte[256];
        check(JCudaDriver.cuDeviceGetName(name, name.length, d), "cuDeviceGetName", ordinal);
        long[] mem = new long[1];
        check(JCudaDriver.cuDeviceTotalMem(mem, d), "cuDeviceTotalMem", ordinal);
        return new Entry(ordinal, cString(name), mem[0],
                attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, ordinal),
                attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, ordinal),
                attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, ordinal),
                attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK, ordinal),
                attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X, ordinal),
                attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y, ordinal),
                attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z, ordinal),
                attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK, ordinal),
                attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_PCI_BUS_ID, ordinal),
                driverVersion);
    }

    private static int attribute(CUdevice d, int attribute, int ordinal) {
        int[] v = new int[1];
        check(JCudaDriver.cuDeviceGetAttribute(v, attribute, d), "cuDeviceGetAttribute(" + attribute + ")", ordinal);
        return v[0];
    }

    private static void check(int r, String call, int ordinal) {
        if (r != CUresult.CUDA_SUCCESS) {
            throw new ProbeException(call + " failed with " + CudaErrors.name(r) + " for device " + ordinal);
        }
    }

    private static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8).trim();
    }

    /** A probe step failed; the message is the reason the backend reports. */
    private static final class ProbeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ProbeException(String message) {
            super(message);
        }
    }
}
