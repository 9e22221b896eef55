package io.jdnn.bench.perf;

import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.DirectConv;
import io.jdnn.Devices;
import io.jdnn.spi.Backend;
import io.jdnn.spi.Buffer;
import io.jdnn.spi.DeviceBackend;
import io.jdnn.bench.perf.vendor.VendorBaseline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A device whose forward convolution writes one wrong element: the benchmark must report every
 * forward variant INCORRECT and leave it untimed, and still pass and time the other passes.
 */
class PlantedFailureTest {

    /** Element of y the planted bug corrupts. */
    static final int PLANTED = 7;

    /** The reference backend's device with convForward adding 1 to y[PLANTED] after computing y. */
    static Device plantedDevice() {
        return plantedDevice(Integer.MAX_VALUE);
    }

    /** The reference backend's device with convForward adding 1 to y[PLANTED], y[PLANTED + stride], ... after computing y. */
    static Device plantedDevice(int stride) {
        DeviceBackend real = null;
        for (Backend b : ServiceLoader.load(Backend.class)) {
            if (b.name().equals("reference")) {
                real = b.open(null, DeviceOptions.DEFAULT);
            }
        }
        assertNotNull(real, "the reference backend is on the test class path");
        DeviceBackend target = real;
        DeviceBackend planted = (DeviceBackend) Proxy.newProxyInstance(DeviceBackend.class.getClassLoader(),
                new Class<?>[] {DeviceBackend.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("convForward")) {
                        Buffer y = (Buffer) args[5];
                        long elements = ((DirectConv) args[0]).responseElements();
                        double[] v = new double[1];
                        for (long i = PLANTED; i < elements; i += stride) {
                            target.readDouble(y, i, v, 0, 1);
                            v[0] += 1;
                            target.writeDouble(y, i, v, 0, 1);
                        }
                    }
                    return result;
                });
        return Devices.wrap(planted, DeviceOptions.DEFAULT);
    }

    static BenchConfig fastConfig(String device) {
        return BenchConfig.defaults(device).withTiming(new Timing.Settings(3, 1, 0, 0.05, 0, 1000)).withVendor("off");
    }

    @Test
    void plantedForwardBugIsIncorrectAndNotTimed(@TempDir Path dir) throws Exception {
        List<BenchResult> rows;
        try (Device device = plantedDevice();
             BenchRunner runner = new BenchRunner(device, fastConfig("reference"), VendorBaseline.unavailable("test"), null)) {
            BenchProblem p = BenchProblem.parse("conv_mb2ic3ih8oc4kh3ph1", 0);
            rows = runner.run(List.of(new BenchRunner.Job("", "", p)), null);
        }
        assertFalse(rows.isEmpty());
        int forward = 0;
        for (BenchResult r : rows) {
            if (r.pass().equals("fwd")) {
                forward++;
                assertEquals(Disposition.INCORRECT, r.disposition(), r.toString());
                assertNull(r.stats(), "an incorrect variant is not timed");
                assertTrue(r.reason().contains("y[" + PLANTED + "]"), r.reason());
                assertTrue(r.error() > r.bound(), r.toString());
            } else {
                assertEquals(Disposition.PASSED, r.disposition(), r.toString());
                assertNotNull(r.stats());
                assertTrue(r.error() <= r.bound());
                assertTrue(r.stats().count() >= 3);
            }
            assertTrue(r.command().contains("--problem conv_mb2ic3ih8iw8oc4kh3kw3sh1sw1ph1pw1dh1dw1g1"), r.command());
        }
        assertTrue(forward > 0);

        Report.Header header = new Report.Header("jdnn bench test", "reference:0", "planted", "", "reference", "",
                new Peaks(Double.NaN, Double.NaN, Double.NaN, "none", Double.NaN, "not measured", 1 << 20, "test", false),
                "n/a: test", false, fastConfig("reference"), "Java", "now");
        java.io.StringWriter text = new java.io.StringWriter();
        Report report = new Report(header, new java.io.PrintWriter(text), true);
        report.printHeader();
        report.printPass(rows);
        report.printSummary(rows, 0);
        assertTrue(text.toString().contains("INCORRECT"), text.toString());
        report.writeCsv(dir.resolve("r.csv"), rows);
        report.writeJson(dir.resolve("r.json"), rows);
        report.writeHtml(dir.resolve("r.html"), rows);
        assertTrue(Files.readString(dir.resolve("r.csv")).contains(",INCORRECT,"));
        String json = Files.readString(dir.resolve("r.json"));
        assertTrue(json.contains("\"status\": \"INCORRECT\""), json);
        assertTrue(json.contains("\"samples_ms\": ["), json);
        assertTrue(Files.readString(dir.resolve("r.html")).contains("<svg"));
    }

    @Test
    void unsupportedAlgorithmIsReportedWithItsReason() {
        try (Device device = Devices.open("reference");
             BenchRunner runner = new BenchRunner(device, fastConfig("reference").withAlgorithm("WINOGRAD")
                     .withDirections(Set.of("fwd")), VendorBaseline.unavailable("test"), null)) {
            List<BenchResult> rows = runner.run(List.of(new BenchRunner.Job("", "",
                    BenchProblem.parse("conv_mb1ic2ih5oc2kh3", 0))), null);
            assertEquals(1, rows.size());
            assertEquals(Disposition.NOT_SUPPORTED, rows.get(0).disposition());
            assertFalse(rows.get(0).reason().isEmpty());
            assertNull(rows.get(0).stats());
        }
    }

    @Test
    void memoryLimitGivesNotSupported() {
        BenchConfig c = fastConfig("reference");
        c = new BenchConfig(c.device(), false, false, Set.of("fwd"), null, c.timing(), true, 1, 30, BenchConfig.VERIFY_AUTO, "off",
                1, 1 << 20);
        try (Device device = Devices.open("reference");
             BenchRunner runner = new BenchRunner(device, c, VendorBaseline.unavailable("test"), null)) {
            List<BenchResult> rows = runner.run(List.of(new BenchRunner.Job("", "",
                    BenchProblem.parse("adam_lr=0.001", 1_000_000))), null);
            assertEquals(1, rows.size());
            assertEquals(Disposition.NOT_SUPPORTED, rows.get(0).disposition());
            assertTrue(rows.get(0).reason().startsWith("memory:"), rows.get(0).reason());
        }
    }
}
