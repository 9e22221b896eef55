package io.jdnn;

import io.jdnn.optim.Optimizer;
import io.jdnn.spi.DeviceBackend;

import java.util.List;
import java.util.Optional;

/**
 * One compute device of one backend, opened by {@link Devices#open}. Every operation of jdnn is a
 * method here: it validates its arguments (shapes against the problem, tensors of this device and
 * not closed, outputs that do not alias inputs where that matters) and hands them to the backend.
 *
 * <p><b>Threading.</b> A device is safe to use from several threads. Calls are serialized: each
 * method holds the device's lock while it validates and issues its work, so the operations of
 * concurrent callers run one after another, each as if alone, in the order the lock was taken.
 * Results do not depend on which thread called. Use one device per thread (several devices can
 * be opened on one physical device) when calls should overlap.
 *
 * <p><b>Memory.</b> Tensors hold device memory until closed; closing the device frees whatever its
 * tensors still hold and marks them closed. {@link #memory()} tells what is live.
 *
 * <p><b>Errors.</b> Invalid arguments raise {@link IllegalArgumentException} naming the argument,
 * the expected and the actual value; a closed tensor or device raises {@link IllegalStateException};
 * a native failure raises {@link DeviceException}, and after a kernel fault the device reports
 * itself broken and refuses further work rather than return stale data.
 */
public final class Device implements AutoCloseable {
    /*
     * A thin facade: each op family (one package-private class) holds its ops' argument checks and
     * backend calls, on the shared lock and checks of DeviceCore. A new op goes into its family
     * and gets a one-line public method here, with the javadoc.
     */
    private final DeviceCore core;
    /** Also what a {@link Tensor} reads, writes and views itself through. */
    final TensorOps tensors;
    private final ConvolutionOps convolution;
    private final PoolingOps pooling;
    private final BatchNormOps batchNorm;
    private final PreluOps prelu;
    private final ElementwiseOps elementwise;
    private final SoftmaxLossOps softmaxLoss;
    private final LossOps losses;
    private final LinearOps linear;
    private final OptimizerOps optimizers;
    private final TensorFamilyOps tensorFamily;
    private final NormOps norm;
    private final ResampleOps resample;
    private final OneDOps oneD;
    private final MatMulOps matMul;

    Device(DeviceBackend impl, DeviceOptions options) {
        this.core = new DeviceCore(this, impl, options);
        this.tensors = new TensorOps(core);
        this.convolution = new ConvolutionOps(core);
        this.pooling = new PoolingOps(core);
        this.batchNorm = new BatchNormOps(core);
        this.prelu = new PreluOps(core);
        this.elementwise = new ElementwiseOps(core);
        this.softmaxLoss = new SoftmaxLossOps(core);
        this.losses = new LossOps(core);
        this.linear = new LinearOps(core);
        this.optimizers = new OptimizerOps(core);
        this.tensorFamily = new TensorFamilyOps(core);
        this.norm = new NormOps(core);
        this.resample = new ResampleOps(core);
        this.oneD = new OneDOps(core, tensors, convolution, pooling);
        this.matMul = new MatMulOps(core);
    }

    // ================================================================== identity

    /** The backend's name: reference, cpu, opencl, cuda. */
    public String backend() {
        return info().backend();
    }

    /** The spec that opens this device again, e.g. {@code opencl:0}. */
    public String spec() {
        return core.spec();
    }

    /** What the backend reports about this device: its name, memory, compute units, precision. */
    public DeviceInfo info() {
        return core.impl().info();
    }

    /** The settings this device was opened with. */
    public DeviceOptions options() {
        return core.options();
    }

    /** Null while the device works; after a kernel fault, what went wrong. */
    public String brokenReason() {
        return core.brokenReason();
    }

    /** Whether a kernel fault broke this device, so that it refuses further work. */
    public boolean isBroken() {
        return brokenReason() != null;
    }

    @Override
    public String toString() {
        return "Device[" + spec() + ", " + info().name() + "]";
    }

    // ================================================================== memory

    /** A tensor with unspecified contents. */
    public Tensor allocate(Shape shape) {
        return core.allocate(shape);
    }

    /** A tensor of zeros. */
    public Tensor zeros(Shape shape) {
        return full(shape, 0f);
    }

    /** A tensor with every element {@code value}. */
    public Tensor full(Shape shape, float value) {
        return tensors.full(shape, value);
    }

    /** A tensor holding {@code data} (row-major, length equal to the element count). */
    public Tensor upload(Shape shape, float[] data) {
        return tensors.upload(shape, data);
    }

    /** Sets every element of {@code t} to {@code value}. */
    public void fill(Tensor t, float value) {
        tensors.fill(t, value);
    }

    /** Copies {@code src} into {@code dst}, which must have the same shape. */
    public void copy(Tensor src, Tensor dst) {
        tensors.copy(src, dst);
    }

    /** Waits until every operation issued so far has finished. */
    public void synchronize() {
        core.synchronize();
    }

    /**
     * Runs {@code work} (calls on this device) and returns the device time it took in
     * milliseconds: from device events on GPU backends, wall time around a synchronization on the
     * CPU backends. Holds the device's lock throughout, so other threads' work is not counted.
     */
    public double timeMillis(Runnable work) {
        return core.timeMillis(work);
    }

