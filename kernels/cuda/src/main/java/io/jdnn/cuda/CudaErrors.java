package io.jdnn.cuda;

import io.jdnn.DeviceException;
import jcuda.driver.CUresult;

import java.util.Set;

/** Turns CUresult codes into the names and exceptions jdnn reports. */
final class CudaErrors {
    private CudaErrors() {
    }

    /**
     * The statuses after which the CUDA context is unusable (a kernel fault): every later call in
     * the context fails. 214 ECC_UNCORRECTABLE, 700 ILLEGAL_ADDRESS, 702 LAUNCH_TIMEOUT,
     * 710 ASSERT, 714 HARDWARE_STACK_ERROR, 715 ILLEGAL_INSTRUCTION, 716 MISALIGNED_ADDRESS,
     * 717 INVALID_ADDRESS_SPACE, 718 INVALID_PC, 719 LAUNCH_FAILED.
     */
    private static final Set<Integer> STICKY = Set.of(214, 700, 702, 710, 714, 715, 716, 717, 718, 719);

    /** The status constant's name, e.g. CUDA_ERROR_ILLEGAL_ADDRESS; never null (unknown codes: CUDA_ERROR_&lt;code&gt;). */
    static String name(int status) {
        if (status == 35) {
            return "CUDA_ERROR_INSUFFICIENT_DRIVER"; // not named by JCuda 12.0.0's CUresult
        }
        String s = CUresult.stringFor(status);
        return s == null || s.isEmpty() || s.startsWith("INVALID CUresult") ? "CUDA_ERROR_" + status : s;
    }

    /** True when {@code status} leaves the context unusable. */
    static boolean isSticky(int status) {
        return STICKY.contains(status);
    }

    /** A DeviceException naming the status, the op, the kernel (may be null) and the problem (may be null). */
    static DeviceException exception(int status, String op, String kernel, String problem, String detail) {
        String d = isSticky(status)
                ? "a kernel fault: the CUDA context is unusable, the device refuses further work"
                + (detail == null || detail.isEmpty() ? "" : "; " + detail)
                : detail;
        return new DeviceException(name(status), op, kernel, problem, d, isSticky(status), null);
    }
}
