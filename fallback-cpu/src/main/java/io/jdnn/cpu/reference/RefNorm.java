package io.jdnn.cpu.reference;

import io.jdnn.GroupNormProblem;
import io.jdnn.LrnProblem;

import java.util.Arrays;

/**
 * Local response norm across channels and group norm (instance and layer norm arrive as group
 * norm) over NCHW, PyTorch's semantics (see {@link LrnProblem} and {@link GroupNormProblem}).
 * Element i of channel c of sample n sits at {@code (n*C + c)*HW + i}; row r = n*G + g of group
 * norm is the contiguous block of (C/G)*HW values from {@code (n*C + g*C/G)*HW}.
 */
final class RefNorm {
    private RefNorm() {
    }

    // D[n,c,i] = k + alpha / size * sum_{c' in [c - size/2, c + (size-1)/2], 0 <= c' < C} x[n,c',i]^2
    private static double base(LrnProblem p, double[] x, int n, int c, int i) {
        int cC = p.channels();
        int hw = p.height() * p.width();
        double sum = 0;
        for (int c2 = Math.max(0, c - p.lowerReach()); c2 <= Math.min(cC - 1, c + p.upperReach()); c2++) {
            double v = x[(n * cC + c2) * hw + i];
            sum += v * v;
        }
        return p.k() + p.alpha() / p.size() * sum;
    }

    // y[n,c,i] = x[n,c,i] * D[n,c,i]^-beta
    static void lrnForward(LrnProblem p, double[] x, double[] y) {
        int cC = p.channels();
        int hw = p.height() * p.width();
        for (int n = 0; n < p.batch(); n++) {
            for (int c = 0; c < cC; c++) {
                for (int i = 0; i < hw; i++) {
                    int j = (n * cC + c) * hw + i;
                    y[j] = x[j] * Math.pow(base(p, x, n, c, i), -p.beta());
                }
            }
        }
    }

    // dx[c] = dy[c] D[c]^-beta - 2 alpha beta / size * x[c] * sum_{c': c in window(c')} dy[c'] x[c'] D[c']^(-beta-1),
    // window(c') holds c for c' in [c - (size-1)/2, c + size/2]
    static void lrnBackward(LrnProblem p, double[] x, double[] dy, double[] dx) {
        int cC = p.channels();
        int hw = p.height() * p.width();
        double beta = p.beta();
        double factor = 2 * p.alpha() * beta / p.size();
        for (int n = 0; n < p.batch(); n++) {
            for (int c = 0; c < cC; c++) {
                for (int i = 0; i < hw; i++) {
                    int j = (n * cC + c) * hw + i;
                    double sum = 0;
                    for (int c2 = Math.max(0, c - p.upperReach()); c2 <= Math.min(cC - 1, c + p.lowerReach()); c2++) {
                        int j2 = (n * cC + c2) * hw + i;
                        sum += dy[j2] * x[j2] * Math.pow(base(p, x, n, c2, i), -beta - 1);
                    }
                    dx[j] = dy[j] * Math.pow(base(p, x, n, c, i), -beta) - factor * x[j] * sum;
                }
            }
        }
    }

    // per row r = n*G + g of M = (C/G)*HW values: mean, var = mean of (x - mean)^2, invstd = 1/sqrt(var + eps)
    // saved; y = (x - mean) * invstd * weight[c] + bias[c]
    static void groupNormForward(GroupNormProblem p, double[] x, double[] weight, double[] bias, double[] y,
                                 double[] saveMean, double[] saveInvStd) {
        int hw = p.height() * p.width();
        int m = (int) p.groupSize();
        int rows = p.batch() * p.groups();
        for (int r = 0; r < rows; r++) {
            int base = r * m;
            double sum = 0;
            for (int j = 0; j < m; j++) {
                sum += x[base + j];
            }
            double mean = sum / m;
            double sq = 0;
            for (int j = 0; j < m; j++) {
                double d = x[base + j] - mean;
                sq += d * d;
            }
            double invstd = 1 / Math.sqrt(sq / m + p.eps());
            int c0 = r % p.groups() * p.channelsPerGroup();
            for (int j = 0; j < m; j++) {
                int c = c0 + j / hw;
                y[base + j] = (x[base + j] - mean) * invstd * weight[c] + bias[c];
            }
            saveMean[r] = mean;
            saveInvStd[r] = invstd;
        }
    }

    // xhat = (x - mean) * invstd, g = dy * weight[c]; per row of M values
    // dx = invstd * (g - sum(g) / M - xhat * sum(g * xhat) / M);
    // dweight[c] = sum_{n,i} dy * xhat, dbias[c] = sum_{n,i} dy
    static void groupNormBackward(GroupNormProblem p, double[] x, double[] dy, double[] weight, double[] saveMean,
                                  double[] saveInvStd, double[] dx, double[] dweight, double[] dbias) {
        int hw = p.height() * p.width();
        int m = (int) p.groupSize();
        int rows = p.batch() * p.groups();
        Arrays.fill(dweight, 0, p.channels(), 0);
        Arrays.fill(dbias, 0, p.channels(), 0);
        for (int r = 0; r < rows; r++) {
            int base = r * m;
            int c0 = r % p.groups() * p.channelsPerGroup();
            double mean = saveMean[r];
            double invstd = saveInvStd[r];
            double sumG = 0;
            double sumGXhat = 0;
            for (int j = 0; j < m; j++) {
                int c = c0 + j / hw;
                double xhat = (x[base + j] - mean) * invstd;
                double g = dy[base + j] * weight[c];
                sumG += g;
                sumGXhat += g * xhat;
                dweight[c] += dy[base + j] * xhat;
                dbias[c] += dy[base + j];
            }
            for (int j = 0; j < m; j++) {
                int c = c0 + j / hw;
                double xhat = (x[base + j] - mean) * invstd;
                double g = dy[base + j] * weight[c];
                dx[base + j] = invstd * (g - sumG / m - xhat * sumGXhat / m);
            }
        }
    }
}
