package io.jdnn.cpu.fast;

import io.jdnn.Activation;
import io.jdnn.BatchNormProblem;
import io.jdnn.BroadcastProblem;
import io.jdnn.CatProblem;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DeviceInfo;
import io.jdnn.DeviceOptions;
import io.jdnn.DeviceOutOfMemoryException;
import io.jdnn.DirectConv;
import io.jdnn.GroupNormProblem;
import io.jdnn.LinearProblem;
import io.jdnn.Loss;
import io.jdnn.LrnProblem;
import io.jdnn.MatMulProblem;
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
 * The fast CPU device: float32 tensors in heap arrays, every op synchronous and split across the
 * shared worker pool, per-worker workspaces and per-device scratch that grow once and are reused.
 * Every op is deterministic: results are bitwise identical run after run and for any thread count
 * (see {@link Parallel}); in deterministic mode AUTO also picks its algorithm by a fixed rule
 * instead of by timing.
 */
final class CpuDevice implements DeviceBackend {
    /** Largest Java array: the limit of one tensor. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private final DeviceInfo info;
    private final DeviceOptions options;
    private final Kernels kernels;
    private final Parallel parallel;
    private final Workspace[] workspaces;
    private final float[][] scratch = new float[3][0];
    private double[] scratchDoubles = new double[0];

    CpuDevice(DeviceInfo info, DeviceOptions options, Kernels kernels) {
        this(info, options, kernels, Parallel.shared());
    }

    /** A device on its own pool (tests: the same ops at several thread counts). */
    CpuDevice(DeviceInfo info, DeviceOptions options, Kernels kernels, Parallel parallel) {
        this.parallel = parallel;
        this.info = info;
        this.options = options;
        this.kernels = kernels;
        this.workspaces = new Workspace[parallel.threads()];
        for (int i = 0; i < workspaces.length; i++) {
            workspaces[i] = new Workspace();
        }
    }

    Kernels kernels() {
        return kernels;
    }

    Parallel parallel() {
        return parallel;
    }

    Workspace workspace(int worker) {
        return workspaces[worker];
    }

    /** Device-level scratch slot (0, 1 or 2) of at least {@code n} floats, contents unspecified. */
    float[] scratch(int slot, int n) {
        if (scratch[slot].length < n) {
            scratch[slot] = new float[n];
        }
        return scratch[slot];
    }

    double[] scratchDoubles(int n) {
        if (scratchDoubles.length < n) {
            scratchDoubles = new double[n];
        }
        return scratchDoubles;
    }

    /** The array of a buffer the op may write (or only reads, where no pack depends on it): bumps its version. */
    private static float[] f(Buffer b) {
        return ((CpuBuffer) b).write();
    }

