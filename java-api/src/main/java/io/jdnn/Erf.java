package io.jdnn;

/**
 * The error function in float64, which GELU's definition needs and {@link Math} lacks; shared by
 * the CPU backends as {@link Philox} is.
 */
public final class Erf {
    private Erf() {
    }

    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    /**
     * erf(x) = 2/sqrt(pi) * integral of exp(-t^2) from 0 to x, within about 2e-15 absolute and a
     * few ulps relative for |x| &lt; 1 (beyond |x| = 6 erf rounds to +-1). From the series
     * erf(a) = 2/sqrt(pi) * exp(-a^2) * sum_n a (2a^2)^n / (1*3*...*(2n+1)), whose terms are all
     * positive (no cancellation); NaN stays NaN.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        if (a >= 6) {
            return Math.copySign(1.0, x);
        }
        double twoA2 = 2 * a * a;
        double term = a;
        double sum = a;
        for (int k = 1; term > sum * 1e-17; k++) {
            term *= twoA2 / (2 * k + 1);
            sum += term;
        }
        // exp(-a^2) with a^2 = hi + lo split exactly: rounding a^2 alone would cost a^2 ulps
        double hi = a * a;
        double lo = Math.fma(a, a, -hi);
        return Math.copySign(Math.min(1.0, TWO_OVER_SQRT_PI * Math.exp(-hi) * (1 - lo) * sum), x);
    }
}
