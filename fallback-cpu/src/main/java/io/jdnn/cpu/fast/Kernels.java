package io.jdnn.cpu.fast;

/**
 * The innermost loops that decide the backend's speed, in two implementations: {@link PlainKernels}
 * (plain Java written so that HotSpot's auto-vectorizer handles it) and {@code VectorKernels}
 * (the incubating Vector API, loaded only when the JVM has {@code jdk.incubator.vector}). Both give
 * results within the same error bounds; the Vector API one holds register tiles across the
 * reduction.
 */
interface Kernels {

    /** "plain" or "vector-API (N lanes)". */
    String name();

    /**
     * The GEMM block: {@code c[cRow+i][j] (+)= sum_{k<kc} a[aOff + i*lda + k] * b[bRow+k][j]} for
     * i &lt; m, j &lt; n, adding to c when {@code accumulate}, overwriting it otherwise. Every row of
     * b and c used holds at least {@link Workspace#padTile}(n) floats; columns from n to padTile(n) of
     * c may be overwritten with garbage.
     */
    void gemm(int m, int n, int kc, float[] a, int aOff, int lda, float[][] b, int bRow, float[][] c, int cRow,
              boolean accumulate);

    /** Columns per panel of {@link #gemmPacked}'s B, or 0 where these kernels take B only as row arrays. */
    default int panelWidth() {
        return 0;
    }

    /**
     * {@link #gemm} with B packed by the caller into panels of NR = {@link #panelWidth()} columns:
     * element (k, j) at {@code bp[bOff + (j / NR) * kc * NR + k * NR + j % NR]} for j &lt; padTile(n)
     * (columns from n on hold finite values; their results land in c's padding columns).
     */
    default void gemmPacked(int m, int n, int kc, float[] a, int aOff, int lda, float[] bp, int bOff, float[][] c,
                            int cRow, boolean accumulate) {
        throw new UnsupportedOperationException("these kernels take B as row arrays only (panelWidth() == 0)");
    }

    /**
     * Packs B for {@link #gemmPacked} from rows that are slices of one array: element (k, j) =
     * {@code src[base + start[s0 + k] + j]} for k &lt; kc, j &lt; n, and 0 for j from n to padTile(n),
     * at {@code bp[bOff..]} in panels of {@link #panelWidth()} columns. Reads nothing outside the
     * slices.
     */
    default void packSlices(float[] src, int[] start, int s0, int base, int kc, int n, float[] bp, int bOff) {
        throw new UnsupportedOperationException("these kernels take B as row arrays only (panelWidth() == 0)");
    }

    /**
     * One output row of a stride-1 correlation along a row: {@code acc[q] += sum_s w[wOff+s] * x[xOff + q + s*dil]}
     * for q &lt; n; the caller guarantees every x index is in range. {@code tmp} holds at least n floats.
     */
    void rowTaps(int n, int taps, int dil, float[] w, int wOff, float[] x, int xOff, float[] acc, float[] tmp);

    /**
     * One output row of a stride-1 2-D correlation: {@code out[outOff + q] = (accumulate ? out[outOff + q]
     * : bias) + sum_{i<rows} sum_s w[wOffs[i] + s] * x[xOffs[i] + q + s*dil]} for q &lt; n; every x
     * index is in range. {@code tmp} holds two rows of at least n floats.
     */
    void correlateRow(int n, int rows, int taps, int dil, float[] w, int[] wOffs, float[] x, int[] xOffs, float[] out,
                      int outOff, boolean accumulate, float bias, float[][] tmp);

    /**
     * Window maxima of one row whose padding is already filled: {@code out[outOff + j] = max(row[j*stride + s])}
     * over s &lt; window, for j &lt; ow, with {@link Math#max}'s semantics (a NaN wins). The caller
     * fills the padding with the nearest edge element (a repeated element changes no maximum), and
     * row holds at least {@code (ow - 1) * stride + window + 1} elements: a kernel may read (and drop)
     * the one past the last window.
     */
    void windowMaxRow(float[] row, int window, int stride, float[] out, int outOff, int ow);

    /**
     * {@code out[outOff + j] = max over r < rows of x[off + r*stride + j]} for j &lt; n, with
     * {@link Math#max}'s semantics (a NaN wins); rows &gt;= 1, every index in range.
     */
    void columnMax(float[] x, int off, int stride, int rows, int n, float[] out, int outOff);

    /**
     * Max-pooling backward's search in n windows of one output row that lie inside the image
     * (no padding): window t covers x[off + r*rowStride + t*stride + s] for r &lt; rows, s &lt;
     * window, and maxima[mOff + t] is its maximum. Writes at[atOff + t] = r*rowStride + t*stride + s
     * (as a float: a kernel declines offsets from 2^24 on) of the window's first element (row-major) equal to its maximum, or -1 where the kernel leaves
     * the window to the caller (a NaN maximum, whose last NaN takes the gradient). Returns how many
     * windows it wrote, from 0 up to n; the caller searches the rest.
     */
    int maxPicks(float[] x, int off, int rowStride, int rows, int window, int stride, float[] maxima, int mOff, int n,
                 float[] at, int atOff);

    /**
     * Max-pooling backward of the first full 2x2/2 windows of one pair of rows (x rows at r0 and
     * r1, window j over columns 2j and 2j+1, its gradient dy[g0 + j]), as Pooling's scalar loop
     * writes them: dx at the window's first maximum in the order r0[2j], r0[2j+1], r1[2j],
     * r1[2j+1] (its last NaN, for a window with one) is dy, the other three 0. Returns how many
     * windows it wrote, from 0 up to n; the caller writes the rest.
     */
    int max2x2BackwardRow(float[] x, int r0, int r1, float[] dy, int g0, float[] dx, int n);

    /** {@code y[yOff + i] = fma(a, x[xOff + i], y[yOff + i])} for i &lt; n. */
    void axpy(int n, float a, float[] x, int xOff, float[] y, int yOff);

    /** Dot product of a[aOff..aOff+n) and b[bOff..bOff+n), float32 lanes. */
    float dot(int n, float[] a, int aOff, float[] b, int bOff);

    /**
     * Sum over rows i &lt; rows of the dot products of a[aOff + i*aStride ..][0..n) and
     * b[bOff + i*bStride ..][0..n), in float32 lanes (a whole depthwise filter tap at once).
     */
    float dotRows(int rows, int n, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride);

    /** Sum of x[off..off+n) with float32 lanes combined in float64. */
    double sum(float[] x, int off, int n);

    /**
     * Centred sums of x[off..off+n): {@code out[0] = sum (x - shift)}, {@code out[1] = sum (x - shift)^2},
     * float32 lanes combined in float64.
     */
    void centeredSums(float[] x, int off, int n, float shift, double[] out);

    /** {@code y[off+i] = (x[off+i] - shift) * scale + bias} (one rounding for the difference, one fma). */
    void normalize(float[] x, float[] y, int off, int n, float shift, float scale, float bias);

    /**
     * {@code out[0] = sum dy}, {@code out[1] = sum dy * (x - shift)} over [off, off+n), float32 lanes
     * combined in float64.
     */
    void sumAndDot(float[] dy, float[] x, int off, int n, float shift, double[] out);

    /** {@code dx[off+i] = a * dy[off+i] + (b * (x[off+i] - shift) + c)}, with fmas. */
    void normalizeBackward(float[] dy, float[] x, float[] dx, int off, int n, float shift, float a, float b, float c);
}
