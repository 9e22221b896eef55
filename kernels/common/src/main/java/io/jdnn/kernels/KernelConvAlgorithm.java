package io.jdnn.kernels;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;
import io.jdnn.spi.Buffer;

import java.util.Optional;

/**
 * One convolution algorithm of the GPU backends: stateless, it says which problems it can run
 * ({@link #whyNot}) and runs the three directions of a {@link DirectConv} on buffers of the sizes
 * the problem implies, through the primitives of {@link KernelDevice} only, so that it runs on
 * every backend built on that layer. Register an implementation in
 * {@link KernelConvAlgorithms#ALL} (every such backend), or in one backend's
 * {@link KernelDevice#convAlgorithms()} when its kernels exist for that backend only.
 *
 * <p>Contract of the run methods: the buffers are distinct (outputs never alias inputs), the
 * output is overwritten entirely (its prior contents, NaN included, must not leak into the
 * result), and work is issued through {@link KernelDevice#launch} (or {@link Gemm}) on the
 * device's in-order queue so that timers, errors and the program cache apply. Temporary storage
 * comes from {@link KernelDevice#workspace}. Kernel tuning defines: OpenCL builds any set, CUDA
 * only each source's defaults ({@link KernelSources#defaults}).
 */
public interface KernelConvAlgorithm {

    /** The algorithm's stable id. */
    ConvAlgorithm id();

    /** True when results are bitwise identical run after run (no floating-point atomics). */
    boolean deterministic();

    /** Empty when this algorithm can run {@code direction} of {@code conv} on {@code device}; otherwise why not. */
    Optional<String> whyNot(KernelDevice device, DirectConv conv, ConvDirection direction);

    /** y (n,k,p,q) = conv(x (n,c,h,w), w (k,c/g,r,s)) + bias (k); bias may be null. */
    void forward(KernelDevice device, DirectConv conv, Buffer x, Buffer w, Buffer bias, Buffer y);

    /** dx (n,c,h,w) = backward-data(dy (n,k,p,q), w) + bias (c); bias may be null. */
    void backwardData(KernelDevice device, DirectConv conv, Buffer dy, Buffer w, Buffer bias, Buffer dx);

    /** dw (k,c/g,r,s) = backward-filter(x, dy), overwritten. */
    void backwardFilter(KernelDevice device, DirectConv conv, Buffer x, Buffer dy, Buffer dw);
}
