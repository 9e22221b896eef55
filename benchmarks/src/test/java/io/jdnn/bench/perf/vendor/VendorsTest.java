package io.jdnn.bench.perf.vendor;

import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.bench.perf.BenchProblem;
import io.jdnn.bench.perf.Op;
import io.jdnn.bench.perf.ReferenceOutputs;
import io.jdnn.bench.perf.Timing;
import io.jdnn.bench.perf.VendorResult;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The baseline loads lazily and fails soft: on a machine without CUDA every column reads n/a with the reason. */
class VendorsTest {

    @Test
    void autoSkipsCpuDevicesWithAReason() {
        try (Device d = Devices.open("reference")) {
            VendorBaseline v = Vendors.open(d, "auto", false, false, 1);
            assertFalse(v.available());
            assertTrue(v.describe().startsWith("n/a: "), v.describe());
            assertTrue(v.describe().contains("reference"), v.describe());
            v.close();
        }
    }

    @Test
    void forcedLoadFailsSoftOrWorks() {
        try (Device d = Devices.open("reference")) {
            VendorBaseline v = Vendors.open(d, "on", false, false, 1);
            try {
                if (!v.available()) {
                    assertTrue(v.describe().length() > "n/a: ".length(), v.describe());
                    Op op = Op.of(BenchProblem.parse("conv_mb1ic2ih5oc2kh3", 0), BenchProblem.Pass.FWD);
                    VendorResult r = v.run(op, op, null, ReferenceOutputs.skipped(""), Timing.Settings.defaults(), 1);
                    assertNull(r.disposition());
                    assertFalse(r.timed());
                    assertFalse(r.reason().isEmpty());
                } else {
                    assertTrue(v.describe().contains("cuDNN") || v.describe().contains("cuBLAS"), v.describe());
                    Op step = Op.of(BenchProblem.parse("adam_lr=0.001", 10), BenchProblem.Pass.STEP);
                    assertTrue(v.whyNot(step).isPresent());
                }
            } finally {
                v.close();
            }
        }
    }
}
