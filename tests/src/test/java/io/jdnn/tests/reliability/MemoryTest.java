package io.jdnn.tests.reliability;

import io.jdnn.Activation;
import io.jdnn.BatchNormProblem;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.MemoryStats;
import io.jdnn.OptimizerState;
import io.jdnn.PoolProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.optim.Adam;
import io.jdnn.tests.support.DevicesUnderTest;
import io.jdnn.tests.support.DevicesUnderTest.Target;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Scope;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory comes back: after {@value ReliabilityKnobs#CI_MEMORY_CYCLES} (CI) or 10,000 (full scale)
 * allocate/compute/close cycles a device holds exactly what it held before, by its own count and by
 * the driver's ({@link MemoryFigure}); closing a device frees everything it owns; a tensor nobody
 * closed is found by the leak detector with its allocation site and freed by the cleaner.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MemoryTest {
    /** The convolution of every cycle: 3x3 "same" with bias, two images. */
    static final ConvProblem CONV = ConvProblem.builder().batch(2).inChannels(4).size(12, 12).outChannels(6)
            .kernel(3, 3).padding(1, 1).build();
    static final PoolProblem POOL = PoolProblem.max().batch(2).channels(6).size(12, 12).kernel(2, 2).build();
    static final BatchNormProblem BN = BatchNormProblem.of(2, 6, 12, 12);
    /** One large tensor per cycle, so that a leak shows in the driver's figure too: 1 MiB of float32. */
    static final Shape LARGE = Shape.of(256, 1024);

    @TestFactory
    List<DynamicTest> cyclesReturnMemoryToItsStartingLevel() {
        return Targets.each("allocate/compute/close cycles", MemoryTest::cycles);
    }

    private static void cycles(Target t) throws Throwable {
        Device d = Targets.shared(t);
        HostData data = new HostData(42);
        float[] x = data.dyadic("x", (int) CONV.inputShape().elements());
        float[] w = data.dyadic("w", (int) CONV.weightShape().elements());
        float[] b = data.dyadic("b", (int) CONV.biasShape().elements());
        int n = ReliabilityKnobs.memoryCycles();
        ExecutorService pool = Outcome.daemonPool("jdnn-memory-cycles", 1);
        try {
            // The first cycles build programs, pick AUTO's algorithm and grow the device's workspaces,
            // which it keeps for its life: the starting level is taken after them. Cycle 0 takes the
            // batch-norm branch (every 8th cycle does), cycle 1 does not: each counts its tensors.
            long[] perCycleKind = new long[2]; // [plain, with batch norm]
            for (int warm : new int[] {0, 1}) {
                long a0 = d.memory().allocations();
                Outcome.within(pool, ReliabilityKnobs.caseTimeoutSeconds(), "warm-up cycle " + warm + " on " + d.spec(),
                        () -> {
                            cycle(d, warm, x, w, b);
                            return null;
                        });
                perCycleKind[warm == 0 ? 1 : 0] = d.memory().allocations() - a0;
            }
            long expectedAllocations = 0;
            for (int i = 1; i <= n; i++) {
                expectedAllocations += perCycleKind[i % 8 == 0 ? 1 : 0];
            }
            long perCycle = perCycleKind[0];
            MemoryStats start = d.memory();
            long leakedStart = d.leakedTensors();
            MemoryFigure figure = MemoryFigure.of(d);
            long t0 = System.nanoTime();
            for (int done = 1; done <= n; ) {
                int from = done;
                int to = Math.min(n, done + 249);
                Outcome.within(pool, ReliabilityKnobs.caseTimeoutSeconds(), "cycles " + from + ".." + to + " on "
                        + d.spec(), () -> {
                    for (int i = from; i <= to; i++) {
                        cycle(d, i, x, w, b);
                    }
                    return null;
                });
                MemoryStats m = d.memory();
                assertEquals(start.liveTensors(), m.liveTensors(), d.spec() + ": live tensors after cycle " + to);
                assertEquals(start.liveBytes(), m.liveBytes(), d.spec() + ": live bytes after cycle " + to);
                done = to + 1;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            MemoryStats end = d.memory();
            assertEquals(start.allocations() + expectedAllocations, end.allocations(),
                    d.spec() + ": every cycle allocates " + perCycleKind[0] + " tensors, every 8th "
                            + perCycleKind[1]);
            assertEquals(leakedStart, d.leakedTensors(), d.spec() + ": tensors freed by the cleaner (nobody closed them)");
            String figures = "";
            if (figure != null) {
                MemoryFigure after = figure.again(d);
                long taken = after.takenSince(figure);
                figures = String.format(Locale.ROOT, ", %s moved by %+.1f MiB", figure.what(), taken / 1048576.0);
                assertTrue(taken <= figure.tolerance(), d.spec() + ": " + figure.what() + " went from " + figure.bytes()
                        + " to " + after.bytes() + " bytes across " + n + " cycles of " + perCycle + " tensors ("
                        + n * (LARGE.bytes() + CONV.outputShape().bytes()) + " bytes allocated and freed in all): "
                        + (taken >> 20) + " MiB not returned, more than the tolerance of " + (figure.tolerance() >> 20)
                        + " MiB");
            }
            System.out.printf(Locale.ROOT, "[jdnn-tests] memory: %s: %d cycles of %d tensors in %.1f s, back to %d "
                    + "live tensors, %d bytes%s%n", d.spec(), n, perCycle, seconds, end.liveTensors(), end.liveBytes(),
                    figures);
        } finally {
            pool.shutdownNow();
        }
    }

    /** One cycle: allocate, compute (convolution, activation, pooling, axpby, batch norm, an optimizer step), close. */
    private static void cycle(Device d, int i, float[] x, float[] w, float[] b) {
        try (Scope s = new Scope(d)) {
            Tensor tx = s.upload(CONV.inputShape(), x);
            Tensor tw = s.upload(CONV.weightShape(), w);
            Tensor tb = s.upload(CONV.biasShape(), b);
            Tensor y = s.track(d.conv2d(CONV, ConvAlgorithm.AUTO, tx, tw, tb));
            Tensor r = s.track(d.activation(Activation.relu(), y));
            Tensor p = s.track(d.pool(POOL, r));
            Tensor dw = s.track(d.conv2dBackwardFilter(CONV, ConvAlgorithm.AUTO, tx, y));
            Tensor large = s.track(d.full(LARGE, i));
            d.axpby(1, large, 1, large, large);
            if (i % 8 == 0) {
                Tensor gamma = s.track(d.full(BN.channelShape(), 1));
                Tensor beta = s.track(d.zeros(BN.channelShape()));
                Tensor rm = s.track(d.zeros(BN.channelShape()));
                Tensor rv = s.track(d.full(BN.channelShape(), 1));
                Tensor mean = s.track(d.allocate(BN.channelShape()));
                Tensor inv = s.track(d.allocate(BN.channelShape()));
                Tensor by = s.track(d.allocate(BN.inputShape()));
                d.batchNormTrain(BN, y, gamma, beta, rm, rv, by, mean, inv);
                OptimizerState st = s.track(d.optimizerState(Adam.of(1e-3), CONV.weightShape()));
                d.step(Adam.of(1e-3), st, tw, dw);
            }
            float[] probe = new float[1];
            large.read(LARGE.elements() - 1, probe, 0, 1);
            if (probe[0] != 2f * i) {
                throw new AssertionError(d.spec() + ": cycle " + i + " computed " + probe[0] + " for 2 * " + i);
            }
            if (p.elements() != POOL.outputShape().elements()) {
                throw new AssertionError("pool output");
            }
        }
    }

    // ================================================================== closing a device

    @TestFactory
    List<DynamicTest> closingADeviceFreesEverythingItOwns() {
        return Targets.each("closing a device", MemoryTest::closeFreesEverything);
    }

    private static void closeFreesEverything(Target t) {
        Device shared = Targets.shared(t);
        MemoryFigure before = MemoryFigure.of(shared);
        Device d = Targets.open(t, DeviceOptions.DEFAULT);
        // Large enough to show in every figure: 256 MiB of float32 (the reference stores float64: 128 MiB of doubles).
        Shape big = d.backend().equals("reference") ? Shape.of(16, 1 << 20) : Shape.of(64, 1 << 20);
        HostData data = new HostData(7);
        Tensor x = d.upload(CONV.inputShape(), data.dyadic("x", (int) CONV.inputShape().elements()));
        Tensor w = d.upload(CONV.weightShape(), data.dyadic("w", (int) CONV.weightShape().elements()));
        Tensor y = d.conv2d(CONV, x, w, null);
        Tensor view = y.view(Shape.of((int) y.elements()));
        OptimizerState st = d.optimizerState(Adam.of(1e-3), CONV.weightShape());
        Tensor large = d.full(big, 1f);
        MemoryStats held = d.memory();
        assertEquals(4 + st.stateNames().size(), held.liveTensors(), d.spec() + ": live tensors (a view holds none)");
        long bytesHeld = held.liveBytes();
        assertTrue(bytesHeld >= big.bytes(), d.spec() + ": live bytes " + bytesHeld + " cover the large tensor");
        MemoryFigure holding = before == null ? null : before.again(shared);

        d.close();

        assertTrue(d.isClosed());
        MemoryStats after = d.memory();
        assertEquals(0, after.liveTensors(), d.spec() + ": live tensors after close");
        assertEquals(0, after.liveBytes(), d.spec() + ": live bytes after close");
        assertEquals(-1, after.deviceFreeBytes(), d.spec() + ": a closed device has no driver figure");
        assertTrue(d.liveAllocations().isEmpty(), d.spec() + ": live allocations after close " + d.liveAllocations());
        for (Tensor tensor : List.of(x, w, y, view, large, st.get("exp_avg"))) {
            assertTrue(tensor.isClosed(), tensor + " is closed with its device");
            IllegalStateException e = assertThrows(IllegalStateException.class, tensor::toArray,
                    "reading " + tensor + " after its device closed");
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            tensor.close(); // idempotent, no double free
        }
        st.close();
        d.close(); // idempotent
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.zeros(Shape.of(1)));
        assertTrue(e.getMessage().contains("closed") && e.getMessage().contains(d.spec()), e.getMessage());
        assertEquals(0, d.leakedTensors(), "nothing was left for the cleaner");

        if (before != null) {
            MemoryFigure now = before.again(shared);
            long taken = now.takenSince(before);
            String how = before.what() + ": " + (before.bytes() >> 20) + " MiB before opening, "
                    + (holding.bytes() >> 20) + " MiB holding " + (bytesHeld >> 20) + " MiB of tensors, "
                    + (now.bytes() >> 20) + " MiB after closing";
            System.out.println("[jdnn-tests] close: " + d.spec() + ": " + how);
            assertTrue(taken <= before.tolerance(), d.spec() + ": closing the device did not give its memory back ("
                    + how + "; tolerance " + (before.tolerance() >> 20) + " MiB). The tensor objects are still "
                    + "reachable here: a backend that keeps a closed tensor's storage reachable through it "
                    + "leaks until the caller drops every reference.");
        }
    }

    // ================================================================== the leak detector and the cleaner

    /** A tensor allocated here and dropped: the leak report must name this method. */
    static WeakReference<Tensor> leakOneTensor(Device d, ReferenceQueue<Tensor> q) {
        Tensor t = d.zeros(Shape.of(3, 5, 7));
        return new WeakReference<>(t, q);
    }

    @TestFactory
    List<DynamicTest> theCleanerFreesATensorNobodyClosed() {
        return Targets.each("the cleaner", t -> {
            try (Device d = Targets.open(t, DeviceOptions.DEFAULT)) {
                LeakDetector leaks = LeakDetector.before(d);
                ReferenceQueue<Tensor> q = new ReferenceQueue<>();
                WeakReference<Tensor> ref = leakOneTensor(d, q);
                String report = leaks.leaksSince("leakOneTensor");
                assertTrue(report != null && report.contains("tensor [3, 5, 7] (") && report.contains("1 more tensors"),
                        "the leak detector reports the open tensor: " + report);
                assertTrue(awaitCleaner(d, ref, q, 0), d.spec() + ": the cleaner did not free the unreachable tensor "
                        + "within 60 s (leakedTensors " + d.leakedTensors() + ")");
                MemoryStats m = d.memory();
                assertEquals(0, m.liveTensors(), d.spec() + ": live tensors after the cleaner ran");
                assertEquals(0, m.liveBytes(), d.spec() + ": live bytes after the cleaner ran");
                assertEquals(1, d.leakedTensors());
                try (Tensor ok = d.full(Shape.of(4), 2f)) {
                    Assertions.assertArrayEquals(new float[] {2, 2, 2, 2}, ok.toArray(), "the device still works");
                }
            }
        });
    }

    /**
     * Collects garbage until {@code ref}'s tensor is gone and the device's cleaner has counted it
     * ({@link Device#leakedTensors()} above {@code leakedBefore}); false after 60 s. The reference
     * queue's timed wait paces the loop: collection is what is waited for, not time.
     */
    static boolean awaitCleaner(Device d, WeakReference<Tensor> ref, ReferenceQueue<Tensor> q, long leakedBefore)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean collected = false;
        while (System.nanoTime() < deadline) {
            System.gc();
            collected |= ref.get() == null || q.remove(50) != null;
            if (collected && d.leakedTensors() > leakedBefore) {
                return true;
            }
        }
        return false;
    }

    /**
     * With {@code -Djdnn.trackAllocations=true} the report names the code that allocated the leaked
     * tensor, both in {@link Device#liveAllocations()} and in the cleaner's message. The property is
     * read once per JVM, so this runs {@link LeakProbe} in a child JVM, on every available device.
     */
    @Test
    void leaksAreReportedWithTheirAllocationSite() throws Exception {
        List<String> specs = new ArrayList<>();
        for (Target t : Targets.all()) {
            if (t.available()) {
                specs.add(t.spec());
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Djdnn.trackAllocations=true", "-cp",
                System.getProperty("java.class.path"), LeakProbe.class.getName()));
        cmd.addAll(specs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(ReliabilityKnobs.caseTimeoutSeconds(), TimeUnit.SECONDS), "the probe finished");
        } finally {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), "the probe's output:\n" + out);
        for (String spec : specs) {
            String site = "at " + LeakProbe.class.getName() + ".leakOne(LeakProbe.java:";
            assertTrue(out.contains("LIVE " + spec + " tensor [3, 5, 7] (") && out.contains(site),
                    spec + ": liveAllocations names the allocating method:\n" + out);
            assertTrue(out.contains("jdnn: leaked tensor freed by the cleaner on " + spec + ": tensor [3, 5, 7]"),
                    spec + ": the cleaner's report:\n" + out);
            assertTrue(out.contains("CLEANED " + spec + " leaked=1 live=0 bytes=0"), spec + ": after the cleaner:\n" + out);
        }
        // the cleaner's line (stderr) carries the site too: a frame after it names leakOne
        int i = out.indexOf("jdnn: leaked tensor freed by the cleaner on ");
        assertTrue(i >= 0 && out.indexOf(LeakProbe.class.getName() + ".leakOne", i) > i, out);
        assertTrue(out.contains("DONE"), out);
    }
}
