package io.jdnn.cpu.fast;

import io.jdnn.Loss;

/**
 * Log-softmax and its backward pass (one task per block of rows, each row reduced in float64 in
 * index order), the negative log-likelihood, and the element-wise losses of {@link Loss}: each
 * loss summed in float64 over chunks of {@link #CHUNK} elements in parallel, then the chunks' sums
 * in chunk order, so the result does not depend on the thread count.
 */
final class Losses {
    /** Elements per partial sum of an element-wise loss: fixed, so the summation order is too. */
    static final int CHUNK = 8192;

    private Losses() {
    }

    static void logSoftmaxForward(CpuDevice dev, int rows, int cols, float[] x, float[] y) {
        Softmax.rows(dev, rows, r -> {
            int o = r * cols;
            float max = Softmax.rowMax(x, o, cols);
            double logSum = Math.log(Softmax.sumExp(x, o, cols, max));
            for (int j = 0; j < cols; j++) {
                y[o + j] = (float) (((double) x[o + j] - max) - logSum);
            }
        });
    }

    static void logSoftmaxBackward(CpuDevice dev, int rows, int cols, float[] y, float[] dy, float[] dx) {
        Softmax.rows(dev, rows, r -> {
            int o = r * cols;
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += dy[o + j];
            }
            for (int j = 0; j < cols; j++) {
                dx[o + j] = (float) (dy[o + j] - Math.exp(y[o + j]) * sum);
            }
        });
    }

    static void nll(CpuDevice dev, int rows, int cols, int[] labels, float[] x, float[] loss, float[] dx) {
        float g = (float) (-1.0 / rows);
        Softmax.rows(dev, rows, r -> {
            int o = r * cols;
            java.util.Arrays.fill(dx, o, o + cols, 0f);
            dx[o + labels[r]] = g;
        });
        double total = 0;
        for (int r = 0; r < rows; r++) {
            total -= x[r * cols + labels[r]];
        }
        loss[0] = (float) (total / rows);
    }

    static void loss(CpuDevice dev, Loss l, int n, float[] x, float[] t, float[] loss, float[] dx) {
        int chunks = (n + CHUNK - 1) / CHUNK;
        double[] partial = dev.scratchDoubles(chunks);
        double inv = 1.0 / n;
        int parts = Math.min(chunks, dev.parallel().threads() * 4);
        dev.parallel().forEach(parts, (part, worker) -> {
            int from = (int) Parallel.split(chunks, parts, part), to = (int) Parallel.split(chunks, parts, part + 1);
            for (int c = from; c < to; c++) {
                int end = Math.min(n, (c + 1) * CHUNK);
                partial[c] = switch (l.kind()) {
                    case MSE -> mse(c * CHUNK, end, x, t, inv, dx);
                    case L1 -> smoothL1(c * CHUNK, end, 0, x, t, inv, dx);
                    case SMOOTH_L1 -> smoothL1(c * CHUNK, end, l.beta(), x, t, inv, dx);
                    case BCE_WITH_LOGITS -> bceWithLogits(c * CHUNK, end, x, t, inv, dx);
                };
            }
        });
        double total = 0;
        for (int c = 0; c < chunks; c++) {
            total += partial[c];
        }
        loss[0] = (float) (total * inv);
    }

    private static double mse(int from, int to, float[] x, float[] t, double inv, float[] dx) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            double d = (double) x[i] - t[i];
            sum += d * d;
            dx[i] = (float) (2 * d * inv);
        }
        return sum;
    }

    /** Smooth L1 of the given beta; beta = 0 is L1 (no element has |d| &lt; 0). */
    private static double smoothL1(int from, int to, double beta, float[] x, float[] t, double inv, float[] dx) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            double d = (double) x[i] - t[i];
            double a = Math.abs(d);
            if (a < beta) {
                sum += 0.5 * d * d / beta;
                dx[i] = (float) (d / beta * inv);
            } else {
                sum += a - 0.5 * beta;
                dx[i] = (float) (Math.signum(d) * inv);
            }
        }
        return sum;
    }

    private static double bceWithLogits(int from, int to, float[] x, float[] t, double inv, float[] dx) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            double z = x[i];
            double e = Math.exp(-Math.abs(z));
            sum += Math.max(z, 0) - z * t[i] + Math.log1p(e);
            double sigmoid = z >= 0 ? 1 / (1 + e) : e / (1 + e);
            dx[i] = (float) ((sigmoid - t[i]) * inv);
        }
        return sum;
    }
}
