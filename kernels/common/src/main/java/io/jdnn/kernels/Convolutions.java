package io.jdnn.kernels;

import io.jdnn.Activation;
import io.jdnn.AlgorithmNotSupportedException;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;
import io.jdnn.spi.Buffer;

import java.util.List;
import java.util.Optional;

/**
 * The convolution ops of a {@link KernelDevice}: each direction dispatched to the registered
 * algorithm {@link io.jdnn.Device} planned ({@link KernelDevice#convAlgorithms()}), and the
 * per-channel sums of bias gradients ({@code reduce.cl}).
 */
final class Convolutions {
    private Convolutions() {
    }

    static List<ConvAlgorithm> algorithms(KernelDevice device) {
        return KernelConvAlgorithms.ids(device.convAlgorithms());
    }

    /** What the algorithm's {@link KernelConvAlgorithm#deterministic()} declares; false for one not registered. */
    static boolean isDeterministic(KernelDevice device, ConvAlgorithm algorithm) {
        KernelConvAlgorithm a = KernelConvAlgorithms.find(device.convAlgorithms(), algorithm);
        return a != null && a.deterministic();
    }

    static Optional<String> whyNot(KernelDevice device, DirectConv conv, ConvDirection direction,
                                   ConvAlgorithm algorithm) {
        KernelConvAlgorithm a = KernelConvAlgorithms.find(device.convAlgorithms(), algorithm);
        if (a == null) {
            return Optional.of(algorithm + " is not implemented by the " + device.info().backend()
                    + " backend (it implements " + algorithms(device) + ")");
        }
        return a.whyNot(device, conv, direction);
    }

    /** The registered algorithm {@code id}, which {@link io.jdnn.Device} has planned (checked with whyNot). */
    private static KernelConvAlgorithm algorithm(KernelDevice device, DirectConv conv, ConvDirection direction,
                                                 ConvAlgorithm id) {
        KernelConvAlgorithm a = KernelConvAlgorithms.find(device.convAlgorithms(), id);
        if (a == null) {
            throw new AlgorithmNotSupportedException(id, direction, device.info().spec(), conv.toString(),
                    whyNot(device, conv, direction, id).orElse("not registered"));
        }
        return a;
    }

    static void forward(KernelDevice device, DirectConv conv, ConvAlgorithm algorithm, Buffer x, Buffer w,
                        Buffer bias, Buffer y) {
        algorithm(device, conv, ConvDirection.FORWARD, algorithm)
                .forward(device, conv, x, w, bias, y);
    }

    /** True when {@code algorithm}'s forward kernel applies an activation in its store (an {@link EpilogueConvAlgorithm}). */
    static boolean fusesActivation(KernelDevice device, ConvAlgorithm algorithm) {
        return KernelConvAlgorithms.find(device.convAlgorithms(), algorithm) instanceof EpilogueConvAlgorithm;
    }

    /** The forward pass with the activation fused into the kernel's store; only where {@link #fusesActivation}. */
    static void forward(KernelDevice device, DirectConv conv, ConvAlgorithm algorithm, Buffer x, Buffer w,
                        Buffer bias, Activation activation, Buffer y) {
        ((EpilogueConvAlgorithm) algorithm(device, conv, ConvDirection.FORWARD, algorithm))
                .forward(device, conv, x, w, bias, activation, y);
    }

    static void backwardData(KernelDevice device, DirectConv conv, ConvAlgorithm algorithm, Buffer dy, Buffer w,
                             Buffer bias, Buffer dx) {
        algorithm(device, conv, ConvDirection.BACKWARD_DATA, algorithm)
                .backwardData(device, conv, dy, w, bias, dx);
    }

    static void backwardFilter(KernelDevice device, DirectConv conv, ConvAlgorithm algorithm, Buffer x, Buffer dy,
                               Buffer dw) {
        algorithm(device, conv, ConvDirection.BACKWARD_FILTER, algorithm)
                .backwardFilter(device, conv, x, dy, dw);
    }

    /** out[c] = the sum of x (n, c, inner) over n and inner: reduce.cl's chunk sums, then their combination. */
    static void channelSum(KernelDevice device, int n, int c, long inner, Buffer x, Buffer out) {
        String problem = "n=" + n + " c=" + c + " inner=" + inner;
        long chunk = KernelSources.defaultInt("reduce.cl", "REDUCE_CHUNK");
        long chunks = ((long) n * inner + chunk - 1) / chunk;
        Buffer partial = chunks == 1 ? out : device.workspace("channelSum.partial", c * chunks);
        KernelDevice.Reduction sums = device.reduction("channelSum", problem, "reduce.cl", "reduce_chunk_sums",
                "REDUCE_WG");
        sums.launch()
                .arg("N", n).arg("C", c).arg("inner", inner).arg("chunks", chunks).arg("chunk", chunk)
                .arg("x", x).arg("partial", partial)
                .groups(device.cappedGroups(c * chunks), sums.localSize());
        if (chunks > 1) {
            KernelDevice.Reduction combine = device.reduction("channelSum", problem, "reduce.cl", "reduce_combine",
                    "REDUCE_WG");
            combine.launch()
                    .arg("C", c).arg("chunks", chunks).arg("partial", partial).arg("out", out)
                    .groups(device.cappedGroups(c), combine.localSize());
        }
    }
}
