package io.jdnn.cpu.reference;

import io.jdnn.BackendStatus;
import io.jdnn.BackendUnavailableException;
import io.jdnn.Device;
import io.jdnn.DeviceInfo;
import io.jdnn.DeviceOutOfMemoryException;
import io.jdnn.Devices;
import io.jdnn.Precision;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reference backend's registration, device and storage. */
class ReferenceBackendTest {

    @Test
    void isRegisteredAvailableAndDescribesItsDevice() {
        BackendStatus st = Devices.list().stream().filter(b -> b.backend().equals("reference")).findFirst()
                .orElseThrow(() -> new AssertionError("no reference backend in " + Devices.list()));
        assertTrue(st.available(), st.reason());
        assertEquals(0, st.autoRank());
        assertEquals(1, st.devices().size());
        DeviceInfo info = st.devices().get(0);
        assertEquals("reference", info.backend());
        assertEquals(0, info.index());
        assertEquals(Precision.FLOAT64, info.precision());
        assertEquals(Runtime.getRuntime().maxMemory(), info.memoryBytes());
        assertEquals(1, info.computeUnits());
        assertTrue(info.name().contains("reference"), info.name());
        try (Device d = Devices.open("reference:0")) {
            assertEquals("reference:0", d.spec());
            assertEquals("reference", d.backend());
        }
    }

    @Test
    void thereIsNoSecondDevice() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Devices.open("reference:1"));
        assertTrue(e.getMessage().contains("index 0"), e.getMessage());
    }

    @Test
    void storesFloat64ReadsRoundToFloat32() {
        try (Device d = Devices.open("reference"); Tensor ones = d.full(Shape.of(2), 1f); Tensor t = d.allocate(Shape.of(2))) {
            d.axpby(1.0 / 3, ones, 0.1, ones, t);
            assertArrayEquals(new double[] {1.0 / 3 + 0.1, 1.0 / 3 + 0.1}, t.toDoubleArray());
            assertArrayEquals(new float[] {(float) (1.0 / 3 + 0.1), (float) (1.0 / 3 + 0.1)}, t.toArray());
            assertEquals(2 * 2 * Double.BYTES, d.memory().liveBytes(), "two tensors of two float64 elements");
        }
    }

    @Test
    void newTensorsHoldNanUntilWritten() {
        try (Device d = Devices.open("reference"); Tensor t = d.allocate(Shape.of(5))) {
            for (double v : t.toDoubleArray()) {
                assertTrue(Double.isNaN(v), "an unwritten element reads " + v);
            }
            d.fill(t, 2.5f);
            assertArrayEquals(new double[] {2.5, 2.5, 2.5, 2.5, 2.5}, t.toDoubleArray());
        }
    }

    @Test
    void aTensorLargerThanAJavaArrayIsOutOfMemory() {
        try (Device d = Devices.open("reference")) {
            DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
                    () -> d.allocate(Shape.of(1 << 16, 1 << 15)));
            assertTrue(e.getMessage().contains(Long.toString(1L << 31)), e.getMessage());
            // the device stays usable
            try (Tensor t = d.zeros(Shape.of(3))) {
                assertArrayEquals(new double[3], t.toDoubleArray());
            }
        }
    }
}