    /** The array of a buffer the op only reads: its packs stay valid. */
    private static float[] r(Buffer b) {
        return ((CpuBuffer) b).read();
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    // ---------------------------------------------------------------- memory

    @Override
    public Buffer allocate(long elements) {
        if (elements < 0 || elements > MAX_ELEMENTS) {
            throw new DeviceOutOfMemoryException("cpu: a tensor of " + elements + " elements exceeds the limit of "
                    + MAX_ELEMENTS + " (2^31-9) elements of one Java float[]");
        }
        try {
            return new CpuBuffer(new float[(int) elements]);
        } catch (OutOfMemoryError e) {
            throw new DeviceOutOfMemoryException("cpu: allocating " + elements + " floats (" + elements * 4
                    + " bytes) failed: the Java heap (-Xmx, max " + Runtime.getRuntime().maxMemory() + " bytes) is full", e);
        }
    }

    @Override
    public void free(Buffer buffer) {
        // Heap storage: the garbage collector reclaims the array once the Device drops the buffer.
    }

    @Override
    public void write(Buffer dst, long dstOffset, float[] src, int srcOffset, int length) {
        System.arraycopy(src, srcOffset, f(dst), (int) dstOffset, length);
    }

    @Override
    public void read(Buffer src, long srcOffset, float[] dst, int dstOffset, int length) {
        System.arraycopy(r(src), (int) srcOffset, dst, dstOffset, length);
    }

    @Override
    public void fill(Buffer dst, long elements, double value) {
        float v = (float) value;
        float[] d = f(dst);
        Elementwise.chunks(this, elements, (from, to) -> Arrays.fill(d, from, to, v));
    }

    @Override
    public void copy(Buffer src, Buffer dst, long elements) {
        float[] s = r(src), d = f(dst);
        Elementwise.chunks(this, elements, (from, to) -> System.arraycopy(s, from, d, from, to - from));
    }

    @Override
    public void synchronize() {
        // Every op completes before it returns.
    }

    // ---------------------------------------------------------------- convolution

    private static final List<ConvAlgorithm> ALGORITHMS = List.of(ConvAlgorithm.WINOGRAD, ConvAlgorithm.IM2COL_GEMM,
            ConvAlgorithm.DEPTHWISE, ConvAlgorithm.DIRECT);

    @Override
    public List<ConvAlgorithm> algorithms() {
        return ALGORITHMS;
    }

    @Override
    public Optional<String> whyNot(DirectConv conv, ConvDirection direction, ConvAlgorithm algorithm) {
        return ConvAlgorithms.whyNot(conv, direction, algorithm);
    }

    /** Every algorithm of this backend is deterministic (see the class comment). */
    @Override
    public boolean isDeterministic(ConvAlgorithm algorithm) {
        return ALGORITHMS.contains(algorithm);
    }

    /** AUTO's measurements on this device: {@link CpuConvSelector}. */
    @Override
    public ConvSelector convSelector() {
        return new CpuConvSelector(this, options.deterministic());
    }

    @Override
    public void convForward(DirectConv conv, ConvAlgorithm algorithm, Buffer x, Buffer w, Buffer bias, Buffer y) {
        ConvAlgorithms.run(this, conv, ConvDirection.FORWARD, algorithm, r(x), (CpuBuffer) w, bias == null ? null : r(bias),
                null, f(y));
    }

    @Override
    public void convBackwardData(DirectConv conv, ConvAlgorithm algorithm, Buffer dy, Buffer w, Buffer bias, Buffer dx) {
        ConvAlgorithms.run(this, conv, ConvDirection.BACKWARD_DATA, algorithm, r(dy), (CpuBuffer) w,
                bias == null ? null : r(bias), null, f(dx));
    }

    @Override
    public void convBackwardFilter(DirectConv conv, ConvAlgorithm algorithm, Buffer x, Buffer dy, Buffer dw) {
        ConvAlgorithms.run(this, conv, ConvDirection.BACKWARD_FILTER, algorithm, r(x), (CpuBuffer) dy, null, null, f(dw));
    }

    /** Every algorithm applies the activation to its output tile before (or as) it stores it: one pass. */
    @Override
    public void convActivationForward(DirectConv conv, ConvDirection direction, ConvAlgorithm algorithm, Buffer in1,
                                      Buffer w, Buffer bias, Activation activation, Buffer out) {
        ConvAlgorithms.run(this, conv, direction, algorithm, r(in1), (CpuBuffer) w, bias == null ? null : r(bias),
                activation, f(out));
    }

    /** True for the forward and backward-data passes of every algorithm (see {@link #convActivationForward}). */
    @Override
    public boolean fusesActivation(DirectConv conv, ConvDirection direction, ConvAlgorithm algorithm) {
        return direction != ConvDirection.BACKWARD_FILTER && ALGORITHMS.contains(algorithm);
    }

    @Override
    public void channelSum(int n, int c, long inner, Buffer x, Buffer out) {
        float[] xs = f(x), o = f(out);
        int in = (int) inner;
        parallel.forEach(c, (ch, worker) -> {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += kernels.sum(xs, (i * c + ch) * in, in);
            }
            o[ch] = (float) s;
        });
    }

