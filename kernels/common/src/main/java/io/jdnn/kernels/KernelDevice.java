package io.jdnn.kernels;

import io.jdnn.Activation;
import io.jdnn.BatchNormProblem;
import io.jdnn.BroadcastProblem;
import io.jdnn.CatProblem;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DeviceException;
import io.jdnn.DeviceOptions;
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
import io.jdnn.spi.DeviceBackend;
import io.jdnn.spi.ConvSelector;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The backend-neutral half of a GPU device. Every op of {@link DeviceBackend} is written once as
 * launches of the portable kernels of {@code kernels/src} (which kernel of which source, which
 * named arguments, which launch shape) in one stateless class per op family, each taking the
 * device as a parameter: {@link Convolutions} (dispatch to the registered algorithms, bias
 * gradients), {@link Pooling}, {@link BatchNorm}, {@link Elementwise}, {@link Softmax} (and loss),
 * {@link Linear} and {@link Optimizers}; this class delegates to them and keeps what is the
 * device's: the GEMM tile choice, the reduction kernels' work-group sizes, and the convolution
 * algorithm registry (AUTO is planned by {@link io.jdnn.Device}; its measurements here are
 * {@link KernelConvSelector}). A backend (OpenCL, CUDA) extends it with the primitives:
 * {@link #launch} returning its {@link KernelLaunch}, memory
 * ({@link #allocate}, {@link #free}, {@link #read}, {@link #write}, {@link #copy},
 * {@link #writeInts}, {@link #workspace}, {@link #placeholder}), launch-geometry properties
 * ({@link #elementwiseLocalSize}, {@link #maxGridStrideGroups}, {@link #maxLocalSize},
 * {@link #localMemoryBytes}),
 * {@link #synchronize}, {@link #startTimer}, {@link #info} and {@link #close}.
 *
 * <p>Calls arrive serialized by {@link io.jdnn.Device}; work is issued asynchronously on the
 * backend's one in-order queue (stream), so a workspace can be reused by the next op.
 */
public abstract class KernelDevice implements DeviceBackend {

    private final DeviceOptions options;
    private final Map<String, Integer> reductionLocalSizes = new HashMap<>();
    private final List<KernelConvAlgorithm> convAlgorithms;
    private Gemm.Tiles gemmTiles;

    /**
     * A launch of a reduction kernel and the work-group size it was built for: launch exactly that many.
     *
     * @param launch    the launch, its arguments set
     * @param localSize work-items per work-group the kernel was built for
     */
    public record Reduction(KernelLaunch launch, int localSize) {
    }

    /** A device running the convolution algorithms every GPU backend has, {@link KernelConvAlgorithms#ALL}. */
    protected KernelDevice(DeviceOptions options) {
        this(options, KernelConvAlgorithms.ALL);
    }

    /**
     * A device running the convolution algorithms of {@code convAlgorithms}, in that preferred
     * order: {@link KernelConvAlgorithms#ALL} and a backend's own, or a test's stand-ins.
     */
    protected KernelDevice(DeviceOptions options, List<? extends KernelConvAlgorithm> convAlgorithms) {
        this.options = options;
        this.convAlgorithms = List.copyOf(convAlgorithms);
    }

    /** The options the device was opened with. */
    public DeviceOptions options() {
        return options;
    }

    // ================================================================== primitives (the backend's)

    /**
     * A launch of kernel {@code name} of {@code source} built with {@code defines} (tuning
     * constants; an empty map means the source's defaults). Throws DeviceException when the
     * kernel cannot be had (a failed build; on CUDA, a define set the fatbin was not built with).
     */
    public abstract KernelLaunch launch(String op, String problem, String source, Map<String, ?> defines, String name);

    /** A launch of kernel {@code name} of {@code source} with the source's default defines. */
    public final KernelLaunch launch(String op, String problem, String source, String name) {
        return launch(op, problem, source, Map.of(), name);
    }

    /**
     * A scratch buffer of at least {@code elements} floats kept by this device under {@code name}
     * and grown on demand (for kernels' temporaries: row losses, labels, im2col columns). The
     * queue is in order, so a workspace can be reused by the next op; one op must not use a name
     * twice for different data.
     */
    public abstract Buffer workspace(String name, long elements);

    /** A one-element buffer that kernels never touch, passed with a flag for an absent optional buffer. */
    public abstract Buffer placeholder();

    /** Writes ints (labels) into a buffer of 4-byte elements; {@code src} may be reused as soon as this returns. */
    public abstract void writeInts(Buffer dst, int[] src, String op);

    /** Work-items per group for grid-stride (element-wise) kernels. */
    public abstract int elementwiseLocalSize();

    /** Groups at most for grid-stride kernels and for kernels whose groups loop over rows or channels. */
    public abstract long maxGridStrideGroups();

    /** The largest work-group (block) the device runs, any kernel. */
    public abstract long maxLocalSize();

    /** Local (shared) memory one work-group may use, in bytes: for algorithms that size tiles by it. */
    public abstract long localMemoryBytes();

    /** The DeviceException a backend raises when no variant of a kernel fits its work-group limits. */
    protected abstract DeviceException launchConfigurationError(String op, String kernel, String problem,
                                                                String detail);

    /**
     * The convolution algorithms of this backend, in its preferred order: the shared
     * {@link KernelConvAlgorithms#ALL}, to which a backend may append its own.
     */
    public final List<KernelConvAlgorithm> convAlgorithms() {
        return convAlgorithms;
    }

    // ================================================================== helpers for ops and algorithms

    /** {@code b}, or the {@link #placeholder()} when b is null (kernels take a flag saying it is absent). */
    public final Buffer orPlaceholder(Buffer b) {
        return b == null ? placeholder() : b;
    }

    /**
     * Groups to launch for a kernel whose work-groups loop over {@code count} rows or channels
     * (group g takes g, g + groups, ...): one per row up to the grid-stride cap.
     */
    public final long cappedGroups(long count) {
        return Math.min(count, maxGridStrideGroups());
    }

    /**
     * A kernel whose work-group size is the compile-time define {@code localDefine} (the size of
     * its local reduction array): built with the source's default for it (clamped to a power of
     * two the device allows), halved while the device cannot run a group that large with this
     * kernel. Launch it with exactly {@link Reduction#localSize()} work-items a group. The size is
     * remembered per kernel for the device's life.
     */
    public final Reduction reduction(String op, String problem, String source, String name, String localDefine) {
        String key = source + ":" + name + ":" + localDefine;
        Integer known = reductionLocalSizes.get(key);
        if (known != null) {
            return new Reduction(launch(op, problem, source, Map.of(localDefine, known), name), known);
        }
        int preferred = KernelSources.defaultInt(source, localDefine);
        int local = (int) Math.min(preferred, Long.highestOneBit(Math.max(1, maxLocalSize())));
        while (true) {
            KernelLaunch l = launch(op, problem, source, Map.of(localDefine, local), name);
            if (l.maxLocalSize() >= local || local == 1) {
                reductionLocalSizes.put(key, local);
                return new Reduction(l, local);
            }
            local /= 2;
        }
    }

    /** The gemm tile shape: the first of {@link Gemm#TILES} whose work-group this device runs, chosen once. */
    public final Gemm.Tiles gemmTiles(String op, String problem) {
        if (gemmTiles != null) {
            return gemmTiles;
        }
        for (Gemm.Tiles t : Gemm.TILES) {
            if (t.threads() > maxLocalSize()) {
                continue;
            }
            KernelLaunch l = launch(op, problem, Gemm.SOURCE, t.defines(), Gemm.KERNEL);
            if (l.maxLocalSize() >= t.threads()) {
                gemmTiles = t;
                return t;
            }
        }
        throw launchConfigurationError(op, Gemm.KERNEL, problem,
                "no gemm tile shape fits this device's work-group limit of " + maxLocalSize());
    }

    // ================================================================== the ops: one class per family

    @Override
    public void fill(Buffer dst, long elements, double value) {
        Elementwise.fill(this, dst, elements, value);
    }

    @Override
    public List<ConvAlgorithm> algorithms() {
        return Convolutions.algorithms(this);
    }

    /** What the algorithm's {@link KernelConvAlgorithm#deterministic()} declares; false for one not registered. */
    @Override
    public boolean isDeterministic(ConvAlgorithm algorithm) {
        return Convolutions.isDeterministic(this, algorithm);
    }

    @Override
    public Optional<String> whyNot(DirectConv conv, ConvDirection direction, ConvAlgorithm algorithm) {
        return Convolutions.whyNot(this, conv, direction, algorithm);
    }

    /** AUTO's measurements on this device: {@link KernelConvSelector}. */
    @Override
    public ConvSelector convSelector() {
        return new KernelConvSelector(this);
    }

    @Override
    public void convForward(DirectConv conv, ConvAlgorithm algorithm, Buffer x, Buffer w, Buffer bias, Buffer y) {
        Convolutions.forward(this, conv, algorithm, x, w, bias, y);
    }

    /**
     * Fused into the forward kernel's store where the algorithm's kernel takes an activation
     * (DIRECT, IMPLICIT_GEMM); elsewhere, and for a transposed problem's backward-data, the
     * default: the convolution, then the activation kernel in place.
     */
    @Override
    public void convActivationForward(DirectConv conv, ConvDirection direction, ConvAlgorithm algorithm, Buffer in1,
                                      Buffer w, Buffer bias, Activation activation, Buffer out) {
        if (fusesActivation(conv, direction, algorithm)) {
            Convolutions.forward(this, conv, algorithm, in1, w, bias, activation, out);
        } else {
            DeviceBackend.super.convActivationForward(conv, direction, algorithm, in1, w, bias, activation, out);
        }
    }

    @Override
    public boolean fusesActivation(DirectConv conv, ConvDirection direction, ConvAlgorithm algorithm) {
        return direction == ConvDirection.FORWARD && Convolutions.fusesActivation(this, algorithm);
    }

    @Override
    public void convBackwardData(DirectConv conv, ConvAlgorithm algorithm, Buffer dy, Buffer w, Buffer bias,
                                 Buffer dx) {
        Convolutions.backwardData(this, conv, algorithm, dy, w, bias, dx);
    }

    @Override
    public void convBackwardFilter(DirectConv conv, ConvAlgorithm algorithm, Buffer x, Buffer dy, Buffer dw) {
        Convolutions.backwardFilter(this, conv, algorithm, x, dy, dw);
    }

    @Override
    public void channelSum(int n, int c, long inner, Buffer x, Buffer out) {
        Convolutions.channelSum(this, n, c, inner, x, out);
    }

    @Override
    public void poolForward(PoolProblem p, Buffer x, Buffer y) {
        Pooling.forward(this, p, x, y);
    }

    @Override
    public void poolBackward(PoolProblem p, Buffer x, Buffer dy, Buffer dx) {
        Pooling.backward(this, p, x, dy, dx);
    }

    @Override
    public void maxPoolWithIndices(PoolProblem p, Buffer x, Buffer y, Buffer indices) {
        Pooling.maxWithIndices(this, p, x, y, indices);
    }

    @Override
    public void maxUnpool(UnpoolProblem p, Buffer x, Buffer indices, Buffer y) {
        Pooling.unpool(this, p, x, indices, y);
    }

    @Override
    public void maxUnpoolBackward(UnpoolProblem p, Buffer indices, Buffer dy, Buffer dx) {
        Pooling.unpoolBackward(this, p, indices, dy, dx);
    }

    @Override
    public void batchNormTrain(BatchNormProblem p, Buffer x, Buffer gamma, Buffer beta, Buffer runningMean,
                               Buffer runningVar, Buffer y, Buffer saveMean, Buffer saveInvStd) {
        BatchNorm.train(this, p, x, gamma, beta, runningMean, runningVar, y, saveMean, saveInvStd);
    }

    @Override
    public void batchNormInference(BatchNormProblem p, Buffer x, Buffer gamma, Buffer beta, Buffer runningMean,
                                   Buffer runningVar, Buffer y) {
        BatchNorm.inference(this, p, x, gamma, beta, runningMean, runningVar, y);
    }

    @Override
    public void batchNormBackward(BatchNormProblem p, Buffer x, Buffer dy, Buffer gamma, Buffer saveMean,
                                  Buffer saveInvStd, Buffer dx, Buffer dgamma, Buffer dbeta) {
        BatchNorm.backward(this, p, x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta);
    }

    @Override
    public void batchNormInferenceBackward(BatchNormProblem p, Buffer x, Buffer dy, Buffer gamma, Buffer runningMean,
                                           Buffer runningVar, Buffer dx, Buffer dgamma, Buffer dbeta) {
        BatchNorm.inferenceBackward(this, p, x, dy, gamma, runningMean, runningVar, dx, dgamma, dbeta);
    }

    @Override
    public void activationForward(Activation a, long n, Buffer x, Buffer y) {
        Elementwise.activationForward(this, a, n, x, y);
    }

    @Override
    public void activationBackward(Activation a, long n, Buffer x, Buffer dy, Buffer dx) {
        Elementwise.activationBackward(this, a, n, x, dy, dx);
    }

    @Override
    public void axpby(long n, double alpha, Buffer a, double beta, Buffer b, Buffer out) {
        Elementwise.axpby(this, n, alpha, a, beta, b, out);
    }

    @Override
    public void dropoutForward(long n, double p, long seed, long offset, Buffer x, Buffer y) {
        Elementwise.dropout(this, "dropoutForward", n, p, seed, offset, x, y);
    }

    @Override
    public void dropoutBackward(long n, double p, long seed, long offset, Buffer dy, Buffer dx) {
        Elementwise.dropout(this, "dropoutBackward", n, p, seed, offset, dy, dx);
    }

    @Override
    public void randomUniform(long n, double lo, double hi, long seed, long offset, Buffer out) {
        Elementwise.randomUniform(this, n, lo, hi, seed, offset, out);
    }

    @Override
    public void randomNormal(long n, double mean, double std, long seed, long offset, Buffer out) {
        Elementwise.randomNormal(this, n, mean, std, seed, offset, out);
    }

    @Override
    public void softmaxForward(int rows, int cols, Buffer x, Buffer y) {
        Softmax.forward(this, rows, cols, x, y);
    }

    @Override
    public void softmaxBackward(int rows, int cols, Buffer y, Buffer dy, Buffer dx) {
        Softmax.backward(this, rows, cols, y, dy, dx);
    }

    @Override
    public void softmaxCrossEntropy(int rows, int cols, int[] labels, double labelSmoothing, Buffer logits, Buffer loss,
                                    Buffer dlogits) {
        Softmax.crossEntropy(this, rows, cols, labels, labelSmoothing, logits, loss, dlogits);
    }

    @Override
    public void linearForward(LinearProblem p, Buffer x, Buffer w, Buffer bias, Buffer y) {
        Linear.forward(this, p, x, w, bias, y);
    }

    @Override
    public void linearBackwardData(LinearProblem p, Buffer dy, Buffer w, Buffer dx) {
        Linear.backwardData(this, p, dy, w, dx);
    }

    @Override
    public void linearBackwardWeight(LinearProblem p, Buffer x, Buffer dy, Buffer dw) {
        Linear.backwardWeight(this, p, x, dy, dw);
    }

    // ---------------------------------------------------------------- activations: relu6, hardswish, hardsigmoid, silu, mish, gelu, softplus, prelu

    @Override
    public void preluForward(int outer, int channels, long inner, Buffer x, Buffer weight, Buffer y) {
        Prelu.forward(this, outer, channels, inner, x, weight, y);
    }

    @Override
    public void preluBackward(int outer, int channels, long inner, Buffer x, Buffer weight, Buffer dy, Buffer dx,
                              Buffer dweight) {
        Prelu.backward(this, outer, channels, inner, x, weight, dy, dx, dweight);
    }

    // ---------------------------------------------------------------- normalization: local response, group, instance and layer norm

    @Override
    public void lrnForward(LrnProblem p, Buffer x, Buffer y) {
        Norm.lrnForward(this, p, x, y);
    }

    @Override
    public void lrnBackward(LrnProblem p, Buffer x, Buffer dy, Buffer dx) {
        Norm.lrnBackward(this, p, x, dy, dx);
    }

    @Override
    public void groupNormForward(GroupNormProblem p, Buffer x, Buffer weight, Buffer bias, Buffer y, Buffer saveMean,
                                 Buffer saveInvStd) {
        Norm.groupNormForward(this, p, x, weight, bias, y, saveMean, saveInvStd);
    }

    @Override
    public void groupNormBackward(GroupNormProblem p, Buffer x, Buffer dy, Buffer weight, Buffer saveMean,
                                  Buffer saveInvStd, Buffer dx, Buffer dweight, Buffer dbias) {
        Norm.groupNormBackward(this, p, x, dy, weight, saveMean, saveInvStd, dx, dweight, dbias);
    }

    // ---------------------------------------------------------------- losses: log-softmax, nll, mse, l1, smooth l1, binary cross-entropy with logits

    @Override
    public void logSoftmaxForward(int rows, int cols, Buffer x, Buffer y) {
        Softmax.logForward(this, rows, cols, x, y);
    }

    @Override
    public void logSoftmaxBackward(int rows, int cols, Buffer y, Buffer dy, Buffer dx) {
        Softmax.logBackward(this, rows, cols, y, dy, dx);
    }

    @Override
    public void nllLoss(int rows, int cols, int[] labels, Buffer x, Buffer loss, Buffer dx) {
        Losses.nll(this, rows, cols, labels, x, loss, dx);
    }

    @Override
    public void loss(Loss l, long n, Buffer x, Buffer target, Buffer loss, Buffer dx) {
        Losses.loss(this, l, n, x, target, loss, dx);
    }

    // ---------------------------------------------------------------- tensor ops: cat and split, permute, broadcasting arithmetic

    @Override
    public void cat(CatProblem p, Buffer[] xs, Buffer y) {
        TensorFamily.cat(this, p, xs, y);
    }

    @Override
    public void split(CatProblem p, Buffer x, Buffer[] outs) {
        TensorFamily.split(this, p, x, outs);
    }

    @Override
    public void permute(PermuteProblem p, Buffer x, Buffer y) {
        TensorFamily.permute(this, p, x, y);
    }

    @Override
    public void binaryForward(BroadcastProblem p, Buffer a, Buffer b, Buffer y) {
        TensorFamily.forward(this, p, a, b, y);
    }

    @Override
    public void binaryBackward(BroadcastProblem p, Buffer a, Buffer b, Buffer dy, Buffer da, Buffer db) {
        TensorFamily.backward(this, p, a, b, dy, da, db);
    }

    @Override
    public void optimizerStep(Optimizer rule, long step, long n, Buffer param, Buffer grad, Buffer[] state) {
        Optimizers.step(this, rule, step, n, param, grad, state);
    }

    // ---------------------------------------------------------------- resampling and padding: interpolate, pixel shuffle, pad

    @Override
    public void interpolate(InterpolateProblem p, Buffer x, Buffer y) {
        Resample.interpolate(this, p, x, y);
    }

    @Override
    public void interpolateBackward(InterpolateProblem p, Buffer dy, Buffer dx) {
        Resample.interpolateBackward(this, p, dy, dx);
    }

    @Override
    public void pixelShuffle(PixelShuffleProblem p, Buffer x, Buffer y) {
        Resample.pixelShuffle(this, p, x, y);
    }

    @Override
    public void pad(PadProblem p, Buffer x, Buffer y) {
        Resample.pad(this, p, x, y);
    }

    @Override
    public void padBackward(PadProblem p, Buffer dy, Buffer dx) {
        Resample.padBackward(this, p, dy, dx);
    }

    // ---------------------------------------------------------------- batched matrix product: matmul

    @Override
    public void matmul(MatMulProblem p, Buffer a, Buffer b, Buffer y) {
        MatMul.forward(this, p, a, b, y);
    }

    @Override
    public void matmulBackward(MatMulProblem p, Buffer a, Buffer b, Buffer dy, Buffer da, Buffer db) {
        MatMul.backward(this, p, a, b, dy, da, db);
    }
}
