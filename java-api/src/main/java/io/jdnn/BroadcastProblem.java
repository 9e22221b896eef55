package io.jdnn;

import java.util.Arrays;

/**
 * One broadcasting binary op ({@link BinaryOp}) of inputs a and b, NumPy's rule: the shapes are
 * aligned at their trailing dimensions, the shorter one padded with leading 1s; in each dimension
 * the extents must be equal or one of them 1, and the output takes the larger.
 *
 * <p>Canonical string: {@code add_a=2x3x4x4_b=3x1x1}.
 */
public record BroadcastProblem(BinaryOp op, Shape a, Shape b) {

    /** The largest rank of a, b and the output that every backend takes. */
    public static final int MAX_RANK = 8;

    /** Validates the op, the ranks (at most {@link #MAX_RANK}) and that a and b broadcast together. */
    public BroadcastProblem {
        Check.that(op != null, "op", "a binary op", "null");
        Check.that(a != null, "a", "a shape", "null");
        Check.that(b != null, "b", "a shape", "null");
        Check.that(a.rank() <= MAX_RANK, "a", "a rank of at most " + MAX_RANK, a.rank());
        Check.that(b.rank() <= MAX_RANK, "b", "a rank of at most " + MAX_RANK, b.rank());
        int rank = Math.max(a.rank(), b.rank());
        int[] pa = padded(a, rank);
        int[] pb = padded(b, rank);
        for (int d = 0; d < rank; d++) {
            if (pa[d] != pb[d] && pa[d] != 1 && pb[d] != 1) {
                throw new IllegalArgumentException("b: expected a shape that broadcasts with a=" + a + " (dimension "
                        + (d - rank + b.rank()) + " equal to " + pa[d] + " or 1), got " + b);
            }
        }
    }

    /** The output's rank: the larger of the inputs' ranks. */
    public int rank() {
        return Math.max(a.rank(), b.rank());
    }

    /** The output's shape: per dimension the larger extent of the padded inputs. */
    public Shape outputShape() {
        int[] pa = paddedA();
        int[] pb = paddedB();
        int[] out = new int[pa.length];
        for (int d = 0; d < out.length; d++) {
            out[d] = Math.max(pa[d], pb[d]);
        }
        return Shape.of(out);
    }

    /** a's extents padded with leading 1s to the output's rank. */
    public int[] paddedA() {
        return padded(a, rank());
    }

    /** b's extents padded with leading 1s to the output's rank. */
    public int[] paddedB() {
        return padded(b, rank());
    }

    /** Output elements. */
    public long elements() {
        return outputShape().elements();
    }

    /** One operation per output element. */
    public long flops() {
        return elements();
    }

    /** The forward pass's minimal traffic: read a and b once, write the output, float32. */
    public long minimalBytes() {
        return a.bytes() + b.bytes() + outputShape().bytes();
    }

    /** The backward pass's minimal traffic: read a, b and dy once, write da and db, float32. */
    public long backwardMinimalBytes() {
        return 2 * (a.bytes() + b.bytes()) + outputShape().bytes();
    }

    /**
     * Element strides (row-major, in elements) of a tensor of extents {@code padded} as seen from
     * the output's index space: 0 in every dimension where it is broadcast (extent 1).
     */
    public static long[] broadcastStrides(int[] padded) {
        long[] strides = new long[padded.length];
        long s = 1;
        for (int d = padded.length - 1; d >= 0; d--) {
            strides[d] = padded[d] == 1 ? 0 : s;
            s *= padded[d];
        }
        return strides;
    }

    private static int[] padded(Shape s, int rank) {
        int[] out = new int[rank];
        Arrays.fill(out, 1);
        for (int i = 0; i < s.rank(); i++) {
            out[rank - s.rank() + i] = s.dim(i);
        }
        return out;
    }

    @Override
    public String toString() {
        return ProblemString.of(op.opName()).dims("a", a.dims()).dims("b", b.dims()).toString();
    }

    /** Reads the canonical string. */
    public static BroadcastProblem parse(String text) {
        ProblemString probe = ProblemString.parse(text);
        BinaryOp op = BinaryOp.fromName(probe.kind());
        ProblemString s = probe.allowOnly(java.util.Set.of("a", "b"));
        return new BroadcastProblem(op, Shape.of(s.requireDims("a")), Shape.of(s.requireDims("b")));
    }
}