    // ---------------------------------------------------------------- pooling

    @Override
    public void poolForward(PoolProblem p, Buffer x, Buffer y) {
        Pooling.forward(this, p, f(x), f(y));
    }

    @Override
    public void poolBackward(PoolProblem p, Buffer x, Buffer dy, Buffer dx) {
        Pooling.backward(this, p, f(x), f(dy), f(dx));
    }

    @Override
    public void maxPoolWithIndices(PoolProblem p, Buffer x, Buffer y, Buffer indices) {
        Unpooling.maxWithIndices(this, p, f(x), f(y), f(indices));
    }

    @Override
    public void maxUnpool(UnpoolProblem p, Buffer x, Buffer indices, Buffer y) {
        Unpooling.unpool(this, p, f(x), f(indices), f(y));
    }

    @Override
    public void maxUnpoolBackward(UnpoolProblem p, Buffer indices, Buffer dy, Buffer dx) {
        Unpooling.unpoolBackward(this, p, f(indices), f(dy), f(dx));
    }

    // ---------------------------------------------------------------- batch norm

    @Override
    public void batchNormTrain(BatchNormProblem p, Buffer x, Buffer gamma, Buffer beta, Buffer runningMean,
                               Buffer runningVar, Buffer y, Buffer saveMean, Buffer saveInvStd) {
        BatchNorm.train(this, p, f(x), f(gamma), f(beta), f(runningMean), f(runningVar), f(y), f(saveMean), f(saveInvStd));
    }

    @Override
    public void batchNormInference(BatchNormProblem p, Buffer x, Buffer gamma, Buffer beta, Buffer runningMean,
                                   Buffer runningVar, Buffer y) {
        BatchNorm.inference(this, p, f(x), f(gamma), f(beta), f(runningMean), f(runningVar), f(y));
    }

    @Override
    public void batchNormBackward(BatchNormProblem p, Buffer x, Buffer dy, Buffer gamma, Buffer saveMean,
                                  Buffer saveInvStd, Buffer dx, Buffer dgamma, Buffer dbeta) {
        BatchNorm.backward(this, p, f(x), f(dy), f(gamma), f(saveMean), f(saveInvStd), f(dx), f(dgamma), f(dbeta), false);
    }

    @Override
    public void batchNormInferenceBackward(BatchNormProblem p, Buffer x, Buffer dy, Buffer gamma, Buffer runningMean,
                                           Buffer runningVar, Buffer dx, Buffer dgamma, Buffer dbeta) {
        float[] rv = f(runningVar);
        float[] invStd = scratch(0, p.channels());
        for (int c = 0; c < p.channels(); c++) {
            invStd[c] = (float) (1 / Math.sqrt(rv[c] + p.eps()));
        }
        BatchNorm.backward(this, p, f(x), f(dy), f(gamma), f(runningMean), invStd, f(dx), f(dgamma), f(dbeta), true);
    }

    // ---------------------------------------------------------------- element-wise

    @Override
    public void activationForward(Activation a, long n, Buffer x, Buffer y) {
        Elementwise.activationForward(this, a, n, f(x), f(y));
    }

    @Override
    public void activationBackward(Activation a, long n, Buffer x, Buffer dy, Buffer dx) {
        Elementwise.activationBackward(this, a, n, f(x), f(dy), f(dx));
    }

    @Override
    public void axpby(long n, double alpha, Buffer a, double beta, Buffer b, Buffer out) {
        Elementwise.axpby(this, n, alpha, f(a), beta, f(b), f(out));
    }

    @Override
    public void dropoutForward(long n, double p, long seed, long offset, Buffer x, Buffer y) {
        Elementwise.dropout(this, n, p, seed, offset, f(x), f(y));
    }

    @Override
    public void dropoutBackward(long n, double p, long seed, long offset, Buffer dy, Buffer dx) {
        Elementwise.dropout(this, n, p, seed, offset, f(dy), f(dx));
    }

