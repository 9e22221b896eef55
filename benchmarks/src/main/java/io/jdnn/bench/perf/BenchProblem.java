package io.jdnn.bench.perf;

import io.jdnn.BatchNormProblem;
import io.jdnn.ConvProblem;
import io.jdnn.GroupNormProblem;
import io.jdnn.LinearProblem;
import io.jdnn.LrnProblem;
import io.jdnn.PoolProblem;
import io.jdnn.ProblemString;
import io.jdnn.optim.Optimizer;

import java.util.List;
import java.util.Locale;

/**
 * One problem the benchmark runs: a record of the API ({@link ConvProblem}, {@link PoolProblem},
 * {@link BatchNormProblem}, {@link LinearProblem}) or an optimizer rule over a parameter count. Every
 * size, flop and byte count comes from those records; this type only adds the list of passes
 * ("directions") each kind has and the way it is written on a command line.
 */
public sealed interface BenchProblem {

    /** The canonical problem string of the API record (the optimizer rule's string for a step). */
    String canonical();

    /** conv, deconv, pool, bn, linear, tensor, resample, gn, lrn or optimizer. */
    String kind();

    /** The passes this kind has, in the order they are run. */
    List<Pass> passes();

    /** The same problem with another batch size (an optimizer has none and returns itself). */
    BenchProblem withBatch(int batch);

    /** The batch size, or 0 for an optimizer. */
    int batch();

    /** The arguments of {@code jdnn bench} that name this problem. */
    default String commandLine() {
        return "--problem " + canonical();
    }

    /**
     * Reads a problem string of any kind. An optimizer rule needs {@code parameters}, the element
     * count of the parameter tensor it steps (ignored for the other kinds, where it must be 0).
     */
    static BenchProblem parse(String text, long parameters) {
        String kind = ProblemString.parse(text).kind().toLowerCase(Locale.ROOT);
        BenchProblem p = switch (kind) {
            case "conv", "deconv" -> new Conv(ConvProblem.parse(text));
            case "maxpool", "avgpool", "adaptiveavgpool" -> new Pool(PoolProblem.parse(text));
            case "bn" -> new BatchNorm(BatchNormProblem.parse(text));
            case "linear" -> new Linear(LinearProblem.parse(text));
            case "cat", "permute", "add", "sub", "mul", "div", "maximum", "minimum" ->
                    new TensorFamily(TensorFamilyOp.parse(text));
            case "resizenearest", "resizebilinear", "pixelshuffle", "pixelunshuffle", "constpad", "reflectpad",
                 "replicatepad" -> new Resample(ResampleOp.parse(text));
            case "gn" -> new GroupNorm(GroupNormProblem.parse(text));
            case "lrn" -> new Lrn(LrnProblem.parse(text));
            case "sgd", "adagrad", "rmsprop", "adam", "adamw", "adadelta" -> {
                if (parameters < 1) {
                    throw new IllegalArgumentException("--params: an optimizer problem (" + text
                            + ") needs the parameter count it steps, e.g. --params 25557032");
                }
                yield new Step(Optimizer.parse(text), parameters, text);
            }
            default -> throw new IllegalArgumentException("problem string '" + text + "': expected kind conv, deconv, "
                    + "maxpool, avgpool, adaptiveavgpool, bn, linear, gn, lrn, cat, permute, add, sub, mul, div, maximum, minimum, "
                    + String.join(", ", ResampleOp.KINDS) + ", sgd, adagrad, rmsprop, adam, adamw or adadelta, got '"
                    + kind + "'");
        };
        if (!(p instanceof Step) && parameters > 0) {
            throw new IllegalArgumentException("--params: only optimizer problems take a parameter count, not " + text);
        }
        return p;
    }

    /** A pass of a problem and the command-line direction family it belongs to. */
    enum Pass {
        /** Convolution / linear forward, pooling forward. */
        FWD("fwd", "fwd"),
        /** Convolution / linear gradient of the input. */
        BWD_DATA("bwd-data", "bwd-data"),
        /** Convolution / linear gradient of the weights. */
        BWD_FILTER("bwd-filter", "bwd-filter"),
        /** Pooling backward (the gradient of the input); the tensor ops' backward passes. */
        BWD("bwd", "bwd-data"),
        /** Batch-norm training forward (batch statistics, running-statistics update). */
        FWD_TRAIN("fwd-train", "fwd"),
        /** Batch-norm inference forward (running statistics). */
        FWD_INFER("fwd-infer", "fwd"),
        /** Batch-norm training backward (dx, dgamma, dbeta). */
        BWD_TRAIN("bwd", "bwd-data"),
        /** One optimizer step. */
        STEP("step", "fwd");

        private final String label;
        private final String family;

        Pass(String label, String family) {
            this.label = label;
            this.family = family;
        }

        /** The name in tables and on the command line. */
        public String label() {
            return label;
        }

        /** fwd, bwd-data or bwd-filter: which value of {@code --dir} selects this pass. */
        public String family() {
            return family;
        }
    }

    /** A convolution or transposed convolution. */
    record Conv(ConvProblem problem) implements BenchProblem {
        @Override
        public String canonical() {
            return problem.toString();
        }

        @Override
        public String kind() {
            return problem.transposed() ? "deconv" : "conv";
        }

        @Override
        public List<Pass> passes() {
            return List.of(Pass.FWD, Pass.BWD_DATA, Pass.BWD_FILTER);
        }

        @Override
        public BenchProblem withBatch(int batch) {
            return new Conv(problem.withBatch(batch));
        }

        @Override
        public int batch() {
            return problem.batch();
        }
    }

