package io.jdnn;

import java.util.Optional;

/**
 * What {@link Device#plan} decided for one direction of one convolution problem: the concrete
 * algorithm that will run (never {@link ConvAlgorithm#AUTO}), or the reason none can. Every
 * caller that needs to know which algorithm ran, and so which error bound applies (the golden
 * runner, the layers of {@code io.jdnn.nn}, the benchmarks, the tests), asks the device for its
 * plan instead of re-deriving the choice; the device runs exactly the plan it reports.
 */
public final class ConvPlan {
    private final ConvProblem problem;
    private final ConvDirection direction;
    private final ConvAlgorithm requested;
    private final double maxErrorBound;
    private final String spec;
    private final ConvAlgorithm algorithm;
    private final String reason;

    private ConvPlan(ConvProblem problem, ConvDirection direction, ConvAlgorithm requested, double maxErrorBound,
                     String spec, ConvAlgorithm algorithm, String reason) {
        this.problem = problem;
        this.direction = direction;
        this.requested = requested;
        this.maxErrorBound = maxErrorBound;
        this.spec = spec;
        this.algorithm = algorithm;
        this.reason = reason;
    }

    static ConvPlan runs(ConvProblem p, ConvDirection d, ConvAlgorithm requested, double maxErrorBound, String spec,
                         ConvAlgorithm algorithm) {
        return new ConvPlan(p, d, requested, maxErrorBound, spec, algorithm, null);
    }

    static ConvPlan refused(ConvProblem p, ConvDirection d, ConvAlgorithm requested, double maxErrorBound, String spec,
                            String reason) {
        return new ConvPlan(p, d, requested, maxErrorBound, spec, null, reason);
    }

    /** The problem as the caller gave it (transposed or not). */
    public ConvProblem problem() {
        return problem;
    }

    /** The direction of {@link #problem()} (for a transposed problem, its own direction, not the direct one). */
    public ConvDirection direction() {
        return direction;
    }

    /** The algorithm the caller asked for, possibly {@link ConvAlgorithm#AUTO}. */
    public ConvAlgorithm requested() {
        return requested;
    }

    /** The largest {@link ConvAlgorithm#errorBound()} the caller accepts ({@code +Infinity}: any). */
    public double maxErrorBound() {
        return maxErrorBound;
    }

    /** True when an algorithm can run: {@link #algorithm()} then returns it. */
    public boolean isRunnable() {
        return algorithm != null;
    }

    /**
     * The algorithm that runs, never AUTO.
     *
     * @throws AlgorithmNotSupportedException with the reason, when none can run
     */
    public ConvAlgorithm algorithm() {
        if (algorithm == null) {
            throw new AlgorithmNotSupportedException(requested, direction, spec, problem.toString(), reason);
        }
        return algorithm;
    }

    /** Empty when runnable; otherwise why no algorithm can run. */
    public Optional<String> whyNot() {
        return Optional.ofNullable(reason);
    }

    /** The error bound that applies to the result: that of {@link #algorithm()}. */
    public double errorBound() {
        return algorithm().errorBound();
    }

    @Override
    public String toString() {
        String head = direction.shortName() + " of " + problem + " on " + spec + " (" + requested + ")";
        return algorithm != null ? head + ": " + algorithm : head + ": none, " + reason;
    }
}
