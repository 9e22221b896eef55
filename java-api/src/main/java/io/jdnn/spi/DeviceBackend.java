package io.jdnn.spi;

import io.jdnn.Activation;
import io.jdnn.BatchNormProblem;
import io.jdnn.BroadcastProblem;
import io.jdnn.CatProblem;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DeviceInfo;
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

import java.util.List;
import java.util.Optional;

/**
 * What a backend implements for one device. {@link io.jdnn.Device} validates every argument
 * (shapes, devices, closed tensors, aliasing) before it calls in here, and serializes calls: an
 * implementation sees one call at a time, with buffers it allocated, of the sizes the problem
 * implies. Operations may run asynchronously in call order; {@link #read} and
 * {@link #synchronize} wait for them.
 *
 * <p>Semantics of every op are those of the reference backend (module jdnn-cpu), which states them
 * in one loop per op and direction. Hyper-parameters arrive as doubles; float32 backends round them
 * once.
 */
public interface DeviceBackend extends AutoCloseable {

    /** What the device is: backend, index, name, memory, compute units, precision. Called without the lock. */
    DeviceInfo info();

    // ---------------------------------------------------------------- memory

    /** A new buffer of {@code elements} values, contents unspecified. Throws DeviceOutOfMemoryException. */
    Buffer allocate(long elements);

    /** Frees a buffer; called exactly once per buffer. */
    void free(Buffer buffer);

    /** Writes {@code length} floats of {@code src} from {@code srcOffset} into {@code dst} at element {@code dstOffset}. */
    void write(Buffer dst, long dstOffset, float[] src, int srcOffset, int length);

    /** Reads {@code length} elements of {@code src} from {@code srcOffset} into {@code dst}; waits for pending work. */
    void read(Buffer src, long srcOffset, float[] dst, int dstOffset, int length);

    /** Reads at the storage precision; float32 backends widen. */
    default void readDouble(Buffer src, long srcOffset, double[] dst, int dstOffset, int length) {
        float[] tmp = new float[length];
        read(src, srcOffset, tmp, 0, length);
        for (int i = 0; i < length; i++) {
            dst[dstOffset + i] = tmp[i];
        }
    }

    /** Writes at the storage precision; float32 backends round to nearest. */
    default void writeDouble(Buffer dst, long dstOffset, double[] src, int srcOffset, int length) {
        float[] tmp = new float[length];
        for (int i = 0; i < length; i++) {
            tmp[i] = (float) src[srcOffset + i];
        }
        write(dst, dstOffset, tmp, 0, length);
    }

    /** Sets the first {@code elements} values of {@code dst} to {@code value}. */
    void fill(Buffer dst, long elements, double value);

    /** Copies the first {@code elements} values of {@code src} into {@code dst} (distinct buffers). */
    void copy(Buffer src, Buffer dst, long elements);

    /** Waits until every operation issued so far has finished. */
    void synchronize();

    /**
     * Starts measuring the device time of the work issued from now until {@link DeviceTimer#stop()}.
     * GPU backends use device events (CUDA events, OpenCL profiling); the default synchronizes
     * and reads {@link System#nanoTime()}.
     */
    default DeviceTimer startTimer() {
        synchronize();
        long t0 = System.nanoTime();
        return () -> {
            synchronize();
            return (System.nanoTime() - t0) / 1e6;
        };
    }

    /** The driver's free-memory figure in bytes, or -1 where there is none. */
    default long deviceFreeBytes() {
        return -1;
    }

    // ---------------------------------------------------------------- convolution

    // AUTO never reaches a backend: io.jdnn.Device plans every call (ConvPlanner) and passes the
    // concrete algorithm; a backend family contributes only how it measures (convSelector).

    /** The algorithms this backend implements, AUTO excluded, in its preferred order. */
    List<ConvAlgorithm> algorithms();

    /**
     * Empty when {@code algorithm} can run {@code direction} of {@code conv}; otherwise why not.
     * {@code algorithm} is any value but AUTO, including ones this backend does not implement
     * (the answer then says so).
     */
    Optional<String> whyNot(DirectConv conv, ConvDirection direction, ConvAlgorithm algorithm);

    /**
     * How this backend family measures which of several applicable algorithms is fastest; asked
     * once when the device opens. Filtering and remembering are the API's (see {@link ConvSelector}).
     */
    ConvSelector convSelector();

