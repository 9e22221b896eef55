package io.jdnn.golden;

/** A JSON text that {@link Json} cannot read, with the line and column (1-based) where reading stopped. */
public class JsonException extends IllegalArgumentException {
    private final int line;
    private final int column;

    public JsonException(String message, int line, int column) {
        super(message);
        this.line = line;
        this.column = column;
    }

    /** An error not tied to a position (writing). */
    public JsonException(String message) {
        this(message, 0, 0);
    }

    /** 1-based line of the error, 0 when it has no position. */
    public int line() {
        return line;
    }

    /** 1-based column of the error, 0 when it has no position. */
    public int column() {
        return column;
    }
}
