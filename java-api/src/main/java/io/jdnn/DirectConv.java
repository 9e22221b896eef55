package io.jdnn;

/**
 * The direct (not transposed) convolution that backends implement, with both spatial sizes
 * explicit. For a convolution it is the problem itself. For a transposed convolution it is the
 * convolution whose backward-data pass is the transposed forward pass: its image side
 * (c, h, w) is the transposed problem's output, its response side (k, p, q) the transposed
 * problem's input, and its weight (k, c/groups, r, s) is the transposed weight as PyTorch lays it
 * out. Then
 * <pre>
 *   transposed forward         = direct backward-data   (dy := x, dx := y)
 *   transposed backward-data   = direct forward         (x := dy, y := dx)
 *   transposed backward-filter = direct backward-filter (x := dy, dy := x)
 * </pre>
 * Kernels bound-check against (p, q) as given: with output padding of at least the stride
 * (allowed when the dilation is larger), p can be smaller than the formula would derive from h.
 *
 * <p>Image side: x or dx, shape (n, c, h, w). Response side: y or dy, shape (n, k, p, q).
 * Index relation: image row {@code ih = op * strideH - padH + r * dilationH} for output row op and
 * filter row r; likewise for columns.
 *
 * @param problem the problem as the caller gave it, for messages
 * @param n         images per batch
 * @param c         channels of the image side
 * @param h         height of the image side
 * @param w         width of the image side
 * @param k         channels of the response side
 * @param p         height of the response side
 * @param q         width of the response side
 * @param r         filter height
 * @param s         filter width
 * @param strideH   vertical stride
 * @param strideW   horizontal stride
 * @param padH      zero rows above and below the image side
 * @param padW      zero columns left and right of the image side
 * @param dilationH vertical spacing of the filter taps
 * @param dilationW horizontal spacing of the filter taps
 * @param groups    channel groups
 */
public record DirectConv(ConvProblem problem, int n, int c, int h, int w, int k, int p, int q,
                         int r, int s, int strideH, int strideW, int padH, int padW,
                         int dilationH, int dilationW, int groups) {

    /** Image-side channels per group. */
    public int cPerGroup() {
        return c / groups;
    }

    /** Response-side channels per group. */
    public int kPerGroup() {
        return k / groups;
    }

    /** Elements of the image-side tensor (x or dx). */
    public long imageElements() {
        return (long) n * c * h * w;
    }

    /** Elements of the response-side tensor (y or dy). */
    public long responseElements() {
        return (long) n * k * p * q;
    }

    /** Elements of the weight tensor. */
    public long weightElements() {
        return (long) k * cPerGroup() * r * s;
    }

    /** Multiply-adds times two. */
    public long flops() {
        return 2L * n * k * p * q * cPerGroup() * r * s;
    }

    /** GEMM extents of the forward pass seen as implicit GEMM: M = n*p*q, N = k/groups, K = c/groups*r*s, per group. */
    public long gemmM() {
        return (long) n * p * q;
    }

    /** See {@link #gemmM()}. */
    public int gemmN() {
        return kPerGroup();
    }

    /** See {@link #gemmM()}. */
    public int gemmK() {
        return cPerGroup() * r * s;
    }

    /** True for a 3x3, stride-1, dilation-1 problem (what Winograd F(m x m, 3x3) takes). */
    public boolean is3x3Stride1() {
        return r == 3 && s == 3 && strideH == 1 && strideW == 1 && dilationH == 1 && dilationW == 1;
    }

    /**
     * True when every group holds one image-side channel (groups == c): each response channel
     * filters exactly one image channel (k/c of them per channel, the "depth multiplier").
     */
    public boolean isDepthwise() {
        return groups == c;
    }

    /** The caller's problem string. */
    @Override
    public String toString() {
        return problem.toString();
    }
}
