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

    /**
     * A DeviceException naming the status, op, kernel (may be null) and problem (may be null);
     * a kernel fault ({@link #isFault}) marks it so.
     */
    static DeviceException wrap(CLException e, String op, String kernel, String problem) {
        return new DeviceException(statusName(e.getStatus()), op, kernel, problem, e.getMessage(), isFault(e.getStatus()),
                e);
    }

    /**
     * True for the statuses a kernel fault shows as once the queue runs it (a faulting kernel:
     * CL_OUT_OF_RESOURCES on NVIDIA; the events that waited on it:
     * CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST): the context is not to be trusted after them.
     */
    static boolean isFault(int status) {
        return status == CL.CL_OUT_OF_RESOURCES || status == CL.CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST;
    }

    /** True for the statuses an allocation fails with when memory runs out. */
    static boolean isOutOfMemory(int status) {
        return status == CL.CL_MEM_OBJECT_ALLOCATION_FAILURE || status == CL.CL_OUT_OF_RESOURCES
                || status == CL.CL_OUT_OF_HOST_MEMORY || status == CL.CL_INVALID_BUFFER_SIZE;
    }
}
