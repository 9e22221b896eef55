package io.jdnn.cpu.fast;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Norm#powNegative}: the square-root forms of d^-beta agree with Math.pow to a few ulps of double. */
class LrnPowerTest {

    @Test
    void squareRootFormsAreWithinFourUlpsOfMathPow() {
        SplittableRandom r = new SplittableRandom(17);
        int floatMismatches = 0;
        int samples = 200_000;
        for (double beta : new double[] {0.75, 0.5, 1}) {
            for (int i = 0; i < samples; i++) {
                // LRN's base k + alpha/n * sum x^2 >= k; k is 1 or 2 in networks, 1e-4..1e3 covers the rest
                double d = Math.pow(10, r.nextDouble(-4, 6));
                double want = Math.pow(d, -beta);
                double got = Norm.powNegative(d, beta);
                // sqrt, sqrt, product and division: each correctly rounded, so at most ~3 ulps together;
                // Math.pow itself may be 1 ulp off
                assertTrue(Math.abs(got - want) <= 4 * Math.ulp(want), () -> "beta " + beta + ", d " + d + ": "
                        + got + " against Math.pow's " + want);
                if ((float) got != (float) want) {
                    floatMismatches++;
                }
            }
        }
        // a float32 rounding boundary inside a few double ulps: about 1e-8 of draws; 3 in 600,000 would be 500x that
        assertTrue(floatMismatches <= 2, floatMismatches + " of " + 3 * samples + " float32 results differ from Math.pow's");
    }

    @Test
    void otherBetasAreMathPow() {
        assertEquals(Math.pow(3.7, -0.6), Norm.powNegative(3.7, 0.6));
        assertEquals(Math.pow(2.0, -2.0), Norm.powNegative(2.0, 2.0));
    }
}
