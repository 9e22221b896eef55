package io.jdnn;

import java.util.Arrays;
import java.util.Set;

/**
 * A batched matrix product with broadcasting batch dimensions, {@code torch.matmul} (and NumPy's
 * {@code matmul}) for operands of rank 2 or more: a (..., M, K) @ b (..., K, N) = y (..., M, N),
 * where the batch dimensions (all but the last two) broadcast by NumPy's rule: aligned at their
 * trailing ends, the shorter padded with leading 1s, each pair equal or one of them 1.
 *
 * <p>1-D operands are left to the caller, as {@code torch.matmul} defines them: a vector a (K)
 * is the matrix (1, K) whose row dimension is removed from the result, a vector b (K) the matrix
 * (K, 1) whose column dimension is removed; view the tensor with that shape, multiply, and view the
 * result without it.
 *
 * <p>Batch matrices are numbered row-major over the output's batch dimensions; {@link #aMatrix}
 * and {@link #bMatrix} name the matrix of each operand that output matrix reads.
 *
 * <p>Canonical string: {@code matmul_a=2x3x4_b=4x5}.
 *
 * @param a the left operand's shape (rank 2 to {@link #MAX_RANK})
 * @param b the right operand's shape (rank 2 to {@link #MAX_RANK})
 */
public record MatMulProblem(Shape a, Shape b) {

    /** The largest rank of a, b and the output that every backend takes. */
    public static final int MAX_RANK = 8;

    private static final Set<String> KEYS = Set.of("a", "b");

    /** Validates the ranks, the shared inner extent K and that the batch dimensions broadcast. */
    public MatMulProblem {
        Check.that(a != null, "a", "a shape", "null");
        Check.that(b != null, "b", "a shape", "null");
        Check.that(a.rank() >= 2 && a.rank() <= MAX_RANK, "a", "a rank from 2 to " + MAX_RANK + " (view a vector"
                + " as a matrix first)", a.rank() + " (" + a + ")");
        Check.that(b.rank() >= 2 && b.rank() <= MAX_RANK, "b", "a rank from 2 to " + MAX_RANK + " (view a vector"
                + " as a matrix first)", b.rank() + " (" + b + ")");
        Check.that(a.dim(a.rank() - 1) == b.dim(b.rank() - 2), "b",
                "a row count equal to a's column count " + a.dim(a.rank() - 1), b.dim(b.rank() - 2) + " (a=" + a
                        + ", b=" + b + ")");
        int rank = Math.max(a.rank(), b.rank()) - 2;
        int[] pa = paddedBatch(a, rank);
        int[] pb = paddedBatch(b, rank);
        for (int d = 0; d < rank; d++) {
            if (pa[d] != pb[d] && pa[d] != 1 && pb[d] != 1) {
                throw new IllegalArgumentException("b: expected batch dimensions that broadcast with a=" + a
                        + " (dimension " + (d - rank + b.rank() - 2) + " equal to " + pa[d] + " or 1), got " + b);
            }
        }
    }

    /** Rows of each product: a's second-to-last extent. */
    public int m() {
        return a.dim(a.rank() - 2);
    }

    /** The shared inner extent: a's last extent, b's second-to-last. */
    public int k() {
        return a.dim(a.rank() - 1);
    }

    /** Columns of each product: b's last extent. */
    public int n() {
        return b.dim(b.rank() - 1);
    }

    /** The output's batch extents: per dimension the larger of the padded operands' extents. */
    public int[] batchDims() {
        int rank = Math.max(a.rank(), b.rank()) - 2;
        int[] pa = paddedBatch(a, rank);
        int[] pb = paddedBatch(b, rank);
        int[] out = new int[rank];
        for (int d = 0; d < rank; d++) {
            out[d] = Math.max(pa[d], pb[d]);
        }
        return out;
    }

    /** a's batch extents padded with leading 1s to the output's batch rank. */
    public int[] paddedBatchA() {
        return paddedBatch(a, Math.max(a.rank(), b.rank()) - 2);
    }

    /** b's batch extents padded with leading 1s to the output's batch rank. */
    public int[] paddedBatchB() {
        return paddedBatch(b, Math.max(a.rank(), b.rank()) - 2);
    }

    /** The number of output matrices: the product of {@link #batchDims()} (1 for two matrices). */
    public long batchCount() {
        return product(batchDims());
    }

    /** The number of matrices a holds. */
    public long aBatchCount() {
        return product(paddedBatchA());
    }

    /** The number of matrices b holds. */
    public long bBatchCount() {
        return product(paddedBatchB());
    }

    /** The index of a's matrix that output matrix {@code outBatch} reads (0 where a is broadcast). */
    public long aMatrix(long outBatch) {
        return operandMatrix(paddedBatchA(), outBatch);
    }

    /** The index of b's matrix that output matrix {@code outBatch} reads (0 where b is broadcast). */
    public long bMatrix(long outBatch) {
        return operandMatrix(paddedBatchB(), outBatch);
    }

    private long operandMatrix(int[] padded, long outBatch) {
        int[] out = batchDims();
        long index = 0;
        long stride = 1;
        long rest = outBatch;
        for (int d = out.length - 1; d >= 0; d--) {
            long i = rest % out[d];
            rest /= out[d];
            if (padded[d] != 1) {
                index += i * stride;
            }
            stride *= padded[d];
        }
        return index;
    }

    /** The output's shape: the batch extents, then M and N. */
    public Shape outputShape() {
        int[] batch = batchDims();
        int[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = m();
        out[batch.length + 1] = n();
        return Shape.of(out);
    }

    /** Output elements. */
    public long elements() {
        return outputShape().elements();
    }

    /** Two operations (a multiply and an add) per term: 2 * batch * M * N * K. */
    public long flops() {
        return 2L * batchCount() * m() * n() * k();
    }

    /** The forward pass's minimal traffic: read a and b once, write the output, float32. */
    public long minimalBytes() {
        return a.bytes() + b.bytes() + outputShape().bytes();
    }

    private static int[] paddedBatch(Shape s, int rank) {
        int[] out = new int[rank];
        Arrays.fill(out, 1);
        int own = s.rank() - 2;
        for (int i = 0; i < own; i++) {
            out[rank - own + i] = s.dim(i);
        }
        return out;
    }

    private static long product(int[] dims) {
        long p = 1;
        for (int d : dims) {
            p *= d;
        }
        return p;
    }

    @Override
    public String toString() {
        return ProblemString.of("matmul").dims("a", a.dims()).dims("b", b.dims()).toString();
    }

    /** Reads the canonical string. */
    public static MatMulProblem parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("matmul").allowOnly(KEYS);
        return new MatMulProblem(Shape.of(s.requireDims("a")), Shape.of(s.requireDims("b")));
    }
}
