package io.jdnn.opencl;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;

import java.util.Optional;

/**
 * DIRECT ({@link io.jdnn.kernels.DirectConvAlgorithm}, the registered one) through the
 * OpenCL-typed {@link OpenClConvAlgorithm} view, for callers holding an {@link OpenClDevice}.
 */
final class DirectConvAlgorithm implements OpenClConvAlgorithm {
    private static final io.jdnn.kernels.DirectConvAlgorithm SHARED = new io.jdnn.kernels.DirectConvAlgorithm();

    @Override
    public ConvAlgorithm id() {
        return SHARED.id();
    }

    @Override
    public boolean deterministic() {
        return SHARED.deterministic();
    }

    @Override
    public Optional<String> whyNot(OpenClDevice device, DirectConv conv, ConvDirection direction) {
        return SHARED.whyNot(device, conv, direction);
    }

    @Override
    public void forward(OpenClDevice device, DirectConv conv, ClBuffer x, ClBuffer w, ClBuffer bias, ClBuffer y) {
        SHARED.forward(device, conv, x, w, bias, y);
    }

    @Override
    public void backwardData(OpenClDevice device, DirectConv conv, ClBuffer dy, ClBuffer w, ClBuffer bias,
                             ClBuffer dx) {
        SHARED.backwardData(device, conv, dy, w, bias, dx);
    }

    @Override
    public void backwardFilter(OpenClDevice device, DirectConv conv, ClBuffer x, ClBuffer dy, ClBuffer dw) {
        SHARED.backwardFilter(device, conv, x, dy, dw);
    }
}
