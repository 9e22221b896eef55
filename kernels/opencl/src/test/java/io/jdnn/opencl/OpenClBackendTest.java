package io.jdnn.opencl;

import io.jdnn.BackendStatus;
import io.jdnn.BackendUnavailableException;
import io.jdnn.Device;
import io.jdnn.DeviceException;
import io.jdnn.DeviceInfo;
import io.jdnn.DeviceOptions;
import io.jdnn.DeviceOutOfMemoryException;
import io.jdnn.Devices;
import io.jdnn.Precision;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.spi.Buffer;
import io.jdnn.spi.DeviceTimer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backend itself: discovery, selection, memory, program builds, timing, lifecycle. */
class OpenClBackendTest {

    /** Opens the device under test as the raw SPI object, for what Device does not expose. */
    static OpenClDevice openRaw(DeviceOptions options) {
        ClTestSupport.requireOpenCl();
        String spec = ClTestSupport.spec();
        int colon = spec.indexOf(':');
        return (OpenClDevice) new OpenClBackend().open(colon < 0 ? null : spec.substring(colon + 1), options);
    }

    /** The device of {@link #openRaw(DeviceOptions)} with the convolution algorithms of {@code registry}. */
    static OpenClDevice openRaw(DeviceOptions options, List<? extends io.jdnn.kernels.KernelConvAlgorithm> registry) {
        ClTestSupport.requireOpenCl();
        String spec = ClTestSupport.spec();
        int colon = spec.indexOf(':');
        ClPlatforms.Entry entry = OpenClBackend.select(ClPlatforms.list(), colon < 0 ? null : spec.substring(colon + 1));
        return new OpenClDevice(entry, options, registry);
    }

    @Test
    void statusListsEveryDeviceWithItsDetails() {
        BackendStatus st = ClTestSupport.requireOpenCl();
        assertEquals("opencl", st.backend());
        assertFalse(st.devices().isEmpty(), "an available backend lists its devices");
        boolean gpu = false;
        for (int i = 0; i < st.devices().size(); i++) {
            DeviceInfo d = st.devices().get(i);
            assertEquals("opencl", d.backend());
            assertEquals(i, d.index(), "devices are numbered across platforms in listed order");
            assertEquals(Precision.FLOAT32, d.precision());
            assertTrue(d.memoryBytes() > 0, "global memory of " + d.name());
            assertTrue(d.computeUnits() > 0, "compute units of " + d.name());
            assertTrue(d.details().contains("platform "), "details name the platform: " + d.details());
            assertTrue(d.details().contains("OpenCL"), "details give the OpenCL version: " + d.details());
            gpu |= d.details().contains("GPU");
        }
        assertEquals(gpu ? OpenClBackend.AUTO_RANK_GPU : -1, st.autoRank(),
                "auto ranks opencl only when a GPU is present");
    }

    @Test
    void selectorsPickByIndexAndByNameFragment() {
        BackendStatus st = ClTestSupport.requireOpenCl();
        List<ClPlatforms.Entry> entries = ClPlatforms.list();
        ClPlatforms.Entry last = entries.get(entries.size() - 1);
        assertSame(last.device(), OpenClBackend.select(entries, String.valueOf(last.index())).device());
        // a fragment of the device name in another case finds that device (or an earlier one with the same name)
        String fragment = last.deviceName().substring(0, Math.min(6, last.deviceName().length())).toUpperCase();
        ClPlatforms.Entry byName = OpenClBackend.select(entries, fragment);
        assertTrue(byName.deviceName().toUpperCase().contains(fragment) || byName.platformName().toUpperCase()
                .contains(fragment));
        // no selector: the first GPU, else the first device
        ClPlatforms.Entry def = OpenClBackend.select(entries, null);
        ClPlatforms.Entry firstGpu = entries.stream().filter(ClPlatforms.Entry::isGpu).findFirst().orElse(entries.get(0));
        assertSame(firstGpu.device(), def.device());

        BackendUnavailableException noName = assertThrows(BackendUnavailableException.class,
                () -> OpenClBackend.select(entries, "no-such-device-xyz"));
        assertTrue(noName.getMessage().contains("no-such-device-xyz") && noName.getMessage().contains(last.deviceName()),
                "the message names the selector and what is there: " + noName.getMessage());
        BackendUnavailableException noIndex = assertThrows(BackendUnavailableException.class,
                () -> Devices.open("opencl:" + st.devices().size()));
        assertTrue(noIndex.getMessage().contains("index " + st.devices().size()), noIndex.getMessage());
    }

    @Test
    void pocLIsFoundByItsNameWhenPresent() {
        List<ClPlatforms.Entry> entries;
        ClTestSupport.requireOpenCl();
        entries = ClPlatforms.list();
        boolean hasPocl = entries.stream().anyMatch(e -> e.platformVendor().toLowerCase().contains("pocl")
                || e.platformVersion().toLowerCase().contains("pocl"));
        org.junit.jupiter.api.Assumptions.assumeTrue(hasPocl, "no PoCL platform on this machine");
        try (Device d = Devices.open("opencl:PoCL")) {
            assertEquals("opencl", d.backend());
            assertTrue(d.info().details().toLowerCase().contains("pocl"), d.info().details());
        }
    }