    @Override
    public void randomUniform(long n, double lo, double hi, long seed, long offset, Buffer out) {
        Elementwise.randomUniform(this, n, lo, hi, seed, offset, f(out));
    }

    @Override
    public void randomNormal(long n, double mean, double std, long seed, long offset, Buffer out) {
        Elementwise.randomNormal(this, n, mean, std, seed, offset, f(out));
    }

    // ---------------------------------------------------------------- softmax, loss, linear

    @Override
    public void softmaxForward(int rows, int cols, Buffer x, Buffer y) {
        Softmax.forward(this, rows, cols, f(x), f(y));
    }

    @Override
    public void softmaxBackward(int rows, int cols, Buffer y, Buffer dy, Buffer dx) {
        Softmax.backward(this, rows, cols, f(y), f(dy), f(dx));
    }

    @Override
    public void softmaxCrossEntropy(int rows, int cols, int[] labels, double labelSmoothing, Buffer logits, Buffer loss,
                                    Buffer dlogits) {
        Softmax.crossEntropy(this, rows, cols, labels, labelSmoothing, f(logits), f(loss), f(dlogits));
    }

    @Override
    public void linearForward(LinearProblem p, Buffer x, Buffer w, Buffer bias, Buffer y) {
        Gemm.multiply(this, p.batch(), p.outFeatures(), p.inFeatures(), f(x), false, f(w), true,
                bias == null ? null : f(bias), f(y));
    }

    @Override
    public void linearBackwardData(LinearProblem p, Buffer dy, Buffer w, Buffer dx) {
        Gemm.multiply(this, p.batch(), p.inFeatures(), p.outFeatures(), f(dy), false, f(w), false, null, f(dx));
    }

    @Override
    public void linearBackwardWeight(LinearProblem p, Buffer x, Buffer dy, Buffer dw) {
        Gemm.multiply(this, p.outFeatures(), p.inFeatures(), p.batch(), f(dy), true, f(x), false, null, f(dw));
    }

    // ---------------------------------------------------------------- activations: relu6, hardswish, hardsigmoid, silu, mish, gelu, softplus, prelu

    @Override
    public void preluForward(int outer, int channels, long inner, Buffer x, Buffer weight, Buffer y) {
        Prelu.forward(this, outer, channels, inner, f(x), f(weight), f(y));
    }

    @Override
    public void preluBackward(int outer, int channels, long inner, Buffer x, Buffer weight, Buffer dy, Buffer dx,
                              Buffer dweight) {
        Prelu.backward(this, outer, channels, inner, f(x), f(weight), f(dy), f(dx), f(dweight));
    }

    // ---------------------------------------------------------------- normalization: local response, group, instance and layer norm

    @Override
    public void lrnForward(LrnProblem p, Buffer x, Buffer y) {
        Norm.lrnForward(this, p, f(x), f(y));
    }

    @Override
    public void lrnBackward(LrnProblem p, Buffer x, Buffer dy, Buffer dx) {
        Norm.lrnBackward(this, p, f(x), f(dy), f(dx));
    }

    @Override
    public void groupNormForward(GroupNormProblem p, Buffer x, Buffer weight, Buffer bias, Buffer y, Buffer saveMean,
                                 Buffer saveInvStd) {
        Norm.groupNormForward(this, p, f(x), f(weight), f(bias), f(y), f(saveMean), f(saveInvStd));
    }

    @Override
    public void groupNormBackward(GroupNormProblem p, Buffer x, Buffer dy, Buffer weight, Buffer saveMean,
                                  Buffer saveInvStd, Buffer dx, Buffer dweight, Buffer dbias) {
        Norm.groupNormBackward(this, p, f(x), f(dy), f(weight), f(saveMean), f(saveInvStd), f(dx), f(dweight),
                f(dbias));
    }

    // ---------------------------------------------------------------- losses: log-softmax, nll, mse, l1, smooth l1, binary cross-entropy with logits

    @Override
    public void logSoftmaxForward(int rows, int cols, Buffer x, Buffer y) {
        Losses.logSoftmaxForward(this, rows, cols, f(x), f(y));
    }

