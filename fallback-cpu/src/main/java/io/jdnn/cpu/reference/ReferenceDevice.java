package io.jdnn.cpu.reference;

import io.jdnn.Activation;
import io.jdnn.AlgorithmNotSupportedException;
import io.jdnn.BatchNormProblem;
import io.jdnn.BroadcastProblem;
import io.jdnn.CatProblem;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DeviceInfo;
import io.jdnn.DeviceOutOfMemoryException;
import io.jdnn.DirectConv;
import io.jdnn.GroupNormProblem;
import io.jdnn.LinearProblem;
import io.jdnn.Loss;
import io.jdnn.LrnProblem;
import io.jdnn.InterpolateProblem;
import io.jdnn.PadProblem;
import io.jdnn.PermuteProblem;
import io.jdnn.PixelShuffleProblem;
import io.jdnn.PoolProblem;
import io.jdnn.UnpoolProblem;
import io.jdnn.optim.Optimizer;
import io.jdnn.spi.Buffer;
import io.jdnn.spi.ConvSelector;
import io.jdnn.spi.DeviceBackend;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The reference device: tensors are heap {@code double[]} (float64, so that results can be checked
 * against PyTorch's float64 to 1e-9), every op is one plain loop per direction in the {@code Ref*}
 * classes, run synchronously on the calling thread. Convolutions run as {@link RefConvGemm}'s blocked
 * products (in parallel on the common fork-join pool, and still synchronous), which give bitwise
 * the results of {@link RefConv}'s loops, their definition. Float32 reads round to nearest, float32
 * writes widen exactly, {@link #readDouble} and {@link #writeDouble} move the stored values unchanged.
 *
 * <p>A new buffer is filled with NaN ("contents unspecified"), so that an op that leaves an element
 * unwritten shows up in any comparison instead of passing as a zero.
 */
final class ReferenceDevice implements DeviceBackend {
    /** The largest Java array HotSpot allocates. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    static final String WHY_NOT = "the reference backend implements each op once, as DIRECT";

    private final DeviceInfo info;

    ReferenceDevice(DeviceInfo info) {
        this.info = info;
    }

    private static double[] data(Buffer b) {
        return b == null ? null : ((RefBuffer) b).data;
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    // ---------------------------------------------------------------- memory

    @Override
    public Buffer allocate(long elements) {
        if (elements < 0 || elements > MAX_ELEMENTS) {
            throw new DeviceOutOfMemoryException("reference: cannot allocate " + elements + " float64 elements ("
                    + gib(elements) + " GiB): a Java array holds at most " + MAX_ELEMENTS + " elements");
        }
        double[] d;
        try {
            d = new double[(int) elements];
        } catch (OutOfMemoryError e) {
            Runtime rt = Runtime.getRuntime();
            throw new DeviceOutOfMemoryException("reference: cannot allocate " + elements + " float64 elements ("
                    + gib(elements) + " GiB): the Java heap is full (max " + gib(rt.maxMemory() / Double.BYTES)
                    + " GiB, " + gib((rt.totalMemory() - rt.freeMemory()) / Double.BYTES) + " GiB in use; raise -Xmx)", e);
        }
        Arrays.fill(d, Double.NaN);
        return new RefBuffer(d);
    }

    /** Size in GiB of {@code elements} float64 values, to three digits. */
    private static String gib(long elements) {
        return String.format(java.util.Locale.ROOT, "%.3g", elements * (double) Double.BYTES / (1L << 30));
    }

    /** A heap array: the garbage collector reclaims it once the Device drops its reference. */
    @Override
    public void free(Buffer buffer) {
        // nothing to release by hand
    }

    @Override
    public void write(Buffer dst, long dstOffset, float[] src, int srcOffset, int length) {
        double[] d = data(dst);
        for (int i = 0; i < length; i++) {
            d[(int) dstOffset + i] = src[srcOffset + i];
        }
    }

    @Override
    public void read(Buffer src, long srcOffset, float[] dst, int dstOffset, int length) {
        double[] s = data(src);
        for (int i = 0; i < length; i++) {
            dst[dstOffset + i] = (float) s[(int) srcOffset + i];
        }
    }

    @Override
    public void readDouble(Buffer src, long srcOffset, double[] dst, int dstOffset, int length) {
        System.arraycopy(data(src), (int) srcOffset, dst, dstOffset, length);
    }

    @Override
    public void writeDouble(Buffer dst, long dstOffset, double[] src, int srcOffset, int length) {
        System.arraycopy(src, srcOffset, data(dst), (int) dstOffset, length);
    }

    @Override
    public void fill(Buffer dst, long elements, double value) {
        Arrays.fill(data(dst), 0, (int) elements, value);
    }

    @Override
    public void copy(Buffer src, Buffer dst, long elements) {
        System.arraycopy(data(src), 0, data(dst), 0, (int) elements);
    }

    /** Every op has finished when it returns. */
    @Override
    public void synchronize() {
        // synchronous: nothing is pending
    }

    // ---------------------------------------------------------------- convolution

    @Override
    public List<ConvAlgorithm> algorithms() {
        return List.of(ConvAlgorithm.DIRECT);
    }

    @Override
    public Optional<String> whyNot(DirectConv conv, ConvDirection direction, ConvAlgorithm algorithm) {
        return algorithm == ConvAlgorithm.DIRECT ? Optional.empty() : Optional.of(WHY_NOT);
    }

    /** One algorithm, so AUTO never has two candidates to measure: the first stands. */
    @Override
    public ConvSelector convSelector() {
        return (conv, direction, candidates) -> candidates.get(0);
    }

    /** One plain loop per op (a convolution: a product whose every sum has the loop's order): always deterministic. */
    @Override
    public boolean isDeterministic(ConvAlgorithm algorithm) {
        return algorithm == ConvAlgorithm.DIRECT;
    }

    /** Device resolves and checks the algorithm first; this guards a direct SPI caller against a silent substitute. */
    private void requireDirect(DirectConv conv, ConvDirection direction, ConvAlgorithm algorithm) {
        if (algorithm != ConvAlgorithm.DIRECT) {
            throw new AlgorithmNotSupportedException(algorithm, direction, info.spec(), conv.toString(), WHY_NOT);
        }
    }

    @Override
    public void convForward(DirectConv conv, ConvAlgorithm algorithm, Buffer x, Buffer w, Buffer bias, Buffer y) {
        requireDirect(conv, ConvDirection.FORWARD, algorithm);
        RefConvGemm.forward(conv, data(x), data(w), data(bias), data(y));
    }

    @Override
    public void convBackwardData(DirectConv conv, ConvAlgorithm algorithm, Buffer dy, Buffer w, Buffer bias,
                                 Buffer dx) {
        requireDirect(conv, ConvDirection.BACKWARD_DATA, algorithm);
        RefConvGemm.backwardData(conv, data(dy), data(w), data(bias), data(dx));
    }

    @Override
    public void convBackwardFilter(DirectConv conv, ConvAlgorithm algorithm, Buffer x, Buffer dy, Buffer dw) {
        requireDirect(conv, ConvDirection.BACKWARD_FILTER, algorithm);
        RefConvGemm.backwardFilter(conv, data(x), data(dy), data(dw));
    }

    @Override
    public void channelSum(int n, int c, long inner, Buffer x, Buffer out) {
        RefConv.channelSum(n, c, inner, data(x), data(out));
    }

    // ---------------------------------------------------------------- pooling

    @Override
    public void poolForward(PoolProblem p, Buffer x, Buffer y) {
        RefPool.forward(p, data(x), data(y));
    }

    @Override
    public void poolBackward(PoolProblem p, Buffer x, Buffer dy, Buffer dx) {
        RefPool.backward(p, data(x), data(dy), data(dx));
    }

    @Override
    public void maxPoolWithIndices(PoolProblem p, Buffer x, Buffer y, Buffer indices) {
        RefPool.maxForward(p, data(x), data(y), data(indices));
    }

    @Override
    public void maxUnpool(UnpoolProblem p, Buffer x, Buffer indices, Buffer y) {
        RefPool.unpool(p, data(x), data(indices), data(y));
    }

    @Override
    public void maxUnpoolBackward(UnpoolProblem p, Buffer indices, Buffer dy, Buffer dx) {
        RefPool.unpoolBackward(p, data(indices), data(dy), data(dx));
    }

    // ---------------------------------------------------------------- batch norm

    @Override
    public void batchNormTrain(BatchNormProblem p, Buffer x, Buffer gamma, Buffer beta, Buffer runningMean,
                               Buffer runningVar, Buffer y, Buffer saveMean, Buffer saveInvStd) {
        RefBatchNorm.train(p, data(x), data(gamma), data(beta), data(runningMean), data(runningVar), data(y),
                data(saveMean), data(saveInvStd));
    }

    @Override
    public void batchNormInference(BatchNormProblem p, Buffer x, Buffer gamma, Buffer beta, Buffer runningMean,
                                   Buffer runningVar, Buffer y) {
        RefBatchNorm.inference(p, data(x), data(gamma), data(beta), data(runningMean), data(runningVar), data(y));
    }

    @Override
    public void batchNormBackward(BatchNormProblem p, Buffer x, Buffer dy, Buffer gamma, Buffer saveMean,
                                  Buffer saveInvStd, Buffer dx, Buffer dgamma, Buffer dbeta) {
        RefBatchNorm.backward(p, data(x), data(dy), data(gamma), data(saveMean), data(saveInvStd), data(dx),
                data(dgamma), data(dbeta));
    }

    @Override
    public void batchNormInferenceBackward(BatchNormProblem p, Buffer x, Buffer dy, Buffer gamma, Buffer runningMean,
                                           Buffer runningVar, Buffer dx, Buffer dgamma, Buffer dbeta) {
        RefBatchNorm.inferenceBackward(p, data(x), data(dy), data(gamma), data(runningMean), data(runningVar),
                data(dx), data(dgamma), data(dbeta));
    }

    // ---------------------------------------------------------------- element-wise

    @Override
    public void activationForward(Activation a, long n, Buffer x, Buffer y) {
        RefActivations.forward(a, (int) n, data(x), data(y));
    }

    @Override
    public void activationBackward(Activation a, long n, Buffer x, Buffer dy, Buffer dx) {
        RefActivations.backward(a, (int) n, data(x), data(dy), data(dx));
    }

    @Override
    public void axpby(long n, double alpha, Buffer a, double beta, Buffer b, Buffer out) {
        RefElementwise.axpby((int) n, alpha, data(a), beta, data(b), data(out));
    }

    @Override
    public void dropoutForward(long n, double p, long seed, long offset, Buffer x, Buffer y) {
        RefElementwise.dropoutForward((int) n, p, seed, offset, data(x), data(y));
    }

    @Override
    public void dropoutBackward(long n, double p, long seed, long offset, Buffer dy, Buffer dx) {
        RefElementwise.dropoutBackward((int) n, p, seed, offset, data(dy), data(dx));
    }

    @Override
    public void randomUniform(long n, double lo, double hi, long seed, long offset, Buffer out) {
        RefElementwise.randomUniform((int) n, lo, hi, seed, offset, data(out));
    }

    @Override
    public void randomNormal(long n, double mean, double std, long seed, long offset, Buffer out) {
        RefElementwise.randomNormal((int) n, mean, std, seed, offset, data(out));
    }

    // ---------------------------------------------------------------- softmax, loss, linear

    @Override
    public void softmaxForward(int rows, int cols, Buffer x, Buffer y) {
        RefSoftmax.forward(rows, cols, data(x), data(y));
    }

    @Override
    public void softmaxBackward(int rows, int cols, Buffer y, Buffer dy, Buffer dx) {
        RefSoftmax.backward(rows, cols, data(y), data(dy), data(dx));
    }

    @Override
    public void softmaxCrossEntropy(int rows, int cols, int[] labels, double labelSmoothing, Buffer logits,
                                    Buffer loss, Buffer dlogits) {
        RefSoftmax.crossEntropy(rows, cols, labels, labelSmoothing, data(logits), data(loss), data(dlogits));
    }

    @Override
    public void linearForward(LinearProblem p, Buffer x, Buffer w, Buffer bias, Buffer y) {
        RefLinear.forward(p, data(x), data(w), data(bias), data(y));
    }

    @Override
    public void linearBackwardData(LinearProblem p, Buffer dy, Buffer w, Buffer dx) {
        RefLinear.backwardData(p, data(dy), data(w), data(dx));
    }

    @Override
    public void linearBackwardWeight(LinearProblem p, Buffer x, Buffer dy, Buffer dw) {
        RefLinear.backwardWeight(p, data(x), data(dy), data(dw));
    }

    // ---------------------------------------------------------------- activations: relu6, hardswish, hardsigmoid, silu, mish, gelu, softplus, prelu

    @Override
    public void preluForward(int outer, int channels, long inner, Buffer x, Buffer weight, Buffer y) {
        RefPrelu.forward(outer, channels, inner, data(x), data(weight), data(y));
    }

    @Override
    public void preluBackward(int outer, int channels, long inner, Buffer x, Buffer weight, Buffer dy, Buffer dx,
                              Buffer dweight) {
        RefPrelu.backward(outer, channels, inner, data(x), data(weight), data(dy), data(dx), data(dweight));
    }

    // ---------------------------------------------------------------- normalization: local response, group, instance and layer norm

    @Override
    public void lrnForward(LrnProblem p, Buffer x, Buffer y) {
        RefNorm.lrnForward(p, data(x), data(y));
    }

    @Override
    public void lrnBackward(LrnProblem p, Buffer x, Buffer dy, Buffer dx) {
        RefNorm.lrnBackward(p, data(x), data(dy), data(dx));
    }

    @Override
    public void groupNormForward(GroupNormProblem p, Buffer x, Buffer weight, Buffer bias, Buffer y, Buffer saveMean,
                                 Buffer saveInvStd) {
        RefNorm.groupNormForward(p, data(x), data(weight), data(bias), data(y), data(saveMean), data(saveInvStd));
    }

    @Override
    public void groupNormBackward(GroupNormProblem p, Buffer x, Buffer dy, Buffer weight, Buffer saveMean,
                                  Buffer saveInvStd, Buffer dx, Buffer dweight, Buffer dbias) {
        RefNorm.groupNormBackward(p, data(x), data(dy), data(weight), data(saveMean), data(saveInvStd), data(dx),
                data(dweight), data(dbias));
    }

    // ---------------------------------------------------------------- losses: log-softmax, nll, mse, l1, smooth l1, binary cross-entropy with logits

    @Override
    public void logSoftmaxForward(int rows, int cols, Buffer x, Buffer y) {
        RefLosses.logSoftmaxForward(rows, cols, data(x), data(y));
    }

    @Override
    public void logSoftmaxBackward(int rows, int cols, Buffer y, Buffer dy, Buffer dx) {
        RefLosses.logSoftmaxBackward(rows, cols, data(y), data(dy), data(dx));
    }

    @Override
    public void nllLoss(int rows, int cols, int[] labels, Buffer x, Buffer loss, Buffer dx) {
        RefLosses.nll(rows, cols, labels, data(x), data(loss), data(dx));
    }

    @Override
    public void loss(Loss l, long n, Buffer x, Buffer target, Buffer loss, Buffer dx) {
        RefLosses.loss(l, (int) n, data(x), data(target), data(loss), data(dx));
    }

    // ---------------------------------------------------------------- tensor ops: cat and split, permute, broadcasting arithmetic

    private static double[][] data(Buffer[] bs) {
        double[][] out = new double[bs.length][];
        for (int i = 0; i < bs.length; i++) {
            out[i] = data(bs[i]);
        }
        return out;
    }

    @Override
    public void cat(CatProblem p, Buffer[] xs, Buffer y) {
        RefTensorFamily.cat(p, data(xs), data(y));
    }

    @Override
    public void split(CatProblem p, Buffer x, Buffer[] outs) {
        RefTensorFamily.split(p, data(x), data(outs));
    }

    @Override
    public void permute(PermuteProblem p, Buffer x, Buffer y) {
        RefTensorFamily.permute(p, data(x), data(y));
    }

    @Override
    public void binaryForward(BroadcastProblem p, Buffer a, Buffer b, Buffer y) {
        RefTensorFamily.forward(p, data(a), data(b), data(y));
    }

    @Override
    public void binaryBackward(BroadcastProblem p, Buffer a, Buffer b, Buffer dy, Buffer da, Buffer db) {
        RefTensorFamily.backward(p, data(a), data(b), data(dy), data(da), data(db));
    }

    // ---------------------------------------------------------------- resampling and padding: interpolate, pixel shuffle, pad

    @Override
    public void interpolate(InterpolateProblem p, Buffer x, Buffer y) {
        RefResample.interpolate(p, data(x), data(y));
    }

    @Override
    public void interpolateBackward(InterpolateProblem p, Buffer dy, Buffer dx) {
        RefResample.interpolateBackward(p, data(dy), data(dx));
    }

    @Override
    public void pixelShuffle(PixelShuffleProblem p, Buffer x, Buffer y) {
        RefResample.pixelShuffle(p, data(x), data(y));
    }

    @Override
    public void pad(PadProblem p, Buffer x, Buffer y) {
        RefResample.pad(p, data(x), data(y));
    }

    @Override
    public void padBackward(PadProblem p, Buffer dy, Buffer dx) {
        RefResample.padBackward(p, data(dy), data(dx));
    }

    // ---------------------------------------------------------------- optimizers

    @Override
    public void optimizerStep(Optimizer rule, long step, long n, Buffer param, Buffer grad, Buffer[] state) {
        double[][] s = new double[state.length][];
        for (int i = 0; i < state.length; i++) {
            s[i] = data(state[i]);
        }
        RefOptimizers.step(rule, step, (int) n, data(param), data(grad), s);
    }

    /** Heap buffers need no release; the Device frees each tensor before it calls this. */
    @Override
    public void close() {
        // nothing held outside the Java heap
    }
}
