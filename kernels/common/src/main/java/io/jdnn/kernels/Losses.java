package io.jdnn.kernels;

import io.jdnn.Loss;
import io.jdnn.spi.Buffer;

/**
 * The loss ops of a {@link KernelDevice} ({@code losses.cl}): the negative log-likelihood and the
 * element-wise {@link Loss}es, each a sum of per-chunk partial sums that one work-group then adds
 * and divides into the mean (log-softmax is {@link Softmax}'s, beside softmax).
 */
final class Losses {
    private static final String SOURCE = "losses.cl";

    private Losses() {
    }

    static void nll(KernelDevice device, int rows, int cols, int[] labels, Buffer x, Buffer loss, Buffer dx) {
        String op = "nllLoss";
        String problem = "rows=" + rows + " cols=" + cols;
        Buffer labelBuf = device.workspace("nllLoss.labels", rows);
        device.writeInts(labelBuf, labels, op);
        KernelDevice.Reduction chunks = device.reduction(op, problem, SOURCE, "loss_nll_chunks", "LOSS_WG");
        long chunk = chunk(chunks.localSize());
        long parts = (rows + chunk - 1) / chunk;
        Buffer partial = device.workspace("nllLoss.partial", parts);
        chunks.launch()
                .arg("rows", rows).arg("cols", cols).arg("chunk", chunk).arg("labels", labelBuf).arg("x", x)
                .arg("partial", partial)
                .groups(device.cappedGroups(parts), chunks.localSize());
        device.launch(op, problem, SOURCE, "loss_nll_grad")
                .arg("rows", rows).arg("cols", cols).arg("g", (float) (-1.0 / rows)).arg("labels", labelBuf)
                .arg("dx", dx)
                .elements((long) rows * cols);
        mean(device, op, problem, parts, rows, partial, loss);
    }

    static void loss(KernelDevice device, Loss l, long n, Buffer x, Buffer target, Buffer loss, Buffer dx) {
        String op = "loss(" + l + ")";
        String problem = "n=" + n;
        KernelDevice.Reduction chunks = device.reduction(op, problem, SOURCE, "loss_ew_chunks", "LOSS_WG");
        long chunk = chunk(chunks.localSize());
        long parts = (n + chunk - 1) / chunk;
        Buffer partial = device.workspace("loss.partial", parts);
        chunks.launch()
                .arg("kind", kindCode(l.kind())).arg("n", n).arg("chunk", chunk).arg("beta", (float) l.beta())
                .arg("inv_n", (float) (1.0 / n)).arg("x", x).arg("target", target).arg("dx", dx)
                .arg("partial", partial)
                .groups(device.cappedGroups(parts), chunks.localSize());
        mean(device, op, problem, parts, n, partial, loss);
    }

    /** The LOSS_KIND_* constant of losses.cl for {@code kind}. */
    private static int kindCode(Loss.Kind kind) {
        return switch (kind) {
            case MSE -> 0;
            case L1 -> 1;
            case SMOOTH_L1 -> 2;
            case BCE_WITH_LOGITS -> 3;
        };
    }

    /** Values per chunk of a partial sum: the kernel's work-group size times {@code LOSS_ITEMS}. */
    private static long chunk(int localSize) {
        return (long) localSize * KernelSources.defaultInt(SOURCE, "LOSS_ITEMS");
    }

    /** loss[0] = the sum of {@code parts} partial sums divided by n, by one work-group. */
    private static void mean(KernelDevice device, String op, String problem, long parts, long n, Buffer partial,
                             Buffer loss) {
        KernelDevice.Reduction mean = device.reduction(op, problem, SOURCE, "loss_mean", "LOSS_WG");
        mean.launch()
                .arg("parts", parts).arg("n", n).arg("partial", partial).arg("loss", loss)
                .groups(1, mean.localSize());
    }
}
