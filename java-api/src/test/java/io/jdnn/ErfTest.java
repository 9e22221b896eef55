package io.jdnn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Erf#erf} against known values, its odd symmetry, saturation and NaN. */
class ErfTest {

    @Test
    void matchesKnownValues() {
        // from C's libm erf (glibc, within an ulp), printed to 17 digits
        double[][] known = {{0.5, 0.5204998778130465}, {1, 0.8427007929497149}, {2, 0.9953222650189527},
                {3, 0.9999779095030014}, {5, 0.9999999999984626}, {1e-3, 0.0011283787909692365}};
        for (double[] k : known) {
            // the accuracy Erf documents: 2e-15 absolute, a few ulps (here 1e-15 relative) below 1
            double tolerance = k[0] < 1 ? 1e-15 * k[1] : 2e-15;
            assertEquals(k[1], Erf.erf(k[0]), tolerance, "erf(" + k[0] + ")");
            assertEquals(-k[1], Erf.erf(-k[0]), tolerance, "erf(-" + k[0] + ")");
        }
        assertEquals(1.0, Erf.erf(7));
        assertEquals(-1.0, Erf.erf(-7));
        assertEquals(0.0, Erf.erf(0));
        assertTrue(Double.isNaN(Erf.erf(Double.NaN)));
    }
}