    /**
     * True when {@code algorithm} (one of {@link #algorithms()}) gives bitwise-identical results
     * run after run on this device: no floating-point atomics, a reduction order that does not
     * depend on timing. The default, false, is the safe answer for a backend that does not say.
     * Like {@link #info()} and {@link #algorithms()}, called without the device's lock: answer from
     * immutable state.
     */
    default boolean isDeterministic(ConvAlgorithm algorithm) {
        return false;
    }

    /**
     * y (n,k,p,q) = conv(x (n,c,h,w), w (k,c/g,r,s)) + bias (k), bias may be null. In this and the
     * other two directions, {@code algorithm} is one that {@link #whyNot} accepted, never AUTO.
     */
    void convForward(DirectConv conv, ConvAlgorithm algorithm, Buffer x, Buffer w, Buffer bias, Buffer y);

    /**
     * dx (n,c,h,w) = backward-data(dy (n,k,p,q), w) + bias (c) per image channel, bias may be null
     * (a transposed convolution's forward pass adds its bias here).
     */
    void convBackwardData(DirectConv conv, ConvAlgorithm algorithm, Buffer dy, Buffer w, Buffer bias, Buffer dx);

    /** dw (k,c/g,r,s) = backward-filter(x (n,c,h,w), dy (n,k,p,q)), overwritten (not accumulated). */
    void convBackwardFilter(DirectConv conv, ConvAlgorithm algorithm, Buffer x, Buffer dy, Buffer dw);

    /**
     * A convolution with a fused epilogue: out = activation(conv + bias), where conv is
     * {@link #convForward} when {@code direction} is FORWARD (in1 = x, out = y) and
     * {@link #convBackwardData} when it is BACKWARD_DATA (a transposed convolution's forward pass:
     * in1 = dy, out = dx); bias may be null. Semantics: the reference's loop, the convolution then
     * {@link #activationForward} on its output. The default runs exactly that as two launches on
     * this device (no host work); a backend that applies the activation where it stores the output
     * overrides this and {@link #fusesActivation}.
     */
    default void convActivationForward(DirectConv conv, ConvDirection direction, ConvAlgorithm algorithm, Buffer in1,
                                       Buffer w, Buffer bias, Activation activation, Buffer out) {
        long n;
        if (direction == ConvDirection.BACKWARD_DATA) {
            convBackwardData(conv, algorithm, in1, w, bias, out);
            n = conv.imageElements();
        } else if (direction == ConvDirection.FORWARD) {
            convForward(conv, algorithm, in1, w, bias, out);
            n = conv.responseElements();
        } else {
            throw new IllegalArgumentException("direction: expected FORWARD or BACKWARD_DATA, got " + direction);
        }
        activationForward(activation, n, out, out);
    }

    /**
     * True when {@link #convActivationForward} with these arguments applies the activation in the
     * convolution's own output store (one launch); false, the default, when it runs as a second
     * launch. Called without the device's lock: answer from immutable state.
     */
    default boolean fusesActivation(DirectConv conv, ConvDirection direction, ConvAlgorithm algorithm) {
        return false;
    }

    /** out[c] = sum over n and i of x[n][c][i], x of shape (n, c, inner): every bias gradient. */
    void channelSum(int n, int c, long inner, Buffer x, Buffer out);

    // ---------------------------------------------------------------- pooling

    /** y, overwritten: max, average or adaptive average pooling of x as {@code p} says. */
    void poolForward(PoolProblem p, Buffer x, Buffer y);

    /** dx, overwritten; max pooling re-finds each window's argmax in x. */
    void poolBackward(PoolProblem p, Buffer x, Buffer dy, Buffer dx);

    /**
     * y and indices (p.outputShape()), overwritten: max pooling as {@link #poolForward}, and each
     * window's winner as the float32 position {@code h * W + w} in its input plane. Semantics: the
     * reference's loop (RefPool.maxForward).
     */
    void maxPoolWithIndices(PoolProblem p, Buffer x, Buffer y, Buffer indices);

    /**
     * y (p.outputShape()), overwritten: zeros, then {@code y[plane][idx] = x[plane][i]} for each
     * input i of each plane whose index idx is an integer in [0, outHeight * outWidth) (others are
     * skipped, never written); of inputs naming one position, the highest i wins. Semantics: the
     * reference's loop (RefPool.unpool).
     */
    void maxUnpool(UnpoolProblem p, Buffer x, Buffer indices, Buffer y);

