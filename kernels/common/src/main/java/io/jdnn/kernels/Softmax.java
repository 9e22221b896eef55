package io.jdnn.kernels;

import io.jdnn.spi.Buffer;

import java.util.function.UnaryOperator;

/**
 * The softmax and loss ops of a {@link KernelDevice} ({@code softmax.cl}): row-wise softmax and
 * log-softmax forward and backward, and softmax cross-entropy with label smoothing (its mean loss
 * and dlogits).
 * One work-group per row, up to the grid-stride cap.
 */
final class Softmax {
    private Softmax() {
    }

    static void forward(KernelDevice device, int rows, int cols, Buffer x, Buffer y) {
        perRow(device, "softmaxForward", "softmax_forward", rows, cols, l -> l.arg("x", x).arg("y", y));
    }

    static void backward(KernelDevice device, int rows, int cols, Buffer y, Buffer dy, Buffer dx) {
        perRow(device, "softmaxBackward", "softmax_backward", rows, cols,
                l -> l.arg("y", y).arg("dy", dy).arg("dx", dx));
    }

    static void logForward(KernelDevice device, int rows, int cols, Buffer x, Buffer y) {
        perRow(device, "logSoftmax", "softmax_log_forward", rows, cols, l -> l.arg("x", x).arg("y", y));
    }

    static void logBackward(KernelDevice device, int rows, int cols, Buffer y, Buffer dy, Buffer dx) {
        perRow(device, "logSoftmaxBackward", "softmax_log_backward", rows, cols,
                l -> l.arg("y", y).arg("dy", dy).arg("dx", dx));
    }

    /**
     * Launches a row kernel of softmax.cl taking rows, cols and then the buffers {@code buffers}
     * adds: SOFTMAX_WG work-items a group, one group per row up to the grid-stride cap.
     */
    private static void perRow(KernelDevice device, String op, String kernel, int rows, int cols,
                               UnaryOperator<KernelLaunch> buffers) {
        String problem = "rows=" + rows + " cols=" + cols;
        KernelDevice.Reduction rk = device.reduction(op, problem, "softmax.cl", kernel, "SOFTMAX_WG");
        buffers.apply(rk.launch().arg("rows", rows).arg("cols", cols))
                .groups(device.cappedGroups(rows), rk.localSize());
    }

    static void crossEntropy(KernelDevice device, int rows, int cols, int[] labels, double labelSmoothing,
                             Buffer logits, Buffer loss, Buffer dlogits) {
        String op = "softmaxCrossEntropy";
        String problem = "rows=" + rows + " cols=" + cols + " smoothing=" + labelSmoothing;
        Buffer labelBuf = device.workspace("softmaxCrossEntropy.labels", rows);
        Buffer rowLoss = device.workspace("softmaxCrossEntropy.rowLoss", rows);
        device.writeInts(labelBuf, labels, op);
        double off = labelSmoothing / cols;
        double on = 1.0 - labelSmoothing + off;
        double onComplement = labelSmoothing * (cols - 1) / cols; // 1 - on, without the cancellation
        KernelDevice.Reduction perRow = device.reduction(op, problem, "softmax.cl", "softmax_xent_rows", "SOFTMAX_WG");
        perRow.launch()
                .arg("rows", rows).arg("cols", cols).arg("labels", labelBuf).arg("on", (float) on)
                .arg("off", (float) off).arg("on_comp", (float) onComplement)
                .arg("logits", logits).arg("row_loss", rowLoss).arg("dlogits", dlogits)
                .groups(device.cappedGroups(rows), perRow.localSize());
        KernelDevice.Reduction mean = device.reduction(op, problem, "softmax.cl", "softmax_xent_mean", "SOFTMAX_WG");
        mean.launch()
                .arg("rows", rows).arg("row_loss", rowLoss).arg("loss", loss)
                .groups(1, mean.localSize());
    }
}
