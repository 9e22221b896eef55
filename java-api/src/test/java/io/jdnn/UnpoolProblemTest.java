package io.jdnn;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link UnpoolProblem} and {@link PoolProblem#requireIndexable}: canonical strings read back,
 * shorter forms fill in the defaults, PyTorch's output-size range, the 2^24 plane limit, the
 * inverse of a pooling, and which index values name a position.
 */
class UnpoolProblemTest {
    private final Random r = new Random(20261123);

    private int between(int lo, int hi) {
        return lo + r.nextInt(hi - lo + 1);
    }

    @Test
    void roundTrips() {
        ProblemStringRoundTripTest.roundTrips("maxunpool", () -> {
            int h = between(1, 20);
            int k = between(1, 4);
            int s = between(1, 4);
            int p = between(0, 2);
            return new UnpoolProblem(between(1, 4), between(1, 5), h, between(1, 20), k, between(1, 4), s,
                    between(1, 4), p, between(0, 2), (int) UnpoolProblem.defaultSize(h, k, s, p) + between(-3, 3),
                    between(1, 60));
        }, UnpoolProblem::parse);
    }

    @Test
    void shorterFormsFillInTheDefaults() {
        assertEquals(new UnpoolProblem(1, 3, 4, 4, 2, 2, 2, 2, 0, 0, 8, 8), UnpoolProblem.parse("maxunpool_ic3ih4kh2"));
        assertEquals(UnpoolProblem.of(2, 3, 4, 5, 3, 3, 2, 2, 1, 1),
                UnpoolProblem.parse("maxunpool_mb2ic3ih4iw5kh3sh2ph1"));
        assertEquals(7, UnpoolProblem.of(2, 3, 4, 5, 3, 3, 2, 2, 1, 1).outHeight()); // (4-1)*2 - 2 + 3
    }

    @Test
    void outputSizeMustLieWithinTheStrideOfTheDefault() {
        // default 8 with stride 2: PyTorch accepts 7, 8, 9 (strictly between 6 and 10)
        for (int oh : new int[] {7, 8, 9}) {
            assertEquals(oh, new UnpoolProblem(1, 1, 4, 4, 2, 2, 2, 2, 0, 0, oh, 8).outHeight());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new UnpoolProblem(1, 1, 4, 4, 2, 2, 2, 2, 0, 0, 10, 8));
        assertTrue(e.getMessage().startsWith("outHeight: expected a value >= 1 strictly between 6 and 10"), e.getMessage());
        assertTrue(e.getMessage().endsWith("got 10"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new UnpoolProblem(1, 1, 4, 4, 2, 2, 2, 2, 0, 0, 8, 6));
        assertTrue(e.getMessage().startsWith("outWidth:"), e.getMessage());
        // a default below 1: (1 - 1) * 1 - 2 * 1 + 1 = -1
        e = assertThrows(IllegalArgumentException.class, () -> UnpoolProblem.of(1, 1, 1, 1, 1, 1, 1, 1, 1, 0));
        assertTrue(e.getMessage().startsWith("outHeight:"), e.getMessage());
    }

    @Test
    void indexedPlanesHoldAtMost2To24Positions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new UnpoolProblem(1, 1, 2049, 2048, 2, 2, 2, 2, 0, 0, 4098, 4096));
        assertEquals("outHeight * outWidth: expected at most 2^24 = 16777216 (float32 indices are exact integers only"
                + " up to 2^24), got 4098 * 4096 = 16785408", e.getMessage());
        PoolProblem fits = PoolProblem.max().size(4096, 4096).channels(1).kernel(2, 2).build();
        assertEquals(fits, fits.requireIndexable());
        PoolProblem big = PoolProblem.max().size(4097, 4096).channels(1).kernel(2, 2).build();
        e = assertThrows(IllegalArgumentException.class, big::requireIndexable);
        assertEquals("height * width: expected at most 2^24 = 16777216 (float32 indices are exact integers only up"
                + " to 2^24), got 4097 * 4096 = 16781312", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PoolProblem.avg().size(4, 4).channels(1).kernel(2, 2).build().requireIndexable());
        assertEquals("mode: expected MAX (only max pooling has indices), got AVG", e.getMessage());
    }

    @Test
    void inverseOfAPoolingRestoresItsInputSize() {
        for (String text : new String[] {"maxpool_mb2ic3ih7iw9kh3kw3sh2sw2ph1pw1dh1dw1ceil0",
                "maxpool_mb1ic1ih5iw6kh2kw2sh2sw2ph0pw0dh1dw1ceil1", "maxpool_mb1ic1ih1iw1kh1kw1sh1sw1ph0pw0dh1dw1ceil0"}) {
            PoolProblem p = PoolProblem.parse(text);
            UnpoolProblem u = UnpoolProblem.inverseOf(p);
            assertEquals(p.outputShape(), u.inputShape(), text);
            assertEquals(p.inputShape(), u.outputShape(), text);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UnpoolProblem.inverseOf(
                PoolProblem.parse("maxpool_mb1ic1ih9iw9kh3kw3sh1sw1ph1pw1dh2dw2ceil0")));
        assertEquals("dilation: expected 1x1 (unpooling has no dilation), got 2x2", e.getMessage());
    }

    @Test
    void onlyIntegersInsideThePlaneArePositions() {
        UnpoolProblem p = UnpoolProblem.of(1, 1, 2, 2, 2, 2, 2, 2, 0, 0); // 4 x 4: positions 0..15
        assertEquals(0, p.target(0));
        assertEquals(0, p.target(-0.0));
        assertEquals(15, p.target(15));
        for (double bad : new double[] {-1, 16, 2.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                1e30, -1e-30}) {
            assertEquals(-1, p.target(bad), "index " + bad);
        }
    }
}
