package io.jdnn.tests.conformance;

import io.jdnn.Device;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.tests.support.Backends;
import io.jdnn.tests.support.DevicesUnderTest;
import io.jdnn.tests.support.DevicesUnderTest.Target;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * What the conformance suite runs on, made visible: one test per device under test (it passes when
 * the device opened and poisoning works on it), one per backend or named spec that cannot be tested
 * (skipped with the reason, or failed when {@code jdnn.test.require} or {@code jdnn.test.devices}
 * asks for it).
 */
class DevicesUnderTestTest {

    @TestFactory
    List<DynamicTest> targets() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Target t : DevicesUnderTest.targets()) {
            tests.add(DynamicTest.dynamicTest(t.describe(), () -> assertPoisonReadsBack(Backends.device(t))));
        }
        return tests;
    }

    /**
     * The suite's poisoning must reach the device: a tensor filled with NaN reads back as NaN in
     * every element (sizes below, at and above a work-group of 256, and odd).
     */
    private static void assertPoisonReadsBack(Device d) {
        for (int n : new int[] {1, 7, 255, 256, 257, 1031}) {
            try (Tensor t = d.full(Shape.of(n), Float.NaN)) {
                double[] v = t.toDoubleArray();
                for (int i = 0; i < n; i++) {
                    if (!Double.isNaN(v[i])) {
                        Assertions.fail(d.spec() + ": full(NaN) of " + n + " elements reads back " + v[i] + " at " + i);
                    }
                }
            }
        }
    }
}