    @Override
    public void logSoftmaxBackward(int rows, int cols, Buffer y, Buffer dy, Buffer dx) {
        Losses.logSoftmaxBackward(this, rows, cols, f(y), f(dy), f(dx));
    }

    @Override
    public void nllLoss(int rows, int cols, int[] labels, Buffer x, Buffer loss, Buffer dx) {
        Losses.nll(this, rows, cols, labels, f(x), f(loss), f(dx));
    }

    @Override
    public void loss(Loss l, long n, Buffer x, Buffer target, Buffer loss, Buffer dx) {
        Losses.loss(this, l, (int) n, f(x), f(target), f(loss), f(dx));
    }

    // ---------------------------------------------------------------- tensor ops: cat and split, permute, broadcasting arithmetic

    private static float[][] f(Buffer[] bs) {
        float[][] out = new float[bs.length][];
        for (int i = 0; i < bs.length; i++) {
            out[i] = f(bs[i]);
        }
        return out;
    }

    @Override
    public void cat(CatProblem p, Buffer[] xs, Buffer y) {
        TensorFamily.cat(this, p, f(xs), f(y));
    }

    @Override
    public void split(CatProblem p, Buffer x, Buffer[] outs) {
        TensorFamily.split(this, p, f(x), f(outs));
    }

    @Override
    public void permute(PermuteProblem p, Buffer x, Buffer y) {
        TensorFamily.permute(this, p, f(x), f(y));
    }

    @Override
    public void binaryForward(BroadcastProblem p, Buffer a, Buffer b, Buffer y) {
        TensorFamily.forward(this, p, f(a), f(b), f(y));
    }

    @Override
    public void binaryBackward(BroadcastProblem p, Buffer a, Buffer b, Buffer dy, Buffer da, Buffer db) {
        TensorFamily.backward(this, p, f(a), f(b), f(dy), da == null ? null : f(da), db == null ? null : f(db));
    }

    // ---------------------------------------------------------------- resampling and padding: interpolate, pixel shuffle, pad

    @Override
    public void interpolate(InterpolateProblem p, Buffer x, Buffer y) {
        Resample.interpolate(this, p, f(x), f(y));
    }

    @Override
    public void interpolateBackward(InterpolateProblem p, Buffer dy, Buffer dx) {
        Resample.interpolateBackward(this, p, f(dy), f(dx));
    }

    @Override
    public void pixelShuffle(PixelShuffleProblem p, Buffer x, Buffer y) {
        Resample.pixelShuffle(this, p, f(x), f(y));
    }

    @Override
    public void pad(PadProblem p, Buffer x, Buffer y) {
        Resample.pad(this, p, f(x), f(y));
    }

    @Override
    public void padBackward(PadProblem p, Buffer dy, Buffer dx) {
        Resample.padBackward(this, p, f(dy), f(dx));
    }

    // ---------------------------------------------------------------- batched matrix product: matmul

    @Override
    public void matmul(MatMulProblem p, Buffer a, Buffer b, Buffer y) {
        MatMul.forward(this, p, f(a), f(b), f(y));
    }

    @Override
    public void matmulBackward(MatMulProblem p, Buffer a, Buffer b, Buffer dy, Buffer da, Buffer db) {
        MatMul.backward(this, p, f(a), f(b), f(dy), da == null ? null : f(da), db == null ? null : f(db));
    }

    // ---------------------------------------------------------------- optimizers

    @Override
    public void optimizerStep(Optimizer rule, long step, long n, Buffer param, Buffer grad, Buffer[] state) {
        float[][] s = new float[state.length][];
        for (int i = 0; i < s.length; i++) {
            s[i] = f(state[i]);
        }
        Optimizers.step(this, rule, step, n, f(param), f(grad), s);
    }

    /** Nothing to free: the arrays go with the buffers, the pool is shared. */
    @Override
    public void close() {
    }
}
