package io.jdnn.bench.perf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.function.IntToLongFunction;

/**
 * The FP32 FMA peak of this CPU as Java code reaches it, measured: register-resident loops of 12
 * independent FMA chains through the Vector API at 512 and at 256 bits ({@code VectorFmaProbe},
 * only where the JVM has {@code jdk.incubator.vector}), and an auto-vectorized plain Java loop of
 * {@link Math#fma} over an array that stays in L1. Each runs on the given number of threads at once
 * and the best of several short rounds counts. The cpu backend's rates divide by the widest of
 * these ({@link Peaks}); the JMH benchmark {@code FmaPeakBenchmark} runs the same loops.
 */
public final class FmaProbe {
    private FmaProbe() {
    }

    /** Floats of the plain loop's array: 4 KiB, in L1. */
    public static final int PLAIN_FLOATS = 1024;

    /**
     * One measurement.
     *
     * @param vector512 FLOP/s of the 512-bit Vector API loop, NaN where not measured
     * @param vector256 FLOP/s of the 256-bit Vector API loop, NaN where not measured
     * @param plain     FLOP/s of the plain Java loop
     * @param threads   threads that ran each loop at once
     */
    public record Result(double vector512, double vector256, double plain, int threads) {
        /** The best of the three. */
        public double best() {
            double b = plain;
            if (!Double.isNaN(vector256)) {
                b = Math.max(b, vector256);
            }
            if (!Double.isNaN(vector512)) {
                b = Math.max(b, vector512);
            }
            return b;
        }

        /** One line naming every figure. */
        public String describe() {
            return String.format(Locale.ROOT, "FMA loops on %d threads: Vector API 512-bit %s, 256-bit %s, plain Java %.1f GFLOP/s",
                    threads, gflops(vector512), gflops(vector256), plain / 1e9);
        }

        private static String gflops(double f) {
            return Double.isNaN(f) ? "n/a" : String.format(Locale.ROOT, "%.1f", f / 1e9);
        }
    }

    /**
     * Runs the loops, each on {@code threads} threads at once, {@code rounds} rounds of about
     * {@code roundMillis} each after a warm-up, and keeps each loop's best round.
     */
    public static Result measure(int threads, int rounds, int roundMillis) {
        double v512 = Double.NaN, v256 = Double.NaN;
        if (vectorModulePresent()) {
            try {
                Class<?> c = Class.forName("io.jdnn.bench.perf.VectorFmaProbe");
                IntToLongFunction l512 = (IntToLongFunction) c.getDeclaredField("LOOP_512").get(null);
                IntToLongFunction l256 = (IntToLongFunction) c.getDeclaredField("LOOP_256").get(null);
                if ((boolean) c.getDeclaredMethod("compiles512").invoke(null)) {
                    v512 = rate(l512, threads, rounds, roundMillis);
                }
                v256 = rate(l256, threads, rounds, roundMillis);
            } catch (ReflectiveOperationException | LinkageError e) {
                // no Vector API after all: the plain loop alone
            }
        }
        return new Result(v512, v256, rate(FmaProbe::plainLoop, threads, rounds, roundMillis), threads);
    }

    /** Whether the Vector API module is in the boot layer. */
    static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /**
     * {@code x[i] = fma(x[i], a, b)} over a 1024-float array, {@code reps} times (SuperWord
     * vectorizes it at the JVM's widest width); returns the flops done.
     */
    public static long plainLoop(int reps) {
        float[] x = new float[PLAIN_FLOATS];
        for (int i = 0; i < x.length; i++) {
            x[i] = i * 1e-3f;
        }
        float a = 0.999999f, b = 1e-7f;
        for (int r = 0; r < reps; r++) {
            for (int i = 0; i < x.length; i++) {
                x[i] = Math.fma(x[i], a, b);
            }
        }
        if (x[7] == 42f) {
            throw new AssertionError("unreachable: keeps the loop's result alive");
        }
        return 2L * reps * x.length;
    }

    /** FLOP/s of {@code loop} (which returns the flops it did) on {@code threads} threads at once. */
    static double rate(IntToLongFunction loop, int threads, int rounds, int roundMillis) {
        // size the repetitions so that one round takes about roundMillis on one thread
        int reps = 4096;
        // warm-up until C2 has compiled the loop: the time of a call stops improving (at most 1 s)
        double perRep = Double.MAX_VALUE;
        long until = System.nanoTime() + 1_000_000_000L;
        for (int stale = 0; stale < 20 && System.nanoTime() < until; ) {
            long t0 = System.nanoTime();
            loop.applyAsLong(reps);
            double t = Math.max(1, System.nanoTime() - t0) / (double) reps;
            stale = t < 0.95 * perRep ? 0 : stale + 1;
            perRep = Math.min(perRep, t);
        }
        int sized = (int) Math.max(64, Math.min(Integer.MAX_VALUE / 2, roundMillis * 1e6 / perRep));
        double best = 0;
        for (int r = 0; r < rounds; r++) {
            best = Math.max(best, parallelRound(loop, sized, threads));
        }
        return best;
    }

    private static double parallelRound(IntToLongFunction loop, int reps, int threads) {
        CyclicBarrier start = new CyclicBarrier(threads);
        long[] flops = new long[threads];
        long[] nanos = new long[threads];
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                long a = System.nanoTime();
                flops[id] = loop.applyAsLong(reps);
                nanos[id] = System.nanoTime() - a;
            }, "jdnn-fma-probe-" + t);
            th.start();
            ts.add(th);
        }
        long total = 0, slowest = 1;
        for (int t = 0; t < threads; t++) {
            try {
                ts.get(t).join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            total += flops[t];
            slowest = Math.max(slowest, nanos[t]);
        }
        return total / (slowest / 1e9);
    }
}
