package io.jdnn.cpu.fast;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;
import io.jdnn.spi.ConvSelector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * AUTO's measurement on the cpu backend: in deterministic mode a fixed rule ({@link #byRule}: timings
 * vary from run to run, and different algorithms round differently), otherwise wall-clock timing
 * after a JIT warm-up, where the rule's choice stays unless another candidate is clearly faster
 * ({@link #byTiming}). The candidates come filtered from {@link io.jdnn.Device}, which also
 * remembers the choice.
 */
final class CpuConvSelector implements ConvSelector {
    private final CpuDevice dev;
    private final boolean deterministic;

    CpuConvSelector(CpuDevice dev, boolean deterministic) {
        this.dev = dev;
        this.deterministic = deterministic;
    }

    @Override
    public ConvAlgorithm fastest(DirectConv conv, ConvDirection direction, List<ConvAlgorithm> candidates) {
        return deterministic ? byRule(conv, direction, candidates) : byTiming(dev, conv, direction, candidates);
    }

    /**
     * Fewest 4x4 output tiles (all images and dilation phases together) for which the rule picks
     * Winograd: one full 32-column GEMM panel. With fewer, the tiles of the whole batch pad a panel
     * and the input transform is repeated per channel block: 3x3 512->512 on 7x7 (4 tiles at batch 1)
     * took 5.0 ms with Winograd and 2.1 ms with IM2COL_GEMM, 64->64 on 14x14 (16 tiles) 0.29 and
     * 0.13 ms; at batch 8 (32 tiles) Winograd won, 8.0 against 13.6 ms (docs/cpu.md).
     */
    static final int WINOGRAD_MIN_TILES = 32;

    /**
     * The fixed choice of deterministic mode (timings vary from run to run, and different
     * algorithms round differently): Winograd where it applies, channels are many enough for its
     * GEMMs and the output has at least {@link #WINOGRAD_MIN_TILES} tiles, depthwise for depthwise
     * problems, IM2COL_GEMM otherwise.
     */
    static ConvAlgorithm byRule(DirectConv d, ConvDirection direction) {
        // backward-data's Winograd produces dx: its "output" is the image
        int outH = direction == ConvDirection.BACKWARD_DATA ? d.h() : d.p();
        int outW = direction == ConvDirection.BACKWARD_DATA ? d.w() : d.q();
        if (ConvAlgorithms.whyNot(d, direction, ConvAlgorithm.WINOGRAD).isEmpty() && d.cPerGroup() >= 16 && d.kPerGroup() >= 16
                && ConvWinograd.tiles(d.n(), outH, outW, d.dilationH(), d.dilationW()) >= WINOGRAD_MIN_TILES) {
            return ConvAlgorithm.WINOGRAD;
        }
        if (d.isDepthwise()) {
            return ConvAlgorithm.DEPTHWISE;
        }
        return ConvAlgorithm.IM2COL_GEMM;
    }

    /**
     * {@link #byRule}'s choice when it is one of {@code candidates} (AUTO may have left it out: an
     * error bound the caller asked for), else IM2COL_GEMM, else the first candidate.
     */
    static ConvAlgorithm byRule(DirectConv d, ConvDirection direction, List<ConvAlgorithm> candidates) {
        ConvAlgorithm ruled = byRule(d, direction);
        if (candidates.contains(ruled)) {
            return ruled;
        }
        return candidates.contains(ConvAlgorithm.IM2COL_GEMM) ? ConvAlgorithm.IM2COL_GEMM : candidates.get(0);
    }

    /** Timed runs of each candidate (after the warm-up), the best counts. */
    static final int TIMING_ROUNDS = 5;
    /** Another candidate replaces the fixed rule's choice only when it takes less than this fraction of its time. */
    static final double RULE_MARGIN = 0.67;

    /** Warm-up of each AUTO candidate on the one-image problem: at most this long. */
    static final long WARMUP_NANOS = 1_000_000_000L;

    /** Inputs (deterministic values of magnitude about 1) and output of one direction of a problem. */
    private static float[][] scratchTensors(DirectConv d, ConvDirection direction) {
        float[] in1, in2, out;
        switch (direction) {
            case FORWARD -> {
                in1 = new float[(int) d.imageElements()];
                in2 = new float[(int) d.weightElements()];
                out = new float[(int) d.responseElements()];
            }
            case BACKWARD_DATA -> {
                in1 = new float[(int) d.responseElements()];
                in2 = new float[(int) d.weightElements()];
                out = new float[(int) d.imageElements()];
            }
            default -> {
                in1 = new float[(int) d.imageElements()];
                in2 = new float[(int) d.responseElements()];
                out = new float[(int) d.weightElements()];
            }
        }
        for (int i = 0; i < in1.length; i++) {
            in1[i] = ((i * 7919) % 255 - 127) / 128f;
        }
        for (int i = 0; i < in2.length; i++) {
            in2[i] = ((i * 104729) % 255 - 127) / 1024f;
        }
        return new float[][] {in1, in2, out};
    }

    /** Most bytes of scratch tensors AUTO's timing allocates (and at most an eighth of the heap). */
    static final long TIMING_BYTES = 256L << 20;

    /** Bytes of the three scratch tensors of a problem, or Long.MAX_VALUE when one exceeds a Java array. */
    static long scratchBytes(DirectConv d) {
        long bytes = 0;
        for (long n : new long[] {d.imageElements(), d.weightElements(), d.responseElements()}) {
            if (n <= 0 || n > Integer.MAX_VALUE - 8) {
                return Long.MAX_VALUE;
            }
            bytes += 4 * n;
        }
        return bytes;
    }

    /**
     * The problem {@link #byTiming} times: {@code d} itself when its tensors fit {@link #TIMING_BYTES}
     * (and an eighth of the heap), else {@code d} at the largest batch whose tensors fit (which
     * algorithm is fastest hardly depends on the batch once a few images keep the cores busy), or
     * nothing when not even one image fits: then {@link #byRule} decides.
     */
    static Optional<DirectConv> timedProblem(DirectConv d) {
        long budget = Math.min(TIMING_BYTES, Runtime.getRuntime().maxMemory() / 8);
        if (scratchBytes(d) <= budget) {
            return Optional.of(d);
        }
        DirectConv one = d.problem().withBatch(1).direct();
        long oneBytes = scratchBytes(one);
        if (oneBytes > budget) {
            return Optional.empty();
        }
        long weights = 4 * one.weightElements();
        long perImage = Math.max(1, oneBytes - weights);
        int batch = (int) Math.max(1, Math.min(d.n(), (budget - weights) / perImage));
        return Optional.of(d.problem().withBatch(batch).direct());
    }

    /** Problems up to this many flops also time DIRECT; above it DIRECT is never the fastest and takes long. */
    static final long DIRECT_TIMING_FLOPS = 20_000_000L;

    /**
     * Warms every applicable algorithm up on the one-image problem, then runs each
     * {@link #TIMING_ROUNDS} times, round-robin, on scratch tensors of the sizes of
     * {@link #timedProblem} and keeps
     * the fastest, unless that is not clearly (by {@link #RULE_MARGIN}) faster than the choice of
     * {@link #byRule}. Ties go to the earlier in the backend's preferred order ({@link CpuDevice#algorithms()}).
     */
    static ConvAlgorithm byTiming(CpuDevice dev, DirectConv problem, ConvDirection direction,
                                  List<ConvAlgorithm> applicable) {
        ConvAlgorithm ruled = byRule(problem, direction, applicable);
        Optional<DirectConv> timed = timedProblem(problem);
        if (timed.isEmpty()) {
            return ruled; // not even one image's scratch tensors fit: no timing
        }
        try {
            return byTiming(dev, timed.get(), direction, ruled, applicable);
        } catch (OutOfMemoryError e) {
            return ruled; // the scratch tensors (ours alone, now unreachable) did not fit
        }
    }

    private static ConvAlgorithm byTiming(CpuDevice dev, DirectConv d, ConvDirection direction, ConvAlgorithm ruled,
                                          List<ConvAlgorithm> applicable) {
        float[][] full = scratchTensors(d, direction);
        // the second input as a buffer, so that timed runs reuse weight packs as calls on real tensors do
        float[] in1 = full[0], out = full[2];
        CpuBuffer in2 = new CpuBuffer(full[1]);
        List<ConvAlgorithm> candidates = new ArrayList<>();
        for (ConvAlgorithm a : applicable) {
            if (a == ConvAlgorithm.DIRECT && !candidates.isEmpty() && d.flops() > DIRECT_TIMING_FLOPS) {
                continue;
            }
            candidates.add(a);
        }
        // Warm-up on the one-image problem until the JIT has compiled each candidate's loops (Vector
        // API code runs some 100x slower before C2 compiles it), then round-robin, best of TIMING_ROUNDS.
        DirectConv small = d.problem().withBatch(1).direct();
        float[][] smallT = scratchTensors(small, direction);
        CpuBuffer smallIn2 = new CpuBuffer(smallT[1]);
        for (ConvAlgorithm a : candidates) {
            long until = System.nanoTime() + WARMUP_NANOS;
            long fastest = Long.MAX_VALUE;
            int sinceBetter = 0;
            // until the best time has stopped improving (the JIT is done) or the time is up
            for (int i = 0; System.nanoTime() < until && (i < 30 || sinceBetter < 15); i++) {
                long t0 = System.nanoTime();
                ConvAlgorithms.run(dev, small, direction, a, smallT[0], smallIn2, null, null, smallT[2]);
                long t = System.nanoTime() - t0;
                if (t < fastest * 0.97) {
                    fastest = t;
                    sinceBetter = 0;
                } else {
                    sinceBetter++;
                }
            }
        }
        long[] best = new long[candidates.size()];
        Arrays.fill(best, Long.MAX_VALUE);
        for (int round = 0; round < TIMING_ROUNDS; round++) {
            for (int i = 0; i < candidates.size(); i++) {
                long t0 = System.nanoTime();
                ConvAlgorithms.run(dev, d, direction, candidates.get(i), in1, in2, null, null, out);
                best[i] = Math.min(best[i], System.nanoTime() - t0);
            }
        }
        int win = 0;
        for (int i = 1; i < best.length; i++) {
            if (best[i] < best[win]) {
                win = i;
            }
        }
        // Timings on a busy machine are noisy (other processes only ever slow a run down): the
        // fixed rule's choice stays unless another candidate beats it clearly, and again in a
        // second set of rounds of the two alone. (In a fresh JVM the JIT may still have been
        // compiling the rule's code, with both cores busy, when the first rounds timed it: a
        // benchmark fork once took IM2COL_GEMM over a Winograd twice as fast.)
        int rule = candidates.indexOf(ruled);
        if (rule >= 0 && rule != win && best[win] <= RULE_MARGIN * best[rule]) {
            long ruleAgain = Long.MAX_VALUE, winAgain = Long.MAX_VALUE;
            for (int round = 0; round < TIMING_ROUNDS; round++) {
                long t0 = System.nanoTime();
                ConvAlgorithms.run(dev, d, direction, candidates.get(rule), in1, in2, null, null, out);
                long t1 = System.nanoTime();
                ConvAlgorithms.run(dev, d, direction, candidates.get(win), in1, in2, null, null, out);
                long t2 = System.nanoTime();
                ruleAgain = Math.min(ruleAgain, t1 - t0);
                winAgain = Math.min(winAgain, t2 - t1);
            }
            if (winAgain > RULE_MARGIN * ruleAgain) {
                win = rule;
            }
        } else if (rule >= 0 && rule != win) {
            win = rule;
        }
        return candidates.get(win);
    }

}
