package io.jdnn.tests.conformance;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.Devices;
import io.jdnn.ErrorBounds;
import io.jdnn.PoolProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.tests.conformance.PlantedDefectsBackend.Defect;
import io.jdnn.tests.support.Comparison;
import io.jdnn.tests.support.Conformance;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Verdicts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The suite must be able to fail: a backend with planted defects ({@link PlantedDefectsBackend})
 * runs through the same checks as every real device, and each defect must be reported at the
 * coordinates where it was planted. Runs on every machine (it needs only the reference).
 */
class SuiteSelfTest {
    private PlantedDefectsBackend planted;
    private Device device;

    @BeforeEach
    void open() {
        planted = new PlantedDefectsBackend();
        device = Devices.wrap(planted, DeviceOptions.DEFAULT);
    }

    @AfterEach
    void close() {
        device.close();
    }

    /** The failed checks, asserting there are {@code count}. */
    private static List<Verdicts.Check> failures(Verdicts v, int count) {
        List<Verdicts.Check> f = v.failures();
        if (f.size() != count) {
            fail("expected " + count + " failed checks, got " + f.size() + ":\n" + f.stream()
                    .map(Verdicts.Check::describe).reduce("", (a, b) -> a + "\n" + b));
        }
        return f;
    }

    /** The single failing comparison of a check. */
    private static Comparison failing(Verdicts.Check c) {
        List<Comparison> bad = c.comparisons().stream().filter(x -> !x.passed()).toList();
        assertEquals(1, bad.size(), c.describe());
        return bad.get(0);
    }

    private static List<String> coords(Comparison c) {
        return c.first().stream().map(m -> Comparison.coordString(m.coords())).toList();
    }

    @Test
    void withoutDefectsEveryCheckPassesWithErrorZero() {
        Verdicts v = new Verdicts();
        ConvProblem p = ConvProblem.parse("conv_mb2ic4ih7iw6oc6kh3kw2sh2sw1ph1pw0dh1dw2g2");
        for (ConvDirection d : ConvDirection.values()) {
            ConvChecks.check(List.of(device), p, d, true, 7, v);
        }
        PoolChecks.check(List.of(device), PoolProblem.parse("maxpool_mb1ic2ih7iw5kh3kw2sh2sw3ph1pw1dh1dw1ceil1"),
                true, PoolChecks.Data.TIES, 3, v);
        PoolChecks.check(List.of(device), PoolProblem.parse("avgpool_mb1ic2ih7iw5kh3kw2sh2sw1ph1pw1ceil1cip0"),
                false, PoolChecks.Data.DYADIC, 3, v);
        v.assertPassed();
        for (Verdicts.Check c : v.checks()) {
            for (Comparison cmp : c.comparisons()) {
                assertEquals(0.0, cmp.error(), c.describe());
            }
        }
        assertTrue(planted.outputsArrivedPoisoned, "every output reached the backend filled with NaN");
    }

    @Test
    void convElementOffByRelative1e3IsReportedAtItsCoordinates() {
        planted.defect = Defect.CONV_ELEMENT_OFF;
        planted.index = -1; // the element of largest magnitude: its error is 1e-3 of the output's scale
        ConvProblem p = ConvProblem.parse("conv_mb2ic3ih7iw6oc4kh3kw2sh2sw1ph1pw0dh1dw2g1");
        Verdicts v = new Verdicts();
        ConvChecks.check(List.of(device), p, ConvDirection.FORWARD, false, 11, v);
        // DIRECT and AUTO (which picks DIRECT) run the defect; the other algorithms are rejected and pass.
        List<Verdicts.Check> f = failures(v, 2);
        String expected = Comparison.coordString(Comparison.coords(p.outputShape(), planted.plantedAt));
        for (Verdicts.Check c : f) {
            Comparison cmp = failing(c);
            assertEquals(1, cmp.mismatches(), c.describe());
            assertEquals(List.of(expected), coords(cmp), c.describe());
            assertTrue(cmp.error() > 0.99e-3 && cmp.error() < 1.01e-3, "error " + cmp.error());
            assertEquals(ConvAlgorithm.DIRECT.errorBound(), cmp.bound());
            String msg = c.describe();
            for (String part : List.of("planted:0", p.toString(), "conv2d fwd", "DIRECT", "y" + expected)) {
                assertTrue(msg.contains(part), "message lacks '" + part + "':\n" + msg);
            }
        }
        assertTrue(f.get(0).variant().startsWith("algorithm DIRECT"), f.get(0).variant());
        assertTrue(f.get(1).variant().startsWith("algorithm AUTO (picks DIRECT)"), f.get(1).variant());
    }