    /**
     * dx (p.inputShape()), overwritten: {@code dx[plane][i] = dy[plane][idx]} for an index in range
     * as {@link #maxUnpool} judges it, 0 otherwise. Semantics: the reference's loop (RefPool.unpoolBackward).
     */
    void maxUnpoolBackward(UnpoolProblem p, Buffer indices, Buffer dy, Buffer dx);

    // ---------------------------------------------------------------- batch norm

    /** y, saveMean, saveInvStd written; runningMean and runningVar updated in place. */
    void batchNormTrain(BatchNormProblem p, Buffer x, Buffer gamma, Buffer beta, Buffer runningMean,
                        Buffer runningVar, Buffer y, Buffer saveMean, Buffer saveInvStd);

    /** y = gamma (x - runningMean) / sqrt(runningVar + eps) + beta per channel; y may be x. */
    void batchNormInference(BatchNormProblem p, Buffer x, Buffer gamma, Buffer beta, Buffer runningMean,
                            Buffer runningVar, Buffer y);

    /** Backward of training mode, from the statistics saved by the forward pass. */
    void batchNormBackward(BatchNormProblem p, Buffer x, Buffer dy, Buffer gamma, Buffer saveMean,
                           Buffer saveInvStd, Buffer dx, Buffer dgamma, Buffer dbeta);

    /** Backward of inference mode: the running statistics are constants. */
    void batchNormInferenceBackward(BatchNormProblem p, Buffer x, Buffer dy, Buffer gamma, Buffer runningMean,
                                    Buffer runningVar, Buffer dx, Buffer dgamma, Buffer dbeta);

    // ---------------------------------------------------------------- element-wise

    /** y = f(x) over n elements; y may be x. */
    void activationForward(Activation a, long n, Buffer x, Buffer y);

    /** dx = f'(x) * dy over n elements; dx may be x or dy. */
    void activationBackward(Activation a, long n, Buffer x, Buffer dy, Buffer dx);

    /** out = alpha * a + beta * b over n elements; out may be a or b. */
    void axpby(long n, double alpha, Buffer a, double beta, Buffer b, Buffer out);

    /**
     * y = keep ? x / (1 - p) : 0 where keep is element i's draw u_i >= p, u_i from
     * {@link io.jdnn.Philox#uniform(long, long, long)}; y may be x.
     */
    void dropoutForward(long n, double p, long seed, long offset, Buffer x, Buffer y);

    /** dx = keep ? dy / (1 - p) : 0 with the mask of the same seed and offset; dx may be dy. */
    void dropoutBackward(long n, double p, long seed, long offset, Buffer dy, Buffer dx);

    /** out[i] = lo + (hi - lo) * Philox.uniform(seed, offset, i). */
    void randomUniform(long n, double lo, double hi, long seed, long offset, Buffer out);

    /** out[i] = mean + std * Philox.normal(seed, offset, i). */
    void randomNormal(long n, double mean, double std, long seed, long offset, Buffer out);

    // ---------------------------------------------------------------- softmax, loss, linear

    /** Row-wise softmax of a (rows, cols) matrix. */
    void softmaxForward(int rows, int cols, Buffer x, Buffer y);

    /** dx = y * (dy - sum(dy * y)) row by row. */
    void softmaxBackward(int rows, int cols, Buffer y, Buffer dy, Buffer dx);

    /**
     * Mean softmax cross-entropy of (rows, cols) logits against class labels with label
     * smoothing s: loss (1 element) = mean over rows of -sum_k t_k log softmax_k with
     * t = (1 - s) onehot + s / cols; dlogits = (softmax - t) / rows.
     */
    void softmaxCrossEntropy(int rows, int cols, int[] labels, double labelSmoothing, Buffer logits, Buffer loss,
                             Buffer dlogits);

    /** y (batch, out) = x (batch, in) w^T + bias, bias may be null. */
    void linearForward(LinearProblem p, Buffer x, Buffer w, Buffer bias, Buffer y);

    /** dx (batch, in) = dy (batch, out) w. */
    void linearBackwardData(LinearProblem p, Buffer dy, Buffer w, Buffer dx);

    /** dw (out, in) = dy^T x, overwritten. */
    void linearBackwardWeight(LinearProblem p, Buffer x, Buffer dy, Buffer dw);

    // ---------------------------------------------------------------- activations: relu6, hardswish, hardsigmoid, silu, mish, gelu, softplus, prelu

