package io.jdnn;

/** Base of jdnn's own unchecked exceptions. Invalid arguments raise {@link IllegalArgumentException}. */
public class JdnnException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JdnnException(String message) {
        super(message);
    }

    public JdnnException(String message, Throwable cause) {
        super(message, cause);
    }
}
