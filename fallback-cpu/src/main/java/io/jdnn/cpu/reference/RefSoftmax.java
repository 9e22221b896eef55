package io.jdnn.cpu.reference;

/** Row-wise softmax of a (rows, cols) matrix, its backward pass, and softmax cross-entropy. */
final class RefSoftmax {
    private RefSoftmax() {
    }

    // y (rows,cols) = exp(x - rowmax) / sum_j exp(x_j - rowmax), row by row
    static void forward(int rows, int cols, double[] x, double[] y) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            double max = rowMax(x, row, cols);
            double sum = sumExp(x, row, cols, max);
            for (int j = 0; j < cols; j++) {
                y[row + j] = Math.exp(x[row + j] - max) / sum;
            }
        }
    }

    // dx (rows,cols) = y * (dy - sum_j dy_j y_j), row by row; dx may be dy (the row sum is taken first)
    static void backward(int rows, int cols, double[] y, double[] dy, double[] dx) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            double dot = 0;
            for (int j = 0; j < cols; j++) {
                dot += dy[row + j] * y[row + j];
            }
            for (int j = 0; j < cols; j++) {
                dx[row + j] = y[row + j] * (dy[row + j] - dot);
            }
        }
    }

    // t = (1-s) onehot(label) + s/K; loss (1) = mean over rows of -sum_k t_k log softmax_k (logits (rows,K)),
    // dlogits (rows,K) = (softmax - t) / rows
    static void crossEntropy(int rows, int cols, int[] labels, double s, double[] logits, double[] loss,
                             double[] dlogits) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            double max = rowMax(logits, row, cols);
            double logSumExp = max + Math.log(sumExp(logits, row, cols, max));
            double sumLogP = 0;
            for (int j = 0; j < cols; j++) {
                sumLogP += logits[row + j] - logSumExp;
            }
            double logPLabel = logits[row + labels[r]] - logSumExp;
            total += -(1 - s) * logPLabel - s / cols * sumLogP;
            for (int j = 0; j < cols; j++) {
                double target = (j == labels[r] ? 1 - s : 0) + s / cols;
                dlogits[row + j] = (Math.exp(logits[row + j] - logSumExp) - target) / rows;
            }
        }
        loss[0] = total / rows;
    }

    /** The largest of x[row], ..., x[row + cols - 1]. */
    static double rowMax(double[] x, int row, int cols) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < cols; j++) {
            max = Math.max(max, x[row + j]);
        }
        return max;
    }

    /** sum_j exp(x[row + j] - max) over j &lt; cols. */
    static double sumExp(double[] x, int row, int cols, double max) {
        double sum = 0;
        for (int j = 0; j < cols; j++) {
            sum += Math.exp(x[row + j] - max);
        }
        return sum;
    }
}