    /** Live tensors and bytes, the peak, and the driver's free-memory figure where there is one. */
    public MemoryStats memory() {
        return core.allocations().stats();
    }

    /** Tensors freed by the cleaner because nobody closed them. */
    public long leakedTensors() {
        return core.allocations().leaks();
    }

    /**
     * One line per live tensor: its shape and, with {@code -Djdnn.trackAllocations=true}, where
     * it was allocated.
     */
    public List<String> liveAllocations() {
        return core.allocations().describeLive();
    }

    // ================================================================== convolution

    /** Forward convolution (or transposed convolution) with the algorithm AUTO picks. */
    public Tensor conv2d(ConvProblem p, Tensor x, Tensor w, Tensor bias) {
        return conv2d(p, ConvAlgorithm.AUTO, x, w, bias);
    }

    /** Forward convolution into a new tensor of {@link ConvProblem#outputShape()}. */
    public Tensor conv2d(ConvProblem p, ConvAlgorithm algorithm, Tensor x, Tensor w, Tensor bias) {
        return convolution.conv2d(p, algorithm, x, w, bias);
    }

    /** Forward convolution into {@code y}; {@code bias} may be null. */
    public void conv2d(ConvProblem p, ConvAlgorithm algorithm, Tensor x, Tensor w, Tensor bias, Tensor y) {
        convolution.conv2d(p, algorithm, x, w, bias, y);
    }

    /**
     * Forward convolution with a fused epilogue, y = activation(conv(x, w) + bias), into a new tensor
     * of {@link ConvProblem#outputShape()}; {@code bias} and {@code activation} may be null (none).
     */
    public Tensor conv2d(ConvProblem p, ConvAlgorithm algorithm, Tensor x, Tensor w, Tensor bias, Activation activation) {
        return convolution.conv2d(p, algorithm, x, w, bias, activation);
    }

    /**
     * Forward convolution (or transposed convolution) with a fused epilogue into {@code y}:
     * y = activation(conv(x, w) + bias), the reference's convolution then its activation;
     * {@code bias} and {@code activation} may be null (none). Inference only: training runs the
     * convolution and the activation as separate ops. {@link #isActivationFused} says whether the
     * activation runs in the convolution's output store or as a second launch.
     */
    public void conv2d(ConvProblem p, ConvAlgorithm algorithm, Tensor x, Tensor w, Tensor bias, Activation activation,
                       Tensor y) {
        convolution.conv2d(p, algorithm, x, w, bias, activation, y);
    }

    /**
     * True when {@link #conv2d(ConvProblem, ConvAlgorithm, Tensor, Tensor, Tensor, Activation, Tensor)}
     * with {@code algorithm} (AUTO: the algorithm AUTO picks) applies the activation where the
     * convolution stores its output, false when it runs the activation as a second launch.
     */
    public boolean isActivationFused(ConvProblem p, ConvAlgorithm algorithm) {
        return convolution.isActivationFused(p, algorithm);
    }

    /** Gradient with respect to the input, into a new tensor of {@link ConvProblem#inputShape()}. */
    public Tensor conv2dBackwardData(ConvProblem p, ConvAlgorithm algorithm, Tensor dy, Tensor w) {
        return convolution.conv2dBackwardData(p, algorithm, dy, w);
    }

    /** Gradient with respect to the input, into {@code dx} (overwritten). */
    public void conv2dBackwardData(ConvProblem p, ConvAlgorithm algorithm, Tensor dy, Tensor w, Tensor dx) {
        convolution.conv2dBackwardData(p, algorithm, dy, w, dx);
    }

    /** Gradient with respect to the weights, into a new tensor of {@link ConvProblem#weightShape()}. */
    public Tensor conv2dBackwardFilter(ConvProblem p, ConvAlgorithm algorithm, Tensor x, Tensor dy) {
        return convolution.conv2dBackwardFilter(p, algorithm, x, dy);
    }

    /** Gradient with respect to the weights, into {@code dw} (overwritten, not accumulated). */
    public void conv2dBackwardFilter(ConvProblem p, ConvAlgorithm algorithm, Tensor x, Tensor dy, Tensor dw) {
        convolution.conv2dBackwardFilter(p, algorithm, x, dy, dw);
    }

    /** Gradient with respect to the bias: dy summed over batch and space, a new tensor of (outChannels). */
    public Tensor conv2dBackwardBias(ConvProblem p, Tensor dy) {
        return convolution.conv2dBackwardBias(p, dy);
    }

    /** Gradient with respect to the bias into {@code db} (overwritten). */
    public void conv2dBackwardBias(ConvProblem p, Tensor dy, Tensor db) {
        convolution.conv2dBackwardBias(p, dy, db);
    }

    /** The algorithms of this backend, AUTO excluded, in its preferred order. */
    public List<ConvAlgorithm> algorithms() {
        return convolution.algorithms();
    }

    /**
     * Whether {@code algorithm} declares itself deterministic on this device: bitwise-identical
     * results run after run (no floating-point atomics). False for an algorithm this device does
     * not implement. AUTO is deterministic when the device was opened with
     * {@link DeviceOptions#deterministic()} (it then picks among deterministic algorithms only) or
     * when every algorithm of the device is; its choice per problem is kept for the device's life.
     */
    public boolean isDeterministic(ConvAlgorithm algorithm) {
        return convolution.isDeterministic(algorithm);
    }

