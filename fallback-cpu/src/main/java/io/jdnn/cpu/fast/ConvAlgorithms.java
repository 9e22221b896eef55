package io.jdnn.cpu.fast;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;

import java.util.Optional;

/**
 * The cpu backend's convolution algorithms: which can run what ({@link #whyNot}), how AUTO picks
 * ({@link #byRule}, {@link #byTiming}), and the dispatch.
 *
 * <table>
 *   <caption>Algorithms per direction</caption>
 *   <tr><th></th><th>forward</th><th>backward-data</th><th>backward-filter</th></tr>
 *   <tr><td>WINOGRAD</td><td>F(4x4,3x3), dilation by phases</td><td>same, flipped filter</td><td>-</td></tr>
 *   <tr><td>IM2COL_GEMM</td><td>packed column blocks x GEMM</td><td>stride-phase gather GEMM</td>
 *       <td>dy x packed columns^T, fixed image chunks</td></tr>
 *   <tr><td>DEPTHWISE</td><td>padded-row multiply-adds</td><td>same, flipped (stride 1)</td><td>row dot products</td></tr>
 *   <tr><td>DIRECT</td><td>straight loops</td><td>straight gather loops</td><td>straight loops</td></tr>
 * </table>
 */
final class ConvAlgorithms {
    private ConvAlgorithms() {
    }

    static Optional<String> whyNot(DirectConv d, ConvDirection direction, ConvAlgorithm a) {
        switch (a) {
            case DIRECT, IM2COL_GEMM:
                return Optional.empty();
            case WINOGRAD:
                if (direction == ConvDirection.BACKWARD_FILTER) {
                    return Optional.of("the cpu backend has no Winograd backward-filter (IM2COL_GEMM runs it)");
                }
                if (d.r() != 3 || d.s() != 3 || d.strideH() != 1 || d.strideW() != 1) {
                    return Optional.of("Winograd F(4x4,3x3) needs a 3x3 filter and stride 1 (any dilation), got "
                            + d.r() + "x" + d.s() + " stride " + d.strideH() + "x" + d.strideW());
                }
                return Optional.empty();
            case DEPTHWISE:
                if (!d.isDepthwise()) {
                    return Optional.of("depthwise needs groups == image channels, got groups=" + d.groups() + " with "
                            + d.c() + " image channels");
                }
                return Optional.empty();
            case IMPLICIT_GEMM:
                return Optional.of("the cpu backend has no separate implicit GEMM: IM2COL_GEMM already packs column "
                        + "blocks on the fly into cache-sized workspaces, never the whole column matrix");
            case TENSOR_CORE_TF32:
            case TENSOR_CORE_BF16:
                return Optional.of("tensor cores are a GPU feature; the cpu backend computes in float32");
            case GROUPED:
                return Optional.of("GROUPED is not offered by the cpu backend: IM2COL_GEMM packs each group's columns "
                        + "and covers grouped problems");
            default:
                return Optional.of("AUTO is resolved by autoSelect, not run");
        }
    }

