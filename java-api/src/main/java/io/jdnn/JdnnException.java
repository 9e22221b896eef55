package io.jdnn;

/** Base of jdnn's own unchecked exceptions. Invalid arguments raise {@link IllegalArgumentException}. */
public class JdnnException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}. */
    public JdnnException(String message) {
        super(message);
    }

    /** An exception with {@code message} and the exception that caused it. */
    public JdnnException(String message, Throwable cause) {
        super(message, cause);
    }
}