    /**
     * The plan for {@code direction} of {@code p} with {@code algorithm}: the concrete algorithm
     * that a convolution call with these arguments runs on this device, or why none can. For
     * {@link ConvAlgorithm#AUTO} this is AUTO's choice, made now if it was not made before (it may
     * time the candidates once; the choice is kept for the device's life). The conv2d methods run
     * exactly this plan.
     */
    public ConvPlan plan(ConvProblem p, ConvDirection direction, ConvAlgorithm algorithm) {
        return plan(p, direction, algorithm, Double.POSITIVE_INFINITY);
    }

    /**
     * {@link #plan(ConvProblem, ConvDirection, ConvAlgorithm)} for a caller that accepts only
     * algorithms whose {@link ConvAlgorithm#errorBound()} is at most {@code maxErrorBound}: an
     * explicit algorithm with a looser bound is refused, and AUTO chooses among those within it.
     */
    public ConvPlan plan(ConvProblem p, ConvDirection direction, ConvAlgorithm algorithm, double maxErrorBound) {
        return convolution.plan(p, direction, algorithm, maxErrorBound);
    }

    /**
     * Empty if {@code algorithm} can run {@code direction} of {@code p} here; otherwise why not.
     * For AUTO: empty when at least one algorithm is a candidate (nothing is timed).
     */
    public Optional<String> whyNot(ConvProblem p, ConvDirection direction, ConvAlgorithm algorithm) {
        return convolution.whyNot(p, direction, algorithm);
    }

    /** The algorithms that can run {@code direction} of {@code p} here when asked for by name. */
    public List<ConvAlgorithm> applicableAlgorithms(ConvProblem p, ConvDirection direction) {
        return convolution.applicableAlgorithms(p, direction);
    }

    /**
     * The algorithm AUTO runs for {@code direction} of {@code p}: {@code plan(p, direction,
     * AUTO).algorithm()}.
     *
     * @throws AlgorithmNotSupportedException when no algorithm can run it
     */
    public ConvAlgorithm autoAlgorithm(ConvProblem p, ConvDirection direction) {
        return convolution.autoAlgorithm(p, direction);
    }

    // ================================================================== pooling

    /** Pooling forward into a new tensor of {@link PoolProblem#outputShape()}. */
    public Tensor pool(PoolProblem p, Tensor x) {
        return pooling.pool(p, x);
    }

    /** Pooling forward into {@code y} (overwritten). */
    public void pool(PoolProblem p, Tensor x, Tensor y) {
        pooling.pool(p, x, y);
    }

    /** Pooling backward into a new tensor of {@link PoolProblem#inputShape()}. */
    public Tensor poolBackward(PoolProblem p, Tensor x, Tensor dy) {
        return pooling.poolBackward(p, x, dy);
    }

    /** Pooling backward into {@code dx} (overwritten); x is the forward input (max pooling re-finds its argmax). */
    public void poolBackward(PoolProblem p, Tensor x, Tensor dy, Tensor dx) {
        pooling.poolBackward(p, x, dy, dx);
    }

    // ------------------------------------------------------------------ max pooling with indices, max unpooling

    /**
     * Max pooling that also gives each window's winner (F.max_pool2d with return_indices), into new
     * tensors {@code [y, indices]}, both of {@link PoolProblem#outputShape()}. An index is the
     * winner's position {@code h * width + w} in its input plane, held exactly in float32 (the
     * problem's {@link PoolProblem#requireIndexable() planes hold at most 2^24 positions}); the
     * winner is {@link #pool}'s (the first maximum in window order; the last NaN). The gradient is
     * {@link #poolBackward}'s, which routes dy to the same positions.
     */
    public List<Tensor> maxPoolWithIndices(PoolProblem p, Tensor x) {
        return pooling.maxPoolWithIndices(p, x);
    }

    /** Max pooling with indices into {@code y} and {@code indices} (overwritten; distinct from x and each other). */
    public void maxPoolWithIndices(PoolProblem p, Tensor x, Tensor y, Tensor indices) {
        pooling.maxPoolWithIndices(p, x, y, indices);
    }

    /**
     * F.max_unpool2d of x with float32 {@code indices} (positions in the output plane) into a new
     * tensor of {@link UnpoolProblem#outputShape()}: zeros but where an index puts an input. An
     * index that is not an integer in [0, outHeight * outWidth) is skipped (every backend checks);
     * of inputs that name one position, the highest input position wins (see {@link UnpoolProblem}).
     */
    public Tensor maxUnpool(UnpoolProblem p, Tensor x, Tensor indices) {
        return pooling.maxUnpool(p, x, indices);
    }

    /** F.max_unpool2d into {@code y} (overwritten; distinct from x and the indices). */
    public void maxUnpool(UnpoolProblem p, Tensor x, Tensor indices, Tensor y) {
        pooling.maxUnpool(p, x, indices, y);
    }

    /** The backward of {@link #maxUnpool}: dx = dy gathered at each input's index (0 for a skipped one), a new tensor. */
    public Tensor maxUnpoolBackward(UnpoolProblem p, Tensor indices, Tensor dy) {
        return pooling.maxUnpoolBackward(p, indices, dy);
    }

