package io.jdnn.cpu.fast;

import io.jdnn.GroupNormProblem;
import io.jdnn.LrnProblem;

import java.util.Arrays;

/**
 * Local response norm across channels and group norm (instance and layer norm arrive as group
 * norm) on float32 data with float64 accumulation. Every sum runs in a fixed order that depends on
 * the problem alone (one task owns a row, a channel plane or a channel's batch sum), so results are
 * bitwise identical for any thread count.
 *
 * <p>Group norm forward: one task per run of rows, each row's mean and variance in two float64
 * passes over its contiguous values, then y channel by channel. Backward: per row the two sums of
 * dx and dx itself; then one task per block of channels sums dweight and dbias over (n, i).
 *
 * <p>Local response norm: one task per (sample, channel) plane, the window's squares added plane by
 * plane in channel order into a float64 row. Backward first stores per element D^-beta and
 * dy * x * D^(-beta-1) (float32 scratch), then adds the second over each window.
 */
final class Norm {
    private Norm() {
    }

    /** Rows of group norm per task: about this many values. */
    private static final int VALUES_PER_TASK = 1 << 14;

    private static int rowsPerTask(GroupNormProblem p) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, VALUES_PER_TASK / p.groupSize()));
    }

    private static int tasks(int items, int perTask) {
        return (items + perTask - 1) / perTask;
    }

    static void groupNormForward(CpuDevice dev, GroupNormProblem p, float[] x, float[] weight, float[] bias,
                                 float[] y, float[] saveMean, float[] saveInvStd) {
        int hw = p.height() * p.width();
        int m = (int) p.groupSize();
        int rows = p.batch() * p.groups();
        int per = rowsPerTask(p);
        dev.parallel().forEach(tasks(rows, per), (task, worker) -> {
            for (int r = task * per; r < Math.min(rows, (task + 1) * per); r++) {
                int base = r * m;
                double sum = 0;
                for (int j = base; j < base + m; j++) {
                    sum += x[j];
                }
                double mean = sum / m;
                double sq = 0;
                for (int j = base; j < base + m; j++) {
                    double d = x[j] - mean;
                    sq += d * d;
                }
                double invstd = 1 / Math.sqrt(sq / m + p.eps());
                int c0 = r % p.groups() * p.channelsPerGroup();
                for (int cc = 0; cc < p.channelsPerGroup(); cc++) {
                    double scale = invstd * weight[c0 + cc];
                    double shift = bias[c0 + cc];
                    int off = base + cc * hw;
                    for (int j = off; j < off + hw; j++) {
                        y[j] = (float) ((x[j] - mean) * scale + shift);
                    }
                }
                saveMean[r] = (float) mean;
                saveInvStd[r] = (float) invstd;
            }
        });
    }

    static void groupNormBackward(CpuDevice dev, GroupNormProblem p, float[] x, float[] dy, float[] weight,
                                  float[] saveMean, float[] saveInvStd, float[] dx, float[] dweight, float[] dbias) {
        int hw = p.height() * p.width();
        int m = (int) p.groupSize();
        int rows = p.batch() * p.groups();
        int cpg = p.channelsPerGroup();
        int per = rowsPerTask(p);
        dev.parallel().forEach(tasks(rows, per), (task, worker) -> {
            for (int r = task * per; r < Math.min(rows, (task + 1) * per); r++) {
                int base = r * m;
                int c0 = r % p.groups() * cpg;
                double mean = saveMean[r];
                double invstd = saveInvStd[r];
                double sumG = 0;
                double sumGXhat = 0;
                for (int cc = 0; cc < cpg; cc++) {
                    double w = weight[c0 + cc];
                    int off = base + cc * hw;
                    for (int j = off; j < off + hw; j++) {
                        double g = dy[j] * w;
                        sumG += g;
                        sumGXhat += g * ((x[j] - mean) * invstd);
                    }
                }
                double meanG = sumG / m;
                double meanGXhat = sumGXhat / m;
                for (int cc = 0; cc < cpg; cc++) {
                    double w = weight[c0 + cc];
                    int off = base + cc * hw;
                    for (int j = off; j < off + hw; j++) {
                        double xhat = (x[j] - mean) * invstd;
                        dx[j] = (float) (invstd * (dy[j] * w - meanG - xhat * meanGXhat));
                    }
                }
            }
        });
        // dweight and dbias: each task a block of channels, every channel summed over (n, i) in that
        // order whatever the blocks are, so the thread count cannot change a bit; samples outermost,
        // so that with 1x1 images (layer norm) a block reads contiguous runs of each row.
        int channels = p.channels();
        int block = Math.max(1, (channels + 4 * dev.parallel().threads() - 1) / (4 * dev.parallel().threads()));
        dev.parallel().forEach(tasks(channels, block), (task, worker) -> {
            int from = task * block;
            int to = Math.min(channels, from + block);
            double[] acc = dev.workspace(worker).doubles(2 * (to - from));
            Arrays.fill(acc, 0, 2 * (to - from), 0);
            for (int n = 0; n < p.batch(); n++) {
                for (int c = from; c < to; c++) {
                    int r = n * p.groups() + c / cpg;
                    double mean = saveMean[r];
                    double invstd = saveInvStd[r];
                    int off = (n * channels + c) * hw;
                    double sw = acc[2 * (c - from)];
                    double sb = acc[2 * (c - from) + 1];
                    for (int j = off; j < off + hw; j++) {
                        sw += dy[j] * ((x[j] - mean) * invstd);
                        sb += dy[j];
                    }
                    acc[2 * (c - from)] = sw;
                    acc[2 * (c - from) + 1] = sb;
                }
            }
            for (int c = from; c < to; c++) {
                dweight[c] = (float) acc[2 * (c - from)];
                dbias[c] = (float) acc[2 * (c - from) + 1];
            }
        });
    }

    /**
     * The window's squares of plane {@code task} = n*C + c, in a worker's float64 row: acc[i] = sum of
     * x[n,c',i]^2 over the channels c' in [c - size/2, c + (size-1)/2] that exist, in channel order.
     */
    private static double[] windowSquares(CpuDevice dev, LrnProblem p, float[] x, int task, int worker) {
        int channels = p.channels();
        int hw = p.height() * p.width();
        int n = task / channels;
        int c = task % channels;
        double[] acc = dev.workspace(worker).doubles(hw);
        Arrays.fill(acc, 0, hw, 0);
        for (int c2 = Math.max(0, c - p.lowerReach()); c2 <= Math.min(channels - 1, c + p.upperReach()); c2++) {
            int off = (n * channels + c2) * hw;
            for (int i = 0; i < hw; i++) {
                double v = x[off + i];
                acc[i] += v * v;
            }
        }
        return acc;
    }

    /**
     * d^-beta. The betas networks use (0.75: AlexNet, GoogLeNet, Caffe's default; 0.5; 1) by correctly
     * rounded square roots and one division, within 3 ulps of double where Math.pow takes about ten
     * times as long; the float32 result is Math.pow's but for a rounding boundary in about 1e-8 of
     * cases. Other betas: Math.pow.
     */
    static double powNegative(double d, double beta) {
        if (beta == 0.75) {
            double s = Math.sqrt(d);
            return 1 / (s * Math.sqrt(s));
        }
        if (beta == 0.5) {
            return 1 / Math.sqrt(d);
        }
        if (beta == 1) {
            return 1 / d;
        }
        return Math.pow(d, -beta);
    }

    static void lrnForward(CpuDevice dev, LrnProblem p, float[] x, float[] y) {
        int channels = p.channels();
        int hw = p.height() * p.width();
        double scale = p.alpha() / p.size();
        dev.parallel().forEach(p.batch() * channels, (task, worker) -> {
            double[] acc = windowSquares(dev, p, x, task, worker);
            int off = task * hw;
            for (int i = 0; i < hw; i++) {
                y[off + i] = (float) (x[off + i] * powNegative(p.k() + scale * acc[i], p.beta()));
            }
        });
    }

    static void lrnBackward(CpuDevice dev, LrnProblem p, float[] x, float[] dy, float[] dx) {
        int channels = p.channels();
        int hw = p.height() * p.width();
        int total = p.batch() * channels * hw;
        double scale = p.alpha() / p.size();
        double factor = 2 * p.alpha() * p.beta() / p.size();
        float[] powBeta = dev.scratch(0, total); // D^-beta
        float[] weighted = dev.scratch(1, total); // dy * x * D^(-beta-1)
        dev.parallel().forEach(p.batch() * channels, (task, worker) -> {
            double[] acc = windowSquares(dev, p, x, task, worker);
            int off = task * hw;
            for (int i = 0; i < hw; i++) {
                double d = p.k() + scale * acc[i];
                double pb = powNegative(d, p.beta());
                powBeta[off + i] = (float) pb;
                weighted[off + i] = (float) (dy[off + i] * x[off + i] * pb / d);
            }
        });
        dev.parallel().forEach(p.batch() * channels, (task, worker) -> {
            int n = task / channels;
            int c = task % channels;
            double[] acc = dev.workspace(worker).doubles(hw);
            Arrays.fill(acc, 0, hw, 0);
            for (int c2 = Math.max(0, c - p.upperReach()); c2 <= Math.min(channels - 1, c + p.lowerReach()); c2++) {
                int off2 = (n * channels + c2) * hw;
                for (int i = 0; i < hw; i++) {
                    acc[i] += weighted[off2 + i];
                }
            }
            int off = task * hw;
            for (int i = 0; i < hw; i++) {
                dx[off + i] = (float) (dy[off + i] * (double) powBeta[off + i] - factor * x[off + i] * acc[i]);
            }
        });
    }
}
