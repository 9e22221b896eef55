package io.jdnn.kernels;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;
import io.jdnn.spi.Buffer;
import io.jdnn.spi.ConvSelector;
import io.jdnn.spi.DeviceTimer;

import java.util.ArrayList;
import java.util.List;

/**
 * AUTO's measurement on the GPU backends: each candidate runs once to build and warm it, then once
 * timed with the device's timers (CUDA events, OpenCL profiling), on temporary buffers of the
 * problem's sizes filled with 0.5; the fastest wins, ties to the earlier in the registry's
 * preferred order. The temporaries are freed before it returns; when they do not fit, the
 * {@link io.jdnn.DeviceOutOfMemoryException} goes to the caller (which then runs the preferred
 * candidate without remembering it).
 */
final class KernelConvSelector implements ConvSelector {
    private final KernelDevice device;

    KernelConvSelector(KernelDevice device) {
        this.device = device;
    }

    @Override
    public ConvAlgorithm fastest(DirectConv conv, ConvDirection direction, List<ConvAlgorithm> candidates) {
        List<Buffer> temps = new ArrayList<>();
        try {
            Buffer image = temp(temps, conv.imageElements());
            Buffer weight = temp(temps, conv.weightElements());
            Buffer response = temp(temps, conv.responseElements());
            ConvAlgorithm best = null;
            double bestMs = Double.POSITIVE_INFINITY;
            for (ConvAlgorithm id : candidates) {
                KernelConvAlgorithm a = KernelConvAlgorithms.find(device.convAlgorithms(), id);
                run(a, conv, direction, image, weight, response);
                DeviceTimer t = device.startTimer();
                run(a, conv, direction, image, weight, response);
                double ms = t.stop();
                if (ms < bestMs) {
                    bestMs = ms;
                    best = id;
                }
            }
            return best;
        } finally {
            for (Buffer b : temps) {
                device.free(b);
            }
        }
    }

    private Buffer temp(List<Buffer> temps, long elements) {
        Buffer b = device.allocate(elements);
        temps.add(b);
        device.fill(b, elements, 0.5);
        return b;
    }

    private void run(KernelConvAlgorithm a, DirectConv conv, ConvDirection direction, Buffer image, Buffer weight,
                     Buffer response) {
        switch (direction) {
            case FORWARD -> a.forward(device, conv, image, weight, null, response);
            case BACKWARD_DATA -> a.backwardData(device, conv, response, weight, null, image);
            case BACKWARD_FILTER -> a.backwardFilter(device, conv, image, response, weight);
        }
    }
}
