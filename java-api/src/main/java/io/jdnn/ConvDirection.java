package io.jdnn;

/** The three passes of a convolution. */
public enum ConvDirection {
    /** y = conv(x, w) (+ bias). */
    FORWARD("fwd"),
    /** dx = gradient of the loss with respect to the input, from dy and w. */
    BACKWARD_DATA("bwd-data"),
    /** dw = gradient of the loss with respect to the weights, from x and dy. */
    BACKWARD_FILTER("bwd-filter");

    private final String shortName;

    ConvDirection(String shortName) {
        this.shortName = shortName;
    }

    /** {@code fwd}, {@code bwd-data} or {@code bwd-filter}: the names the command line uses. */
    public String shortName() {
        return shortName;
    }

    /** Reads a short name ({@code fwd}) or an enum name ({@code FORWARD}). */
    public static ConvDirection parse(String s) {
        for (ConvDirection d : values()) {
            if (d.shortName.equalsIgnoreCase(s) || d.name().equalsIgnoreCase(s)) {
                return d;
            }
        }
        throw new IllegalArgumentException("direction: expected fwd, bwd-data or bwd-filter, got '" + s + "'");
    }
}
