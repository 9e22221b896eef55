package io.jdnn.tests.support;

import io.jdnn.Device;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one rule for a backend a test cannot run on: skip with the reason, or fail when
 * {@code -Djdnn.test.require=opencl,cuda} ({@link Knobs#REQUIRE}) names it. Which devices exist is
 * {@link DevicesUnderTest}'s business; this class only turns its {@link DevicesUnderTest.Target}s into
 * devices, skips or failures, so that every test class reports an absent backend the same way.
 *
 * <pre>
 *   for (DevicesUnderTest.Target t : DevicesUnderTest.targets()) {
 *       if (!t.available()) {
 *           Backends.skipOrFail(t);          // in the test body: aborts or fails
 *       }
 *       Device d = Backends.device(t);       // the shared, already open device
 *   }
 * </pre>
 */
public final class Backends {
    private Backends() {
    }

    /** True when {@code -Djdnn.test.require} lists {@code backend}. */
    public static boolean required(String backend) {
        return Knobs.required().contains(backend);
    }

    /**
     * Ends the current test for a target that cannot be tested: a failure when it must work
     * (required backend, explicitly named device, listed device that does not open), otherwise a
     * skip, both with the target's reason (a skip's reason is also printed, for the build log).
     * Returns normally only for an available target.
     */
    public static void skipOrFail(DevicesUnderTest.Target t) {
        if (t.available()) {
            return;
        }
        if (t.mustWork()) {
            Assertions.fail(t.spec() + " must be tested but cannot be (" + Knobs.REQUIRE + "=" + String.join(",", Knobs.required())
                    + "): " + t.problem());
        }
        String why = t.spec() + " skipped: " + t.problem();
        // Surefire's console counts skips without their reasons; the test's output is shown, so say it there.
        System.out.println("[jdnn-tests] " + why);
        Assumptions.abort(why);
    }

    /** The open device of an available target (shared for the test JVM's life: do not close it). */
    public static Device device(DevicesUnderTest.Target t) {
        skipOrFail(t);
        for (Device d : DevicesUnderTest.devices()) {
            if (d.spec().equals(t.spec())) {
                return d;
            }
        }
        throw new IllegalStateException(t.spec() + ": listed as available but DevicesUnderTest holds no open device of that spec");
    }
}
