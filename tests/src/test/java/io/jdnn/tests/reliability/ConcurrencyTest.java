package io.jdnn.tests.reliability;

import io.jdnn.Activation;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.Devices;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.tests.support.DevicesUnderTest.Target;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Scope;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The threading contract of {@link Device} (its class comment): a device may be used from several
 * threads; calls are serialized, each as if alone, so results do not depend on which thread called
 * or on what else ran. Checked with the backend behind a {@link SerializationCheck}, which fails
 * when the backend ever sees two calls at once:
 * <ul>
 *   <li>8 threads running independent convolutions (forward, backward-data, backward-filter, each
 *       with an explicit algorithm) on one device give results bitwise identical to running them one
 *       after another;</li>
 *   <li>independent devices of one backend (one per thread, the contract's way to overlap work) also
 *       give bitwise the results of one device alone;</li>
 *   <li>closing a device, and closing tensors, while other threads work on them: those threads get
 *       IllegalStateException ("closed"), nothing else; no crash.</li>
 * </ul>
 * Rounds per thread: {@value ReliabilityKnobs#CI_CONCURRENCY_ROUNDS} at CI scale, 50 at full scale.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConcurrencyTest {
    static final int THREADS = 8;

    /** Eight different problems (strides, dilation, groups, depthwise, transposed, 1x1), one per thread. */
    static final List<ConvProblem> PROBLEMS = List.of(
            ConvProblem.parse("conv_mb2ic8ih14iw14oc8kh3kw3ph1pw1"),
            ConvProblem.parse("conv_mb3ic5ih11iw9oc7kh3kw3sh2sw2ph1pw1"),
            ConvProblem.parse("conv_mb2ic6ih13iw13oc6kh3kw3ph2pw2dh2dw2"),
            ConvProblem.parse("conv_mb2ic8ih10iw10oc8kh3kw3ph1pw1g4"),
            ConvProblem.parse("conv_mb2ic6ih12iw12oc12kh3kw3ph1pw1g6"),
            ConvProblem.parse("deconv_mb2ic6ih7iw7oc4kh3kw3sh2sw2ph1pw1oph1opw1"),
            ConvProblem.parse("conv_mb4ic16ih8iw8oc24kh1kw1"),
            ConvProblem.parse("conv_mb1ic3ih17iw15oc5kh5kw3ph2pw1"));

    /** One thread's results: y, dx, dw. */
    private record Result(float[] y, float[] dx, float[] dw) {
    }

    /** The algorithms thread {@code i} requests: the device's applicable ones, a different one per thread where several apply. */
    private static ConvAlgorithm[] algorithms(Device d, int i) {
        ConvProblem p = PROBLEMS.get(i);
        ConvAlgorithm[] out = new ConvAlgorithm[3];
        for (ConvDirection dir : ConvDirection.values()) {
            List<ConvAlgorithm> ok = d.applicableAlgorithms(p, dir);
            out[dir.ordinal()] = ok.isEmpty() ? ConvAlgorithm.AUTO : ok.get(i % ok.size());
        }
        return out;
    }

    /** Thread {@code i}'s work: upload, three convolutions, read back, close. Data of mixed magnitudes: rounding depends on order. */
    private static Result work(Device d, int i, ConvAlgorithm[] a) {
        ConvProblem p = PROBLEMS.get(i);
        HostData data = new HostData(1000 + i);
        try (Scope s = new Scope(d)) {
            Tensor x = s.upload(p.inputShape(), data.signed("x", (int) p.inputShape().elements()));
            Tensor w = s.upload(p.weightShape(), data.signed("w", (int) p.weightShape().elements()));
            Tensor b = s.upload(p.biasShape(), data.signed("b", (int) p.biasShape().elements()));
            Tensor dy = s.upload(p.outputShape(), data.signed("dy", (int) p.outputShape().elements()));
            Tensor y = s.track(d.conv2d(p, a[0], x, w, b));
            Tensor dx = s.track(d.conv2dBackwardData(p, a[1], dy, w));
            Tensor dw = s.track(d.conv2dBackwardFilter(p, a[2], x, dy));
            return new Result(y.toArray(), dx.toArray(), dw.toArray());
        }
    }

    private static String sameBits(Result want, Result got) {
        String[] names = {"y", "dx", "dw"};
        float[][] w = {want.y(), want.dx(), want.dw()};
        float[][] g = {got.y(), got.dx(), got.dw()};
        for (int k = 0; k < 3; k++) {
            for (int j = 0; j < w[k].length; j++) {
                if (Float.floatToRawIntBits(w[k][j]) != Float.floatToRawIntBits(g[k][j])) {
                    return names[k] + "[" + j + "] = " + g[k][j] + " instead of " + w[k][j] + " (bits "
                            + Integer.toHexString(Float.floatToRawIntBits(g[k][j])) + " vs "
                            + Integer.toHexString(Float.floatToRawIntBits(w[k][j])) + ")";
                }
            }
        }
        return null;
    }

    // ================================================================== 8 threads, one device

    @TestFactory
    List<DynamicTest> eightThreadsOnOneDeviceMatchRunningOneAfterAnother() {
        return Targets.each(THREADS + " threads on one device", ConcurrencyTest::eightThreads);
    }

    private static void eightThreads(Target t) throws Throwable {
        SerializationCheck check = SerializationCheck.of(Targets.openRaw(t, DeviceOptions.DEFAULT));
        int rounds = ReliabilityKnobs.concurrencyRounds();
        ExecutorService pool = Outcome.daemonPool("jdnn-concurrency", THREADS);
        try (Device d = Devices.wrap(check.wrap(), DeviceOptions.DEFAULT)) {
            List<ConvAlgorithm[]> algs = new ArrayList<>();
            List<Result> sequential = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                algs.add(algorithms(d, i));
                sequential.add(work(d, i, algs.get(i)));
            }
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                int me = i;
                futures.add(pool.submit(() -> {
                    start.await(); // all eight start together
                    for (int r = 0; r < rounds; r++) {
                        String diff = sameBits(sequential.get(me), work(d, me, algs.get(me)));
                        if (diff != null) {
                            return "thread " + me + " round " + r + " " + PROBLEMS.get(me) + " "
                                    + java.util.Arrays.toString(algs.get(me)) + ": " + diff;
                        }
                    }
                    return null;
                }));
            }
            List<String> problems = collect(futures, d.spec());
            problems.addAll(check.violations());
            if (!problems.isEmpty()) {
                fail(d.spec() + ": " + THREADS + " threads x " + rounds + " rounds:\n  " + String.join("\n  ", problems));
            }
            assertTrue(check.calls() > THREADS * rounds * 7, "the backend saw the calls: " + check.calls());
            System.out.println("[jdnn-tests] concurrency: " + d.spec() + ": " + THREADS + " threads x " + rounds
                    + " rounds bitwise equal to sequential, " + check.calls() + " backend calls, none overlapping");
        } finally {
            pool.shutdownNow();
        }
    }

    /** Each future's result (null: fine), within the time limit; a hang or a throw becomes a line. */
    private static List<String> collect(List<Future<String>> futures, String where) throws InterruptedException {
        List<String> problems = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ReliabilityKnobs.caseTimeoutSeconds());
        for (int i = 0; i < futures.size(); i++) {
            try {
                String r = futures.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (r != null) {
                    problems.add(r);
                }
            } catch (java.util.concurrent.TimeoutException e) {
                problems.add("thread " + i + " did not finish within " + ReliabilityKnobs.caseTimeoutSeconds()
                        + " s on " + where + ": a hang or a deadlock");
            } catch (java.util.concurrent.ExecutionException e) {
                problems.add("thread " + i + " threw " + Outcome.summary(e.getCause(), 12));
            }
        }
        return problems;
    }

    // ================================================================== one device per thread

    @TestFactory
    List<DynamicTest> independentDevicesOfOneBackendMatchOneDeviceAlone() {
        return Targets.each("one device per thread", t -> {
            int devices = 4;
            int rounds = ReliabilityKnobs.concurrencyRounds();
            ExecutorService pool = Outcome.daemonPool("jdnn-devices", devices);
            List<Device> open = new ArrayList<>();
            try {
                for (int k = 0; k < devices; k++) {
                    open.add(Targets.open(t, DeviceOptions.DEFAULT));
                }
                Device first = open.get(0);
                List<ConvAlgorithm[]> algs = new ArrayList<>();
                List<Result> alone = new ArrayList<>();
                for (int i = 0; i < THREADS; i++) {
                    algs.add(algorithms(first, i));
                    alone.add(work(first, i, algs.get(i)));
                }
                CyclicBarrier start = new CyclicBarrier(devices);
                List<Future<String>> futures = new ArrayList<>();
                for (int k = 0; k < devices; k++) {
                    Device d = open.get(k);
                    int offset = k;
                    futures.add(pool.submit(() -> {
                        start.await();
                        for (int r = 0; r < rounds; r++) {
                            for (int j = 0; j < THREADS; j++) {
                                int i = (j + offset) % THREADS; // the devices run different problems at a time
                                String diff = sameBits(alone.get(i), work(d, i, algs.get(i)));
                                if (diff != null) {
                                    return "device " + offset + " round " + r + " " + PROBLEMS.get(i) + ": " + diff;
                                }
                            }
                        }
                        return null;
                    }));
                }
                List<String> problems = collect(futures, t.spec());
                if (!problems.isEmpty()) {
                    fail(t.spec() + ": " + devices + " devices in parallel:\n  " + String.join("\n  ", problems));
                }
            } finally {
                pool.shutdownNow();
                for (Device d : open) {
                    d.close();
                }
            }
        });
    }

    // ================================================================== closing under load

    @TestFactory
    List<DynamicTest> closingTensorsAndTheDeviceUnderLoadOnlyRefuses() {
        return Targets.each("closing under load", ConcurrencyTest::closeUnderLoad);
    }

    private static void closeUnderLoad(Target t) throws Throwable {
        int workers = 4;
        SerializationCheck check = SerializationCheck.of(Targets.openRaw(t, DeviceOptions.DEFAULT));
        Device d = Devices.wrap(check.wrap(), DeviceOptions.DEFAULT);
        ExecutorService pool = Outcome.daemonPool("jdnn-close-race", workers + 1);
        Queue<Tensor> victims = new ConcurrentLinkedQueue<>();
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch warm = new CountDownLatch(workers);
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<String>> futures = new ArrayList<>();
        ConvProblem p = PROBLEMS.get(1);
        try {
            for (int k = 0; k < workers; k++) {
                int me = k;
                futures.add(pool.submit(() -> {
                    HostData data = new HostData(me);
                    float[] x = data.signed("x", (int) p.inputShape().elements());
                    float[] w = data.signed("w", (int) p.weightShape().elements());
                    for (int i = 0; ; i++) {
                        if (i == 5) {
                            warm.countDown();
                        }
                        try (Scope s = new Scope(d)) {
                            Tensor tx = s.upload(p.inputShape(), x);
                            victims.add(tx);
                            Tensor tw = s.upload(p.weightShape(), w);
                            Tensor y = s.track(d.conv2d(p, ConvAlgorithm.AUTO, tx, tw, null));
                            d.activation(Activation.relu(), y, y);
                            victims.add(y);
                            y.toArray();
                        } catch (IllegalStateException e) {
                            if (!e.getMessage().contains("closed")) {
                                return "worker " + me + " got " + Outcome.summary(e, 10);
                            }
                            if (d.isClosed()) {
                                if (i < 5) {
                                    warm.countDown();
                                }
                                return null; // the device closed under it: the documented answer
                            }
                            // a tensor closed by the saboteur: also documented; go on
                        } catch (Throwable e) {
                            if (i < 5) {
                                warm.countDown();
                            }
                            return "worker " + me + " iteration " + i + " got " + Outcome.summary(e, 12);
                        }
                    }
                }));
            }
            futures.add(pool.submit(() -> {
                // the saboteur: closes the workers' tensors while they use them
                while (!stop.get()) {
                    Tensor v = victims.poll();
                    if (v != null) {
                        v.close();
                    } else {
                        Thread.onSpinWait();
                    }
                }
                return null;
            }));
            if (!warm.await(ReliabilityKnobs.caseTimeoutSeconds(), TimeUnit.SECONDS)) {
                problems.add("the workers did not get going within " + ReliabilityKnobs.caseTimeoutSeconds() + " s");
            }
            d.close(); // under load
            stop.set(true);
            problems.addAll(collect(futures, d.spec()));
            problems.addAll(check.violations());
            if (d.memory().liveTensors() != 0) {
                problems.add("live tensors after close: " + d.memory().liveTensors());
            }
            IllegalStateException after = null;
            try {
                d.full(Shape.of(2), 1f);
            } catch (IllegalStateException e) {
                after = e;
            }
            if (after == null) {
                problems.add("the closed device accepted an allocation");
            }
            if (!problems.isEmpty()) {
                fail(d.spec() + ": closing under load:\n  " + String.join("\n  ", problems));
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
            d.close();
        }
    }
}
