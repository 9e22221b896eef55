package io.jdnn;

/** A backend cannot run here: its native library is missing, no device matches, it was built without its compiler. */
public class BackendUnavailableException extends JdnnException {
    private static final long serialVersionUID = 1L;
    private final String backend;
    private final String reason;

    public BackendUnavailableException(String backend, String reason) {
        super("backend '" + backend + "' is unavailable: " + reason);
        this.backend = backend;
        this.reason = reason;
    }

    public String backend() {
        return backend;
    }

    public String reason() {
        return reason;
    }
}
