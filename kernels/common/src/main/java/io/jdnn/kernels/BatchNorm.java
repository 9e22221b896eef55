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

    private static long spatial(BatchNormProblem p) {
        return (long) p.height() * p.width();
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
        stats.launch()
                .arg(p.batch()).arg(p.channels()).arg(spatial(p)).arg(chunks)
                .arg(x).arg(partial)
                .groups(device.cappedGroups(pairs), stats.localSize());
        KernelDevice.Reduction combine = device.reduction(op, problem, "batchnorm.cl", "bn_stats_combine", "BN_WG");
        combine.launch()
                .arg(p.batch()).arg(p.channels()).arg(spatial(p)).arg(chunks).arg(chunk)
                .arg((float) p.eps()).arg((float) p.momentum()).arg((float) (1.0 - p.momentum()))
                .arg(partial).arg(runningMean).arg(runningVar).arg(saveMean).arg(saveInvStd)
                .groups(device.cappedGroups(p.channels()), combine.localSize());
        device.launch(op, problem, "batchnorm.cl", "bn_normalize")
                .arg(p.batch()).arg(p.channels()).arg(spatial(p)).arg(chunks).arg(chunk)
                .arg(x).arg(gamma).arg(beta).arg(saveMean).arg(saveInvStd).arg(y)
                .groups(device.cappedGroups(pairs), device.elementwiseLocalSize());
    }

    static void inference(KernelDevice device, BatchNormProblem p, Buffer x, Buffer gamma, Buffer beta,
                          Buffer runningMean, Buffer runningVar, Buffer y) {
        long chunk = chunk(KernelSources.defaultInt("batchnorm.cl", "BN_WG"));
        long chunks = chunks(p, chunk);
        device.launch("batchNormInference", p.toString(), "batchnorm.cl", "bn_inference")
                .arg(p.batch()).arg(p.channels()).arg(spatial(p)).arg(chunks).arg(chunk).arg((float) p.eps())
                .arg(x).arg(gamma).arg(beta)
                .arg(runningMean).arg(runningVar).arg(y)
                .groups(device.cappedGroups(p.channels() * chunks), device.elementwiseLocalSize());
    }

    static void backward(KernelDevice device, BatchNormProblem p, Buffer x, Buffer dy, Buffer gamma,
                         Buffer saveMean, Buffer saveInvStd, Buffer dx, Buffer dgamma, Buffer dbeta) {
        String op = "batchNormBackward";
        String problem = p.toString();
        Pairs pairs = gradSums(device, op, problem, p, x, dy, saveMean, null, null, null);
        gradCombine(device, op, problem, p, pairs, saveInvStd, false, dgamma, dbeta);
        device.launch(op, problem, "batchnorm.cl", "bn_backward_apply")
                .arg(p.batch()).arg(p.channels()).arg(spatial(p)).arg(pairs.chunks()).arg(pairs.chunk())
                .arg(x).arg(dy).arg(gamma).arg(saveMean).arg(saveInvStd).arg(dgamma).arg(dbeta).arg(dx)
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
        sums.launch()
                .arg(p.batch()).arg(p.channels()).arg(spatial(p)).arg(chunks).arg(chunk)
                .arg(x).arg(dy).arg(mean)
                .arg(dx != null).arg((float) p.eps()).arg(device.orPlaceholder(gamma)).arg(device.orPlaceholder(var))
                .arg(device.orPlaceholder(dx))
                .arg(partial)
                .groups(device.cappedGroups(p.channels() * chunks), sums.localSize());
        return new Pairs(chunk, chunks, partial);
    }

    /** dbeta and dgamma from the pairs' gradient sums; invstd is the saved one or comes from the running variance. */
    private static void gradCombine(KernelDevice device, String op, String problem, BatchNormProblem p, Pairs pairs,
                                    Buffer invStdSource, boolean fromVariance, Buffer dgamma, Buffer dbeta) {
        KernelDevice.Reduction combine = device.reduction(op, problem, "batchnorm.cl", "bn_grad_combine", "BN_WG");
        combine.launch()
                .arg(p.channels()).arg(pairs.chunks()).arg(pairs.partial())
                .arg(invStdSource).arg(fromVariance).arg((float) p.eps())
                .arg(dgamma).arg(dbeta)
                .groups(device.cappedGroups(p.channels()), combine.localSize());
    }
}
