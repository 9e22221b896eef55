package io.jdnn.opencl;

import io.jdnn.DeviceInfo;
import io.jdnn.Precision;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The OpenCL devices of this machine: every device of every platform, numbered across platforms
 * in the order the ICD loader lists them (that number is the {@code N} of {@code opencl:N}).
 * Touches native code: callers catch {@link LinkageError} (no libOpenCL) and {@link CLException}.
 */
final class ClPlatforms {

    static {
        // Every JOCL call below and in the backend throws CLException on a status other than
        // CL_SUCCESS; the backend turns those into DeviceException with the status name.
        CL.setExceptionsEnabled(true);
    }

    private ClPlatforms() {
    }

    /** One OpenCL device with what the backend needs to know about it. */
    record Entry(int index, cl_platform_id platform, cl_device_id device, String platformName, String platformVendor,
                 String platformVersion, String deviceName, String deviceVendor, String deviceVersion,
                 String driverVersion, long type, long globalMemBytes, long maxAllocBytes, int computeUnits,
                 long maxWorkGroupSize, long localMemBytes) {

        boolean isGpu() {
            return (type & CL.CL_DEVICE_TYPE_GPU) != 0;
        }

        String typeName() {
            List<String> kinds = new ArrayList<>();
            if ((type & CL.CL_DEVICE_TYPE_GPU) != 0) {
                kinds.add("GPU");
            }
            if ((type & CL.CL_DEVICE_TYPE_CPU) != 0) {
                kinds.add("CPU");
            }
            if ((type & CL.CL_DEVICE_TYPE_ACCELERATOR) != 0) {
                kinds.add("accelerator");
            }
            if ((type & CL.CL_DEVICE_TYPE_CUSTOM) != 0) {
                kinds.add("custom");
            }
            return kinds.isEmpty() ? "unknown type" : String.join("+", kinds);
        }

        DeviceInfo info() {
            String details = "platform " + platformName + " (" + platformVersion + "), " + deviceVersion + ", "
                    + typeName() + ", driver " + driverVersion;
            if (SignalChaining.compilesInProcessWithLlvm(platformName, platformVendor)) {
                details += ", " + SignalChaining.describe(SignalChaining.state());
            }
            return new DeviceInfo("opencl", index, deviceName, globalMemBytes, computeUnits, Precision.FLOAT32, details);
        }

        /** What a name selector is matched against, lower case: platform and device names, vendors, versions. */
        boolean matches(String fragment) {
            String f = fragment.toLowerCase(Locale.ROOT);
            for (String s : List.of(platformName, platformVendor, platformVersion, deviceName, deviceVendor,
                    deviceVersion)) {
                if (s.toLowerCase(Locale.ROOT).contains(f)) {
                    return true;
                }
            }
            return false;
        }

        /** One line for messages: {@code 0: NAME (PLATFORM, TYPE)}. */
        String describe() {
            return index + ": " + deviceName + " (" + platformName + ", " + typeName() + ")";
        }
    }

    /** Every device of every platform; an empty list when the loader finds no platform. */
    static List<Entry> list() {
        List<Entry> out = new ArrayList<>();
        for (cl_platform_id platform : platforms()) {
            String pName = platformString(platform, CL.CL_PLATFORM_NAME);
            String pVendor = platformString(platform, CL.CL_PLATFORM_VENDOR);
            String pVersion = platformString(platform, CL.CL_PLATFORM_VERSION);
            for (cl_device_id d : devices(platform)) {
                out.add(new Entry(out.size(), platform, d, pName, pVendor, pVersion,
                        deviceString(d, CL.CL_DEVICE_NAME).trim(), deviceString(d, CL.CL_DEVICE_VENDOR),
                        deviceString(d, CL.CL_DEVICE_VERSION), deviceString(d, CL.CL_DRIVER_VERSION),
                        deviceLong(d, CL.CL_DEVICE_TYPE), deviceLong(d, CL.CL_DEVICE_GLOBAL_MEM_SIZE),
                        deviceLong(d, CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE), deviceInt(d, CL.CL_DEVICE_MAX_COMPUTE_UNITS),
                        deviceSize(d, CL.CL_DEVICE_MAX_WORK_GROUP_SIZE), deviceLong(d, CL.CL_DEVICE_LOCAL_MEM_SIZE)));
            }
        }
        return out;
    }

    private static List<cl_platform_id> platforms() {
        int[] count = new int[1];
        try {
            CL.clGetPlatformIDs(0, null, count);
        } catch (CLException e) {
            if (e.getStatus() == CL.CL_PLATFORM_NOT_FOUND_KHR) {
                return List.of();
            }
            throw e;
        }
        cl_platform_id[] ids = new cl_platform_id[count[0]];
        if (ids.length > 0) {
            CL.clGetPlatformIDs(ids.length, ids, null);
        }
        return List.of(ids);
    }

    private static List<cl_device_id> devices(cl_platform_id platform) {
        int[] count = new int[1];
        try {
            CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, 0, null, count);
        } catch (CLException e) {
            if (e.getStatus() == CL.CL_DEVICE_NOT_FOUND) {
                return List.of();
            }
            throw e;
        }
        cl_device_id[] ids = new cl_device_id[count[0]];
        if (ids.length > 0) {
            CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, ids.length, ids, null);
        }
        return List.of(ids);
    }

    private static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(p, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        CL.clGetPlatformInfo(p, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(d, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        CL.clGetDeviceInfo(d, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    static long deviceLong(cl_device_id d, int param) {
        long[] v = new long[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_ulong, Pointer.to(v), null);
        return v[0];
    }

    static int deviceInt(cl_device_id d, int param) {
        int[] v = new int[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_uint, Pointer.to(v), null);
        return v[0];
    }

    static long deviceSize(cl_device_id d, int param) {
        long[] v = new long[1];
        CL.clGetDeviceInfo(d, param, Sizeof.size_t, Pointer.to(v), null);
        return v[0];
    }

    private static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8).trim();
    }
}
