package io.jdnn.bench.perf;

import io.jdnn.InterpolateProblem;
import io.jdnn.PadProblem;
import io.jdnn.PixelShuffleProblem;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The resampling family's bench rows: every kind parses, takes --batch, counts its record's bytes and runs verified. */
class ResampleOpTest {
    static final List<String> PROBLEMS = List.of("resizenearest_mb2ic3ih9oh5", "resizebilinear_mb2ic3ih9oh17_ac=1",
            "pixelshuffle_mb2ic8ih5r2", "pixelunshuffle_mb2ic2ih6r3", "constpad_mb2ic3ih5_pad=1x0x-1x2_value=0.5",
            "reflectpad_mb2ic3ih5_pad=1x2x3x4", "replicatepad_mb2ic3ih5_pad=0x3x1x0");

    @Test
    void everyKindParsesTakesABatchAndCountsItsRecordsBytes() {
        assertEquals(ResampleOp.KINDS.size(), PROBLEMS.stream().map(t -> t.substring(0, t.indexOf('_'))).distinct().count());
        for (String text : PROBLEMS) {
            BenchProblem p = BenchProblem.parse(text, 0);
            assertEquals("resample", p.kind(), text);
            assertEquals(2, p.batch(), text);
            BenchProblem q = p.withBatch(5);
            assertEquals(5, q.batch(), text);
            Object r = ((BenchProblem.Resample) q).problem();
            long bytes = r instanceof InterpolateProblem i ? i.minimalBytes()
                    : r instanceof PixelShuffleProblem s ? s.minimalBytes() : ((PadProblem) r).minimalBytes();
            for (BenchProblem.Pass pass : q.passes()) {
                assertEquals(bytes, Op.of(q, pass).bytes(), text + " " + pass);
                assertEquals(-1, Op.of(q, pass).flops(), text + " " + pass);
            }
        }
    }

    @Test
    void everyKindRunsVerifiedOnTheCpuForwardAndBackward() {
        String[] args = new String[4 + 2 * PROBLEMS.size()];
        int a = 0;
        args[a++] = "bench";
        args[a++] = "--device";
        args[a++] = "cpu";
        args[a++] = "--no-progress";
        for (String text : PROBLEMS) {
            args[a++] = "--problem";
            args[a++] = text;
        }
        BenchCommandTest.Run r = BenchCommandTest.jdnn(args);
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("summary: " + 2 * PROBLEMS.size() + " variants, " + 2 * PROBLEMS.size() + " PASSED"),
                r.out());
    }
}