    /**
     * PReLU forward over x viewed as (outer, channels, inner), weight of {@code channels} slopes (a
     * shared slope arrives as channels = 1): y = x &gt; 0 ? x : weight[c] * x (NaN stays NaN); y may be x.
     * Semantics: the reference's loop (RefPrelu.forward).
     */
    void preluForward(int outer, int channels, long inner, Buffer x, Buffer weight, Buffer y);

    /**
     * PReLU backward over the same view: dweight[c] (overwritten) = sum over (n, i) of
     * (x &gt; 0 ? 0 : x * dy), summed in a fixed order (deterministic), then dx = x &gt; 0 ? dy :
     * weight[c] * dy; dx may be x or dy (so dweight is computed first). Semantics: the reference's
     * loop (RefPrelu.backward).
     */
    void preluBackward(int outer, int channels, long inner, Buffer x, Buffer weight, Buffer dy, Buffer dx,
                       Buffer dweight);

    // ---------------------------------------------------------------- normalization: local response, group, instance and layer norm

    /**
     * Local response norm across channels (semantics: the reference's loop, RefNorm.lrnForward):
     * y[n,c,i] = x[n,c,i] / (k + alpha / size * sum of x[n,c',i]^2 over the channels c' in
     * [c - size/2, c + (size-1)/2] that exist)^beta.
     */
    void lrnForward(LrnProblem p, Buffer x, Buffer y);

    /**
     * Local response norm backward (semantics: RefNorm.lrnBackward), with D[c] the forward's base
     * k + alpha / size * window sum: dx[c] = dy[c] D[c]^-beta - 2 alpha beta / size * x[c] * sum of
     * dy[c'] x[c'] D[c']^(-beta-1) over the channels c' whose window holds c.
     */
    void lrnBackward(LrnProblem p, Buffer x, Buffer dy, Buffer dx);

    /**
     * Group norm forward (semantics: RefNorm.groupNormForward): per (sample, group) row r of
     * {@link GroupNormProblem#groupSize()} values, mean and biased variance, saveMean[r] = mean,
     * saveInvStd[r] = 1 / sqrt(var + eps), y = (x - mean) * invstd * weight[c] + bias[c]. Instance
     * and layer norm arrive here as group norm.
     */
    void groupNormForward(GroupNormProblem p, Buffer x, Buffer weight, Buffer bias, Buffer y, Buffer saveMean,
                          Buffer saveInvStd);

    /**
     * Group norm backward from the saved statistics (semantics: RefNorm.groupNormBackward): with
     * xhat = (x - mean) * invstd and g = dy * weight[c], per row of M values
     * dx = invstd * (g - sum(g) / M - xhat * sum(g * xhat) / M); per channel dweight = sum over
     * samples and space of dy * xhat, dbias = sum of dy.
     */
    void groupNormBackward(GroupNormProblem p, Buffer x, Buffer dy, Buffer weight, Buffer saveMean, Buffer saveInvStd,
                           Buffer dx, Buffer dweight, Buffer dbias);

    // ---------------------------------------------------------------- losses: log-softmax, nll, mse, l1, smooth l1, binary cross-entropy with logits

    /**
     * Row-wise log-softmax of a (rows, cols) matrix. Semantics: the reference's loop, y[r][j] =
     * x[r][j] - m - log(sum_k exp(x[r][k] - m)), m = max_k x[r][k].
     */
    void logSoftmaxForward(int rows, int cols, Buffer x, Buffer y);

    /** Log-softmax backward from its output y: dx[r][j] = dy[r][j] - exp(y[r][j]) * sum_k dy[r][k]. */
    void logSoftmaxBackward(int rows, int cols, Buffer y, Buffer dy, Buffer dx);

    /**
     * Mean negative log-likelihood of (rows, cols) log-probabilities x against labels (valid
     * class indices, one per row). Semantics: the reference's loop, loss (1 element) =
     * -sum_r x[r][labels[r]] / rows; dx = -1/rows at (r, labels[r]), 0 elsewhere.
     */
    void nllLoss(int rows, int cols, int[] labels, Buffer x, Buffer loss, Buffer dx);

    /**
     * Element-wise loss {@code l} of n elements of x against target, mean-reduced. Semantics: the
     * reference's loop (the formulas of {@link Loss}): loss (1 element) = sum_i l(x_i, t_i) / n,
     * dx_i = l'(x_i, t_i) / n.
     */
    void loss(Loss l, long n, Buffer x, Buffer target, Buffer loss, Buffer dx);