    /** The backward of {@link #maxUnpool} into {@code dx} (overwritten; distinct from the indices and dy). */
    public void maxUnpoolBackward(UnpoolProblem p, Tensor indices, Tensor dy, Tensor dx) {
        pooling.maxUnpoolBackward(p, indices, dy, dx);
    }

    // ================================================================== batch norm

    /**
     * Training forward: normalizes with the batch statistics, writes y and the saved mean and
     * inverse standard deviation (for the backward pass), and updates the running statistics in place.
     */
    public void batchNormTrain(BatchNormProblem p, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                               Tensor runningVar, Tensor y, Tensor saveMean, Tensor saveInvStd) {
        batchNorm.batchNormTrain(p, x, gamma, beta, runningMean, runningVar, y, saveMean, saveInvStd);
    }

    /** Inference forward: normalizes with the running statistics. y may be x. */
    public void batchNormInference(BatchNormProblem p, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                   Tensor runningVar, Tensor y) {
        batchNorm.batchNormInference(p, x, gamma, beta, runningMean, runningVar, y);
    }

    /** Training backward from the statistics {@link #batchNormTrain} saved: dx, dgamma, dbeta (overwritten). */
    public void batchNormBackward(BatchNormProblem p, Tensor x, Tensor dy, Tensor gamma, Tensor saveMean,
                                  Tensor saveInvStd, Tensor dx, Tensor dgamma, Tensor dbeta) {
        batchNorm.batchNormBackward(p, x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta);
    }

    /** Inference-mode backward (running statistics held constant): dx, dgamma, dbeta (overwritten). */
    public void batchNormInferenceBackward(BatchNormProblem p, Tensor x, Tensor dy, Tensor gamma, Tensor runningMean,
                                           Tensor runningVar, Tensor dx, Tensor dgamma, Tensor dbeta) {
        batchNorm.batchNormInferenceBackward(p, x, dy, gamma, runningMean, runningVar, dx, dgamma, dbeta);
    }

    // ================================================================== activations and element-wise

    /** y = f(x) into a new tensor. */
    public Tensor activation(Activation a, Tensor x) {
        return elementwise.activation(a, x);
    }

    /** y = f(x); y may be x (in place). */
    public void activation(Activation a, Tensor x, Tensor y) {
        elementwise.activation(a, x, y);
    }

    /** dx = f'(x) * dy into a new tensor. */
    public Tensor activationBackward(Activation a, Tensor x, Tensor dy) {
        return elementwise.activationBackward(a, x, dy);
    }

    /** dx = f'(x) * dy; dx may be x or dy. */
    public void activationBackward(Activation a, Tensor x, Tensor dy, Tensor dx) {
        elementwise.activationBackward(a, x, dy, dx);
    }

    /** out = a + b (same shapes); out may be a or b. */
    public void add(Tensor a, Tensor b, Tensor out) {
        axpby(1, a, 1, b, out);
    }

    /** out = alpha * x; out may be x. */
    public void scale(Tensor x, double alpha, Tensor out) {
        axpby(alpha, x, 0, x, out);
    }

    /** out = alpha * a + beta * b (same shapes); out may be a or b. */
    public void axpby(double alpha, Tensor a, double beta, Tensor b, Tensor out) {
        elementwise.axpby(alpha, a, beta, b, out);
    }

    // ================================================================== dropout and random fills

    /**
     * Dropout with probability {@code p}: y = x / (1 - p) where the mask keeps element i, else 0.
     * The mask is {@link Philox} stream ({@code seed}, {@code offset}), the same on every backend;
     * pass the same seed and offset to {@link #dropoutBackward}. y may be x.
     */
    public void dropout(double p, long seed, long offset, Tensor x, Tensor y) {
        elementwise.dropout(p, seed, offset, x, y);
    }

    /** dx = dy / (1 - p) where the mask of ({@code seed}, {@code offset}) keeps element i, else 0. dx may be dy. */
    public void dropoutBackward(double p, long seed, long offset, Tensor dy, Tensor dx) {
        elementwise.dropoutBackward(p, seed, offset, dy, dx);
    }

    /** Fills t with uniform values in [lo, hi) from {@link Philox} stream (seed, offset). */
    public void randomUniform(Tensor t, double lo, double hi, long seed, long offset) {
        elementwise.randomUniform(t, lo, hi, seed, offset);
    }

    /** Fills t with normal values of the given mean and standard deviation from {@link Philox} stream (seed, offset). */
    public void randomNormal(Tensor t, double mean, double std, long seed, long offset) {
        elementwise.randomNormal(t, mean, std, seed, offset);
    }

    // ================================================================== softmax, loss, linear

    /** Row-wise softmax of a (rows, cols) matrix into y. */
    public void softmax(Tensor x, Tensor y) {
        softmaxLoss.softmax(x, y);
    }

