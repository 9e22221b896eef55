package io.jdnn.kernels;

import io.jdnn.spi.Buffer;

import java.util.List;
import java.util.Map;

/**
 * One call of the tiled SGEMM of {@code gemm.cl}, row-major and batched:
 * {@code C_b = alpha * op(A_b) op(B_b) + beta * C_b (+ bias)} for b below the batch count. Set the
 * operands by name, then {@link #run}:
 *
 * <pre>
 *   Gemm.of(m, n, k)
 *       .a(x, 0, in, false)          // op(A) = A, A[m*lda + k]
 *       .b(w, 0, in, true)           // op(B) = B^T, B[n*ldb + k]
 *       .c(y, 0, out)
 *       .biasPerColumn(bias, 0)
 *       .run(device, "linearForward", problem);
 * </pre>
 *
 * Defaults: alpha 1, beta 0 (C is then never read), no bias, batch 1. Any M, N, K works; the
 * kernel guards every tile edge. C must not overlap A, B or the bias.
 */
public final class Gemm {
    /** The kernel source. */
    public static final String SOURCE = "gemm.cl";
    /** The kernel's name. */
    public static final String KERNEL = "gemm_f32";

    /**
     * A tile shape: the work-group computes tm x tn of C with (tn/wn) x (tm/wm) work-items, k slices of tk.
     *
     * @param tm rows of C per work-group
     * @param tn columns of C per work-group
     * @param tk depth of each k slice
     * @param wm rows of C per work-item
     * @param wn columns of C per work-item
     */
    public record Tiles(int tm, int tn, int tk, int wm, int wn) {
        /** Work-items along M: tm / wm, each computing wm rows. */
        public int threadsM() {
            return tm / wm;
        }

        /** Work-items along N: tn / wn, each computing wn columns. */
        public int threadsN() {
            return tn / wn;
        }

        /** Work-items per work-group: threadsM() * threadsN(). */
        public int threads() {
            return threadsM() * threadsN();
        }

        /** The defines that build gemm.cl for this shape. */
        public Map<String, Integer> defines() {
            return Map.of("GEMM_TM", tm, "GEMM_TN", tn, "GEMM_TK", tk, "GEMM_WM", wm, "GEMM_WN", wn);
        }
    }

    /**
     * Tile shapes from the preferred down; the first whose work-group the device can run is used.
     * The first is gemm.cl's default, the shape the CUDA build compiles.
     */
    public static final List<Tiles> TILES = List.of(
            new Tiles(64, 64, 16, 4, 4),   // 256 work-items, 16 outputs each
            new Tiles(32, 32, 16, 4, 4),   // 64 work-items
            new Tiles(16, 16, 16, 4, 4),   // 16 work-items
            new Tiles(4, 4, 4, 4, 4));     // 1 work-item

    private final int m;
    private final int n;
    private final int k;
    private Buffer a;
    private long offA;
    private long lda;
    private boolean transA;
    private Buffer b;
    private long offB;
    private long ldb;
    private boolean transB;
    private Buffer c;
    private long offC;
    private long ldc;
    private float alpha = 1f;
    private float beta = 0f;
    private int biasMode;
    private Buffer bias;
    private long offBias;
    private int batch = 1;
    private long strideA;
    private long strideB;
    private long strideC;

    private Gemm(int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm extents: expected m, n, k >= 0, got " + m + ", " + n + ", " + k);
        }
        this.m = m;
        this.n = n;
        this.k = k;
    }

    /** A GEMM of op(A) m x k times op(B) k x n into C m x n. */
    public static Gemm of(int m, int n, int k) {
        return new Gemm(m, n, k);
    }

    /** A: element (i, l) of op(A) is {@code A[off + i*ld + l]}, or {@code A[off + l*ld + i]} when transposed. */
    public Gemm a(Buffer buffer, long offset, long ld, boolean transposed) {
        this.a = buffer;
        this.offA = offset;
        this.lda = ld;
        this.transA = transposed;
        return this;
    }

    /** B: element (l, j) of op(B) is {@code B[off + l*ld + j]}, or {@code B[off + j*ld + l]} when transposed. */
    public Gemm b(Buffer buffer, long offset, long ld, boolean transposed) {
        this.b = buffer;
        this.offB = offset;
        this.ldb = ld;
        this.transB = transposed;
        return this;
    }

    /** C: element (i, j) is {@code C[off + i*ld + j]}. */
    public Gemm c(Buffer buffer, long offset, long ld) {
        this.c = buffer;
        this.offC = offset;
        this.ldc = ld;
        return this;
    }

    /** The scale of op(A) op(B) (default 1). */
    public Gemm alpha(float v) {
        this.alpha = v;
        return this;
    }

    /** beta 0 (the default) leaves C unread. */
    public Gemm beta(float v) {
        this.beta = v;
        return this;
    }

    /** Adds {@code bias[off + j]} to column j of every C_b. */
    public Gemm biasPerColumn(Buffer buffer, long offset) {
        this.biasMode = buffer == null ? 0 : 1;
        this.bias = buffer;
        this.offBias = offset;
        return this;
    }

    /** Adds {@code bias[off + i]} to row i of every C_b. */
    public Gemm biasPerRow(Buffer buffer, long offset) {
        this.biasMode = buffer == null ? 0 : 2;
        this.bias = buffer;
        this.offBias = offset;
        return this;
    }

    /** {@code count} GEMMs, the b-th with its operands {@code b*stride} elements further on. */
    public Gemm batch(int count, long strideA, long strideB, long strideC) {
        if (count < 0) {
            throw new IllegalArgumentException("gemm batch: expected a count >= 0, got " + count);
        }
        this.batch = count;
        this.strideA = strideA;
        this.strideB = strideB;
        this.strideC = strideC;
        return this;
    }

    /** Enqueues the GEMM; {@code op} and {@code problem} name it in errors. */
    public void run(KernelDevice device, String op, String problem) {
        if (a == null || b == null || c == null) {
            throw new IllegalStateException("gemm: operands A, B and C must all be set before run()");
        }
        if (m == 0 || n == 0 || batch == 0) {
            return;
        }
        Tiles t = device.gemmTiles(op, problem);
        long groupsN = (n + (long) t.tn() - 1) / t.tn();
        long groupsM = (m + (long) t.tm() - 1) / t.tm();
        device.launch(op, problem, SOURCE, t.defines(), KERNEL)
                .arg("M", m).arg("N", n).arg("K", k).arg("transA", transA).arg("transB", transB).arg("alpha", alpha)
                .arg("A", a).arg("offA", offA).arg("lda", lda).arg("strideA", strideA)
                .arg("B", b).arg("offB", offB).arg("ldb", ldb).arg("strideB", strideB)
                .arg("beta", beta).arg("C", c).arg("offC", offC).arg("ldc", ldc).arg("strideC", strideC)
                .arg("bias_mode", biasMode).arg("bias", device.orPlaceholder(bias)).arg("offBias", offBias)
                .run(new long[] {groupsN * t.threadsN(), groupsM * t.threadsM(), batch},
                        new long[] {t.threadsN(), t.threadsM(), 1});
    }
}