    @Test
    void transposedConvElementOffIsReportedInTheTransposedOutput() {
        planted.defect = Defect.CONV_ELEMENT_OFF;
        planted.index = -1;
        ConvProblem p = ConvProblem.parse("deconv_mb1ic4ih3iw5oc2kh3kw3sh2sw3ph1pw0dh1dw1g2oph1opw2");
        Verdicts v = new Verdicts();
        ConvChecks.check(List.of(device), p, ConvDirection.FORWARD, true, 5, v);
        List<Verdicts.Check> f = failures(v, 2);
        String expected = Comparison.coordString(Comparison.coords(p.outputShape(), planted.plantedAt));
        for (Verdicts.Check c : f) {
            assertEquals(List.of(expected), coords(failing(c)), c.describe());
            assertTrue(c.describe().contains("runs as direct bwd-data"), c.describe());
        }
    }

    @Test
    void unwrittenElementIsReportedAsNaNAtItsCoordinates() {
        planted.defect = Defect.CONV_ELEMENT_UNWRITTEN;
        planted.index = 37;
        ConvProblem p = ConvProblem.parse("conv_mb2ic2ih5iw5oc3kh2kw2sh1sw1ph0pw0dh1dw1g1");
        Verdicts v = new Verdicts();
        ConvChecks.check(List.of(device), p, ConvDirection.FORWARD, false, 2, v);
        List<Verdicts.Check> f = failures(v, 2);
        for (Verdicts.Check c : f) {
            Comparison cmp = failing(c);
            assertEquals(List.of("[0,2,1,1]"), coords(cmp), c.describe()); // 37 = ((0*3 + 2)*4 + 1)*4 + 1
            assertTrue(Double.isNaN(cmp.first().get(0).got()), c.describe());
            assertEquals(Double.POSITIVE_INFINITY, cmp.error());
        }
        assertTrue(planted.outputsArrivedPoisoned, "the output reached the backend filled with NaN");
    }

    @Test
    void maxPoolingTieBrokenTheWrongWayIsSeenByTheBackwardPass() {
        planted.defect = Defect.MAX_POOL_LAST_TIE;
        PoolProblem p = PoolProblem.parse("maxpool_mb1ic1ih2iw4kh2kw2sh2sw2ph0pw0dh1dw1ceil0");
        float[] x = new float[8];
        Arrays.fill(x, 0.5f); // every window is one tie: the first position must win
        float[] dy = {1, 2};
        Conformance.Run forward = s -> {
            Tensor y = s.poisoned(p.outputShape());
            s.device().pool(p, s.upload(p.inputShape(), x), y);
            return List.of(Output.of("y", y));
        };
        Conformance.Run backward = s -> {
            Tensor dx = s.poisoned(p.inputShape());
            s.device().poolBackward(p, s.upload(p.inputShape(), x), s.upload(p.outputShape(), dy), dx);
            return List.of(Output.of("dx", dx));
        };
        Verdicts v = new Verdicts();
        Conformance.check(v, device, "pool fwd", p, "", forward, Conformance.reference(forward),
                Conformance.bounds("y", ErrorBounds.POOLING));
        Conformance.check(v, device, "pool bwd", p, "", backward, Conformance.reference(backward),
                Conformance.bounds("dx", ErrorBounds.POOLING));
        Verdicts.Check c = failures(v, 1).get(0);
        assertEquals("pool bwd", c.op(), "the forward values are the same whichever tie wins");
        assertEquals(List.of("[0,0,0,0]", "[0,0,0,2]", "[0,0,1,1]", "[0,0,1,3]"), coords(failing(c)), c.describe());
    }

    @Test
    void maxPoolingTieBrokenTheWrongWayIsFoundByTheTiesData() {
        planted.defect = Defect.MAX_POOL_LAST_TIE;
        Verdicts v = new Verdicts();
        PoolChecks.check(List.of(device), PoolProblem.parse("maxpool_mb1ic2ih6iw6kh3kw3sh2sw2ph1pw1dh1dw1ceil0"), true,
                PoolChecks.Data.TIES, 1, v);
        Comparison cmp = failing(failures(v, 1).get(0));
        assertTrue(cmp.mismatches() > 0 && cmp.first().size() == Math.min(cmp.mismatches(), Comparison.SHOWN));
    }

