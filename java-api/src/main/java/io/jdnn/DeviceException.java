package io.jdnn;

/**
 * A native call failed: a driver status other than success, a kernel fault, a failed build.
 * The message names the native status, the op, the kernel and the problem. After a kernel
 * fault ({@link #isFault()}, set by the backend that knows its driver's statuses) the device
 * reports itself broken ({@link Device#isBroken()}) and refuses further work.
 */
public class DeviceException extends JdnnException {
    private static final long serialVersionUID = 1L;
    /** The native status name. */
    private final String status;
    /** The op that failed, or null. */
    private final String op;
    /** The kernel that failed, or null. */
    private final String kernel;
    /** The problem string, or null. */
    private final String problem;
    /** True for a kernel fault after which the device refuses further work. */
    private final boolean fault;

    /**
     * A failure that leaves the device usable (a failed build, an invalid launch shape).
     *
     * @param status  the native status name
     * @param op      the op that failed (may be null)
     * @param kernel  the kernel (may be null)
     * @param problem the problem string (may be null)
     * @param detail  what went wrong (may be null)
     */
    public DeviceException(String status, String op, String kernel, String problem, String detail) {
        this(status, op, kernel, problem, detail, false, null);
    }

    /** As {@link #DeviceException(String, String, String, String, String)}, with the native exception. */
    public DeviceException(String status, String op, String kernel, String problem, String detail, Throwable cause) {
        this(status, op, kernel, problem, detail, false, cause);
    }

    /**
     * A failure that is a kernel fault when {@code fault} is true: the backend says so for the
     * statuses after which its context is unusable, and the device then refuses further work.
     *
     * @param cause the native exception (may be null)
     */
    public DeviceException(String status, String op, String kernel, String problem, String detail, boolean fault,
                           Throwable cause) {
        super(compose(status, op, kernel, problem, detail), cause);
        this.status = status;
        this.op = op;
        this.kernel = kernel;
        this.problem = problem;
        this.fault = fault;
    }

    private static String compose(String status, String op, String kernel, String problem, String detail) {
        StringBuilder b = new StringBuilder(status);
        if (op != null) {
            b.append(" in ").append(op);
        }
        if (kernel != null) {
            b.append(", kernel ").append(kernel);
        }
        if (problem != null) {
            b.append(", problem ").append(problem);
        }
        if (detail != null && !detail.isEmpty()) {
            b.append(": ").append(detail);
        }
        return b.toString();
    }

    /** The native status name, e.g. CUDA_ERROR_ILLEGAL_ADDRESS or CL_OUT_OF_RESOURCES. */
    public String status() {
        return status;
    }

    /** True when this is a kernel fault: the device's context is unusable and it refuses further work. */
    public boolean isFault() {
        return fault;
    }

    /** The op that failed (may be null). */
    public String op() {
        return op;
    }

    /** The kernel that failed (may be null). */
    public String kernel() {
        return kernel;
    }

    /** The problem string (may be null). */
    public String problem() {
        return problem;
    }
}