    @Test
    void writeReadFillCopyAtOffsets() {
        try (OpenClDevice dev = openRaw(DeviceOptions.DEFAULT)) {
            Buffer a = dev.allocate(10);
            Buffer b = dev.allocate(10);
            dev.fill(a, 10, -2.5);
            dev.write(a, 3, new float[] {9, 1, 2, 3, 9}, 1, 3);
            float[] got = new float[12];
            dev.read(a, 0, got, 1, 10);
            assertArrayEquals(new float[] {0, -2.5f, -2.5f, -2.5f, 1, 2, 3, -2.5f, -2.5f, -2.5f, -2.5f, 0}, got);
            dev.copy(a, b, 10);
            float[] tail = new float[4];
            dev.read(b, 2, tail, 0, 4);
            assertArrayEquals(new float[] {-2.5f, 1, 2, 3}, tail);
            dev.free(a);
            dev.free(b);
        }
    }

    @Test
    void allocationBeyondTheDeviceLimitIsRefusedAndTheDeviceStaysUsable() {
        try (Device d = ClTestSupport.openOpenCl()) {
            long maxAlloc = ClPlatforms.list().stream().filter(e -> e.deviceName().equals(d.info().name()))
                    .findFirst().orElseThrow().maxAllocBytes();
            long rows = maxAlloc / Float.BYTES / 1024 + 1; // rows * 1024 floats exceed maxAlloc bytes
            Shape huge = Shape.of(Math.toIntExact(rows), 1024);
            DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class, () -> d.allocate(huge));
            assertTrue(e.getMessage().contains("CL_DEVICE_MAX_MEM_ALLOC_SIZE") && e.getMessage().contains(
                    String.valueOf(maxAlloc)), "the message names the limit and its value: " + e.getMessage());
            try (Tensor t = d.upload(Shape.of(3), new float[] {1, 2, 3})) {
                assertArrayEquals(new float[] {1, 2, 3}, t.toArray(), "the device still works");
            }
        }
    }

    @Test
    void everyKernelSourceBuildsOnThisDevice() throws IOException {
        Path dir = Path.of("..", "src");
        List<Path> sources;
        try (Stream<Path> s = Files.list(dir)) {
            sources = s.filter(p -> p.toString().endsWith(".cl")).sorted().toList();
        }
        assertFalse(sources.isEmpty(), "kernel sources under " + dir.toAbsolutePath());
        try (OpenClDevice dev = openRaw(DeviceOptions.DEFAULT)) {
            for (Path p : sources) {
                dev.buildProgram(p.getFileName().toString(), Map.of(), "test");
            }
            assertEquals(sources.size(), dev.programCount());
        }
    }

    @Test
    void aFailedBuildThrowsWithTheCompilerLog() {
        try (OpenClDevice dev = openRaw(DeviceOptions.DEFAULT)) {
            DeviceException e = assertThrows(DeviceException.class,
                    () -> dev.launch("test", "bad-define", "gemm.cl", Map.of("GEMM_TM", "jdnn_no_such_symbol"),
                            "gemm_f32"));
            assertEquals("CL_BUILD_PROGRAM_FAILURE", e.status());
            assertTrue(e.getMessage().contains("jdnn_no_such_symbol"), "the build log is in the message: "
                    + e.getMessage());
            assertEquals("test", e.op());
            // the device still builds and runs other programs
            Buffer b = dev.allocate(4);
            dev.fill(b, 4, 1);
            float[] got = new float[4];
            dev.read(b, 0, got, 0, 4);
            assertArrayEquals(new float[] {1, 1, 1, 1}, got);
        }
    }

    @Test
    void programsAreBuiltOncePerDefineSet() {
        try (OpenClDevice dev = openRaw(DeviceOptions.DEFAULT)) {
            Buffer b = dev.allocate(100);
            dev.fill(b, 100, 0);
            int afterFirst = dev.programCount();
            dev.fill(b, 100, 1);
            dev.axpby(100, 1, b, 1, b, b);
            assertEquals(afterFirst, dev.programCount(), "fill and axpby share elementwise.cl, built once");
            float[] got = new float[100];
            dev.read(b, 0, got, 0, 100);
            assertEquals(2f, got[99]);
        }
    }

    @Test
    void timerMeasuresDeviceTimeOfTheWorkIssued() {
        try (OpenClDevice dev = openRaw(DeviceOptions.DEFAULT)) {
            Buffer b = dev.allocate(1 << 16);
            dev.fill(b, 1 << 16, 0); // builds the program outside the measurement
            DeviceTimer outer = dev.startTimer();
            DeviceTimer inner = dev.startTimer();
            for (int i = 0; i < 5; i++) {
                dev.axpby(1 << 16, 1, b, 1, b, b);
            }
            double innerMs = inner.stop();
            dev.fill(b, 1 << 16, 0);
            double outerMs = outer.stop();
            assertTrue(innerMs > 0, "device time of five launches: " + innerMs);
            assertTrue(outerMs >= innerMs, "the outer timer spans the inner one: " + outerMs + " < " + innerMs);
            assertEquals(0.0, dev.startTimer().stop(), "nothing issued, nothing measured");
        }
    }

    @Test
    void closeReleasesWhatTensorsStillHold() {
        Device d = ClTestSupport.openOpenCl();
        Tensor t = d.zeros(Shape.of(16));
        assertNotNull(t);
        d.close();
        assertTrue(t.isClosed());
        d.close(); // idempotent
    }
}
