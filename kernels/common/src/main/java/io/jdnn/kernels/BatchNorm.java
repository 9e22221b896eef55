package io.jdnn.kernels;

import io.jdnn.BatchNormProblem;
import io.jdnn.spi.Buffer;

/**
 * The batch-norm ops of a {@link KernelDevice} ({@code batchnorm.cl}): training, inference and
 * their backward passes, each channel's values cut into (channel, chunk) pairs whose partial sums
 * are then combined per channel.
 */
final class BatchNorm {
    private BatchNorm() {
    }

    /** The arguments the per-value batchnorm.cl kernels start with: N, C, HW, chunks. */
    private static KernelLaunch shape(KernelLaunch l, BatchNormProblem p, long chunks) {
        return l.arg("N", p.batch()).arg("C", p.channels()).arg("HW", (long) p.height() * p.width())
                .arg("chunks", chunks);
    }

    /**
     * Values of a channel per (channel, chunk) pair of batchnorm.cl: the statistics kernel's
     * work-group size times {@code BN_ITEMS}, the values each of its work-items holds.
     */
    private static long chunk(int localSize) {
        return (long) localSize * KernelSources.defaultInt("batchnorm.cl", "BN_ITEMS");
    }

    /** Chunks per channel: ceil(N*H*W / chunk). */
    private static long chunks(BatchNormProblem p, long chunk) {
        return (p.reductionSize() + chunk - 1) / chunk;
    }

    /** The partial sums of every (channel, chunk) pair: two floats each. */
    private static Buffer partials(KernelDevice device, BatchNormProblem p, long chunks) {
        return device.workspace("batchNorm.partial", 2L * p.channels() * chunks);
    }

    static void train(KernelDevice device, BatchNormProblem p, Buffer x, Buffer gamma, Buffer beta,
                      Buffer runningMean, Buffer runningVar, Buffer y, Buffer saveMean, Buffer saveInvStd) {
        String op = "batchNormTrain";
        String problem = p.toString();
        if (p.reductionSize() < 2) {
            // PyTorch: "Expected more than 1 value per channel when training"; the unbiased variance divides by M-1.
            throw new IllegalArgumentException("batchNormTrain(" + p + "): expected more than 1 value per channel "
                    + "(batch * height * width > 1) in training mode, got " + p.reductionSize());
        }
        KernelDevice.Reduction stats = device.reduction(op, problem, "batchnorm.cl", "bn_chunk_stats", "BN_WG");
        long chunk = chunk(stats.localSize());
        long chunks = chunks(p, chunk);
        long pairs = p.channels() * chunks;
        Buffer partial = partials(device, p, chunks);
        shape(stats.launch(), p, chunks)
                .arg("x", x).arg("partial", partial)
                .groups(device.cappedGroups(pairs), stats.localSize());
        KernelDevice.Reduction combine = device.reduction(op, problem, "batchnorm.cl", "bn_stats_combine", "BN_WG");
        shape(combine.launch(), p, chunks).arg("chunk", chunk)
                .arg("eps", (float) p.eps()).arg("momentum", (float) p.momentum())
                .arg("keep", (float) (1.0 - p.momentum()))
                .arg("partial", partial).arg("running_mean", runningMean).arg("running_var", runningVar)
                .arg("save_mean", saveMean).arg("save_invstd", saveInvStd)
                .groups(device.cappedGroups(p.channels()), combine.localSize());
        shape(device.launch(op, problem, "batchnorm.cl", "bn_normalize"), p, chunks).arg("chunk", chunk)
                .arg("x", x).arg("gamma", gamma).arg("beta", beta).arg("save_mean", saveMean)
                .arg("save_invstd", saveInvStd).arg("y", y)
                .groups(device.cappedGroups(pairs), device.elementwiseLocalSize());
    }

    static void inference(KernelDevice device, BatchNormProblem p, Buffer x, Buffer gamma, Buffer beta,
                          Buffer runningMean, Buffer runningVar, Buffer y) {
        long chunk = chunk(KernelSources.defaultInt("batchnorm.cl", "BN_WG"));
        long chunks = chunks(p, chunk);
        shape(device.launch("batchNormInference", p.toString(), "batchnorm.cl", "bn_inference"), p, chunks)
                .arg("chunk", chunk)
                .arg("eps", (float) p.eps())
                .arg("x", x).arg("gamma", gamma).arg("beta", beta)
                .arg("running_mean", runningMean).arg("running_var", runningVar).arg("y", y)
                .groups(device.cappedGroups(p.channels() * chunks), device.elementwiseLocalSize());
    }