    // ---------------------------------------------------------------- tensor ops: cat and split, permute, broadcasting arithmetic

    /**
     * y = the inputs {@code xs} (shapes {@code p.inputs()}) concatenated along {@code p.axis()}.
     * Semantics: the reference's loop (RefTensorFamily.cat).
     */
    void cat(CatProblem p, Buffer[] xs, Buffer y);

    /**
     * The backward of cat: {@code outs[i]} = input i's slice of x (shape {@code p.outputShape()})
     * along {@code p.axis()}. Semantics: the reference's loop (RefTensorFamily.split).
     */
    void split(CatProblem p, Buffer x, Buffer[] outs);

    /**
     * y = x (shape {@code p.input()}) with its dimensions permuted by {@code p.dims()}, written
     * densely. Semantics: the reference's loop (RefTensorFamily.permute).
     */
    void permute(PermuteProblem p, Buffer x, Buffer y);

    /**
     * y = op(a, b) with NumPy broadcasting; y may be a or b where that input has the output's
     * shape. Semantics: the reference's loop (RefTensorFamily.forward).
     */
    void binaryForward(BroadcastProblem p, Buffer a, Buffer b, Buffer y);

    /**
     * da, db (overwritten; either may be null: skipped) = the op's per-element gradients of dy
     * summed over each input's broadcast dimensions in a fixed order. Semantics: the reference's
     * loop (RefTensorFamily.backward).
     */
    void binaryBackward(BroadcastProblem p, Buffer a, Buffer b, Buffer dy, Buffer da, Buffer db);

    // ---------------------------------------------------------------- resampling and padding: interpolate, pixel shuffle, pad

    /**
     * y (p.outputShape()) = x (p.inputShape()) resized by nearest or bilinear interpolation.
     * Semantics: the reference's loop (RefResample.interpolate).
     */
    void interpolate(InterpolateProblem p, Buffer x, Buffer y);

    /**
     * dx (p.inputShape()) = the adjoint of interpolate applied to dy (p.outputShape()): each input
     * cell's sum of the dy of the output cells that read it, times the weights they read it with;
     * dx is overwritten. Semantics: the reference's loop (RefResample.interpolateBackward).
     */
    void interpolateBackward(InterpolateProblem p, Buffer dy, Buffer dx);

    /**
     * y (p.outputShape()) = x (p.inputShape()) pixel-shuffled or unshuffled (a permutation of the
     * elements; the backward is the same call with p.inverse()). Semantics: the reference's loop
     * (RefResample.pixelShuffle).
     */
    void pixelShuffle(PixelShuffleProblem p, Buffer x, Buffer y);

    /**
     * y (p.outputShape()) = x (p.inputShape()) padded or cropped in its last two dimensions.
     * Semantics: the reference's loop (RefResample.pad).
     */
    void pad(PadProblem p, Buffer x, Buffer y);

    /**
     * dx (p.inputShape()) = the sum of dy over the output cells that read each input cell (0 for
     * none): dx is overwritten. Semantics: the reference's loop (RefResample.padBackward).
     */
    void padBackward(PadProblem p, Buffer dy, Buffer dx);

    // ---------------------------------------------------------------- batched matrix product: matmul

    /**
     * y (p.outputShape()) = a (p.a()) @ b (p.b()) per output matrix, the matrices of a and b that
     * {@link MatMulProblem#aMatrix} and {@link MatMulProblem#bMatrix} name; y shares storage with
     * neither input. Semantics: the reference's loop (RefMatMul.forward).
     */
    void matmul(MatMulProblem p, Buffer a, Buffer b, Buffer y);

    /**
     * da (p.a()) = the sum of dy_o @ b_o^T and db (p.b()) = the sum of a_o^T @ dy_o over the output
     * matrices o reading each of their matrices, in a fixed order; both overwritten, either may be
     * null (skipped). Semantics: the reference's loop (RefMatMul.backward).
     */
    void matmulBackward(MatMulProblem p, Buffer a, Buffer b, Buffer dy, Buffer da, Buffer db);

    // ---------------------------------------------------------------- optimizers

    /**
     * One step of {@code rule} over n elements, in place on param and the state buffers (in the
     * order of {@link Optimizer#stateNames()}); {@code step} counts from 1.
     */
    void optimizerStep(Optimizer rule, long step, long n, Buffer param, Buffer grad, Buffer[] state);

    /** Frees everything the device still holds. */
    @Override
    void close();
}
