package io.jdnn.cpu.reference;

import io.jdnn.Loss;

/**
 * Log-softmax and its backward pass, the negative log-likelihood, and the element-wise losses of
 * {@link Loss}, mean-reduced: plain float64 loops in PyTorch's definitions.
 */
final class RefLosses {
    private RefLosses() {
    }

    // y (rows,cols) = (x - max) - log(sum_j exp(x_j - max)), row by row (x - max first: exact for large x)
    static void logSoftmaxForward(int rows, int cols, double[] x, double[] y) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            double max = RefSoftmax.rowMax(x, row, cols);
            double logSum = Math.log(RefSoftmax.sumExp(x, row, cols, max));
            for (int j = 0; j < cols; j++) {
                y[row + j] = (x[row + j] - max) - logSum;
            }
        }
    }

    // dx (rows,cols) = dy - exp(y) * sum_j dy_j, row by row
    static void logSoftmaxBackward(int rows, int cols, double[] y, double[] dy, double[] dx) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += dy[row + j];
            }
            for (int j = 0; j < cols; j++) {
                dx[row + j] = dy[row + j] - Math.exp(y[row + j]) * sum;
            }
        }
    }

    // loss = -mean_r x[r][labels[r]]; dx = -1/rows at each label, 0 elsewhere
    static void nll(int rows, int cols, int[] labels, double[] x, double[] loss, double[] dx) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            total -= x[r * cols + labels[r]];
            for (int j = 0; j < cols; j++) {
                dx[r * cols + j] = j == labels[r] ? -1.0 / rows : 0;
            }
        }
        loss[0] = total / rows;
    }

    // loss = mean_i l(x_i, t_i), dx_i = l'(x_i, t_i) / n
    static void loss(Loss l, int n, double[] x, double[] t, double[] loss, double[] dx) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            double d = x[i] - t[i];
            double value;
            double grad;
            switch (l.kind()) {
                case MSE -> {
                    value = d * d;
                    grad = 2 * d;
                }
                case L1 -> {
                    value = Math.abs(d);
                    grad = Math.signum(d);
                }
                case SMOOTH_L1 -> {
                    double beta = l.beta();
                    if (Math.abs(d) < beta) {
                        value = 0.5 * d * d / beta;
                        grad = d / beta;
                    } else {
                        value = Math.abs(d) - 0.5 * beta;
                        grad = Math.signum(d);
                    }
                }
                default -> { // BCE_WITH_LOGITS
                    double z = x[i];
                    value = Math.max(z, 0) - z * t[i] + Math.log1p(Math.exp(-Math.abs(z)));
                    grad = 1 / (1 + Math.exp(-z)) - t[i];
                }
            }
            total += value;
            dx[i] = grad / n;
        }
        loss[0] = total / n;
    }
}
