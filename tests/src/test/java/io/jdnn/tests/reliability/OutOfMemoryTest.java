package io.jdnn.tests.reliability;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.DeviceOutOfMemoryException;
import io.jdnn.ErrorBounds;
import io.jdnn.MemoryStats;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.tests.support.Comparison;
import io.jdnn.tests.support.DevicesUnderTest;
import io.jdnn.tests.support.DevicesUnderTest.Target;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Scope;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An allocation larger than the device can hold raises {@link DeviceOutOfMemoryException} with a
 * message that says why, and the device stays usable for the next call: same live tensors and bytes
 * as before, not broken, and a convolution right after it equals the reference's.
 * <ul>
 *   <li>reference and cpu: a tensor larger than the Java heap (or, when the heap is larger than any
 *       array, than a Java array);</li>
 *   <li>OpenCL: one tensor larger than CL_DEVICE_MAX_MEM_ALLOC_SIZE, and tensors of that size
 *       allocated until their sum passes the global memory (never written, so nothing is
 *       touched);</li>
 *   <li>CUDA: one tensor larger than the device's memory, and tensors allocated until the driver
 *       refuses;</li>
 *   <li>every device: an op whose result is larger than the device (a transposed convolution with
 *       a huge stride), and a tensor of more than 2^62 elements.</li>
 * </ul>
 * Each target uses a device of its own, so that a failure cannot spoil the shared one.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OutOfMemoryTest {
    /** The check after each refusal: a 3x3 convolution against the reference's. */
    static final ConvProblem CHECK = ConvProblem.builder().batch(2).inChannels(3).size(9, 7).outChannels(4)
            .kernel(3, 3).padding(1, 1).build();

    @TestFactory
    List<DynamicTest> anAllocationLargerThanTheDeviceIsRefusedAndTheDeviceStaysUsable() {
        return Targets.each("out of memory", OutOfMemoryTest::outOfMemory);
    }

    private static void outOfMemory(Target t) {
        try (Device d = Targets.open(t, DeviceOptions.DEFAULT)) {
            stillWorks(d, "before any refusal");
            // one tensor beyond the device
            Shape tooLarge = tooLarge(d);
            refused(d, "allocate " + tooLarge, () -> d.allocate(tooLarge), expectedWords(d));
            refused(d, "zeros " + tooLarge, () -> d.zeros(tooLarge), expectedWords(d));
            // a shape of more than 2^62 elements: a clear refusal, not an overflow in the byte count
            Shape absurd = Shape.of(Integer.MAX_VALUE, Integer.MAX_VALUE, 2);
            refused(d, "allocate " + absurd, () -> d.allocate(absurd), List.of());
            // an op whose output is larger than the device: x and w are tiny, y has 2^60 elements
            ConvProblem blowUp = ConvProblem.builder().batch(1).inChannels(1).size(2, 2).outChannels(1).kernel(1, 1)
                    .stride(1 << 30, 1 << 30).transposed(true).build();
            try (Scope s = new Scope(d)) {
                Tensor x = s.upload(blowUp.inputShape(), new float[] {1, 2, 3, 4});
                Tensor w = s.upload(blowUp.weightShape(), new float[] {1});
                refused(d, "conv2d " + blowUp, () -> d.conv2d(blowUp, ConvAlgorithm.AUTO, x, w, null), List.of());
                assertEquals(2.5, average(x.toArray()), 0, "the inputs are untouched");
            }
            if (d.backend().equals("opencl") || d.backend().equals("cuda")) {
                fillTheDevice(d);
            }
            stillWorks(d, "after every refusal");
        }
    }

    /** A shape beyond what {@code d} can hold in one tensor. */
    static Shape tooLarge(Device d) {
        if (d.backend().equals("reference") || d.backend().equals("cpu")) {
            long perElement = d.backend().equals("reference") ? Double.BYTES : Float.BYTES;
            long heapElements = Runtime.getRuntime().maxMemory() / perElement + 1;
            // The largest Java array when it is larger than the heap (the heap refuses it); otherwise one
            // element past the largest array (the array limit refuses it).
            return Shape.of(heapElements <= Integer.MAX_VALUE - 8 ? Integer.MAX_VALUE - 8 : Integer.MAX_VALUE);
        }
        long elements = d.info().memoryBytes() / Float.BYTES + (1L << 20);
        return Shape.of((int) Math.min(elements / 1024 + 1, Integer.MAX_VALUE), 1024);
    }

    /** Words a refusal's message must contain to say why. */
    private static List<String> expectedWords(Device d) {
        return switch (d.backend()) {
            case "reference", "cpu" -> List.of(d.backend());
            default -> List.of("bytes");
        };
    }

    private static void refused(Device d, String what, Runnable call, List<String> words) {
        MemoryStats before = d.memory();
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class, call::run,
                d.spec() + ": " + what + " must be refused");
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), d.spec() + ": a message says why");
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), d.spec() + ": " + what + ": message lacks '" + w + "': " + e.getMessage());
        }
        MemoryStats after = d.memory();
        assertEquals(before.liveTensors(), after.liveTensors(), d.spec() + ": live tensors after refusing " + what);
        assertEquals(before.liveBytes(), after.liveBytes(), d.spec() + ": live bytes after refusing " + what);
        assertFalse(d.isBroken(), d.spec() + ": broken after refusing " + what + ": " + d.brokenReason());
        stillWorks(d, "after refusing " + what);
    }

    /**
     * Tensors of the largest size the device allows, never written, allocated until the device
     * refuses: the refusal must come before their sum passes the global memory (OpenCL checks it
     * up front; CUDA allocates eagerly and the driver refuses), and freeing them gives it all back.
     */
    private static void fillTheDevice(Device d) {
        long memory = d.info().memoryBytes();
        long chunkElements = Math.min(memory / 4, 1L << 32) / Float.BYTES; // a quarter of the device, at most 16 GiB
        Shape chunk = Shape.of((int) (chunkElements / 1024), 1024);
        List<Tensor> held = new ArrayList<>();
        MemoryStats before = d.memory();
        DeviceOutOfMemoryException refused = null;
        try {
            for (int i = 0; i < 64 && refused == null; i++) {
                try {
                    held.add(d.allocate(chunk));
                } catch (DeviceOutOfMemoryException e) {
                    refused = e;
                } catch (IllegalArgumentException e) {
                    // a chunk above CL_DEVICE_MAX_MEM_ALLOC_SIZE is an OOM too, never an IAE
                    throw new AssertionError(d.spec() + ": allocating " + chunk + " threw " + e, e);
                }
            }
            assertTrue(refused != null, d.spec() + ": " + held.size() + " tensors of " + chunk.bytes()
                    + " bytes were all allocated on a device of " + memory + " bytes");
            long total = (long) held.size() * chunk.bytes();
            assertTrue(total <= memory, d.spec() + ": " + total + " bytes allocated on a device of " + memory);
            assertFalse(d.isBroken(), d.spec() + ": broken after filling it: " + d.brokenReason());
            if (!held.isEmpty()) {
                held.remove(held.size() - 1).close(); // room for the next call
            }
            stillWorks(d, "next to " + held.size() + " tensors of " + chunk + " after the refusal");
        } finally {
            for (Tensor x : held) {
                x.close();
            }
        }
        MemoryStats after = d.memory();
        assertEquals(before.liveTensors(), after.liveTensors(), d.spec() + ": live tensors after freeing the chunks");
        assertEquals(before.liveBytes(), after.liveBytes(), d.spec() + ": live bytes after freeing the chunks");
    }

    /** A small convolution (AUTO forward, backward-data and backward-filter) equals the reference's. */
    static void stillWorks(Device d, String when) {
        HostData data = new HostData(11);
        float[] x = data.dyadic("x", (int) CHECK.inputShape().elements());
        float[] w = data.dyadic("w", (int) CHECK.weightShape().elements());
        Device ref = DevicesUnderTest.reference();
        for (ConvDirection dir : ConvDirection.values()) {
            double[] want = run(ref, dir, x, w);
            double[] got = run(d, dir, x, w);
            ConvAlgorithm ran = d.autoAlgorithm(CHECK, dir);
            Comparison c = Comparison.of("out", dir == ConvDirection.FORWARD ? CHECK.outputShape()
                    : dir == ConvDirection.BACKWARD_DATA ? CHECK.inputShape() : CHECK.weightShape(), got, want,
                    ErrorBounds.forPrecision(d.info().precision(), ran.errorBound()));
            assertTrue(c.passed(), d.spec() + " " + when + ": " + dir + " " + CHECK + " (" + ran + ") " + c.describe());
        }
    }

    private static double[] run(Device d, ConvDirection dir, float[] x, float[] w) {
        try (Scope s = new Scope(d)) {
            Tensor tx = s.upload(CHECK.inputShape(), x);
            Tensor tw = s.upload(CHECK.weightShape(), w);
            return switch (dir) {
                case FORWARD -> s.track(d.conv2d(CHECK, ConvAlgorithm.AUTO, tx, tw, null)).toDoubleArray();
                case BACKWARD_DATA -> {
                    Tensor dy = s.upload(CHECK.outputShape(), new HostData(12).dyadic("dy",
                            (int) CHECK.outputShape().elements()));
                    yield s.track(d.conv2dBackwardData(CHECK, ConvAlgorithm.AUTO, dy, tw)).toDoubleArray();
                }
                case BACKWARD_FILTER -> {
                    Tensor dy = s.upload(CHECK.outputShape(), new HostData(12).dyadic("dy",
                            (int) CHECK.outputShape().elements()));
                    yield s.track(d.conv2dBackwardFilter(CHECK, ConvAlgorithm.AUTO, tx, dy)).toDoubleArray();
                }
            };
        }
    }

    private static double average(float[] v) {
        double s = 0;
        for (float f : v) {
            s += f;
        }
        return s / v.length;
    }
}
