package io.jdnn.golden;

/**
 * A golden file that does not follow {@code jdnn-golden/1}: the message names the place (for
 * example {@code cases[3] "conv2d_1x1": tensors.x.data}), what was expected and what was found.
 */
public class GoldenFormatException extends IllegalArgumentException {
    public GoldenFormatException(String message) {
        super(message);
    }

    public GoldenFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
