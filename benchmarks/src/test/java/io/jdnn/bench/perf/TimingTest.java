package io.jdnn.bench.perf;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimingTest {

    @Test
    void samplesGroupShortRunsAndReportPerRunTime() {
        int[] calls = {0};
        // a device whose run takes 0.01 ms: samples of 1 ms hold about 100 runs each
        Timing.Stats s = Timing.measure(k -> {
            calls[0] += k;
            return 0.01 * k;
        }, new Timing.Settings(20, 3, 0, 1.0, 0, 1000));
        assertEquals(0.01, s.median(), 1e-12);
        assertEquals(100, s.runsPerSample());
        assertTrue(s.count() >= 20);
        assertEquals(0, s.spread(), 1e-12);
        assertTrue(calls[0] >= 20 * 100 + 4);
    }

    @Test
    void minimumMeasuredTimeAddsSamples() {
        Timing.Stats s = Timing.measure(k -> 2.0 * k, new Timing.Settings(20, 1, 0, 1.0, 100, 10_000));
        assertEquals(50, s.count());
    }

    @Test
    void aSlowOpStopsAtTheMinimumSampleCountOnceSamplingOutlastsMaxTime() throws Exception {
        Timing.Settings settings = new Timing.Settings(20, 1, 0, 1.0, 0, 100);
        // each run really takes 20 ms of wall time: 20 samples would take 400 ms, past the 100 ms cap
        Timing.Stats s = Timing.measure(k -> {
            sleep(20L * k);
            return 20.0 * k;
        }, settings);
        assertEquals(Timing.MIN_SAMPLES, s.count());
        assertTrue(settings.cut(s));
        Timing.Stats fast = Timing.measure(k -> 0.01 * k, settings);
        assertFalse(settings.cut(fast));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void quantilesInterpolate() {
        Timing.Stats s = Timing.Stats.of(List.of(5.0, 1.0, 3.0, 2.0, 4.0), 1);
        assertEquals(3.0, s.median());
        assertEquals(1.4, s.p10(), 1e-12);
        assertEquals(4.6, s.p90(), 1e-12);
        assertEquals(1.0, s.min());
        assertEquals(5.0, s.max());
        assertEquals((4.6 - 1.4) / 3.0, s.spread(), 1e-12);
    }
}
