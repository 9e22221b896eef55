package io.jdnn.golden;

/**
 * One compared output of a golden case.
 *
 * @param name      the output's name in the case (y, dx, p2, ...)
 * @param error     {@link io.jdnn.ErrorBounds#maxNormalizedError} of the device's values against the expected ones
 * @param bound     the largest error allowed for this output on this device
 * @param algorithm what bound applies: the convolution algorithm that ran, or the op family
 */
public record OutputResult(String name, double error, double bound, String algorithm) {

    /** True when the error is within the bound (a NaN error never is). */
    public boolean passed() {
        return error <= bound;
    }

    /** error / bound: how much of the bound the error uses (above 1 fails); an exact output (bound 0) uses 0 or infinity. */
    public double ratio() {
        if (bound == 0) {
            return error == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return Double.isNaN(error) ? Double.POSITIVE_INFINITY : error / bound;
    }
}
