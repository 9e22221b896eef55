package io.jdnn.cpu.reference;

import io.jdnn.BatchNormProblem;

/**
 * Spatial batch normalization over NCHW, statistics per channel over the M = N*H*W values of that
 * channel; element i of channel c of image n sits at {@code (n*C + c)*H*W + i}. PyTorch's semantics
 * (see {@link BatchNormProblem}).
 */
final class RefBatchNorm {
    private RefBatchNorm() {
    }

    // y (n,c,h,w) = gamma (c) * (x - mean) * invstd + beta (c), mean and invstd = 1/sqrt(var_biased + eps) saved (c),
    // running_mean = (1-m) running_mean + m mean, running_var = (1-m) running_var + m var_biased * M/(M-1)
    static void train(BatchNormProblem p, double[] x, double[] gamma, double[] beta, double[] runningMean,
                      double[] runningVar, double[] y, double[] saveMean, double[] saveInvStd) {
        long m = p.reductionSize();
        if (m < 2) {
            // Device rejects this first; the guard keeps a direct SPI caller from dividing by M - 1 = 0.
            throw new IllegalArgumentException("batchNormTrain(" + p + "): expected more than one value per channel "
                    + "(batch * height * width > 1) in training mode, got " + m);
        }
        int nC = p.batch();
        int cC = p.channels();
        int hw = p.height() * p.width();
        double mom = p.momentum();
        for (int c = 0; c < cC; c++) {
            double sum = 0;
            for (int n = 0; n < nC; n++) {
                for (int i = 0; i < hw; i++) {
                    sum += x[(n * cC + c) * hw + i];
                }
            }
            double mean = sum / m;
            double sq = 0;
            for (int n = 0; n < nC; n++) {
                for (int i = 0; i < hw; i++) {
                    double d = x[(n * cC + c) * hw + i] - mean;
                    sq += d * d;
                }
            }
            double var = sq / m;
            double invstd = 1 / Math.sqrt(var + p.eps());
            double g = gamma[c];
            double b = beta[c];
            for (int n = 0; n < nC; n++) {
                for (int i = 0; i < hw; i++) {
                    int j = (n * cC + c) * hw + i;
                    y[j] = g * (x[j] - mean) * invstd + b;
                }
            }
            saveMean[c] = mean;
            saveInvStd[c] = invstd;
            runningMean[c] = (1 - mom) * runningMean[c] + mom * mean;
            runningVar[c] = (1 - mom) * runningVar[c] + mom * (sq / (m - 1));
        }
    }

    // y (n,c,h,w) = gamma (c) * (x - running_mean) / sqrt(running_var + eps) + beta (c); y may be x
    static void inference(BatchNormProblem p, double[] x, double[] gamma, double[] beta, double[] runningMean,
                          double[] runningVar, double[] y) {
        int nC = p.batch();
        int cC = p.channels();
        int hw = p.height() * p.width();
        for (int c = 0; c < cC; c++) {
            double g = gamma[c];
            double b = beta[c];
            double mean = runningMean[c];
            double invstd = 1 / Math.sqrt(runningVar[c] + p.eps());
            for (int n = 0; n < nC; n++) {
                for (int i = 0; i < hw; i++) {
                    int j = (n * cC + c) * hw + i;
                    y[j] = g * (x[j] - mean) * invstd + b;
                }
            }
        }
    }

    // xhat = (x - mean) * invstd; dgamma (c) = sum dy * xhat, dbeta (c) = sum dy,
    // dx (n,c,h,w) = gamma * invstd / M * (M dy - dbeta - xhat * dgamma)
    static void backward(BatchNormProblem p, double[] x, double[] dy, double[] gamma, double[] saveMean,
                         double[] saveInvStd, double[] dx, double[] dgamma, double[] dbeta) {
        long m = p.reductionSize();
        int nC = p.batch();
        int cC = p.channels();
        int hw = p.height() * p.width();
        for (int c = 0; c < cC; c++) {
            double g = gamma[c];
            double mean = saveMean[c];
            double invstd = saveInvStd[c];
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int n = 0; n < nC; n++) {
                for (int i = 0; i < hw; i++) {
                    int j = (n * cC + c) * hw + i;
                    sumDy += dy[j];
                    sumDyXhat += dy[j] * (x[j] - mean) * invstd;
                }
            }
            for (int n = 0; n < nC; n++) {
                for (int i = 0; i < hw; i++) {
                    int j = (n * cC + c) * hw + i;
                    double xhat = (x[j] - mean) * invstd;
                    dx[j] = g * invstd / m * (m * dy[j] - sumDy - xhat * sumDyXhat);
                }
            }
            dgamma[c] = sumDyXhat;
            dbeta[c] = sumDy;
        }
    }

    // invstd = 1/sqrt(running_var + eps): dx (n,c,h,w) = dy * gamma * invstd,
    // dgamma (c) = sum dy * (x - running_mean) * invstd, dbeta (c) = sum dy
    static void inferenceBackward(BatchNormProblem p, double[] x, double[] dy, double[] gamma, double[] runningMean,
                                  double[] runningVar, double[] dx, double[] dgamma, double[] dbeta) {
        int nC = p.batch();
        int cC = p.channels();
        int hw = p.height() * p.width();
        for (int c = 0; c < cC; c++) {
            double g = gamma[c];
            double mean = runningMean[c];
            double invstd = 1 / Math.sqrt(runningVar[c] + p.eps());
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int n = 0; n < nC; n++) {
                for (int i = 0; i < hw; i++) {
                    int j = (n * cC + c) * hw + i;
                    sumDy += dy[j];
                    sumDyXhat += dy[j] * (x[j] - mean) * invstd;
                    dx[j] = dy[j] * g * invstd;
                }
            }
            dgamma[c] = sumDyXhat;
            dbeta[c] = sumDy;
        }
    }
}
