package io.jdnn;

/** The caller asked for a convolution algorithm that cannot handle the problem; the message says why. */
public class AlgorithmNotSupportedException extends JdnnException {
    private static final long serialVersionUID = 1L;
    private final ConvAlgorithm algorithm;
    private final String reason;

    public AlgorithmNotSupportedException(ConvAlgorithm algorithm, ConvDirection direction, String backend,
                                          String problem, String reason) {
        super("algorithm " + algorithm + " cannot run " + direction.shortName() + " of " + problem + " on " + backend
                + ": " + reason);
        this.algorithm = algorithm;
        this.reason = reason;
    }

    public ConvAlgorithm algorithm() {
        return algorithm;
    }

    public String reason() {
        return reason;
    }
}
