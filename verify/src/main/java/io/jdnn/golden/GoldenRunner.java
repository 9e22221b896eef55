package io.jdnn.golden;

import io.jdnn.ConvAlgorithm;
import io.jdnn.Device;
import io.jdnn.ErrorBounds;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs golden cases on a {@link Device} and compares every output the case lists with
 * {@link ErrorBounds#maxNormalizedError}. Each op of {@code FORMAT.md} maps onto the Device API:
 *
 * <table>
 *   <caption>ops and the Device calls that run them</caption>
 *   <tr><th>op</th><th>Device calls</th><th>float32 bound</th></tr>
 *   <tr><td>conv2d, conv_transpose2d</td><td>conv2d, conv2dBackwardData, conv2dBackwardFilter with the
 *       algorithm AUTO picks (or the requested one), conv2dBackwardBias</td>
 *       <td>{@link ConvAlgorithm#errorBound()} of the algorithm that ran; db: {@link ErrorBounds#REDUCTION}</td></tr>
 *   <tr><td>max_pool2d, avg_pool2d, adaptive_avg_pool2d</td><td>pool, poolBackward</td><td>{@link ErrorBounds#POOLING}</td></tr>
 *   <tr><td>batch_norm_train</td><td>batchNormTrain (running statistics updated in place), batchNormBackward</td>
 *       <td>{@link ErrorBounds#REDUCTION}</td></tr>
 *   <tr><td>batch_norm_eval</td><td>batchNormInference, batchNormInferenceBackward</td><td>{@link ErrorBounds#REDUCTION}</td></tr>
 *   <tr><td>relu, leaky_relu, elu, sigmoid, tanh</td><td>activation, activationBackward</td><td>{@link ErrorBounds#ELEMENTWISE}</td></tr>
 *   <tr><td>softmax (dim 1 of 2-D)</td><td>softmax, softmaxBackward</td><td>{@link ErrorBounds#SOFTMAX}</td></tr>
 *   <tr><td>softmax_cross_entropy (reduction "mean")</td><td>softmaxCrossEntropy</td><td>{@link ErrorBounds#SOFTMAX}</td></tr>
 *   <tr><td>linear</td><td>linear, linearBackwardData, linearBackwardWeight, linearBackwardBias</td>
 *       <td>{@link ErrorBounds#GEMM}; db: {@link ErrorBounds#REDUCTION}</td></tr>
 *   <tr><td>sgd, adagrad, rmsprop, adam, adamw, adadelta</td><td>optimizerState, then step per g1, g2, ...
 *       comparing p1, p2, ...</td><td>{@link ErrorBounds#OPTIMIZER}</td></tr>
 *   <tr><td>log_softmax (dim 1 of 2-D)</td><td>logSoftmax, logSoftmaxBackward</td><td>{@link ErrorBounds#SOFTMAX}</td></tr>
 *   <tr><td>nll_loss, mse_loss, l1_loss, smooth_l1_loss, binary_cross_entropy_with_logits (reduction "mean")</td>
 *       <td>nllLoss, loss</td><td>loss: {@link ErrorBounds#REDUCTION}; dx: {@link ErrorBounds#ELEMENTWISE}</td></tr>
 *   <tr><td>matmul (torch.matmul, operands of rank 2 or more)</td><td>matmul, matmulBackward</td>
 *       <td>{@link ErrorBounds#GEMM}</td></tr>
 * </table>
 *
 * The bound applied is {@link ErrorBounds#forPrecision} of the device's precision and the op's
 * float32 bound, so the float64 reference is held to {@link ErrorBounds#FLOAT64}.
 *
 * <p>A case with an unknown op, an input, output or parameter the runner does not know, a
 * parameter value it cannot honour (reduction other than "mean", say), or one the problem records
 * reject, fails with the reason; nothing is skipped and nothing falls back.
 *
 * <p>Each op family has its handler class (ConvHandler, PoolHandler, BatchNormHandler,
 * ActivationHandler, SoftmaxHandler, LinearHandler, OptimizerHandler, LossHandler), registered by op name in
 * one table that {@link #OPS} lists. CaseRun holds what every handler uses (the checks of what a
 * case declares, tensor bookkeeping, comparison); Params reads the case's parameters.
 */
public final class GoldenRunner {

    /** Op name to handler, in the order of FORMAT.md: the one list of what the runner maps. */
    private static final Map<String, OpHandler> HANDLERS = handlers();

    /** Every op this runner maps, in the order of FORMAT.md. */
    public static final List<String> OPS = List.copyOf(HANDLERS.keySet());

    private final Device device;
    private final ConvAlgorithm algorithm;

    /**
     * @param algorithm the convolution algorithm to run ({@link ConvAlgorithm#AUTO}: the one the
     *                  device picks for each problem and direction)
     */
    public GoldenRunner(Device device, ConvAlgorithm algorithm) {
        if (device == null) {
            throw new IllegalArgumentException("device: expected a Device, got null");
        }
        if (algorithm == null) {
            throw new IllegalArgumentException("algorithm: expected a ConvAlgorithm (AUTO to let the device choose), got null");
        }
        this.device = device;
        this.algorithm = algorithm;
    }

    /** A runner that lets the device pick each convolution algorithm. */
    public GoldenRunner(Device device) {
        this(device, ConvAlgorithm.AUTO);
    }

    /** The device the cases run on. */
    public Device device() {
        return device;
    }

    /** The convolution algorithm requested for every case ({@link ConvAlgorithm#AUTO}: the device's choice). */
    public ConvAlgorithm algorithm() {
        return algorithm;
    }

    /** Runs every case of {@code file} in order. */
    public List<CaseResult> runAll(GoldenFile file) {
        List<CaseResult> out = new ArrayList<>();
        for (GoldenCase c : file.cases()) {
            out.add(run(c));
        }
        return out;
    }

    /** Runs one case; never throws for a problem of the case or the device, it reports it. */
    public CaseResult run(GoldenCase c) {
        CaseRun r = new CaseRun(c, device, algorithm);
        try {
            OpHandler handler = HANDLERS.get(c.op());
            if (handler == null) {
                throw new UnsupportedCase("unknown op '" + c.op() + "' (the runner knows " + String.join(", ", OPS) + ")");
            }
            handler.run(r);
            if (r.results().isEmpty()) {
                throw new UnsupportedCase("the case lists no outputs to compare");
            }
            return new CaseResult(c.name(), c.op(), r.results(), null);
        } catch (UnsupportedCase e) {
            return CaseResult.failed(c.name(), c.op(), r.results(), e.getMessage());
        } catch (RuntimeException e) {
            String what = e instanceof IllegalArgumentException || e instanceof IllegalStateException
                    ? "" : e.getClass().getSimpleName() + ": ";
            return CaseResult.failed(c.name(), c.op(), r.results(), what + e.getMessage());
        } finally {
            r.closeAll();
        }
    }

    private static Map<String, OpHandler> handlers() {
        Map<String, OpHandler> m = new LinkedHashMap<>();
        m.put("conv2d", r -> ConvHandler.run(r, false));
        m.put("conv_transpose2d", r -> ConvHandler.run(r, true));
        for (String op : List.of("max_pool2d", "avg_pool2d", "adaptive_avg_pool2d")) {
            m.put(op, PoolHandler::run);
        }
        m.put("batch_norm_train", BatchNormHandler::train);
        m.put("batch_norm_eval", BatchNormHandler::eval);
        for (String op : List.of("relu", "leaky_relu", "elu", "sigmoid", "tanh")) {
            m.put(op, ActivationHandler::run);
        }
        m.put("softmax", SoftmaxHandler::softmax);
        m.put("softmax_cross_entropy", SoftmaxHandler::crossEntropy);
        m.put("linear", LinearHandler::run);
        // ---------------------------------------------------------------- activations: relu6, hardswish, hardsigmoid, silu, mish, gelu, softplus, prelu
        for (String op : ActivationHandler.SECOND_SET) {
            m.put(op, ActivationHandler::run);
        }
        m.put("prelu", PreluHandler::run);

        // ---------------------------------------------------------------- normalization: local response, group, instance and layer norm
        m.put("local_response_norm", NormHandler::localResponseNorm);
        m.put("group_norm", NormHandler::groupNorm);
        m.put("instance_norm", NormHandler::instanceNorm);
        m.put("layer_norm", NormHandler::layerNorm);

        // ---------------------------------------------------------------- losses: log-softmax, nll, mse, l1, smooth l1, binary cross-entropy with logits
        m.put("log_softmax", LossHandler::logSoftmax);
        m.put("nll_loss", LossHandler::nll);
        for (String op : List.of("mse_loss", "l1_loss", "smooth_l1_loss", "binary_cross_entropy_with_logits")) {
            m.put(op, LossHandler::elementwise);
        }

        // ---------------------------------------------------------------- tensor ops: cat and split, permute, broadcasting arithmetic
        m.put("cat", TensorHandler::cat);
        m.put("permute", TensorHandler::permute);
        for (io.jdnn.BinaryOp op : io.jdnn.BinaryOp.values()) {
            m.put(op.opName(), TensorHandler::binary);
        }

        for (String op : List.of("sgd", "adagrad", "rmsprop", "adam", "adamw", "adadelta")) {
            m.put(op, OptimizerHandler::run);
        }
        // ---------------------------------------------------------------- resampling and padding: interpolate, pixel shuffle, pad
        m.put("interpolate", ResampleHandler::interpolate);
        m.put("pixel_shuffle", r -> ResampleHandler.pixelShuffle(r, false));
        m.put("pixel_unshuffle", r -> ResampleHandler.pixelShuffle(r, true));
        m.put("pad", ResampleHandler::pad);

        // ---------------------------------------------------------------- 1-D convolution and pooling: conv1d, max_pool1d, avg_pool1d
        m.put("conv1d", OneDHandler::conv1d);
        m.put("max_pool1d", OneDHandler::pool1d);
        m.put("avg_pool1d", OneDHandler::pool1d);

        // ---------------------------------------------------------------- max pooling with indices, max unpooling
        m.put("max_pool2d_with_indices", PoolHandler::run);
        m.put("max_unpool2d", PoolHandler::unpool);

        // ---------------------------------------------------------------- batched matrix product: matmul
        m.put("matmul", MatMulHandler::run);

        return Collections.unmodifiableMap(m);
    }
}
