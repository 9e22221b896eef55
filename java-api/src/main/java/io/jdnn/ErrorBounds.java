package io.jdnn;

/**
 * The error bounds every comparison against the reference uses, in one place: the golden runner,
 * the conformance suite and the benchmark's verification import them from here.
 *
 * <p>Metric: for an output tensor o and the reference r (float64),
 * {@code err = max_i |o_i - r_i| / max_j |r_j|} (the absolute error when r is all zeros). Normalizing
 * by the largest magnitude keeps one element near zero from deciding the verdict while still
 * catching any element that is wrong at the output's scale. Convolution bounds are per algorithm:
 * {@link ConvAlgorithm#errorBound()}.
 *
 * <p>Float32 unit roundoff is u = 2^-24 (about 6e-8). The bounds below leave about a factor of 10
 * over the errors the suite observes on inputs of magnitude about 1, no more.
 */
public final class ErrorBounds {
    private ErrorBounds() {
    }

    /**
     * A float64 device (the reference) against PyTorch's float64: both compute in float64 from the
     * same float32 inputs, differing only in summation order, so the error is a few units of 2^-53
     * (1.1e-16) times the reduction length; 1e-9 is loose by design yet catches any semantic slip.
     */
    public static final double FLOAT64 = 1e-9;

    /**
     * Element-wise ops in float32 (activations, axpby, dropout, scaling): one to a few rounded
     * operations per element, and exp/tanh within 4 ulp on OpenCL's full profile and CUDA.
     */
    public static final double ELEMENTWISE = 1e-6;

    /**
     * Random fills: uniform values are exact (multiples of 2^-24); normal values go through
     * float32 log, sqrt and cos of 2*pi*u2, whose argument alone carries about 2*pi*2^-24 absolute
     * error, about 4e-7 of the largest value once scaled by the Box-Muller radius.
     */
    public static final double RANDOM = 5e-6;

    /**
     * Pooling: max forward is exact; average pooling sums at most a window of values (and
     * backward at most a few overlapping windows) in float32.
     */
    public static final double POOLING = 2e-6;

    /**
     * Row reductions of softmax and cross-entropy: sums over up to a few thousand classes, error
     * growing like sqrt(K) * 2^-24 for random data, and a float32 log.
     */
    public static final double SOFTMAX = 1e-5;

    /**
     * Per-channel reductions over N*H*W values (batch-norm statistics and their backward sums,
     * bias gradients): blocked or tree summation keeps the error near log2(M) * 2^-24 times the
     * sum's magnitude; batch norm then divides by the standard deviation, which amplifies
     * absolute errors where a channel's variance is small.
     */
    public static final double REDUCTION = 1e-5;

    /**
     * Local response norm: a window of squares summed in float32, then a float32 power
     * (exp(-beta log D), each within a few ulp, the power's error growing with beta * |log D|);
     * backward subtracts two such terms. The suite observes up to about 2e-7 of the largest value.
     * Neither ELEMENTWISE (one rounded function) nor POOLING (no power) states this reason.
     */
    public static final double LRN = 2e-6;

    /**
     * Matrix products of the linear layer: float32 dot products of length up to a few thousand,
     * accumulated in tiles; the same reasoning and bound as the GEMM-based convolution algorithms
     * ({@link ConvAlgorithm#IM2COL_GEMM}).
     */
    public static final double GEMM = 1e-5;

    /**
     * Optimizer steps: a handful of float32 operations per element and step (sqrt and a
     * division for the adaptive rules); hyper-parameters rounded to float32 once.
     */
    public static final double OPTIMIZER = 1e-6;

    /**
     * Interpolation forward: a blend of up to four cells whose weights come from a float32 source
     * coordinate (as PyTorch computes it for float32), whose rounding is up to ulp(H) or ulp(W)
     * absolute, so a weight can be off by about extent * 2^-24 (1e-6 for extents near 16), times the
     * difference of neighbouring cells; ELEMENTWISE does not state this reason.
     */
    public static final double INTERPOLATE = 5e-6;

    /** The bound for {@code float32Bound}'s op on a device storing {@code precision}. */
    public static double forPrecision(Precision precision, double float32Bound) {
        return precision == Precision.FLOAT64 ? FLOAT64 : float32Bound;
    }

    /** err as defined in the class comment; lengths must match. */
    public static double maxNormalizedError(double[] out, double[] ref) {
        if (out.length != ref.length) {
            throw new IllegalArgumentException("out: expected " + ref.length + " elements, got " + out.length);
        }
        double maxRef = 0;
        double maxErr = 0;
        for (double r : ref) {
            if (Double.isFinite(r)) {
                maxRef = Math.max(maxRef, Math.abs(r));
            }
        }
        for (int i = 0; i < ref.length; i++) {
            if (Double.compare(out[i], ref[i]) == 0) {
                continue; // identical, including NaN against NaN and equal infinities
            }
            if (!Double.isFinite(ref[i]) || !Double.isFinite(out[i])) {
                return Double.POSITIVE_INFINITY; // a NaN or infinity where the other side differs
            }
            maxErr = Math.max(maxErr, Math.abs(out[i] - ref[i]));
        }
        return maxRef == 0 ? maxErr : maxErr / maxRef;
    }

    /** The norm-wise relative error ||out - ref||_2 / ||ref||_2 (absolute where ref is zero). */
    public static double normwiseError(double[] out, double[] ref) {
        if (out.length != ref.length) {
            throw new IllegalArgumentException("out: expected " + ref.length + " elements, got " + out.length);
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = out[i] - ref[i];
            num += d * d;
            den += ref[i] * ref[i];
        }
        if (Double.isNaN(num)) {
            return Double.POSITIVE_INFINITY;
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }
}