    /**
     * The fixed choice of deterministic mode (timings vary from run to run, and different
     * algorithms round differently): Winograd where it applies and channels are many enough for
     * its GEMMs, depthwise for depthwise problems, IM2COL_GEMM otherwise.
     */
    static ConvAlgorithm byRule(DirectConv d, ConvDirection direction) {
        if (whyNot(d, direction, ConvAlgorithm.WINOGRAD).isEmpty() && d.cPerGroup() >= 16 && d.kPerGroup() >= 16) {
            return ConvAlgorithm.WINOGRAD;
        }
        if (d.isDepthwise()) {
            return ConvAlgorithm.DEPTHWISE;
        }
        return ConvAlgorithm.IM2COL_GEMM;
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
    static java.util.Optional<DirectConv> timedProblem(DirectConv d) {
        long budget = Math.min(TIMING_BYTES, Runtime.getRuntime().maxMemory() / 8);
        if (scratchBytes(d) <= budget) {
            return java.util.Optional.of(d);
        }
        DirectConv one = d.problem().withBatch(1).direct();
        long oneBytes = scratchBytes(one);
        if (oneBytes > budget) {
            return java.util.Optional.empty();
        }
        long weights = 4 * one.weightElements();
        long perImage = Math.max(1, oneBytes - weights);
        int batch = (int) Math.max(1, Math.min(d.n(), (budget - weights) / perImage));
        return java.util.Optional.of(d.problem().withBatch(batch).direct());
    }

    /** Problems up to this many flops also time DIRECT; above it DIRECT is never the fastest and takes long. */
    static final long DIRECT_TIMING_FLOPS = 20_000_000L;

    /**
     * Warms every applicable algorithm up on the one-image problem, then runs each
     * {@link #TIMING_ROUNDS} times, round-robin, on scratch tensors of the sizes of
     * {@link #timedProblem} and keeps
     * the fastest, unless that is not clearly (by {@link #RULE_MARGIN}) faster than the choice of
     * {@link #byRule}. Ties go to the earlier in {@link CpuDevice#algorithms()}.
     */
    static ConvAlgorithm byTiming(CpuDevice dev, DirectConv problem, ConvDirection direction) {
        java.util.Optional<DirectConv> timed = timedProblem(problem);
        if (timed.isEmpty()) {
            return byRule(problem, direction); // not even one image's scratch tensors fit: no timing
        }
        try {
            return byTiming(dev, timed.get(), direction, byRule(problem, direction));
        } catch (OutOfMemoryError e) {
            return byRule(problem, direction); // the scratch tensors (ours alone, now unreachable) did not fit
        }
    }

    private static ConvAlgorithm byTiming(CpuDevice dev, DirectConv d, ConvDirection direction, ConvAlgorithm ruled) {
        float[][] full = scratchTensors(d, direction);
        float[] in1 = full[0], in2 = full[1], out = full[2];
        java.util.List<ConvAlgorithm> candidates = new java.util.ArrayList<>();
        for (ConvAlgorithm a : dev.algorithms()) {
            if (whyNot(d, direction, a).isPresent()) {
                continue;
            }
            if (a == ConvAlgorithm.DIRECT && !candidates.isEmpty() && d.flops() > DIRECT_TIMING_FLOPS) {
                continue;
            }
            candidates.add(a);
        }
        // Warm-up on the one-image problem until the JIT has compiled each candidate's loops (Vector
        // API code runs some 100x slower before C2 compiles it), then round-robin, best of TIMING_ROUNDS.
        DirectConv small = d.problem().withBatch(1).direct();
        float[][] smallT = scratchTensors(small, direction);
        for (ConvAlgorithm a : candidates) {
            long until = System.nanoTime() + WARMUP_NANOS;
            long fastest = Long.MAX_VALUE;
            int sinceBetter = 0;
            // until the best time has stopped improving (the JIT is done) or the time is up
            for (int i = 0; System.nanoTime() < until && (i < 30 || sinceBetter < 15); i++) {
                long t0 = System.nanoTime();
                run(dev, small, direction, a, smallT[0], smallT[1], null, smallT[2]);
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
        java.util.Arrays.fill(best, Long.MAX_VALUE);
        for (int round = 0; round < TIMING_ROUNDS; round++) {
            for (int i = 0; i < candidates.size(); i++) {
                long t0 = System.nanoTime();
                run(dev, d, direction, candidates.get(i), in1, in2, null, out);
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
                run(dev, d, direction, candidates.get(rule), in1, in2, null, out);
                long t1 = System.nanoTime();
                run(dev, d, direction, candidates.get(win), in1, in2, null, out);
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

    static void run(CpuDevice dev, DirectConv d, ConvDirection direction, ConvAlgorithm a, float[] in1, float[] in2,
                    float[] bias, float[] out) {
        switch (direction) {
            case FORWARD -> {
                switch (a) {
                    case WINOGRAD -> ConvWinograd.forward(dev, d, in1, in2, bias, out);
                    case IM2COL_GEMM -> ConvGemm.forward(dev, d, in1, in2, bias, out);
                    case DEPTHWISE -> ConvDepthwise.forward(dev, d, in1, in2, bias, out);
                    case DIRECT -> ConvDirect.forward(dev, d, in1, in2, bias, out);
                    default -> throw unsupported(d, direction, a);
                }
            }
            case BACKWARD_DATA -> {
                switch (a) {
                    case WINOGRAD -> ConvWinograd.backwardData(dev, d, in1, in2, bias, out);
                    case IM2COL_GEMM -> ConvGemm.backwardData(dev, d, in1, in2, bias, out);
                    case DEPTHWISE -> ConvDepthwise.backwardData(dev, d, in1, in2, bias, out);
                    case DIRECT -> ConvDirect.backwardData(dev, d, in1, in2, bias, out);
                    default -> throw unsupported(d, direction, a);
                }
            }
            case BACKWARD_FILTER -> {
                switch (a) {
                    case IM2COL_GEMM -> ConvGemm.backwardFilter(dev, d, in1, in2, out);
                    case DEPTHWISE -> ConvDepthwise.backwardFilter(dev, d, in1, in2, out);
                    case DIRECT -> ConvDirect.backwardFilter(dev, d, in1, in2, out);
                    default -> throw unsupported(d, direction, a);
                }
            }
        }
    }

    private static IllegalArgumentException unsupported(DirectConv d, ConvDirection direction, ConvAlgorithm a) {
        return new IllegalArgumentException("algorithm: " + a + " cannot run " + direction.shortName() + " of " + d + ": "
                + whyNot(d, direction, a).orElse("not supported"));
    }
}