    @Test
    void averagePoolingWindowOneRowShortIsReportedAtTheBottomRow() {
        planted.defect = Defect.AVG_POOL_WINDOW_OFF_BY_ONE;
        PoolProblem p = PoolProblem.parse("avgpool_mb1ic1ih5iw5kh2kw2sh2sw2ph0pw0ceil1cip1");
        assertEquals(3, p.outHeight());
        float[] x = new float[25];
        Arrays.fill(x, 1f);
        Conformance.Run forward = s -> {
            Tensor y = s.poisoned(p.outputShape());
            s.device().pool(p, s.upload(p.inputShape(), x), y);
            return List.of(Output.of("y", y));
        };
        Verdicts v = new Verdicts();
        Conformance.check(v, device, "pool fwd", p, "", forward, Conformance.reference(forward),
                Conformance.bounds("y", ErrorBounds.POOLING));
        // Only the last window row reaches the image's last row (4): windows [4, 6) clipped to [4, 5).
        Comparison cmp = failing(failures(v, 1).get(0));
        assertEquals(List.of("[0,0,2,0]", "[0,0,2,1]", "[0,0,2,2]"), coords(cmp));
    }

    @Test
    void failuresOfSeveralDevicesAreAllListedAndHealthyDevicesPass() {
        PlantedDefectsBackend healthy = new PlantedDefectsBackend();
        try (Device good = Devices.wrap(healthy, DeviceOptions.DEFAULT)) {
            planted.defect = Defect.CONV_ELEMENT_UNWRITTEN;
            planted.index = 0;
            Verdicts v = new Verdicts();
            ConvChecks.check(List.of(good, device), ConvProblem.parse("conv_mb1ic1ih1iw1oc1kh1kw1"),
                    ConvDirection.FORWARD, true, 1, v);
            assertEquals(2, v.failures().size());
            assertTrue(v.checks().stream().filter(Verdicts.Check::passed).count() >= 2);
            AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, v::assertPassed);
            assertTrue(e.getMessage().startsWith("2 of "), e.getMessage());
            assertTrue(e.getMessage().contains("y[0,0,0,0] = NaN expected"), e.getMessage());
        }
    }

    @Test
    void comparisonListsTheFirstTenMismatchesInRowMajorOrder() {
        Shape shape = Shape.of(2, 3, 4, 5);
        double[] ref = new double[120];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = 1 + i % 7;
        }
        double[] got = ref.clone();
        for (int i = 3; i < 120; i += 5) {
            got[i] += 1e-3; // 24 elements off by 1e-3 / 7 of the scale
        }
        got[119] = Double.NaN; // and a 25th, never written
        Comparison c = Comparison.of("y", shape, got, ref, 1e-5);
        assertFalse(c.passed());
        assertEquals(ErrorBounds.maxNormalizedError(got, ref), c.error());
        assertEquals(ErrorBounds.normwiseError(got, ref), c.normwise());
        assertEquals(25, c.mismatches());
        assertEquals(Double.POSITIVE_INFINITY, c.error());
        assertEquals(Comparison.SHOWN, c.first().size());
        assertEquals("[0,0,0,3]", Comparison.coordString(c.first().get(0).coords()));
        assertEquals("[0,0,1,3]", Comparison.coordString(c.first().get(1).coords()));
        assertEquals("[0,2,1,3]", Comparison.coordString(c.first().get(9).coords())); // flat 48
        String text = c.describe();
        assertTrue(text.contains("25 of 120 elements over the bound"), text);
        assertTrue(text.endsWith("..."), text);
        assertEquals(Comparison.SHOWN, text.lines().filter(l -> l.trim().startsWith("y[")).count());
        // Exactly at the bound passes; the smallest excess fails.
        assertTrue(Comparison.of("y", Shape.of(2), new double[] {1 + 1e-5, 0}, new double[] {1, 0}, 1e-5 + 1e-12).passed());
        assertFalse(Comparison.of("y", Shape.of(2), new double[] {1 + 2e-5, 0}, new double[] {1, 0}, 1e-5).passed());
    }
}
