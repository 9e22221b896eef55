package io.jdnn.golden;

/**
 * A golden file that does not follow {@code jdnn-golden/1}: the message names the place (for
 * example {@code cases[3] "conv2d_1x1": tensors.x.data}), what was expected and what was found.
 */
public class GoldenFormatException extends IllegalArgumentException {
    /** An exception with {@code message}, which names the place, what was expected and what was found. */
    public GoldenFormatException(String message) {
        super(message);
    }

    /** As {@link #GoldenFormatException(String)}, with the exception that caused it (a JSON parse error). */
    public GoldenFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
