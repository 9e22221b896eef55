package io.jdnn.kernels;

import io.jdnn.spi.Buffer;

/**
 * The second pass of a backward-filter whose reduction was cut into splits (IMPLICIT_GEMM,
 * DEPTHWISE, GROUPED, the tensor-core algorithms): each split wrote a whole dw of partial sums,
 * split after split, and {@code reduce.cl}'s {@code reduce_sum_splits} adds them in split order
 * (a fixed order: bitwise repeatable).
 */
public final class SplitSums {
    /** The kernel source. */
    public static final String SOURCE = "reduce.cl";
    /** The kernel's name. */
    public static final String KERNEL = "reduce_sum_splits";

    private SplitSums() {
    }

    /**
     * out[e] = the sum over sp &lt; splits, in order, of partial[sp*total + e] for e &lt; total:
     * one grid-stride launch.
     */
    public static void add(KernelDevice device, String op, String problem, long total, int splits, Buffer partial,
                           Buffer out) {
        device.launch(op, problem, SOURCE, KERNEL)
                .arg("total", total).arg("splits", splits).arg("partial", partial).arg("out", out)
                .elements(total);
    }
}
