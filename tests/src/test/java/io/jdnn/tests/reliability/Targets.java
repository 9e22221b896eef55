package io.jdnn.tests.reliability;

import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.Devices;
import io.jdnn.spi.Backend;
import io.jdnn.spi.DeviceBackend;
import io.jdnn.tests.support.Backends;
import io.jdnn.tests.support.DevicesUnderTest;
import io.jdnn.tests.support.DevicesUnderTest.Target;
import io.jdnn.tests.support.Knobs;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.ThrowingConsumer;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The devices the reliability tests run on: the reference (the oracle is a backend too: it must
 * not crash, leak or race either) and every target of {@link DevicesUnderTest} (cpu, every OpenCL
 * device, every CUDA device; unavailable backends as skipped or, under
 * {@code jdnn.test.require}, failed targets). With {@code jdnn.test.devices} set, exactly those
 * (the reference only when named). One {@link DynamicTest} per target, so that a report names the
 * device, and an absent backend shows up as a skip with its reason.
 */
final class Targets {
    private Targets() {
    }

    /** The reference first (unless {@code jdnn.test.devices} leaves it out), then the devices under test. */
    static List<Target> all() {
        List<Target> out = new ArrayList<>();
        List<String> named = Knobs.devices();
        List<Target> dut = DevicesUnderTest.targets();
        boolean referenceListed = dut.stream().anyMatch(t -> t.backend().equals("reference"));
        if (named.isEmpty() && !referenceListed) {
            Device ref = DevicesUnderTest.reference();
            out.add(new Target(ref.spec(), "reference", ref.info(), null, true));
        }
        out.addAll(dut);
        return out;
    }

    /** The shared, open device of a target (never close it); skips or fails an unavailable target. */
    static Device shared(Target t) {
        Backends.skipOrFail(t);
        if (t.backend().equals("reference") && Knobs.devices().isEmpty()) {
            return DevicesUnderTest.reference();
        }
        return Backends.device(t);
    }

    /** A new device of the target's spec (the caller closes it). */
    static Device open(Target t, DeviceOptions options) {
        Backends.skipOrFail(t);
        return Devices.open(t.spec(), options);
    }

    /**
     * A new SPI device of the target's spec, straight from its {@link Backend} (the caller wraps it
     * with {@link Devices#wrap} or closes it).
     */
    static DeviceBackend openRaw(Target t, DeviceOptions options) {
        Backends.skipOrFail(t);
        String spec = t.spec();
        int colon = spec.indexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        String selector = colon < 0 ? null : spec.substring(colon + 1);
        for (Backend b : ServiceLoader.load(Backend.class, Devices.class.getClassLoader())) {
            if (b.name().equals(name)) {
                return b.open(selector, options);
            }
        }
        throw new IllegalStateException(spec + ": no io.jdnn.spi.Backend named " + name + " on the class path");
    }

    /**
     * One dynamic test per target, named by the target, running {@code body} (which opens what it
     * needs); afterwards the target's shared device must hold no tensor more than before
     * ({@link LeakDetector}).
     */
    static List<DynamicTest> each(String what, ThrowingConsumer<Target> body) {
        List<DynamicTest> tests = new ArrayList<>();
        for (Target t : all()) {
            tests.add(DynamicTest.dynamicTest(what + " on " + t.describe(), () -> {
                Backends.skipOrFail(t);
                // The shared device is used by every test class of the JVM: nothing may stay open on it.
                LeakDetector leaks = LeakDetector.before(shared(t));
                body.accept(t);
                leaks.assertNoneSince(what);
            }));
        }
        return tests;
    }

    /**
     * True for a device that computes on the host's CPU: the reference, cpu, and OpenCL devices whose
     * details name the type CPU (PoCL; {@code DeviceInfo.details} reads "..., CPU, driver ...").
     */
    static boolean onHostCpu(Device d) {
        if (d.backend().equals("cuda")) {
            return false;
        }
        if (!d.backend().equals("opencl")) {
            return true;
        }
        String details = d.info().details() == null ? "" : d.info().details();
        return details.contains(", CPU, ") || details.contains("+CPU") || details.contains("CPU+");
    }
}
