package io.jdnn.kernels;

import io.jdnn.Activation;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;
import io.jdnn.spi.Buffer;

import java.util.Optional;

/**
 * DIRECT: one work-item per element written, a straight loop over what it sums
 * ({@code conv_direct.cl}). Runs every problem and direction; gathers only, so deterministic.
 */
public final class DirectConvAlgorithm implements EpilogueConvAlgorithm {
    /** The kernel source. */
    public static final String SOURCE = "conv_direct.cl";

    @Override
    public ConvAlgorithm id() {
        return ConvAlgorithm.DIRECT;
    }

    @Override
    public boolean deterministic() {
        return true;
    }

    @Override
    public Optional<String> whyNot(KernelDevice device, DirectConv conv, ConvDirection direction) {
        return Optional.empty();
    }

    @Override
    public void forward(KernelDevice device, DirectConv conv, Buffer x, Buffer w, Buffer bias, Activation activation,
                        Buffer y) {
        device.launch("convForward", conv.toString(), SOURCE, "conv_direct_forward").convShape(conv)
                .arg("has_bias", bias != null).epilogue(activation)
                .arg("x", x).arg("w", w).arg("bias", device.orPlaceholder(bias)).arg("y", y)
                .elements(conv.responseElements());
    }

    @Override
    public void backwardData(KernelDevice device, DirectConv conv, Buffer dy, Buffer w, Buffer bias, Buffer dx) {
        device.launch("convBackwardData", conv.toString(), SOURCE, "conv_direct_backward_data").convShape(conv)
                .arg("has_bias", bias != null).arg("dy", dy).arg("w", w).arg("bias", device.orPlaceholder(bias))
                .arg("dx", dx)
                .elements(conv.imageElements());
    }

    @Override
    public void backwardFilter(KernelDevice device, DirectConv conv, Buffer x, Buffer dy, Buffer dw) {
        device.launch("convBackwardFilter", conv.toString(), SOURCE, "conv_direct_backward_filter").convShape(conv)
                .arg("x", x).arg("dy", dy).arg("dw_out", dw)
                .elements(conv.weightElements());
    }
}