    /** Max, average or adaptive average pooling. */
    record Pool(PoolProblem problem) implements BenchProblem {
        @Override
        public String canonical() {
            return problem.toString();
        }

        @Override
        public String kind() {
            return "pool";
        }

        @Override
        public List<Pass> passes() {
            return List.of(Pass.FWD, Pass.BWD);
        }

        @Override
        public BenchProblem withBatch(int batch) {
            return new Pool(problem.withBatch(batch));
        }

        @Override
        public int batch() {
            return problem.batch();
        }
    }

    /** Spatial batch normalization. */
    record BatchNorm(BatchNormProblem problem) implements BenchProblem {
        @Override
        public String canonical() {
            return problem.toString();
        }

        @Override
        public String kind() {
            return "bn";
        }

        @Override
        public List<Pass> passes() {
            return List.of(Pass.FWD_TRAIN, Pass.FWD_INFER, Pass.BWD_TRAIN);
        }

        @Override
        public BenchProblem withBatch(int batch) {
            return new BatchNorm(problem.withBatch(batch));
        }

        @Override
        public int batch() {
            return problem.batch();
        }
    }

    /** Group normalization (instance norm: groups = channels; layer norm: 1x1 images, one group). */
    record GroupNorm(GroupNormProblem problem) implements BenchProblem {
        @Override
        public String canonical() {
            return problem.toString();
        }

        @Override
        public String kind() {
            return "gn";
        }

        @Override
        public List<Pass> passes() {
            return List.of(Pass.FWD, Pass.BWD);
        }

        @Override
        public BenchProblem withBatch(int batch) {
            return new GroupNorm(problem.withBatch(batch));
        }

        @Override
        public int batch() {
            return problem.batch();
        }
    }

    /** Local response normalization across channels. */
    record Lrn(LrnProblem problem) implements BenchProblem {
        @Override
        public String canonical() {
            return problem.toString();
        }

        @Override
        public String kind() {
            return "lrn";
        }

        @Override
        public List<Pass> passes() {
            return List.of(Pass.FWD, Pass.BWD);
        }

        @Override
        public BenchProblem withBatch(int batch) {
            return new Lrn(problem.withBatch(batch));
        }

        @Override
        public int batch() {
            return problem.batch();
        }
    }

    /** A fully connected layer: the GEMMs of a network. */
    record Linear(LinearProblem problem) implements BenchProblem {
        @Override
        public String canonical() {
            return problem.toString();
        }

        @Override
        public String kind() {
            return "linear";
        }

        @Override
        public List<Pass> passes() {
            return List.of(Pass.FWD, Pass.BWD_DATA, Pass.BWD_FILTER);
        }

        @Override
        public BenchProblem withBatch(int batch) {
            return new Linear(new LinearProblem(batch, problem.inFeatures(), problem.outFeatures()));
        }

        @Override
        public int batch() {
            return problem.batch();
        }
    }

    /** A tensor op: a CatProblem, PermuteProblem or BroadcastProblem (see {@link TensorFamilyOp}). */
    record TensorFamily(Object problem) implements BenchProblem {
        @Override
        public String canonical() {
            return problem.toString();
        }

        @Override
        public String kind() {
            return "tensor";
        }

        @Override
        public List<Pass> passes() {
            return List.of(Pass.FWD, Pass.BWD);
        }

        @Override
        public BenchProblem withBatch(int batch) {
            return new TensorFamily(TensorFamilyOp.withBatch(problem, batch));
        }

        @Override
        public int batch() {
            return TensorFamilyOp.batch(problem);
        }
    }

    /** A resampling op: an InterpolateProblem, PixelShuffleProblem or PadProblem (see {@link ResampleOp}). */
    record Resample(Object problem) implements BenchProblem {
        @Override
        public String canonical() {
            return problem.toString();
        }

        @Override
        public String kind() {
            return "resample";
        }

        @Override
        public List<Pass> passes() {
            return List.of(Pass.FWD, Pass.BWD);
        }

        @Override
        public BenchProblem withBatch(int batch) {
            return new Resample(ResampleOp.withBatch(problem, batch));
        }

        @Override
        public int batch() {
            return ResampleOp.batch(problem);
        }
    }

    /**
     * One step of an optimizer rule over {@code parameters} elements.
     *
     * @param text the string the rule was read from: the command line repeats it where the rule's
     *             canonical string does not read back (see {@link #commandLine()})
     */
    record Step(Optimizer rule, long parameters, String text) implements BenchProblem {
        public Step {
            if (parameters < 1 || parameters > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("parameters: expected a value in [1, 2^31 - 9], got " + parameters);
            }
        }

        /** The same rule over another parameter count. */
        public Step withParameters(long n) {
            return new Step(rule, n, text);
        }

        @Override
        public String canonical() {
            return rule.toString();
        }

        @Override
        public String kind() {
            return "optimizer";
        }

        @Override
        public List<Pass> passes() {
            return List.of(Pass.STEP);
        }

        @Override
        public BenchProblem withBatch(int batch) {
            return this;
        }

        @Override
        public int batch() {
            return 0;
        }

        /**
         * The canonical string where {@link Optimizer#parse} reads it back; otherwise the string the
         * rule came from (ProblemString does not read back a key of three words such as AdaGrad's
         * initial_accumulator_value).
         */
        @Override
        public String commandLine() {
            String s = canonical();
            try {
                if (!Optimizer.parse(s).equals(rule)) {
                    s = text;
                }
            } catch (IllegalArgumentException e) {
                s = text;
            }
            return "--problem " + s + " --params " + parameters;
        }
    }
}
