package io.jdnn.cpu.fast;

import io.jdnn.BatchNormProblem;

/**
 * Batch normalization. Every formula works on {@code x - mean} explicitly, never on a folded
 * {@code scale * x + shift}: folding turns the mean into a shift of magnitude
 * {@code |mean| * gamma / std}, whose float32 rounding dominates the result when {@code |mean| >> std}.
 *
 * <p><b>Statistics</b> (training): each plane of a channel is cut into blocks of {@link #BLOCK}
 * values. A block is read from memory once to get its float32 mean {@code k}, then re-read from L1
 * for {@code sum (x - k)} and {@code sum (x - k)^2}; the blocks' (count, mean, centred second
 * moment) are merged in block order in float64 with Chan's pairwise update, which stays exact
 * whatever the channel's mean is. Planes smaller than {@link #SMALL_PLANE} use two plain float64
 * passes over the channel instead. The output is {@code y = (x - mean_f) * scale + (beta - (mean -
 * mean_f) * scale)} with {@code mean_f} the float32 mean: the low part of the mean goes into the
 * bias, where its size is that of y.
 *
 * <p><b>Work split</b>: with many channels, one task per channel (its statistics pass pulls the
 * channel into the core's cache and the normalization finds it there: memory sees one read of x
 * and one write of y); with few channels, the blocks of every channel are split across tasks, the
 * per-block results stored, merged per channel, and the normalization split again. Either way
 * every block's numbers and the order of the merge are functions of the problem alone: bitwise
 * identical results for any thread count.
 */
final class BatchNorm {
    private BatchNorm() {
    }

    /** Values per statistics block: 16 KB, which stays in L1 between its two passes. */
    static final int BLOCK = 4096;
    /** Planes (H*W) below this many values take the plain float64 two-pass statistics. */
    static final int SMALL_PLANE = 256;
    /** One task per channel when there are at least this many channels per worker. */
    static final int CHANNELS_PER_WORKER = 4;

    /** The blocks of a channel: {@code blocksPerPlane} per plane, in plane order. */
    private record Layout(int batch, int channels, int hw, int blocksPerPlane) {
        static Layout of(BatchNormProblem p) {
            int hw = p.height() * p.width();
            return new Layout(p.batch(), p.channels(), hw, (hw + BLOCK - 1) / BLOCK);
        }

        int blocks() {
            return batch * blocksPerPlane;
        }

        int offset(int c, int b) {
            return (b / blocksPerPlane * channels + c) * hw + b % blocksPerPlane * BLOCK;
        }

        int length(int b) {
            return Math.min(BLOCK, hw - b % blocksPerPlane * BLOCK);
        }
    }

    static void train(CpuDevice dev, BatchNormProblem p, float[] x, float[] gamma, float[] beta, float[] runMean,
                      float[] runVar, float[] y, float[] saveMean, float[] saveInvStd) {
        Kernels kern = dev.kernels();
        long m = p.reductionSize();
        if (m < 2) {
            // PyTorch: "Expected more than 1 value per channel when training"; the unbiased variance divides by m-1.
            throw new IllegalArgumentException("batchNormTrain(" + p + "): expected more than 1 value per channel "
                    + "(batch * height * width > 1) in training mode, got " + m);
        }
        Layout l = Layout.of(p);
        int cc = p.channels();
        boolean small = l.hw() < SMALL_PLANE;
        // per-channel normalization parameters: shift (float32 mean), scale, bias
        float[] par = dev.scratch(1, 3 * cc);
        if (small || cc >= CHANNELS_PER_WORKER * dev.parallel().threads()) {
            double[] blockStats = small ? null : dev.scratchDoubles(3 * cc * l.blocks());
            dev.parallel().forEach(cc, (c, worker) -> {
                double[] tmp = dev.workspace(worker).doubles(2);
                if (small) {
                    smallStatistics(x, l, c, tmp);
                } else {
                    for (int b = 0; b < l.blocks(); b++) {
                        blockStatistics(kern, x, l, c, b, blockStats, tmp);
                    }
                    merge(blockStats, l, c, tmp);
                }
                finish(p, c, tmp[0], tmp[1], gamma, beta, runMean, runVar, saveMean, saveInvStd, par);
                normalizeChannel(kern, x, y, l, c, par);
            });
            return;
        }
        double[] blockStats = dev.scratchDoubles(3 * cc * l.blocks());
        int per = splits(dev, cc, l.blocks());
        dev.parallel().forEach(cc * per, (task, worker) -> {
            int c = task / per, part = task % per;
            double[] tmp = dev.workspace(worker).doubles(2);
            int from = (int) Parallel.split(l.blocks(), per, part), to = (int) Parallel.split(l.blocks(), per, part + 1);
            for (int b = from; b < to; b++) {
                blockStatistics(kern, x, l, c, b, blockStats, tmp);
            }
        });
        double[] tmp = new double[2];
        for (int c = 0; c < cc; c++) {
            merge(blockStats, l, c, tmp);
            finish(p, c, tmp[0], tmp[1], gamma, beta, runMean, runVar, saveMean, saveInvStd, par);
        }
        dev.parallel().forEach(cc * per, (task, worker) -> {
            int c = task / per, part = task % per;
            int from = (int) Parallel.split(l.blocks(), per, part), to = (int) Parallel.split(l.blocks(), per, part + 1);
            for (int b = from; b < to; b++) {
                kern.normalize(x, y, l.offset(c, b), l.length(b), par[3 * c], par[3 * c + 1], par[3 * c + 2]);
            }
        });
    }

