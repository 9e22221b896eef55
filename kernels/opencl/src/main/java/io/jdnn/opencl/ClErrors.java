package io.jdnn.opencl;

import io.jdnn.DeviceException;
import org.jocl.CL;
import org.jocl.CLException;

/** Turns OpenCL status codes into the names and exceptions jdnn reports. */
final class ClErrors {
    private ClErrors() {
    }

    /** The status constant's name, e.g. CL_OUT_OF_RESOURCES; never null. */
    static String statusName(int status) {
        String s = CL.stringFor_errorCode(status);
        return s == null || s.isEmpty() ? "CL_STATUS_" + status : s;
    }

    /** A DeviceException naming the status, op, kernel (may be null) and problem (may be null). */
    static DeviceException wrap(CLException e, String op, String kernel, String problem) {
        return new DeviceException(statusName(e.getStatus()), op, kernel, problem, e.getMessage(), e);
    }

    /** True for the statuses an allocation fails with when memory runs out. */
    static boolean isOutOfMemory(int status) {
        return status == CL.CL_MEM_OBJECT_ALLOCATION_FAILURE || status == CL.CL_OUT_OF_RESOURCES
                || status == CL.CL_OUT_OF_HOST_MEMORY || status == CL.CL_INVALID_BUFFER_SIZE;
    }
}
