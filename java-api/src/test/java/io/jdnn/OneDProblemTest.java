package io.jdnn;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Conv1dProblem} and {@link Pool1dProblem}: canonical strings read back, shorter forms fill
 * in the defaults, the height-1 2-D form has the same sizes, and errors speak of L and the 1-D settings.
 */
class OneDProblemTest {
    private final Random r = new Random(20261123);

    private int between(int lo, int hi) {
        return lo + r.nextInt(hi - lo + 1);
    }

    @Test
    void roundTripsAndMatchesItsTwoDimensionalForm() {
        ProblemStringRoundTripTest.roundTrips("conv1d", () -> {
            int g = between(1, 3);
            Conv1dProblem p = new Conv1dProblem(between(1, 4), g * between(1, 3), between(1, 30), g * between(1, 3),
                    between(1, 6), between(1, 3), between(0, 4), between(1, 3), g);
            ConvProblem q = p.as2d();
            assertEquals(q.outWidth(), p.outLength(), p.toString());
            assertEquals(1, q.outHeight(), p.toString());
            assertEquals(q.outputShape().elements(), p.outputShape().elements(), p.toString());
            assertEquals(q.weightShape().elements(), p.weightShape().elements(), p.toString());
            return p;
        }, Conv1dProblem::parse);
        ProblemStringRoundTripTest.roundTrips("pool1d", () -> {
            PoolMode mode = r.nextBoolean() ? PoolMode.MAX : PoolMode.AVG;
            Pool1dProblem p = new Pool1dProblem(mode, between(1, 4), between(1, 5), between(1, 30), between(1, 5),
                    between(1, 4), between(0, 3), mode == PoolMode.MAX ? between(1, 3) : 1, r.nextBoolean(),
                    mode == PoolMode.AVG && r.nextBoolean());
            PoolProblem q = p.as2d();
            assertEquals(q.outWidth(), p.outLength(), p.toString());
            assertEquals(1, q.outHeight(), p.toString());
            assertEquals(q.forwardBytes(), p.forwardBytes(), p.toString());
            return p;
        }, Pool1dProblem::parse);
    }

    @Test
    void shorterFormsFillInTheDefaults() {
        assertEquals(new Conv1dProblem(1, 3, 10, 4, 3, 1, 0, 1, 1), Conv1dProblem.parse("conv1d_ic3il10oc4k3"));
        assertEquals(Pool1dProblem.max(1, 2, 9, 3), Pool1dProblem.parse("maxpool1d_ic2il9k3"));
        assertEquals(Pool1dProblem.avg(2, 2, 9, 2), Pool1dProblem.parse("avgpool1d_mb2ic2il9k2"));
        assertEquals("conv1d_mb2ic3il10oc4k3s1p1d1g1", new Conv1dProblem(2, 3, 10, 4, 3, 1, 1, 1, 1).toString());
        assertEquals(new Conv1dProblem(2, 3, 10, 4, 3, 1, 1, 1, 1).as2d().flops(),
                new Conv1dProblem(2, 3, 10, 4, 3, 1, 1, 1, 1).flops());
    }

    @Test
    void errorsSpeakOfTheOneDimensionalSettings() {
        ValidationMessageTest.rejects(() -> new Conv1dProblem(1, 3, 0, 4, 3, 1, 0, 1, 1), "length", "0");
        ValidationMessageTest.rejects(() -> new Conv1dProblem(1, 3, 2, 4, 5, 1, 0, 1, 1), "output length", "length 2",
                "kernel 5");
        ValidationMessageTest.rejects(() -> new Conv1dProblem(1, 3, 8, 4, 3, 1, 0, 1, 2), "inChannels", "groups=2");
        ValidationMessageTest.rejects(() -> new Pool1dProblem(PoolMode.AVG, 1, 1, 8, 2, 2, 2, 1, false, true),
                "padding", "kernel - 1=1");
        ValidationMessageTest.rejects(() -> new Pool1dProblem(PoolMode.AVG, 1, 1, 8, 2, 2, 0, 2, false, true),
                "dilation", "average");
        ValidationMessageTest.rejects(() -> new Pool1dProblem(PoolMode.MAX, 1, 1, 2, 3, 1, 0, 1, false, false),
                "output length", "length 2");
        ValidationMessageTest.rejects(() -> new Pool1dProblem(PoolMode.ADAPTIVE_AVG, 1, 1, 2, 1, 1, 0, 1, false, false),
                "mode", "MAX or AVG");
        ValidationMessageTest.rejects(() -> new Pool1dProblem(PoolMode.MAX, 1, 1, 2, 2, 1, 1, 3, false, false),
                "dilation", "input element");
    }
}