    /** Tasks per channel when few channels share the workers: about four tasks per worker in all. */
    private static int splits(CpuDevice dev, int channels, int blocks) {
        int want = (CHANNELS_PER_WORKER * dev.parallel().threads() + channels - 1) / channels;
        return Math.max(1, Math.min(blocks, want));
    }

    /** (count, mean, centred second moment) of block b of channel c into stats[3*(c*blocks + b) ..]. */
    private static void blockStatistics(Kernels kern, float[] x, Layout l, int c, int b, double[] stats, double[] tmp) {
        int off = l.offset(c, b), len = l.length(b);
        float k = (float) (kern.sum(x, off, len) / len);
        kern.centeredSums(x, off, len, k, tmp);
        int o = 3 * (c * l.blocks() + b);
        stats[o] = len;
        stats[o + 1] = k + tmp[0] / len;
        stats[o + 2] = Math.max(0, tmp[1] - tmp[0] * tmp[0] / len);
    }

    /** Chan's merge of channel c's blocks in block order: out[0] = mean, out[1] = biased variance. */
    private static void merge(double[] stats, Layout l, int c, double[] out) {
        double n = 0, mean = 0, m2 = 0;
        for (int b = 0; b < l.blocks(); b++) {
            int o = 3 * (c * l.blocks() + b);
            double nb = stats[o], delta = stats[o + 1] - mean, nn = n + nb;
            mean += delta * (nb / nn);
            m2 += stats[o + 2] + delta * delta * (n * nb / nn);
            n = nn;
        }
        out[0] = mean;
        out[1] = m2 / n;
    }

    /** Mean and biased variance of channel c in two float64 passes (planes too small for blocks). */
    private static void smallStatistics(float[] x, Layout l, int c, double[] out) {
        int hw = l.hw();
        double s = 0;
        for (int n = 0; n < l.batch(); n++) {
            int off = (n * l.channels() + c) * hw;
            for (int i = off; i < off + hw; i++) {
                s += x[i];
            }
        }
        double m = (double) l.batch() * hw;
        double mean = s / m;
        double sq = 0;
        for (int n = 0; n < l.batch(); n++) {
            int off = (n * l.channels() + c) * hw;
            for (int i = off; i < off + hw; i++) {
                double d = x[i] - mean;
                sq += d * d;
            }
        }
        out[0] = mean;
        out[1] = sq / m;
    }

    /** Saved and running statistics of channel c, and its normalization parameters par[3c ..]. */
    private static void finish(BatchNormProblem p, int c, double mean, double var, float[] gamma, float[] beta,
                               float[] runMean, float[] runVar, float[] saveMean, float[] saveInvStd, float[] par) {
        long m = p.reductionSize();
        double invStd = 1 / Math.sqrt(var + p.eps());
        float meanF = (float) mean;
        saveMean[c] = meanF;
        saveInvStd[c] = (float) invStd;
        runMean[c] = (float) ((1 - p.momentum()) * runMean[c] + p.momentum() * mean);
        runVar[c] = (float) ((1 - p.momentum()) * runVar[c] + p.momentum() * (var * m / (m - 1)));
        double scale = gamma[c] * invStd;
        par[3 * c] = meanF;
        par[3 * c + 1] = (float) scale;
        par[3 * c + 2] = (float) (beta[c] - (mean - meanF) * scale);
    }

    private static void normalizeChannel(Kernels kern, float[] x, float[] y, Layout l, int c, float[] par) {
        for (int n = 0; n < l.batch(); n++) {
            kern.normalize(x, y, (n * l.channels() + c) * l.hw(), l.hw(), par[3 * c], par[3 * c + 1], par[3 * c + 2]);
        }
    }

