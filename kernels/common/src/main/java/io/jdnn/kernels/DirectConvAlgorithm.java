package io.jdnn.kernels;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;
import io.jdnn.spi.Buffer;

import java.util.Map;
import java.util.Optional;

/**
 * DIRECT: one work-item per element written, a straight loop over what it sums
 * ({@code conv_direct.cl}). Runs every problem and direction; gathers only, so deterministic.
 */
public final class DirectConvAlgorithm implements KernelConvAlgorithm {
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
    public void forward(KernelDevice device, DirectConv conv, Buffer x, Buffer w, Buffer bias, Buffer y) {
        shape(device.launch("convForward", conv.toString(), SOURCE, Map.of(), "conv_direct_forward"), conv)
                .arg(bias != null).arg(x).arg(w).arg(device.orPlaceholder(bias)).arg(y)
                .elements(conv.responseElements());
    }

    @Override
    public void backwardData(KernelDevice device, DirectConv conv, Buffer dy, Buffer w, Buffer bias, Buffer dx) {
        shape(device.launch("convBackwardData", conv.toString(), SOURCE, Map.of(), "conv_direct_backward_data"), conv)
                .arg(bias != null).arg(dy).arg(w).arg(device.orPlaceholder(bias)).arg(dx)
                .elements(conv.imageElements());
    }

    @Override
    public void backwardFilter(KernelDevice device, DirectConv conv, Buffer x, Buffer dy, Buffer dw) {
        shape(device.launch("convBackwardFilter", conv.toString(), SOURCE, Map.of(), "conv_direct_backward_filter"),
                conv)
                .arg(x).arg(dy).arg(dw)
                .elements(conv.weightElements());
    }

    /** The problem arguments every conv_direct kernel starts with, in its parameter order. */
    private static KernelLaunch shape(KernelLaunch l, DirectConv c) {
        return l.arg(c.n()).arg(c.c()).arg(c.h()).arg(c.w()).arg(c.k()).arg(c.p()).arg(c.q()).arg(c.r()).arg(c.s())
                .arg(c.strideH()).arg(c.strideW()).arg(c.padH()).arg(c.padW()).arg(c.dilationH()).arg(c.dilationW())
                .arg(c.groups());
    }
}
