package io.jdnn.kernels;

import io.jdnn.spi.Buffer;

/**
 * The PReLU op of a {@link KernelDevice} ({@code prelu.cl}): the element-wise forward and data
 * gradient as 1-D grid-stride launches, the weight gradient as (channel, chunk) pair sums
 * combined per channel by reduce.cl's reduce_combine (deterministic, no atomics).
 */
final class Prelu {
    private Prelu() {
    }

    private static String problem(int outer, int channels, long inner) {
        return "prelu_n" + outer + "c" + channels + "inner" + inner;
    }

    static void forward(KernelDevice device, int outer, int channels, long inner, Buffer x, Buffer weight, Buffer y) {
        long n = (long) outer * channels * inner;
        device.launch("preluForward", problem(outer, channels, inner), "prelu.cl", "prelu_forward")
                .arg("n", n).arg("C", channels).arg("inner", inner)
                .arg("x", x).arg("weight", weight).arg("y", y)
                .elements(n);
    }

    /** dweight (pair sums, then their per-channel combination), then dx, which may alias x or dy. */
    static void backward(KernelDevice device, int outer, int channels, long inner, Buffer x, Buffer weight,
                         Buffer dy, Buffer dx, Buffer dweight) {
        String op = "preluBackward";
        String problem = problem(outer, channels, inner);
        KernelDevice.Reduction sums = device.reduction(op, problem, "prelu.cl", "prelu_chunk_wsum", "PRELU_WG");
        long chunk = (long) sums.localSize() * KernelSources.defaultInt("prelu.cl", "PRELU_ITEMS");
        long chunks = ((long) outer * inner + chunk - 1) / chunk;
        Buffer partial = chunks == 1 ? dweight : device.workspace("prelu.partial", channels * chunks);
        sums.launch()
                .arg("N", outer).arg("C", channels).arg("inner", inner).arg("chunks", chunks).arg("chunk", chunk)
                .arg("x", x).arg("dy", dy).arg("partial", partial)
                .groups(device.cappedGroups(channels * chunks), sums.localSize());
        if (chunks > 1) {
            KernelDevice.Reduction combine = device.reduction(op, problem, "reduce.cl", "reduce_combine", "REDUCE_WG");
            combine.launch()
                    .arg("C", channels).arg("chunks", chunks).arg("partial", partial).arg("out", dweight)
                    .groups(device.cappedGroups(channels), combine.localSize());
        }
        long n = (long) outer * channels * inner;
        device.launch(op, problem, "prelu.cl", "prelu_backward_data")
                .arg("n", n).arg("C", channels).arg("inner", inner)
                .arg("x", x).arg("weight", weight).arg("dy", dy).arg("dx", dx)
                .elements(n);
    }
}
