package io.jdnn;

import java.util.Arrays;
import java.util.Set;

/**
 * A permutation of a tensor's dimensions ({@code Tensor.permute}), written out densely: output
 * dimension i is input dimension {@code dims[i]}. Its backward is the {@link #inverse} permutation.
 *
 * <p>Canonical string: {@code permute_x=2x3x4x5_dims=0x2x3x1}.
 */
public record PermuteProblem(Shape input, int[] dims) {

    private static final Set<String> KEYS = Set.of("x", "dims");

    /** Validates that dims is a permutation of the input's axes (rank at most BroadcastProblem.MAX_RANK); copies it. */
    public PermuteProblem {
        Check.that(input != null, "input", "a shape", "null");
        Check.that(dims != null, "dims", "a permutation", "null");
        dims = dims.clone();
        Check.that(dims.length == input.rank(), "dims", "a permutation of " + input.rank() + " axes (the input's rank)",
                Arrays.toString(dims));
        Check.that(input.rank() <= BroadcastProblem.MAX_RANK, "input", "a rank of at most " + BroadcastProblem.MAX_RANK,
                input.rank());
        boolean[] seen = new boolean[dims.length];
        for (int d : dims) {
            Check.that(d >= 0 && d < dims.length && !seen[d], "dims",
                    "a permutation of 0.." + (dims.length - 1) + " (each axis once)", Arrays.toString(dims));
            seen[d] = true;
        }
    }

    /** Output dimension i is input dimension {@code dims()[i]} (a copy). */
    @Override
    public int[] dims() {
        return dims.clone();
    }

    /** The output's shape: input extent {@code dims[i]} at position i. */
    public Shape outputShape() {
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = input.dim(dims[i]);
        }
        return Shape.of(out);
    }

    /** The permutation that undoes this one: the backward pass, from the output's shape back to the input's. */
    public PermuteProblem inverse() {
        int[] inv = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            inv[dims[i]] = i;
        }
        return new PermuteProblem(outputShape(), inv);
    }

    /** For each output dimension, the input's row-major element stride of the dimension it reads. */
    public long[] inputStrides() {
        long[] rowMajor = new long[dims.length];
        long s = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            rowMajor[d] = s;
            s *= input.dim(d);
        }
        long[] out = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = rowMajor[dims[i]];
        }
        return out;
    }

    /** Elements. */
    public long elements() {
        return input.elements();
    }

    /** Minimal traffic: every element read once and written once, float32. */
    public long minimalBytes() {
        return 2 * input.bytes();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PermuteProblem p && input.equals(p.input) && Arrays.equals(dims, p.dims);
    }

    @Override
    public int hashCode() {
        return 31 * input.hashCode() + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return ProblemString.of("permute").dims("x", input.dims()).dims("dims", dims).toString();
    }

    /** Reads the canonical string. */
    public static PermuteProblem parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("permute").allowOnly(KEYS);
        return new PermuteProblem(Shape.of(s.requireDims("x")), s.requireDims("dims"));
    }
}
