package io.jdnn.bench.perf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The measurement loop shared by jdnn's devices and the vendor baseline, so that both are timed
 * the same way: a warm-up (at least {@link Settings#warmupRuns} runs and {@link Settings#warmupMs}
 * of wall time, or ten times that time for slow ops; the first run, which may compile kernels, is
 * never counted), then at least
 * {@link Settings#runs} samples, or, for an op so slow that they would take longer than
 * {@link Settings#maxTimeMs}, at least {@link #MIN_SAMPLES} (the report marks such rows). Each sample times {@code k} consecutive runs between one pair of
 * device events (or one synchronize and {@link System#nanoTime} on a CPU), with {@code k} chosen
 * from the warm-up so a sample lasts about {@link Settings#sampleMs}: short kernels then measure
 * the device, not the launch latency of one call. Runs rotate over input sets (the caller's
 * {@link SampleTimer} does), so a sample does not read what the previous one left in the cache.
 */
public final class Timing {
    /** Samples a slow op gets at least when its runs outlast {@link Settings#maxTimeMs}. */
    public static final int MIN_SAMPLES = 5;

    private Timing() {
    }

    /** Times {@code runs} consecutive runs of the op and returns the elapsed device time in milliseconds. */
    @FunctionalInterface
    public interface SampleTimer {
        double time(int runs);
    }

    /**
     * @param runs       samples at least (the median and spread are over samples)
     * @param warmupRuns untimed runs at least
     * @param warmupMs   wall time of the warm-up at least
     * @param sampleMs   device time one sample should last (k runs per sample)
     * @param minTimeMs  device time over all samples at least (more samples for short ops)
     * @param maxTimeMs  wall time of sampling after which no further sample starts once
     *                   min(runs, {@link Timing#MIN_SAMPLES}) samples exist
     */
    public record Settings(int runs, int warmupRuns, double warmupMs, double sampleMs, double minTimeMs, double maxTimeMs) {
        public Settings {
            if (runs < 1 || warmupRuns < 1) {
                throw new IllegalArgumentException("runs and warmupRuns: expected values >= 1, got " + runs + ", " + warmupRuns);
            }
        }

        /**
         * At least 20 samples, 3 warm-up runs and 100 ms of warm-up, 1 ms samples, 100 ms measured;
         * past 5 s of sampling, no sample beyond the fifth.
         */
        public static Settings defaults() {
            return new Settings(20, 3, 100, 1, 100, 5_000);
        }

        /** True when {@code stats} has fewer samples than {@link #runs}: sampling was cut at {@link #maxTimeMs}. */
        public boolean cut(Stats stats) {
            return stats != null && stats.samples().length < runs;
        }
    }

    /**
     * Median and spread of the per-run time.
     *
     * @param runsPerSample k, the runs each sample timed together (each sample is divided by it)
     * @param samples       the per-run times of every sample, in milliseconds, in the order taken
     */
    public record Stats(double median, double p10, double p90, double min, double max, double mean, int runsPerSample,
                        double[] samples) {

        /** (p90 - p10) / median: the relative spread of the middle 80% of samples. */
        public double spread() {
            return median > 0 ? (p90 - p10) / median : 0;
        }

        /** Every sample. */
        public int count() {
            return samples.length;
        }

        static Stats of(List<Double> values, int runsPerSample) {
            double[] v = new double[values.size()];
            double sum = 0;
            for (int i = 0; i < v.length; i++) {
                v[i] = values.get(i);
                sum += v[i];
            }
            double[] s = v.clone();
            Arrays.sort(s);
            return new Stats(quantile(s, 0.5), quantile(s, 0.1), quantile(s, 0.9), s[0], s[s.length - 1], sum / s.length,
                    runsPerSample, v);
        }

        /** Linear interpolation between the closest ranks of a sorted array. */
        static double quantile(double[] sorted, double q) {
            double pos = q * (sorted.length - 1);
            int lo = (int) Math.floor(pos);
            int hi = Math.min(lo + 1, sorted.length - 1);
            return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
        }
    }

    /** Warms up, then samples as the class comment says. */
    public static Stats measure(SampleTimer timer, Settings s) {
        long wallStart = System.nanoTime();
        timer.time(1); // first run: compiles kernels, touches memory; never counted
        List<Double> warm = new ArrayList<>();
        while (warm.isEmpty() || !warmedUp(warm.size(), elapsedMs(wallStart), s)) {
            warm.add(timer.time(1));
        }
        double[] w = warm.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double estimate = Math.max(Stats.quantile(w, 0.5), 1e-6);
        int k = (int) Math.max(1, Math.min(100_000, Math.ceil(s.sampleMs() / estimate)));
        List<Double> samples = new ArrayList<>();
        double measured = 0;
        long sampleStart = System.nanoTime();
        while (samples.size() < 100_000) {
            boolean enough = samples.size() >= s.runs() && measured >= s.minTimeMs();
            boolean outOfTime = elapsedMs(sampleStart) >= s.maxTimeMs() && samples.size() >= Math.min(s.runs(), MIN_SAMPLES);
            if (enough || outOfTime) {
                break;
            }
            double t = timer.time(k);
            measured += t;
            samples.add(t / k);
        }
        return Stats.of(samples, k);
    }

    /**
     * The warm-up ends after {@link Settings#warmupRuns} runs and {@link Settings#warmupMs}, or for
     * a slow op (a run of more than a tenth of the warm-up time) after ten times the warm-up time:
     * by then JIT compilation and clock ramps are over, and further runs only cost time.
     */
    static boolean warmedUp(int runs, double elapsedMs, Settings s) {
        return (runs >= s.warmupRuns() && elapsedMs >= s.warmupMs()) || (s.warmupMs() > 0 && elapsedMs >= 10 * s.warmupMs())
                || runs >= 10_000;
    }

    private static double elapsedMs(long since) {
        return (System.nanoTime() - since) / 1e6;
    }
}