    /** dx = y * (dy - rowsum(dy * y)), from the softmax output y. */
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx) {
        softmaxLoss.softmaxBackward(y, dy, dx);
    }

    /**
     * Mean softmax cross-entropy of (rows, classes) logits against {@code labels} (one class index
     * per row) with label smoothing in [0, 1]: the loss into {@code loss} (one element), its gradient
     * into {@code dlogits}.
     */
    public void softmaxCrossEntropy(Tensor logits, int[] labels, double labelSmoothing, Tensor loss, Tensor dlogits) {
        softmaxLoss.softmaxCrossEntropy(logits, labels, labelSmoothing, loss, dlogits);
    }

    /** y = x w^T + bias; bias may be null. */
    public void linear(LinearProblem p, Tensor x, Tensor w, Tensor bias, Tensor y) {
        linear.linear(p, x, w, bias, y);
    }

    /** dx = dy w (overwritten). */
    public void linearBackwardData(LinearProblem p, Tensor dy, Tensor w, Tensor dx) {
        linear.linearBackwardData(p, dy, w, dx);
    }

    /** dw = dy^T x (overwritten). */
    public void linearBackwardWeight(LinearProblem p, Tensor x, Tensor dy, Tensor dw) {
        linear.linearBackwardWeight(p, x, dy, dw);
    }

    /** db = dy summed over the batch (overwritten). */
    public void linearBackwardBias(LinearProblem p, Tensor dy, Tensor db) {
        linear.linearBackwardBias(p, dy, db);
    }

    // ================================================================== activations: relu6, hardswish, hardsigmoid, silu, mish, gelu, softplus, prelu

    // The element-wise ones are Activation kinds (activation, activationBackward above).

    /**
     * PReLU (PyTorch's F.prelu) into a new tensor: y = x &gt; 0 ? x : weight[c] * x, for x (N, C, ...)
     * and a weight of C slopes (channel c = index of dimension 1) or of 1 shared slope.
     */
    public Tensor prelu(Tensor x, Tensor weight) {
        return prelu.prelu(x, weight);
    }

    /** PReLU into y (shape of x): y = x &gt; 0 ? x : weight[c] * x; y may be x (in place). */
    public void prelu(Tensor x, Tensor weight, Tensor y) {
        prelu.prelu(x, weight, y);
    }

    /**
     * PReLU backward: dx = x &gt; 0 ? dy : weight[c] * dy (dx may be x or dy) and dweight (shape of
     * weight, overwritten) = the sum of x * dy over the elements of each slope where x &lt;= 0.
     */
    public void preluBackward(Tensor x, Tensor weight, Tensor dy, Tensor dx, Tensor dweight) {
        prelu.preluBackward(x, weight, dy, dx, dweight);
    }

    // ================================================================== normalization: local response, group, instance and layer norm

    /** Local response normalization across channels into a new tensor of {@link LrnProblem#inputShape()}. */
    public Tensor localResponseNorm(LrnProblem p, Tensor x) {
        return norm.localResponseNorm(p, x);
    }

    /** Local response normalization across channels into {@code y} (overwritten; distinct from x). */
    public void localResponseNorm(LrnProblem p, Tensor x, Tensor y) {
        norm.localResponseNorm(p, x, y);
    }

    /** Local response norm backward into a new tensor; x is the forward input. */
    public Tensor localResponseNormBackward(LrnProblem p, Tensor x, Tensor dy) {
        return norm.localResponseNormBackward(p, x, dy);
    }

    /** Local response norm backward into {@code dx} (overwritten; distinct from x and dy). */
    public void localResponseNormBackward(LrnProblem p, Tensor x, Tensor dy, Tensor dx) {
        norm.localResponseNormBackward(p, x, dy, dx);
    }

    /** Group norm forward into a new tensor (the statistics are not kept: for inference). */
    public Tensor groupNorm(GroupNormProblem p, Tensor x, Tensor weight, Tensor bias) {
        return norm.groupNorm(p, x, weight, bias);
    }

    /**
     * Group norm forward into {@code y}, saving each (sample, group) row's mean and inverse
     * standard deviation, of {@link GroupNormProblem#statsShape()}, for {@link #groupNormBackward}.
     */
    public void groupNorm(GroupNormProblem p, Tensor x, Tensor weight, Tensor bias, Tensor y, Tensor saveMean,
                          Tensor saveInvStd) {
        norm.groupNorm(p, x, weight, bias, y, saveMean, saveInvStd);
    }

    /** Group norm backward from the statistics {@link #groupNorm} saved: dx, dweight, dbias (overwritten). */
    public void groupNormBackward(GroupNormProblem p, Tensor x, Tensor dy, Tensor weight, Tensor saveMean,
                                  Tensor saveInvStd, Tensor dx, Tensor dweight, Tensor dbias) {
        norm.groupNormBackward(p, x, dy, weight, saveMean, saveInvStd, dx, dweight, dbias);
    }

    /** Instance norm forward into a new tensor (the statistics are not kept: for inference). */
    public Tensor instanceNorm(InstanceNormProblem p, Tensor x, Tensor weight, Tensor bias) {
        return norm.instanceNorm(p, x, weight, bias);
    }

    /**
     * Instance norm forward into {@code y}, saving each (sample, channel) plane's mean and inverse
     * standard deviation, of {@link InstanceNormProblem#statsShape()}, for {@link #instanceNormBackward}.
     */
    public void instanceNorm(InstanceNormProblem p, Tensor x, Tensor weight, Tensor bias, Tensor y, Tensor saveMean,
                             Tensor saveInvStd) {
        norm.instanceNorm(p, x, weight, bias, y, saveMean, saveInvStd);
    }

    /** Instance norm backward from the statistics {@link #instanceNorm} saved: dx, dweight, dbias (overwritten). */
    public void instanceNormBackward(InstanceNormProblem p, Tensor x, Tensor dy, Tensor weight, Tensor saveMean,
                                     Tensor saveInvStd, Tensor dx, Tensor dweight, Tensor dbias) {
        norm.instanceNormBackward(p, x, dy, weight, saveMean, saveInvStd, dx, dweight, dbias);
    }

    /** Layer norm forward into a new tensor (the statistics are not kept: for inference). */
    public Tensor layerNorm(LayerNormProblem p, Tensor x, Tensor weight, Tensor bias) {
        return norm.layerNorm(p, x, weight, bias);
    }

    /**
     * Layer norm forward into {@code y}, saving each row's mean and inverse standard deviation, of
     * {@link LayerNormProblem#statsShape()}, for {@link #layerNormBackward}.
     */
    public void layerNorm(LayerNormProblem p, Tensor x, Tensor weight, Tensor bias, Tensor y, Tensor saveMean,
                          Tensor saveInvStd) {
        norm.layerNorm(p, x, weight, bias, y, saveMean, saveInvStd);
    }

    /** Layer norm backward from the statistics {@link #layerNorm} saved: dx, dweight, dbias (overwritten). */
    public void layerNormBackward(LayerNormProblem p, Tensor x, Tensor dy, Tensor weight, Tensor saveMean,
                                  Tensor saveInvStd, Tensor dx, Tensor dweight, Tensor dbias) {
        norm.layerNormBackward(p, x, dy, weight, saveMean, saveInvStd, dx, dweight, dbias);
    }

    // ================================================================== losses: log-softmax, nll, mse, l1, smooth l1, binary cross-entropy with logits

    /** y = log softmax(x) row by row (dim 1 of a (rows, cols) matrix), into a new tensor. */
    public Tensor logSoftmax(Tensor x) {
        return losses.logSoftmax(x);
    }

    /** y = x - max(row) - log(sum(exp(x - max(row)))) row by row of a (rows, cols) matrix; y must not be x. */
    public void logSoftmax(Tensor x, Tensor y) {
        losses.logSoftmax(x, y);
    }

    /** dx = dy - exp(y) * rowsum(dy), from the log-softmax output y, into a new tensor. */
    public Tensor logSoftmaxBackward(Tensor y, Tensor dy) {
        return losses.logSoftmaxBackward(y, dy);
    }

    /** dx = dy - exp(y) * rowsum(dy), from the log-softmax output y; dx must not be y or dy. */
    public void logSoftmaxBackward(Tensor y, Tensor dy, Tensor dx) {
        losses.logSoftmaxBackward(y, dy, dx);
    }

    /**
     * Mean negative log-likelihood [F.nll_loss] of (rows, classes) log-probabilities x against
     * {@code target} (one class index per row): loss (one element) = -mean_r x[r][target[r]], and
     * its gradient dx = -1/rows at each row's target, 0 elsewhere.
     */
    public void nllLoss(Tensor x, int[] target, Tensor loss, Tensor dx) {
        losses.nllLoss(x, target, loss, dx);
    }

    /**
     * The mean of loss function {@code l} of x against {@code target} (same shape) into {@code loss}
     * (one element), and its gradient into dx (see {@link Loss}).
     */
    public void loss(Loss l, Tensor x, Tensor target, Tensor loss, Tensor dx) {
        losses.loss(l, x, target, loss, dx);
    }

    // ================================================================== tensor ops: cat and split, permute, broadcasting arithmetic

    /** torch.cat: the inputs concatenated along {@code axis} (they agree in every other dimension), into a new tensor. */
    public Tensor cat(List<Tensor> xs, int axis) {
        return tensorFamily.cat(xs, axis);
    }

    /** torch.cat into {@code y} (of {@link CatProblem#outputShape()}), which shares storage with no input. */
    public void cat(List<Tensor> xs, int axis, Tensor y) {
        tensorFamily.cat(xs, axis, y);
    }

    /**
     * The backward of {@link #cat} (and ONNX's Split): x cut along {@code axis} into new tensors of
     * extents {@code sizes} there (summing to x's extent).
     */
    public List<Tensor> split(Tensor x, int axis, int... sizes) {
        return tensorFamily.split(x, axis, sizes);
    }

    /** The backward of {@link #cat}: x cut along {@code axis} into {@code outs}, whose extents there sum to x's. */
    public void split(Tensor x, int axis, List<Tensor> outs) {
        tensorFamily.split(x, axis, outs);
    }

    /** Tensor.permute written out densely: output dimension i is x's dimension {@code dims[i]}, into a new tensor. */
    public Tensor permute(Tensor x, int... dims) {
        return tensorFamily.permute(x, dims);
    }

    /** Tensor.permute into {@code y} (of {@link PermuteProblem#outputShape()}), which shares storage with no input. */
    public void permute(Tensor x, int[] dims, Tensor y) {
        tensorFamily.permute(x, dims, y);
    }

    /** The backward of {@link #permute}(x, dims): dy permuted by the inverse of {@code dims}, into a new tensor. */
    public Tensor permuteBackward(Tensor dy, int... dims) {
        return tensorFamily.permuteBackward(dy, dims);
    }

    /** The backward of {@link #permute}(x, dims) into {@code dx} (x's shape). */
    public void permuteBackward(Tensor dy, int[] dims, Tensor dx) {
        tensorFamily.permuteBackward(dy, dims, dx);
    }

    /** y = op(a, b) with NumPy broadcasting ({@link BroadcastProblem}), into a new tensor. */
    public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        return tensorFamily.binary(op, a, b);
    }

    /**
     * y = op(a, b) with NumPy broadcasting into {@code y} (of {@link BroadcastProblem#outputShape()});
     * y may be a or b where that input has the output's shape.
     */
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor y) {
        tensorFamily.binary(op, a, b, y);
    }

    /**
     * The gradients of {@link #binary} as new tensors [da, db]: {@link BinaryOp}'s per-element
     * gradients summed over the dimensions where each input was broadcast, back to its own shape.
     */
    public List<Tensor> binaryBackward(BinaryOp op, Tensor a, Tensor b, Tensor dy) {
        return tensorFamily.binaryBackward(op, a, b, dy);
    }

    /**
     * The gradients of {@link #binary} into da (a's shape) and db (b's shape), overwritten; either
     * may be null to skip it. Neither shares storage with an input.
     */
    public void binaryBackward(BinaryOp op, Tensor a, Tensor b, Tensor dy, Tensor da, Tensor db) {
        tensorFamily.binaryBackward(op, a, b, dy, da, db);
    }

    // ================================================================== resampling and padding: interpolate, pixel shuffle, pad

    /** F.interpolate of x to {@code size = [outHeight, outWidth]} (nearest or bilinear, as {@code p} says), into a new tensor. */
    public Tensor interpolate(InterpolateProblem p, Tensor x) {
        return resample.interpolate(p, x);
    }

    /** F.interpolate of x into {@code y} ({@link InterpolateProblem#outputShape()}), which must not be x. */
    public void interpolate(InterpolateProblem p, Tensor x, Tensor y) {
        resample.interpolate(p, x, y);
    }

    /** The backward of {@link #interpolate}: each input cell gathers the weighted dy of every output cell that read it, into a new tensor. */
    public Tensor interpolateBackward(InterpolateProblem p, Tensor dy) {
        return resample.interpolateBackward(p, dy);
    }

    /** The backward of {@link #interpolate} into {@code dx} (the input's shape), which must not be dy. */
    public void interpolateBackward(InterpolateProblem p, Tensor dy, Tensor dx) {
        resample.interpolateBackward(p, dy, dx);
    }

    /** F.pixel_shuffle, or F.pixel_unshuffle where {@code p.unshuffle()}, of x, into a new tensor. */
    public Tensor pixelShuffle(PixelShuffleProblem p, Tensor x) {
        return resample.pixelShuffle(p, x);
    }

    /** F.pixel_shuffle or F.pixel_unshuffle of x into {@code y} ({@link PixelShuffleProblem#outputShape()}), which must not be x. */
    public void pixelShuffle(PixelShuffleProblem p, Tensor x, Tensor y) {
        resample.pixelShuffle(p, x, y);
    }

    /** The backward of {@link #pixelShuffle}: dy mapped back by {@link PixelShuffleProblem#inverse()}, into a new tensor. */
    public Tensor pixelShuffleBackward(PixelShuffleProblem p, Tensor dy) {
        return resample.pixelShuffle(p.inverse(), dy);
    }

    /** The backward of {@link #pixelShuffle} into {@code dx} (the input's shape), which must not be dy. */
    public void pixelShuffleBackward(PixelShuffleProblem p, Tensor dy, Tensor dx) {
        resample.pixelShuffle(p.inverse(), dy, dx);
    }

    /** F.pad of x's last two dimensions as {@code p} says, into a new tensor. */
    public Tensor pad(PadProblem p, Tensor x) {
        return resample.pad(p, x);
    }

    /** F.pad of x into {@code y} ({@link PadProblem#outputShape()}), which shares storage with no input. */
    public void pad(PadProblem p, Tensor x, Tensor y) {
        resample.pad(p, x, y);
    }

    /** The backward of {@link #pad}: each input cell's gradient gathers the dy of every output cell that read it, into a new tensor. */
    public Tensor padBackward(PadProblem p, Tensor dy) {
        return resample.padBackward(p, dy);
    }

    /** The backward of {@link #pad} into {@code dx} (the input's shape), which must not be dy. */
    public void padBackward(PadProblem p, Tensor dy, Tensor dx) {
        resample.padBackward(p, dy, dx);
    }

    // ================================================================== 1-D convolution and pooling: conv1d, max_pool1d, avg_pool1d

    /** 1-D convolution forward of (N, C, L) tensors with the algorithm AUTO picks for {@link Conv1dProblem#as2d()}. */
    public Tensor conv1d(Conv1dProblem p, Tensor x, Tensor w, Tensor bias) {
        return conv1d(p, ConvAlgorithm.AUTO, x, w, bias);
    }

    /** 1-D convolution forward into a new tensor of {@link Conv1dProblem#outputShape()}; {@code bias} may be null. */
    public Tensor conv1d(Conv1dProblem p, ConvAlgorithm algorithm, Tensor x, Tensor w, Tensor bias) {
        return oneD.conv1d(p, algorithm, x, w, bias);
    }

    /** 1-D convolution forward into {@code y} (overwritten), run as the height-1 2-D convolution with {@code algorithm}. */
    public void conv1d(Conv1dProblem p, ConvAlgorithm algorithm, Tensor x, Tensor w, Tensor bias, Tensor y) {
        oneD.conv1d(p, algorithm, x, w, bias, y);
    }

    /** 1-D convolution's gradient with respect to the input, into a new tensor of {@link Conv1dProblem#inputShape()}. */
    public Tensor conv1dBackwardData(Conv1dProblem p, ConvAlgorithm algorithm, Tensor dy, Tensor w) {
        return oneD.conv1dBackwardData(p, algorithm, dy, w);
    }

    /** 1-D convolution's gradient with respect to the input, into {@code dx} (overwritten). */
    public void conv1dBackwardData(Conv1dProblem p, ConvAlgorithm algorithm, Tensor dy, Tensor w, Tensor dx) {
        oneD.conv1dBackwardData(p, algorithm, dy, w, dx);
    }

    /** 1-D convolution's gradient with respect to the weights, into a new tensor of {@link Conv1dProblem#weightShape()}. */
    public Tensor conv1dBackwardFilter(Conv1dProblem p, ConvAlgorithm algorithm, Tensor x, Tensor dy) {
        return oneD.conv1dBackwardFilter(p, algorithm, x, dy);
    }

    /** 1-D convolution's gradient with respect to the weights, into {@code dw} (overwritten, not accumulated). */
    public void conv1dBackwardFilter(Conv1dProblem p, ConvAlgorithm algorithm, Tensor x, Tensor dy, Tensor dw) {
        oneD.conv1dBackwardFilter(p, algorithm, x, dy, dw);
    }

    /** 1-D convolution's bias gradient: dy summed over batch and length, a new tensor of (outChannels). */
    public Tensor conv1dBackwardBias(Conv1dProblem p, Tensor dy) {
        return oneD.conv1dBackwardBias(p, dy);
    }

    /** 1-D convolution's bias gradient into {@code db} (overwritten). */
    public void conv1dBackwardBias(Conv1dProblem p, Tensor dy, Tensor db) {
        oneD.conv1dBackwardBias(p, dy, db);
    }

    /** 1-D max or average pooling forward into a new tensor of {@link Pool1dProblem#outputShape()}. */
    public Tensor pool1d(Pool1dProblem p, Tensor x) {
        return oneD.pool1d(p, x);
    }

    /** 1-D max or average pooling forward into {@code y} (overwritten). */
    public void pool1d(Pool1dProblem p, Tensor x, Tensor y) {
        oneD.pool1d(p, x, y);
    }

    /** 1-D pooling backward into a new tensor of {@link Pool1dProblem#inputShape()}. */
    public Tensor pool1dBackward(Pool1dProblem p, Tensor x, Tensor dy) {
        return oneD.pool1dBackward(p, x, dy);
    }

    /** 1-D pooling backward into {@code dx} (overwritten); x is the forward input (max pooling re-finds its argmax). */
    public void pool1dBackward(Pool1dProblem p, Tensor x, Tensor dy, Tensor dx) {
        oneD.pool1dBackward(p, x, dy, dx);
    }

    // ================================================================== batched matrix product: matmul

    /** y = a @ b, torch.matmul of operands of rank 2 or more with broadcasting batch dimensions ({@link MatMulProblem}), into a new tensor. */
    public Tensor matmul(Tensor a, Tensor b) {
        return matMul.matmul(a, b);
    }

    /** y = a @ b ({@link MatMulProblem}) into {@code y} (of {@link MatMulProblem#outputShape()}, sharing storage with neither input). */
    public void matmul(Tensor a, Tensor b, Tensor y) {
        matMul.matmul(a, b, y);
    }

    /**
     * The gradients of {@link #matmul} as new tensors [da, db]: da = dy @ b^T and db = a^T @ dy per
     * output matrix, each summed over the batch dimensions where its operand was broadcast.
     */
    public List<Tensor> matmulBackward(Tensor a, Tensor b, Tensor dy) {
        return matMul.matmulBackward(a, b, dy);
    }

    /**
     * The gradients of {@link #matmul} into da (a's shape) and db (b's shape), overwritten and
     * summed over broadcast batch dimensions in a fixed order; either may be null to skip it.
     * Neither shares storage with an input.
     */
    public void matmulBackward(Tensor a, Tensor b, Tensor dy, Tensor da, Tensor db) {
        matMul.matmulBackward(a, b, dy, da, db);
    }

    // ================================================================== optimizers

    /** Per-element state for {@code rule} over parameters of {@code shape}, initialized as the rule says. */
    public OptimizerState optimizerState(Optimizer rule, Shape shape) {
        return optimizers.optimizerState(rule, shape);
    }

    /** One optimizer step in place on {@code param} and {@code state}, from {@code grad}. */
    public void step(Optimizer rule, OptimizerState state, Tensor param, Tensor grad) {
        optimizers.step(rule, state, param, grad);
    }

    // ================================================================== lifecycle

    /** Frees every tensor still open on this device and releases the device. Idempotent. */
    @Override
    public void close() {
        core.close();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return core.isClosed();
    }
}
