package io.jdnn.cpu.fast;

/**
 * Row-wise softmax, its backward, and mean softmax cross-entropy with label smoothing: one task per
 * block of rows, each row reduced in float64 in index order.
 */
final class Softmax {
    private Softmax() {
    }

    /** Runs {@code row} for every row in [0, rows), blocks of rows in parallel. */
    static void rows(CpuDevice dev, int rows, java.util.function.IntConsumer row) {
        int parts = Math.min(rows, dev.parallel().threads() * 8);
        dev.parallel().forEach(parts, (part, worker) -> {
            int from = (int) Parallel.split(rows, parts, part), to = (int) Parallel.split(rows, parts, part + 1);
            for (int r = from; r < to; r++) {
                row.accept(r);
            }
        });
    }

    static void forward(CpuDevice dev, int rows, int cols, float[] x, float[] y) {
        rows(dev, rows, r -> {
            int o = r * cols;
            float max = rowMax(x, o, cols);
            double inv = 1 / sumExp(x, o, cols, max);
            for (int j = 0; j < cols; j++) {
                y[o + j] = (float) (Math.exp((double) x[o + j] - max) * inv);
            }
        });
    }

    /** The largest of x[o], ..., x[o + cols - 1]. */
    static float rowMax(float[] x, int o, int cols) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < cols; j++) {
            max = Math.max(max, x[o + j]);
        }
        return max;
    }

    /** sum_j exp(x[o + j] - max) over j &lt; cols, in float64 in index order. */
    static double sumExp(float[] x, int o, int cols, float max) {
        double sum = 0;
        for (int j = 0; j < cols; j++) {
            sum += Math.exp((double) x[o + j] - max);
        }
        return sum;
    }

    static void backward(CpuDevice dev, int rows, int cols, float[] y, float[] dy, float[] dx) {
        rows(dev, rows, r -> {
            int o = r * cols;
            double dot = 0;
            for (int j = 0; j < cols; j++) {
                dot += (double) dy[o + j] * y[o + j];
            }
            for (int j = 0; j < cols; j++) {
                dx[o + j] = (float) (y[o + j] * (dy[o + j] - dot));
            }
        });
    }

    static void crossEntropy(CpuDevice dev, int rows, int cols, int[] labels, double smoothing, float[] logits,
                             float[] loss, float[] dlogits) {
        double[] perRow = dev.scratchDoubles(rows);
        double off = smoothing / cols;
        double on = 1 - smoothing + off;
        rows(dev, rows, r -> {
            int o = r * cols;
            float max = rowMax(logits, o, cols);
            double sum = 0, sumX = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp((double) logits[o + j] - max);
                sumX += logits[o + j];
            }
            double lse = max + Math.log(sum);
            int label = labels[r];
            // -sum_k t_k (x_k - lse) with t = (1 - s) onehot + s / cols, sum_k t_k = 1
            perRow[r] = lse - (1 - smoothing) * logits[o + label] - off * sumX;
            double inv = 1 / sum;
            for (int j = 0; j < cols; j++) {
                double sm = Math.exp((double) logits[o + j] - max) * inv;
                double t = j == label ? on : off;
                dlogits[o + j] = (float) ((sm - t) / rows);
            }
        });
        double total = 0;
        for (int r = 0; r < rows; r++) {
            total += perRow[r];
        }
        loss[0] = (float) (total / rows);
    }
}
