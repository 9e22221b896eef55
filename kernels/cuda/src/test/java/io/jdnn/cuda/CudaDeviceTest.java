package io.jdnn.cuda;

import io.jdnn.kernels.KernelTestSupport;
import io.jdnn.BackendStatus;
import io.jdnn.Device;
import io.jdnn.DeviceException;
import io.jdnn.DeviceOptions;
import io.jdnn.DeviceOutOfMemoryException;
import io.jdnn.Devices;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.spi.Buffer;
import io.jdnn.spi.DeviceTimer;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CUDA device itself: memory, launches the fatbin cannot serve, timing, threads, lifecycle. Needs a GPU. */
class CudaDeviceTest {

    @Test
    void statusListsTheDevicesWithTheirComputeCapability() {
        BackendStatus st = KernelTestSupport.requireBackend("cuda");
        assertEquals(CudaBackend.AUTO_RANK, st.autoRank());
        for (var d : st.devices()) {
            assertEquals("cuda", d.backend());
            assertTrue(d.memoryBytes() > 0 && d.computeUnits() > 0, d.toString());
            assertTrue(d.details().contains("compute capability") && d.details().contains("fatbin by nvcc"), d.details());
        }
    }

    @Test
    void writeReadFillCopyAtOffsets() {
        try (CudaDevice dev = GpuTestSupport.openRawCuda(DeviceOptions.DEFAULT)) {
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
    void anAllocationLargerThanTheDeviceIsOutOfMemoryAndTheDeviceStaysUsable() {
        try (Device d = GpuTestSupport.open("cuda", DeviceOptions.DEFAULT)) {
            long rows = d.info().memoryBytes() / Float.BYTES / 1024 * 2; // twice the device's memory
            Shape huge = Shape.of(Math.toIntExact(rows), 1024);
            DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class, () -> d.allocate(huge));
            assertTrue(e.getMessage().contains("CUDA_ERROR_OUT_OF_MEMORY"), e.getMessage());
            assertFalse(d.isBroken());
            try (Tensor t = d.upload(Shape.of(3), new float[] {1, 2, 3})) {
                assertArrayEquals(new float[] {1, 2, 3}, t.toArray(), "the device still works");
            }
        }
    }

    @Test
    void aDefineSetTheFatbinWasNotBuiltWithIsRefused() {
        try (CudaDevice dev = GpuTestSupport.openRawCuda(DeviceOptions.DEFAULT)) {
            DeviceException e = assertThrows(DeviceException.class,
                    () -> dev.launch("test", "p", "gemm.cl", Map.of("GEMM_TM", 32), "gemm_f32"));
            assertEquals("CUDA_ERROR_NOT_FOUND", e.status());
            assertTrue(e.getMessage().contains("GEMM_TM=32") && e.getMessage().contains("GEMM_TM=64"), e.getMessage());
            // the defaults themselves are served, and a source's declared variants
            dev.launch("test", "p", "gemm.cl", Map.of("GEMM_TM", 64), "gemm_f32");
            assertTrue(dev.launch("test", "p", "conv_implicit_gemm.cl", Map.of("IGEMM_TM", 128, "IGEMM_TN", 128,
                    "IGEMM_WM", 8, "IGEMM_WN", 8), "igemm_forward").maxLocalSize() >= 256, "igemm_forward_t128x128");
            DeviceException variant = assertThrows(DeviceException.class, () -> dev.launch("test", "p",
                    "conv_implicit_gemm.cl", Map.of("IGEMM_TM", 16, "IGEMM_TN", 16), "igemm_forward"));
            assertEquals("CUDA_ERROR_NOT_FOUND", variant.status());
            assertTrue(variant.getMessage().contains("t128x128"), "names the variants it holds: " + variant.getMessage());
            DeviceException missing = assertThrows(DeviceException.class,
                    () -> dev.launch("test", "p", "elementwise.cl", Map.of(), "ew_no_such_kernel"));
            assertEquals("CUDA_ERROR_NOT_FOUND", missing.status());
            Buffer b = dev.allocate(4);
            dev.fill(b, 4, 1);
            float[] got = new float[4];
            dev.read(b, 0, got, 0, 4);
            assertArrayEquals(new float[] {1, 1, 1, 1}, got, "the device still works");
        }
    }

    @Test
    void timerMeasuresDeviceTimeOfTheWorkIssued() {
        try (CudaDevice dev = GpuTestSupport.openRawCuda(DeviceOptions.DEFAULT)) {
            int n = 1 << 22;
            Buffer b = dev.allocate(n);
            dev.fill(b, n, 0);
            DeviceTimer outer = dev.startTimer();
            DeviceTimer inner = dev.startTimer();
            for (int i = 0; i < 5; i++) {
                dev.axpby(n, 1, b, 1, b, b);
            }
            double innerMs = inner.stop();
            dev.fill(b, n, 0);
            double outerMs = outer.stop();
            assertTrue(innerMs > 0, "device time of five launches: " + innerMs);
            assertTrue(outerMs >= innerMs, "the outer timer spans the inner one: " + outerMs + " < " + innerMs);
            assertEquals(0.0, dev.startTimer().stop(), "nothing issued, nothing measured");
            assertThrows(IllegalStateException.class, inner::stop);
        }
    }

    @Test
    void freeMemoryFallsWithAllocationsAndComesBackOnClose() {
        long before;
        try (CudaDevice probe = GpuTestSupport.openRawCuda(DeviceOptions.DEFAULT)) {
            before = probe.deviceFreeBytes();
        }
        long chunk = 256L << 20;
        CudaDevice dev = GpuTestSupport.openRawCuda(DeviceOptions.DEFAULT);
        for (int i = 0; i < 4; i++) {
            dev.allocate(chunk / Float.BYTES); // left to close()
        }
        long during = dev.deviceFreeBytes();
        assertTrue(during <= before - 4 * chunk + (64L << 20), "free " + before + " -> " + during);
        dev.close();
        try (CudaDevice after = GpuTestSupport.openRawCuda(DeviceOptions.DEFAULT)) {
            long back = after.deviceFreeBytes();
            assertTrue(back >= before - (64L << 20), "close returned the memory: " + before + " -> " + back);
        }
    }

    @Test
    void twoDevicesOnOneGpuAndCallsFromAnotherThread() throws Exception {
        try (Device a = GpuTestSupport.open("cuda", DeviceOptions.DEFAULT);
             Device b = GpuTestSupport.open("cuda", DeviceOptions.DEFAULT);
             Tensor ta = a.upload(Shape.of(3), new float[] {1, 2, 3});
             Tensor tb = b.upload(Shape.of(3), new float[] {4, 5, 6})) {
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                Future<float[]> f = other.submit(() -> {
                    a.axpby(2, ta, 1, ta, ta);     // the context is made current on this thread too
                    return ta.toArray();
                });
                assertArrayEquals(new float[] {3, 6, 9}, f.get());
            } finally {
                other.shutdown();
            }
            b.scale(tb, 0.5, tb);
            assertArrayEquals(new float[] {2, 2.5f, 3}, tb.toArray());
            assertArrayEquals(new float[] {3, 6, 9}, ta.toArray());
        }
    }

    @Test
    void closeReleasesWhatTensorsStillHoldAndIsIdempotent() {
        Device d = GpuTestSupport.open("cuda", DeviceOptions.DEFAULT);
        Tensor t = d.zeros(Shape.of(16));
        d.close();
        assertTrue(t.isClosed());
        d.close();
        assertTrue(Devices.list().stream().anyMatch(s -> s.backend().equals("cuda") && s.available()));
    }
}
