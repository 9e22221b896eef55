package io.jdnn;

/**
 * A native call failed: a driver status other than success, a kernel fault, a failed build.
 * The message names the native status, the op, the kernel and the problem. After a kernel
 * fault the device reports itself broken ({@link Device#isBroken()}) and refuses further work.
 */
public class DeviceException extends JdnnException {
    private static final long serialVersionUID = 1L;
    private final String status;
    private final String op;
    private final String kernel;
    private final String problem;

    public DeviceException(String status, String op, String kernel, String problem, String detail) {
        super(compose(status, op, kernel, problem, detail));
        this.status = status;
        this.op = op;
        this.kernel = kernel;
        this.problem = problem;
    }

    public DeviceException(String status, String op, String kernel, String problem, String detail, Throwable cause) {
        super(compose(status, op, kernel, problem, detail), cause);
        this.status = status;
        this.op = op;
        this.kernel = kernel;
        this.problem = problem;
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

    public String op() {
        return op;
    }

    public String kernel() {
        return kernel;
    }

    public String problem() {
        return problem;
    }
}
