package io.jdnn;

/** A backend cannot run here: its native library is missing, no device matches, it was built without its compiler. */
public class BackendUnavailableException extends JdnnException {
    private static final long serialVersionUID = 1L;
    /** The backend's name. */
    private final String backend;
    /** Why it cannot run here. */
    private final String reason;

    /**
     * An exception whose message names the backend and the reason.
     *
     * @param backend the backend's name ({@code cuda}, {@code opencl}, ...)
     * @param reason  why it cannot run here
     */
    public BackendUnavailableException(String backend, String reason) {
        super("backend '" + backend + "' is unavailable: " + reason);
        this.backend = backend;
        this.reason = reason;
    }

    /** The backend's name, as a device spec starts ({@code cuda}, {@code opencl}, ...). */
    public String backend() {
        return backend;
    }

    /** Why the backend cannot run here, without the rest of the message. */
    public String reason() {
        return reason;
    }
}