    static void backward(KernelDevice device, BatchNormProblem p, Buffer x, Buffer dy, Buffer gamma,
                         Buffer saveMean, Buffer saveInvStd, Buffer dx, Buffer dgamma, Buffer dbeta) {
        String op = "batchNormBackward";
        String problem = p.toString();
        Pairs pairs = gradSums(device, op, problem, p, x, dy, saveMean, null, null, null);
        gradCombine(device, op, problem, p, pairs, saveInvStd, false, dgamma, dbeta);
        shape(device.launch(op, problem, "batchnorm.cl", "bn_backward_apply"), p, pairs.chunks())
                .arg("chunk", pairs.chunk())
                .arg("x", x).arg("dy", dy).arg("gamma", gamma).arg("save_mean", saveMean)
                .arg("save_invstd", saveInvStd).arg("dgamma", dgamma).arg("dbeta", dbeta).arg("dx", dx)
                .groups(device.cappedGroups(p.channels() * pairs.chunks()), device.elementwiseLocalSize());
    }

    static void inferenceBackward(KernelDevice device, BatchNormProblem p, Buffer x, Buffer dy, Buffer gamma,
                                  Buffer runningMean, Buffer runningVar, Buffer dx, Buffer dgamma, Buffer dbeta) {
        String op = "batchNormInferenceBackward";
        String problem = p.toString();
        Pairs pairs = gradSums(device, op, problem, p, x, dy, runningMean, gamma, runningVar, dx);
        gradCombine(device, op, problem, p, pairs, runningVar, true, dgamma, dbeta);
    }

    /** The (channel, chunk) pairs of one batch-norm call: values per chunk, chunks per channel, their partial sums. */
    private record Pairs(long chunk, long chunks, Buffer partial) {
    }

    /**
     * bn_chunk_grad_sums over every pair: sum dy and sum dy (x - mean) per pair; with {@code dx}
     * (inference backward) also dx = dy gamma / sqrt(var + eps), else gamma and var are unused (null).
     */
    private static Pairs gradSums(KernelDevice device, String op, String problem, BatchNormProblem p, Buffer x,
                                  Buffer dy, Buffer mean, Buffer gamma, Buffer var, Buffer dx) {
        KernelDevice.Reduction sums = device.reduction(op, problem, "batchnorm.cl", "bn_chunk_grad_sums", "BN_WG");
        long chunk = chunk(sums.localSize());
        long chunks = chunks(p, chunk);
        Buffer partial = partials(device, p, chunks);
        shape(sums.launch(), p, chunks).arg("chunk", chunk)
                .arg("x", x).arg("dy", dy).arg("mean_src", mean)
                .arg("write_dx", dx != null).arg("eps", (float) p.eps()).arg("gamma", device.orPlaceholder(gamma))
                .arg("var", device.orPlaceholder(var)).arg("dx", device.orPlaceholder(dx))
                .arg("partial", partial)
                .groups(device.cappedGroups(p.channels() * chunks), sums.localSize());
        return new Pairs(chunk, chunks, partial);
    }

    /** dbeta and dgamma from the pairs' gradient sums; invstd is the saved one or comes from the running variance. */
    private static void gradCombine(KernelDevice device, String op, String problem, BatchNormProblem p, Pairs pairs,
                                    Buffer invStdSource, boolean fromVariance, Buffer dgamma, Buffer dbeta) {
        KernelDevice.Reduction combine = device.reduction(op, problem, "batchnorm.cl", "bn_grad_combine", "BN_WG");
        combine.launch()
                .arg("C", p.channels()).arg("chunks", pairs.chunks()).arg("partial", pairs.partial())
                .arg("invstd_src", invStdSource).arg("invstd_from_var", fromVariance).arg("eps", (float) p.eps())
                .arg("dgamma", dgamma).arg("dbeta", dbeta)
                .groups(device.cappedGroups(p.channels()), combine.localSize());
    }
}
