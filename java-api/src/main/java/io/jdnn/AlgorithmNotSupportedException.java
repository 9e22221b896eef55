package io.jdnn;

/** The caller asked for a convolution algorithm that cannot handle the problem; the message says why. */
public class AlgorithmNotSupportedException extends JdnnException {
    private static final long serialVersionUID = 1L;
    /** The algorithm that was asked for. */
    private final ConvAlgorithm algorithm;
    /** Why it cannot run the problem. */
    private final String reason;

    /**
     * An exception whose message names the algorithm, the direction, the problem, the backend and the reason.
     *
     * @param algorithm the algorithm asked for
     * @param direction the direction it was asked to run
     * @param backend   the device's spec, e.g. {@code opencl:0}
     * @param problem   the problem's canonical string
     * @param reason    why the algorithm cannot run it
     */
    public AlgorithmNotSupportedException(ConvAlgorithm algorithm, ConvDirection direction, String backend,
                                          String problem, String reason) {
        super("algorithm " + algorithm + " cannot run " + direction.shortName() + " of " + problem + " on " + backend
                + ": " + reason);
        this.algorithm = algorithm;
        this.reason = reason;
    }

    /** The algorithm that was asked for (possibly {@link ConvAlgorithm#AUTO} when none applies). */
    public ConvAlgorithm algorithm() {
        return algorithm;
    }

    /** Why the algorithm cannot run the problem, without the rest of the message. */
    public String reason() {
        return reason;
    }
}
