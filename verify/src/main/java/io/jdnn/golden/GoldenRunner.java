package io.jdnn.golden;

import io.jdnn.Activation;
import io.jdnn.BatchNormProblem;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.LinearProblem;
import io.jdnn.OptimizerState;
import io.jdnn.PoolProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.optim.AdaDelta;
import io.jdnn.optim.AdaGrad;
import io.jdnn.optim.Adam;
import io.jdnn.optim.AdamW;
import io.jdnn.optim.Optimizer;
import io.jdnn.optim.RmsProp;
import io.jdnn.optim.Sgd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

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
 * </table>
 *
 * The bound applied is {@link ErrorBounds#forPrecision} of the device's precision and the op's
 * float32 bound, so the float64 reference is held to {@link ErrorBounds#FLOAT64}.
 *
 * <p>A case with an unknown op, an input, output or parameter the runner does not know, a
 * parameter value it cannot honour (reduction other than "mean", say), or one the problem records
 * reject, fails with the reason; nothing is skipped and nothing falls back.
 */
public final class GoldenRunner {

    /** Every op this runner maps, in the order of FORMAT.md. */
    public static final List<String> OPS = List.of("conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d",
            "adaptive_avg_pool2d", "batch_norm_train", "batch_norm_eval", "relu", "leaky_relu", "elu", "sigmoid",
            "tanh", "softmax", "softmax_cross_entropy", "linear", "sgd", "adagrad", "rmsprop", "adam", "adamw",
            "adadelta");

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

    public Device device() {
        return device;
    }

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
        Run r = new Run(c);
        try {
            r.execute();
            if (r.results.isEmpty()) {
                throw new Unsupported("the case lists no outputs to compare");
            }
            return new CaseResult(c.name(), c.op(), r.results, null);
        } catch (Unsupported e) {
            return CaseResult.failed(c.name(), c.op(), r.results, e.getMessage());
        } catch (RuntimeException e) {
            String what = e instanceof IllegalArgumentException || e instanceof IllegalStateException
                    ? "" : e.getClass().getSimpleName() + ": ";
            return CaseResult.failed(c.name(), c.op(), r.results, what + e.getMessage());
        } finally {
            r.closeAll();
        }
    }

    /** A case the runner cannot honour; its message is the reason. */
    private static final class Unsupported extends RuntimeException {
        Unsupported(String message) {
            super(message, null, false, false);
        }
    }

    /** The state of one case's run: what it declared, the tensors it opened, the results. */
    private final class Run {
        private final GoldenCase c;
        /** What to close when the case ends, in the order it was opened. */
        private final List<Runnable> opened = new ArrayList<>();
        private final List<OutputResult> results = new ArrayList<>();

        Run(GoldenCase c) {
            this.c = c;
        }

        void execute() {
            switch (c.op()) {
                case "conv2d" -> conv(false);
                case "conv_transpose2d" -> conv(true);
                case "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d" -> pool();
                case "batch_norm_train" -> batchNormTrain();
                case "batch_norm_eval" -> batchNormEval();
                case "relu", "leaky_relu", "elu", "sigmoid", "tanh" -> activation();
                case "softmax" -> softmax();
                case "softmax_cross_entropy" -> crossEntropy();
                case "linear" -> linear();
                case "sgd", "adagrad", "rmsprop", "adam", "adamw", "adadelta" -> optimizer();
                default -> throw new Unsupported("unknown op '" + c.op() + "' (the runner knows " + String.join(", ", OPS) + ")");
            }
        }

        // ------------------------------------------------------------ ops

        private void conv(boolean transposed) {
            declare(transposed ? List.of("stride", "padding", "output_padding", "dilation", "groups")
                            : List.of("stride", "padding", "dilation", "groups"), List.of(),
                    List.of("x", "w"), List.of("b", "dy"), List.of("y", "dx", "dw", "db"));
            requireIfAny("dy", "dx", "dw", "db");
            int[] x = dims("x", 4, "(N, C, H, W)");
            int[] w = dims("w", 4, transposed ? "(Cin, Cout/groups, R, S)" : "(Cout, Cin/groups, R, S)");
            int[] stride = pair("stride");
            int[] padding = pair("padding");
            int[] dilation = pair("dilation");
            int groups = integer("groups");
            int[] outputPadding = transposed ? pair("output_padding") : new int[] {0, 0};
            long outChannels = transposed ? (long) w[1] * groups : w[0];
            if (outChannels > Integer.MAX_VALUE) {
                throw new Unsupported("w: output channels " + outChannels + " exceed 2^31 - 1");
            }
            ConvProblem p = ConvProblem.builder().batch(x[0]).inChannels(x[1]).size(x[2], x[3])
                    .outChannels((int) outChannels).kernel(w[2], w[3]).stride(stride[0], stride[1])
                    .padding(padding[0], padding[1]).dilation(dilation[0], dilation[1]).groups(groups)
                    .transposed(transposed).outputPadding(outputPadding[0], outputPadding[1]).build();
            Tensor tx = upload("x");
            Tensor tw = upload("w");
            Tensor tb = has("b") ? upload("b") : null;
            Tensor tdy = has("dy") ? upload("dy") : null;
            if (wants("y")) {
                ConvAlgorithm a = pick(p, ConvDirection.FORWARD);
                compare("y", keep(device.conv2d(p, a, tx, tw, tb)), p.outputShape(), a.errorBound(), a.name());
            }
            if (wants("dx")) {
                ConvAlgorithm a = pick(p, ConvDirection.BACKWARD_DATA);
                compare("dx", keep(device.conv2dBackwardData(p, a, tdy, tw)), p.inputShape(), a.errorBound(), a.name());
            }
            if (wants("dw")) {
                ConvAlgorithm a = pick(p, ConvDirection.BACKWARD_FILTER);
                compare("dw", keep(device.conv2dBackwardFilter(p, a, tx, tdy)), p.weightShape(), a.errorBound(), a.name());
            }
            if (wants("db")) {
                compare("db", keep(device.conv2dBackwardBias(p, tdy)), p.biasShape(), ErrorBounds.REDUCTION, "reduction");
            }
        }

        /** The algorithm to run {@code direction} of {@code p}: AUTO's choice, or the requested one if it applies. */
        private ConvAlgorithm pick(ConvProblem p, ConvDirection direction) {
            if (algorithm == ConvAlgorithm.AUTO) {
                return device.autoAlgorithm(p, direction);
            }
            Optional<String> why = device.whyNot(p, direction, algorithm);
            if (why.isPresent()) {
                throw new Unsupported("algorithm " + algorithm + " cannot run " + direction.shortName() + " of " + p
                        + " on " + device.spec() + ": " + why.get());
            }
            return algorithm;
        }

        private void pool() {
            String op = c.op();
            List<String> params = switch (op) {
                case "max_pool2d" -> List.of("kernel", "stride", "padding", "dilation", "ceil_mode");
                case "avg_pool2d" -> List.of("kernel", "stride", "padding", "ceil_mode", "count_include_pad");
                default -> List.of("output_size");
            };
            declare(params, List.of(), List.of("x"), List.of("dy"), List.of("y", "dx"));
            requireIfAny("dy", "dx");
            int[] x = dims("x", 4, "(N, C, H, W)");
            PoolProblem p;
            if (op.equals("adaptive_avg_pool2d")) {
                int[] size = pair("output_size");
                p = PoolProblem.adaptiveAvg(x[0], x[1], x[2], x[3], size[0], size[1]);
            } else {
                int[] k = pair("kernel");
                int[] s = pair("stride");
                int[] pad = pair("padding");
                PoolProblem.Builder b = (op.equals("max_pool2d") ? PoolProblem.max() : PoolProblem.avg())
                        .batch(x[0]).channels(x[1]).size(x[2], x[3]).kernel(k[0], k[1]).stride(s[0], s[1])
                        .padding(pad[0], pad[1]).ceilMode(bool("ceil_mode"));
                if (op.equals("max_pool2d")) {
                    int[] d = pair("dilation");
                    b.dilation(d[0], d[1]);
                } else {
                    b.countIncludePad(bool("count_include_pad"));
                }
                p = b.build();
            }
            Tensor tx = upload("x");
            if (wants("y")) {
                compare("y", keep(device.pool(p, tx)), p.outputShape(), ErrorBounds.POOLING, "pooling");
            }
            if (wants("dx")) {
                Tensor tdy = upload("dy");
                compare("dx", keep(device.poolBackward(p, tx, tdy)), p.inputShape(), ErrorBounds.POOLING, "pooling");
            }
        }

        private void batchNormTrain() {
            declare(List.of("eps", "momentum"), List.of(), List.of("x", "gamma", "beta", "running_mean", "running_var"),
                    List.of("dy"), List.of("y", "dx", "dgamma", "dbeta", "running_mean_out", "running_var_out", "save_mean",
                            "save_invstd"));
            requireIfAny("dy", "dx", "dgamma", "dbeta");
            BatchNormProblem p = batchNormProblem(real("momentum"));
            int[] xDims = c.tensor("x").shape();
            Tensor x = upload("x", p.inputShape());
            Tensor gamma = upload("gamma");
            Tensor beta = upload("beta");
            Tensor runningMean = upload("running_mean");
            Tensor runningVar = upload("running_var");
            Shape cs = p.channelShape();
            Tensor y = allocate(p.inputShape());
            Tensor saveMean = allocate(cs);
            Tensor saveInvStd = allocate(cs);
            device.batchNormTrain(p, x, gamma, beta, runningMean, runningVar, y, saveMean, saveInvStd);
            compare("y", y, xDims, ErrorBounds.REDUCTION, "reduction");
            compare("running_mean_out", runningMean, cs.dims(), ErrorBounds.REDUCTION, "reduction");
            compare("running_var_out", runningVar, cs.dims(), ErrorBounds.REDUCTION, "reduction");
            compare("save_mean", saveMean, cs.dims(), ErrorBounds.REDUCTION, "reduction");
            compare("save_invstd", saveInvStd, cs.dims(), ErrorBounds.REDUCTION, "reduction");
            if (wants("dx") || wants("dgamma") || wants("dbeta")) {
                Tensor dy = upload("dy", p.inputShape());
                Tensor dx = allocate(p.inputShape());
                Tensor dgamma = allocate(cs);
                Tensor dbeta = allocate(cs);
                device.batchNormBackward(p, x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta);
                compare("dx", dx, xDims, ErrorBounds.REDUCTION, "reduction");
                compare("dgamma", dgamma, cs.dims(), ErrorBounds.REDUCTION, "reduction");
                compare("dbeta", dbeta, cs.dims(), ErrorBounds.REDUCTION, "reduction");
            }
        }

        private void batchNormEval() {
            // momentum is listed by FORMAT.md but unused in evaluation: accepted, and checked as PyTorch's would be.
            declare(List.of("eps"), List.of("momentum"), List.of("x", "gamma", "beta", "running_mean", "running_var"),
                    List.of("dy"), List.of("y", "dx", "dgamma", "dbeta"));
            requireIfAny("dy", "dx", "dgamma", "dbeta");
            BatchNormProblem p = batchNormProblem(c.params().containsKey("momentum")
                    ? real("momentum") : BatchNormProblem.DEFAULT_MOMENTUM);
            int[] xDims = c.tensor("x").shape();
            Tensor x = upload("x", p.inputShape());
            Tensor gamma = upload("gamma");
            Tensor beta = upload("beta");
            Tensor runningMean = upload("running_mean");
            Tensor runningVar = upload("running_var");
            Shape cs = p.channelShape();
            if (wants("y")) {
                Tensor y = allocate(p.inputShape());
                device.batchNormInference(p, x, gamma, beta, runningMean, runningVar, y);
                compare("y", y, xDims, ErrorBounds.REDUCTION, "reduction");
            }
            if (wants("dx") || wants("dgamma") || wants("dbeta")) {
                Tensor dy = upload("dy", p.inputShape());
                Tensor dx = allocate(p.inputShape());
                Tensor dgamma = allocate(cs);
                Tensor dbeta = allocate(cs);
                device.batchNormInferenceBackward(p, x, dy, gamma, runningMean, runningVar, dx, dgamma, dbeta);
                compare("dx", dx, xDims, ErrorBounds.REDUCTION, "reduction");
                compare("dgamma", dgamma, cs.dims(), ErrorBounds.REDUCTION, "reduction");
                compare("dbeta", dbeta, cs.dims(), ErrorBounds.REDUCTION, "reduction");
            }
        }

        /** (N, C), (N, C, L) and (N, C, H, W) inputs, as PyTorch's BatchNorm1d and BatchNorm2d take them. */
        private BatchNormProblem batchNormProblem(double momentum) {
            int[] x = tensorOf("x").shape();
            if (x.length < 2 || x.length > 4) {
                throw new Unsupported("x: expected a tensor of 2 to 4 dimensions (N, C[, H[, W]]), got shape "
                        + Arrays.toString(x));
            }
            int h = x.length > 2 ? x[2] : 1;
            int w = x.length > 3 ? x[3] : 1;
            return new BatchNormProblem(x[0], x[1], h, w, real("eps"), momentum);
        }

        private void activation() {
            Activation a;
            switch (c.op()) {
                case "leaky_relu" -> {
                    declare(List.of("negative_slope"), List.of(), List.of("x"), List.of("dy"), List.of("y", "dx"));
                    a = Activation.leakyRelu(real("negative_slope"));
                }
                case "elu" -> {
                    declare(List.of("alpha"), List.of(), List.of("x"), List.of("dy"), List.of("y", "dx"));
                    a = Activation.elu(real("alpha"));
                }
                default -> {
                    declare(List.of(), List.of(), List.of("x"), List.of("dy"), List.of("y", "dx"));
                    a = switch (c.op()) {
                        case "relu" -> Activation.relu();
                        case "sigmoid" -> Activation.sigmoid();
                        default -> Activation.tanh();
                    };
                }
            }
            requireIfAny("dy", "dx");
            int[] dims = tensorOf("x").shape();
            Tensor x = upload("x");
            if (wants("y")) {
                compare("y", keep(device.activation(a, x)), dims, ErrorBounds.ELEMENTWISE, "elementwise");
            }
            if (wants("dx")) {
                Tensor dy = upload("dy");
                compare("dx", keep(device.activationBackward(a, x, dy)), dims, ErrorBounds.ELEMENTWISE, "elementwise");
            }
        }

        private void softmax() {
            declare(List.of("dim"), List.of(), List.of("x"), List.of("dy"), List.of("y", "dx"));
            requireIfAny("dy", "dx");
            int[] dims = dims("x", 2, "(rows, classes)");
            int dim = integer("dim");
            if (dim != 1 && dim != -1) {
                throw new Unsupported("parameter 'dim': expected 1 (or -1), the class dimension of a 2-D x, got " + dim);
            }
            Tensor x = upload("x");
            Tensor y = allocate(x.shape());
            device.softmax(x, y);
            compare("y", y, dims, ErrorBounds.SOFTMAX, "softmax");
            if (wants("dx")) {
                Tensor dy = upload("dy");
                Tensor dx = allocate(x.shape());
                device.softmaxBackward(y, dy, dx);
                compare("dx", dx, dims, ErrorBounds.SOFTMAX, "softmax");
            }
        }

        private void crossEntropy() {
            declare(List.of("reduction", "label_smoothing"), List.of(), List.of("logits", "target"), List.of(),
                    List.of("loss", "dlogits"));
            String reduction = string("reduction");
            if (!reduction.equals("mean")) {
                throw new Unsupported("parameter 'reduction': only \"mean\" is supported, got \"" + reduction + "\"");
            }
            double smoothing = real("label_smoothing");
            int[] dims = dims("logits", 2, "(rows, classes)");
            GoldenTensor target = tensorOf("target");
            if (target.dtype() != DType.I64) {
                throw new Unsupported("input 'target': expected class indices of dtype i64, got " + target.dtype().token());
            }
            if (target.shape().length != 1 || target.shape()[0] != dims[0]) {
                throw new Unsupported("input 'target': expected shape [" + dims[0] + "] (one label per row), got "
                        + Arrays.toString(target.shape()));
            }
            long[] raw = target.toLongArray();
            int[] labels = new int[raw.length];
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] < Integer.MIN_VALUE || raw[i] > Integer.MAX_VALUE) {
                    throw new Unsupported("input 'target': labels[" + i + "]: expected a class index, got " + raw[i]);
                }
                labels[i] = (int) raw[i];
            }
            Tensor logits = upload("logits");
            Tensor loss = allocate(Shape.of(1));
            Tensor dlogits = allocate(logits.shape());
            device.softmaxCrossEntropy(logits, labels, smoothing, loss, dlogits);
            compare("loss", loss, new int[] {1}, ErrorBounds.SOFTMAX, "softmax");
            compare("dlogits", dlogits, dims, ErrorBounds.SOFTMAX, "softmax");
        }

        private void linear() {
            declare(List.of(), List.of(), List.of("x", "w"), List.of("b", "dy"), List.of("y", "dx", "dw", "db"));
            requireIfAny("dy", "dx", "dw", "db");
            int[] x = dims("x", 2, "(N, in_features)");
            int[] w = dims("w", 2, "(out_features, in_features)");
            LinearProblem p = new LinearProblem(x[0], x[1], w[0]);
            Tensor tx = upload("x");
            Tensor tw = upload("w");
            Tensor tb = has("b") ? upload("b") : null;
            Tensor tdy = has("dy") ? upload("dy") : null;
            if (wants("y")) {
                Tensor y = allocate(p.outputShape());
                device.linear(p, tx, tw, tb, y);
                compare("y", y, p.outputShape(), ErrorBounds.GEMM, "gemm");
            }
            if (wants("dx")) {
                Tensor dx = allocate(p.inputShape());
                device.linearBackwardData(p, tdy, tw, dx);
                compare("dx", dx, p.inputShape(), ErrorBounds.GEMM, "gemm");
            }
            if (wants("dw")) {
                Tensor dw = allocate(p.weightShape());
                device.linearBackwardWeight(p, tx, tdy, dw);
                compare("dw", dw, p.weightShape(), ErrorBounds.GEMM, "gemm");
            }
            if (wants("db")) {
                Tensor db = allocate(p.biasShape());
                device.linearBackwardBias(p, tdy, db);
                compare("db", db, p.biasShape(), ErrorBounds.REDUCTION, "reduction");
            }
        }

        private void optimizer() {
            List<String> params = switch (c.op()) {
                case "sgd" -> List.of("lr", "momentum", "dampening", "nesterov", "weight_decay");
                case "adagrad" -> List.of("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps");
                case "rmsprop" -> List.of("lr", "alpha", "eps", "weight_decay", "momentum", "centered");
                case "adam", "adamw" -> List.of("lr", "betas", "eps", "weight_decay", "amsgrad");
                default -> List.of("lr", "rho", "eps", "weight_decay");
            };
            int steps = 0;
            while (c.inputs().contains("g" + (steps + 1))) {
                steps++;
            }
            if (steps == 0) {
                throw new Unsupported("inputs: expected gradients g1, g2, ... (one per step), got " + c.inputs());
            }
            List<String> inputs = new ArrayList<>(List.of("p0"));
            List<String> outputs = new ArrayList<>();
            for (int k = 1; k <= steps; k++) {
                inputs.add("g" + k);
                outputs.add("p" + k);
            }
            declare(params, List.of(), inputs, List.of(), outputs);
            Optimizer rule = switch (c.op()) {
                case "sgd" -> new Sgd(real("lr"), real("momentum"), real("dampening"), bool("nesterov"), real("weight_decay"));
                case "adagrad" -> new AdaGrad(real("lr"), real("lr_decay"), real("weight_decay"),
                        real("initial_accumulator_value"), real("eps"));
                case "rmsprop" -> new RmsProp(real("lr"), real("alpha"), real("eps"), real("weight_decay"), real("momentum"),
                        bool("centered"));
                case "adam" -> {
                    double[] b = realPair("betas");
                    yield new Adam(real("lr"), b[0], b[1], real("eps"), real("weight_decay"), bool("amsgrad"));
                }
                case "adamw" -> {
                    double[] b = realPair("betas");
                    yield new AdamW(real("lr"), b[0], b[1], real("eps"), real("weight_decay"), bool("amsgrad"));
                }
                default -> new AdaDelta(real("lr"), real("rho"), real("eps"), real("weight_decay"));
            };
            int[] dims = tensorOf("p0").shape();
            Tensor param = upload("p0");
            OptimizerState state = device.optimizerState(rule, param.shape());
            opened.add(state::close);
            for (int k = 1; k <= steps; k++) {
                Tensor g = upload("g" + k);
                device.step(rule, state, param, g);
                compare("p" + k, param, dims, ErrorBounds.OPTIMIZER, "optimizer");
            }
        }

        // ------------------------------------------------------------ declarations

        /**
         * Checks the case against what the op takes: every parameter known (the required ones
         * present), every input and output known, the required inputs present.
         */
        private void declare(List<String> required, List<String> optional, List<String> requiredInputs,
                             List<String> optionalInputs, List<String> knownOutputs) {
            List<String> known = new ArrayList<>(required);
            known.addAll(optional);
            for (String k : c.params().keySet()) {
                if (!known.contains(k)) {
                    throw new Unsupported("parameter '" + k + "' is not understood for op '" + c.op() + "' (it takes "
                            + (known.isEmpty() ? "no parameters" : String.join(", ", known)) + ")");
                }
            }
            for (String k : required) {
                if (!c.params().containsKey(k)) {
                    throw new Unsupported("parameter '" + k + "' is missing (op '" + c.op() + "' takes " + String.join(", ", known) + ")");
                }
            }
            List<String> knownInputs = new ArrayList<>(requiredInputs);
            knownInputs.addAll(optionalInputs);
            for (String in : c.inputs()) {
                if (!knownInputs.contains(in)) {
                    throw new Unsupported("input '" + in + "' is not understood for op '" + c.op() + "' (it takes "
                            + String.join(", ", knownInputs) + ")");
                }
            }
            for (String in : requiredInputs) {
                if (!c.inputs().contains(in)) {
                    throw new Unsupported("input '" + in + "' is missing (op '" + c.op() + "' needs " + String.join(", ", requiredInputs) + ")");
                }
            }
            for (String out : c.outputs()) {
                if (!knownOutputs.contains(out)) {
                    throw new Unsupported("output '" + out + "' is not produced by op '" + c.op() + "' (it produces "
                            + String.join(", ", knownOutputs) + ")");
                }
            }
        }

        /** {@code input} must be given when any of {@code outputs} is to be compared. */
        private void requireIfAny(String input, String... outputs) {
            for (String o : outputs) {
                if (wants(o) && !has(input)) {
                    throw new Unsupported("input '" + input + "' is missing; output '" + o + "' needs it");
                }
            }
        }

        private boolean wants(String output) {
            return c.outputs().contains(output);
        }

        private boolean has(String input) {
            return c.inputs().contains(input);
        }

        // ------------------------------------------------------------ parameters

        /** The value of parameter {@code key}: null for JSON's null. */
        private Object param(String key) {
            if (!c.params().containsKey(key)) {
                throw new Unsupported("parameter '" + key + "' is missing");
            }
            return c.params().get(key);
        }

        private int integer(String key) {
            return toInt(key, param(key));
        }

        private int toInt(String key, Object v) {
            if (v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                return (int) (long) l;
            }
            throw new Unsupported("parameter '" + key + "': expected an integer, got " + GoldenJson.describe(v));
        }

        /** An int pair: [a, b], or a single integer meaning (a, a) as PyTorch reads it. */
        private int[] pair(String key) {
            Object v = param(key);
            if (v instanceof List<?> l) {
                if (l.size() != 2) {
                    throw new Unsupported("parameter '" + key + "': expected two integers [h, w], got " + l.size() + " values " + l);
                }
                return new int[] {toInt(key + "[0]", l.get(0)), toInt(key + "[1]", l.get(1))};
            }
            int i = toInt(key, v);
            return new int[] {i, i};
        }

        private double real(String key) {
            return toReal(key, param(key));
        }

        private double toReal(String key, Object v) {
            if (v instanceof Long || v instanceof Double) {
                return ((Number) v).doubleValue();
            }
            throw new Unsupported("parameter '" + key + "': expected a number, got " + GoldenJson.describe(v));
        }

        private double[] realPair(String key) {
            Object v = param(key);
            if (!(v instanceof List<?> l) || l.size() != 2) {
                throw new Unsupported("parameter '" + key + "': expected two numbers [a, b], got " + GoldenJson.describe(v));
            }
            return new double[] {toReal(key + "[0]", l.get(0)), toReal(key + "[1]", l.get(1))};
        }

        private boolean bool(String key) {
            Object v = param(key);
            if (v instanceof Boolean b) {
                return b;
            }
            throw new Unsupported("parameter '" + key + "': expected true or false, got " + GoldenJson.describe(v));
        }

        private String string(String key) {
            Object v = param(key);
            if (v instanceof String s) {
                return s;
            }
            throw new Unsupported("parameter '" + key + "': expected a string, got " + GoldenJson.describe(v));
        }

        // ------------------------------------------------------------ tensors

        private GoldenTensor tensorOf(String name) {
            GoldenTensor t = c.tensor(name);
            if (t == null) {
                throw new Unsupported("tensor '" + name + "' is missing");
            }
            return t;
        }

        /** The shape of input {@code name}, which must have {@code rank} dimensions. */
        private int[] dims(String name, int rank, String layout) {
            int[] d = tensorOf(name).shape();
            if (d.length != rank) {
                throw new Unsupported("input '" + name + "': expected a " + rank + "-D tensor " + layout + ", got shape "
                        + Arrays.toString(d));
            }
            return d;
        }

        /** Uploads an f32 input with its own shape. */
        private Tensor upload(String name) {
            int[] d = tensorOf(name).shape();
            if (d.length == 0) {
                d = new int[] {1};
            }
            for (int e : d) {
                if (e < 1) {
                    throw new Unsupported("input '" + name + "': expected positive extents, got shape " + Arrays.toString(d));
                }
            }
            return upload(name, Shape.of(d));
        }

        /** Uploads an f32 input under {@code shape} (the same element count, another view of it). */
        private Tensor upload(String name, Shape shape) {
            GoldenTensor t = tensorOf(name);
            if (t.dtype() != DType.F32) {
                throw new Unsupported("input '" + name + "': expected dtype f32 (the device API takes float32 inputs), got "
                        + t.dtype().token());
            }
            if (t.elements() != shape.elements()) {
                throw new Unsupported("input '" + name + "': expected " + shape.elements() + " elements (shape " + shape
                        + "), got shape " + Arrays.toString(t.shape()));
            }
            return keep(device.upload(shape, t.toFloatArray()));
        }

        private Tensor allocate(Shape shape) {
            return keep(device.allocate(shape));
        }

        private Tensor keep(Tensor t) {
            opened.add(t::close);
            return t;
        }

        private void compare(String output, Tensor actual, Shape shape, double float32Bound, String what) {
            compare(output, actual, shape.dims(), float32Bound, what);
        }

        /**
         * Compares {@code actual} (logically of shape {@code dims}) with the expected output, if the
         * case lists it.
         */
        private void compare(String output, Tensor actual, int[] dims, double float32Bound, String what) {
            if (!wants(output)) {
                return;
            }
            GoldenTensor expected = tensorOf(output);
            if (expected.dtype() == DType.I64) {
                throw new Unsupported("output '" + output + "': expected dtype f64 or f32, got i64");
            }
            int[] e = expected.shape();
            boolean scalarOk = e.length == 0 && Arrays.equals(dims, new int[] {1});
            if (!scalarOk && !Arrays.equals(e, dims)) {
                throw new Unsupported("output '" + output + "': the case gives shape " + Arrays.toString(e)
                        + ", the op produces " + Arrays.toString(dims));
            }
            double error = ErrorBounds.maxNormalizedError(actual.toDoubleArray(), expected.toDoubleArray());
            double bound = ErrorBounds.forPrecision(device.info().precision(), float32Bound);
            results.add(new OutputResult(output, error, bound, what));
        }

        void closeAll() {
            for (int i = opened.size() - 1; i >= 0; i--) {
                opened.get(i).run();
            }
            opened.clear();
        }
    }
}