    /** Element-wise given the running statistics; one task per plane; y may be x. */
    static void inference(CpuDevice dev, BatchNormProblem p, float[] x, float[] gamma, float[] beta, float[] runMean,
                          float[] runVar, float[] y) {
        Kernels kern = dev.kernels();
        int hw = p.height() * p.width();
        dev.parallel().forEach(p.batch() * p.channels(), (plane, worker) -> {
            int c = plane % p.channels();
            double scale = gamma[c] / Math.sqrt(runVar[c] + p.eps());
            kern.normalize(x, y, plane * hw, hw, runMean[c], (float) scale, beta[c]);
        });
    }

    /**
     * Training backward (from the saved statistics) or, with {@code inferenceMode}, inference
     * backward (from the running mean and {@code invStd} of the running variance):
     * dbeta = sum dy, dgamma = sum dy * (x - mean) * invStd, and
     * dx = a * dy + (b * (x - mean) + c) with a = gamma * invStd, b = -a * invStd * dgamma / M,
     * c = -a * dbeta / M (b = c = 0 in inference mode). Block sums are kept per block and added in
     * block order, so the split across tasks never changes a bit.
     */
    static void backward(CpuDevice dev, BatchNormProblem p, float[] x, float[] dy, float[] gamma, float[] mean,
                         float[] invStd, float[] dx, float[] dgamma, float[] dbeta, boolean inferenceMode) {
        Kernels kern = dev.kernels();
        Layout l = Layout.of(p);
        int cc = p.channels();
        long m = p.reductionSize();
        double[] sums = dev.scratchDoubles(2 * cc * l.blocks());
        float[] par = dev.scratch(1, 3 * cc);
        boolean perChannel = cc >= CHANNELS_PER_WORKER * dev.parallel().threads();
        int per = perChannel ? 1 : splits(dev, cc, l.blocks());
        dev.parallel().forEach(cc * per, (task, worker) -> {
            int c = task / per, part = task % per;
            double[] tmp = dev.workspace(worker).doubles(2);
            int from = (int) Parallel.split(l.blocks(), per, part), to = (int) Parallel.split(l.blocks(), per, part + 1);
            for (int b = from; b < to; b++) {
                kern.sumAndDot(dy, x, l.offset(c, b), l.length(b), mean[c], tmp);
                sums[2 * (c * l.blocks() + b)] = tmp[0];
                sums[2 * (c * l.blocks() + b) + 1] = tmp[1];
            }
            if (perChannel) {
                backwardParameters(c, l, m, sums, gamma, mean, invStd, dgamma, dbeta, inferenceMode, par);
                for (int b = 0; b < l.blocks(); b++) {
                    kern.normalizeBackward(dy, x, dx, l.offset(c, b), l.length(b), mean[c], par[3 * c],
                            par[3 * c + 1], par[3 * c + 2]);
                }
            }
        });
        if (perChannel) {
            return;
        }
        for (int c = 0; c < cc; c++) {
            backwardParameters(c, l, m, sums, gamma, mean, invStd, dgamma, dbeta, inferenceMode, par);
        }
        dev.parallel().forEach(cc * per, (task, worker) -> {
            int c = task / per, part = task % per;
            int from = (int) Parallel.split(l.blocks(), per, part), to = (int) Parallel.split(l.blocks(), per, part + 1);
            for (int b = from; b < to; b++) {
                kern.normalizeBackward(dy, x, dx, l.offset(c, b), l.length(b), mean[c], par[3 * c], par[3 * c + 1],
                        par[3 * c + 2]);
            }
        });
    }

    /** dgamma[c], dbeta[c] from the block sums in order; par[3c ..] = (a, b, c) of dx. */
    private static void backwardParameters(int c, Layout l, long m, double[] sums, float[] gamma, float[] mean,
                                           float[] invStd, float[] dgamma, float[] dbeta, boolean inferenceMode,
                                           float[] par) {
        double sdy = 0, sdyx = 0;
        for (int b = 0; b < l.blocks(); b++) {
            sdy += sums[2 * (c * l.blocks() + b)];
            sdyx += sums[2 * (c * l.blocks() + b) + 1];
        }
        double is = invStd[c];
        double dg = sdyx * is;
        dgamma[c] = (float) dg;
        dbeta[c] = (float) sdy;
        double a = gamma[c] * is;
        par[3 * c] = (float) a;
        par[3 * c + 1] = inferenceMode ? 0f : (float) (-a * is * dg / m);
        par[3 * c + 2] = inferenceMode ? 0f : (float) (-a * sdy / m);
    }
}
