package io.jdnn.opencl;

import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;
import io.jdnn.kernels.KernelConvAlgorithm;
import io.jdnn.kernels.KernelDevice;
import io.jdnn.spi.Buffer;

import java.util.Optional;

/**
 * The OpenCL-typed view of {@link KernelConvAlgorithm}: for an algorithm that only the OpenCL
 * backend runs (or a test's stand-in), written against {@link OpenClDevice} and {@link ClBuffer}.
 * Algorithms that every GPU backend runs implement {@link KernelConvAlgorithm} directly and are
 * registered in {@link io.jdnn.kernels.KernelConvAlgorithms#ALL}.
 */
interface OpenClConvAlgorithm extends KernelConvAlgorithm {

    /** Empty when this algorithm can run {@code direction} of {@code conv} on {@code device}; otherwise why not. */
    Optional<String> whyNot(OpenClDevice device, DirectConv conv, ConvDirection direction);

    /** y (n,k,p,q) = conv(x (n,c,h,w), w (k,c/g,r,s)) + bias (k); bias may be null. */
    void forward(OpenClDevice device, DirectConv conv, ClBuffer x, ClBuffer w, ClBuffer bias, ClBuffer y);

    /** dx (n,c,h,w) = backward-data(dy (n,k,p,q), w) + bias (c); bias may be null. */
    void backwardData(OpenClDevice device, DirectConv conv, ClBuffer dy, ClBuffer w, ClBuffer bias, ClBuffer dx);

    /** dw (k,c/g,r,s) = backward-filter(x, dy), overwritten. */
    void backwardFilter(OpenClDevice device, DirectConv conv, ClBuffer x, ClBuffer dy, ClBuffer dw);

    @Override
    default Optional<String> whyNot(KernelDevice device, DirectConv conv, ConvDirection direction) {
        return whyNot((OpenClDevice) device, conv, direction);
    }

    @Override
    default void forward(KernelDevice device, DirectConv conv, Buffer x, Buffer w, Buffer bias, Buffer y) {
        forward((OpenClDevice) device, conv, (ClBuffer) x, (ClBuffer) w, (ClBuffer) bias, (ClBuffer) y);
    }

    @Override
    default void backwardData(KernelDevice device, DirectConv conv, Buffer dy, Buffer w, Buffer bias, Buffer dx) {
        backwardData((OpenClDevice) device, conv, (ClBuffer) dy, (ClBuffer) w, (ClBuffer) bias, (ClBuffer) dx);
    }

    @Override
    default void backwardFilter(KernelDevice device, DirectConv conv, Buffer x, Buffer dy, Buffer dw) {
        backwardFilter((OpenClDevice) device, conv, (ClBuffer) x, (ClBuffer) dy, (ClBuffer) dw);
    }
}
