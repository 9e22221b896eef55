package io.jdnn.bench.perf;

import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.bench.perf.BenchProblem.Pass;
import io.jdnn.bench.perf.vendor.VendorBaseline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --verify sample}: what a sample holds, when the oracle takes one, and what it catches. */
class SampledVerificationTest {

    /** Problems with more outputs than a sample in some passes and fewer in others, a transposed one among them. */
    @ParameterizedTest
    @ValueSource(strings = {"conv_mb2ic6ih40iw36oc9kh3sh2ph1pb2g3", "deconv_mb2ic6ih20oc8kh4sh2ph1g2oph1"})
    void aSampleHoldsTheFullReferencesValues(String text) {
        try (Device reference = Devices.open("reference")) {
            for (Pass pass : List.of(Pass.FWD, Pass.BWD_DATA, Pass.BWD_FILTER)) {
                Op.ConvOp op = (Op.ConvOp) Op.of(BenchProblem.parse(text, 0), pass);
                Inputs.Host host = new Inputs.Host(5);
                String name = op.tensors().get(2).name();
                double[] full;
                try (Op.Instance inst = op.instantiate(reference, "DIRECT", host)) {
                    inst.run();
                    full = inst.tensor(name).toDoubleArray();
                }
                ReferenceOutputs sample = ConvSample.of(op, host, 7);
                assertEquals("sample of " + Math.min(ConvSample.SIZE, full.length), sample.verified(), text + " " + pass);
                assertEquals(0.0, sample.error(name, full), text + " " + pass + ": the sampled values are the reference's");
                full[full.length / 2] += 1;
                ReferenceOutputs all = ReferenceOutputs.full(Map.of(name, full));
                assertEquals("full", all.verified());
            }
        }
    }

    @Test
    void autoSamplesAConvolutionOverTheBudgetOnce() {
        BenchConfig overBudget = BenchConfig.defaults("reference").withVerifyBudget(0);
        Inputs.Host host = new Inputs.Host(1);
        try (Oracle oracle = new Oracle()) {
            Op conv = Op.of(BenchProblem.parse("conv_mb1ic4ih32oc8kh3ph1", 0), Pass.FWD);
            assertEquals("sample of " + ConvSample.SIZE, oracle.outputs(conv, host, overBudget).verified());
            // 512 outputs: a sample would check no fewer, so over the budget it is not verified, as before
            Op small = Op.of(BenchProblem.parse("conv_mb1ic4ih8oc8kh3ph1", 0), Pass.FWD);
            assertFalse(oracle.outputs(small, host, overBudget).available());
            assertEquals("sample of " + ConvSample.SIZE, oracle.outputs(conv, host, BenchConfig.defaults("reference"))
                    .verified(), "computed once per op, then reused");
        }
        try (Oracle oracle = new Oracle()) {
            Op conv = Op.of(BenchProblem.parse("conv_mb1ic4ih32oc8kh3ph1", 0), Pass.FWD);
            assertEquals("full", oracle.outputs(conv, host, BenchConfig.defaults("reference")).verified());
            BenchConfig full = BenchConfig.defaults("reference").withVerifyBudget(0).withVerifyMode(BenchConfig.VERIFY_FULL);
            Op bwd = Op.of(BenchProblem.parse("conv_mb1ic4ih32oc8kh3ph1", 0), Pass.BWD_DATA);
            assertTrue(oracle.outputs(bwd, host, full).skipped().contains("--verify-budget"));
        }
    }

    @Test
    void aSampleCatchesABugThatSpoilsEverySixteenthOutputAndRowsSayWhatWasVerified() {
        BenchConfig config = PlantedFailureTest.fastConfig("reference").withVerifyMode(BenchConfig.VERIFY_SAMPLE)
                .withDirections(Set.of("fwd", "bwd-filter"));
        List<BenchResult> rows;
        try (Device device = PlantedFailureTest.plantedDevice(16);
             BenchRunner runner = new BenchRunner(device, config, VendorBaseline.unavailable("test"), null)) {
            rows = runner.run(List.of(new BenchRunner.Job("", "", BenchProblem.parse("conv_mb1ic4ih32oc8kh3ph1", 0))), null);
            BenchRunner.Phases phases = runner.phases();
            assertTrue(phases.referenceS() > 0 && phases.verifyS() > 0 && phases.timingS() > 0, phases.toString());
            assertTrue(phases.totalS() >= phases.referenceS() + phases.verifyS() + phases.timingS(), phases.toString());
        }
        assertEquals(2, rows.size());
        BenchResult forward = rows.get(0);
        assertEquals(Disposition.INCORRECT, forward.disposition(), forward.toString());
        assertNull(forward.stats());
        assertEquals("sample of " + ConvSample.SIZE, forward.verified());
        assertTrue(forward.reason().contains("of " + ConvSample.SIZE + " sampled elements outside"), forward.reason());
        BenchResult filter = rows.get(1); // 288 weights: fewer than a sample, so all of them
        assertEquals(Disposition.PASSED, filter.disposition(), filter.toString());
        assertEquals("full", filter.verified());
    }
}
