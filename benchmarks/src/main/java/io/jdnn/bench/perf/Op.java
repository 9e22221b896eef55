package io.jdnn.bench.perf;

import io.jdnn.BatchNormProblem;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.LinearProblem;
import io.jdnn.OptimizerState;
import io.jdnn.PoolProblem;
import io.jdnn.Precision;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.bench.perf.BenchProblem.Pass;
import io.jdnn.optim.Optimizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One pass of one problem: the tensors it reads and writes (named as the {@link Device} method
 * names its arguments), how to run it on a device, which outputs verification compares and with
 * which bound. Flop and byte counts are the problem record's.
 */
public abstract class Op {
    /** How a tensor is filled before the op runs. */
    public enum Fill {
        /** Standard normal values (never zeros). */
        NORMAL,
        /** Uniform in [0.5, 1.5): variances and inverse standard deviations. */
        POSITIVE,
        /** Uniform in [0, 1): optimizer state, valid for every rule (non-negative where a rule needs it). */
        UNIT,
        /** An output: poisoned with NaN, so that an element no thread writes fails verification. */
        OUTPUT
    }

    /** A tensor of the op: its argument name, shape, fill, and whether verification compares it. */
    public record TensorSpec(String name, Shape shape, Fill fill, boolean compared) {
    }

    /** The problem's elements per optimizer step verified against the reference (an element-wise rule: a prefix is the same op). */
    public static final int VERIFY_PARAMETERS = 1 << 18;

    protected final BenchProblem problem;
    protected final Pass pass;

    Op(BenchProblem problem, Pass pass) {
        this.problem = problem;
        this.pass = pass;
    }

    /** The op for one pass of a problem. */
    public static Op of(BenchProblem problem, Pass pass) {
        if (!problem.passes().contains(pass)) {
            throw new IllegalArgumentException("pass " + pass.label() + " of " + problem.canonical() + ": expected one of "
                    + problem.passes());
        }
        if (problem instanceof BenchProblem.Conv c) {
            return new ConvOp(c, pass);
        } else if (problem instanceof BenchProblem.Pool p) {
            return new PoolOp(p, pass);
        } else if (problem instanceof BenchProblem.BatchNorm b) {
            return new BatchNormOp(b, pass);
        } else if (problem instanceof BenchProblem.Linear l) {
            return new LinearOp(l, pass);
        } else if (problem instanceof BenchProblem.TensorFamily t) {
            return new TensorFamilyOp(t, pass);
        } else if (problem instanceof BenchProblem.Resample r) {
            return new ResampleOp(r, pass);
        } else if (problem instanceof BenchProblem.GroupNorm g) {
            return new NormOp.GroupNormOp(g, pass);
        } else if (problem instanceof BenchProblem.Lrn l) {
            return new NormOp.LrnOp(l, pass);
        }
        return new StepOp((BenchProblem.Step) problem);
    }

    public BenchProblem problem() {
        return problem;
    }

    public Pass pass() {
        return pass;
    }

    /** The tensors of the op, inputs and outputs. */
    public abstract List<TensorSpec> tensors();

    /** Floating-point operations of one run from the problem record, or -1 where the record counts none (memory-bound ops). */
    public abstract long flops();

    /** Minimal bytes moved by one run from the problem record, or -1 where it counts none. */
    public abstract long bytes();

    /** The algorithms to try on {@code device}: conv algorithms by name, {@code "-"} for ops without a choice. */
    public List<String> algorithms(Device device) {
        return List.of("-");
    }

    /** Empty when {@code algorithm} can run this op on {@code device}; otherwise why not. */
    public Optional<String> whyNot(Device device, String algorithm) {
        return Optional.empty();
    }

    /** The error bound of verification against the reference (see {@link ErrorBounds}). */
    public abstract double errorBound(Precision precision, String algorithm);

    /** The same op at the verification size: the batch cut to {@code batch} (an optimizer's parameters to a prefix). */
    public Op forVerification(int batch) {
        return Op.of(problem.withBatch(Math.min(batch, problem.batch())), pass);
    }

    /** Elements over all tensors the op allocates (for memory planning). */
    public long elements() {
        long n = 0;
        for (TensorSpec t : tensors()) {
            n += t.shape().elements();
        }
        return n;
    }

    /** Allocates and fills the op's tensors on {@code device}, ready to run {@code algorithm}. */
    public abstract Instance instantiate(Device device, String algorithm, Filler filler);

    /** The instance of an op that runs as {@code run} on tensors allocated and filled as {@link #tensors()} says. */
    Instance allocate(Device device, Filler filler, java.util.function.Consumer<Map<String, Tensor>> run) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        try {
            for (TensorSpec s : tensors()) {
                Tensor x = device.allocate(s.shape());
                t.put(s.name(), x);
                filler.fill(device, s, x);
            }
        } catch (RuntimeException | Error e) {
            t.values().forEach(Tensor::close);
            throw e;
        }
        List<String> compared = new ArrayList<>();
        for (TensorSpec s : tensors()) {
            if (s.compared()) {
                compared.add(s.name());
            }
        }
        return new Instance(() -> run.accept(t), t, compared, () -> t.values().forEach(Tensor::close));
    }

    @Override
    public String toString() {
        return problem.canonical() + " " + pass.label();
    }

    /** Fills a freshly allocated tensor of the op. */
    @FunctionalInterface
    public interface Filler {
        void fill(Device device, TensorSpec spec, Tensor tensor);
    }

    /** The op's tensors on one device, ready to run. */
    public static final class Instance implements AutoCloseable {
        private final Runnable run;
        private final Map<String, Tensor> tensors;
        private final List<String> compared;
        private final Runnable close;

        Instance(Runnable run, Map<String, Tensor> tensors, List<String> compared, Runnable close) {
            this.run = run;
            this.tensors = tensors;
            this.compared = List.copyOf(compared);
            this.close = close;
        }

        /** Issues one run of the op (asynchronous on GPU devices). */
        public void run() {
            run.run();
        }

        /** The outputs verification compares, in a stable order. */
        public List<String> compared() {
            return compared;
        }

        public Tensor tensor(String name) {
            return tensors.get(name);
        }

        @Override
        public void close() {
            close.run();
        }
    }

    static TensorSpec in(String name, Shape shape) {
        return new TensorSpec(name, shape, Fill.NORMAL, false);
    }

    static TensorSpec out(String name, Shape shape) {
        return new TensorSpec(name, shape, Fill.OUTPUT, true);
    }

    // ------------------------------------------------------------------ convolution

    /** Forward, backward-data or backward-filter of a (transposed) convolution, without bias. */
    static final class ConvOp extends Op {
        final ConvProblem p;
        final ConvDirection direction;

        ConvOp(BenchProblem.Conv c, Pass pass) {
            super(c, pass);
            this.p = c.problem();
            this.direction = switch (pass) {
                case FWD -> ConvDirection.FORWARD;
                case BWD_DATA -> ConvDirection.BACKWARD_DATA;
                case BWD_FILTER -> ConvDirection.BACKWARD_FILTER;
                default -> throw new IllegalArgumentException("convolution pass " + pass);
            };
        }

        ConvProblem convProblem() {
            return p;
        }

        ConvDirection direction() {
            return direction;
        }

        @Override
        public List<TensorSpec> tensors() {
            return switch (direction) {
                case FORWARD -> List.of(in("x", p.inputShape()), in("w", p.weightShape()), out("y", p.outputShape()));
                case BACKWARD_DATA -> List.of(in("dy", p.outputShape()), in("w", p.weightShape()), out("dx", p.inputShape()));
                case BACKWARD_FILTER -> List.of(in("x", p.inputShape()), in("dy", p.outputShape()), out("dw", p.weightShape()));
            };
        }

        @Override
        public long flops() {
            return p.flops();
        }

        @Override
        public long bytes() {
            return p.bytes(direction, false);
        }

        @Override
        public List<String> algorithms(Device device) {
            List<String> out = new ArrayList<>();
            for (ConvAlgorithm a : device.algorithms()) {
                out.add(a.name());
            }
            return out;
        }

        @Override
        public Optional<String> whyNot(Device device, String algorithm) {
            return device.plan(p, direction, ConvAlgorithm.parse(algorithm)).whyNot();
        }

        @Override
        public double errorBound(Precision precision, String algorithm) {
            return ErrorBounds.forPrecision(precision, ConvAlgorithm.parse(algorithm).errorBound());
        }

        @Override
        public Instance instantiate(Device device, String algorithm, Filler filler) {
            return allocate(device, filler, t -> run(device, ConvAlgorithm.parse(algorithm), t));
        }

        private void run(Device d, ConvAlgorithm a, Map<String, Tensor> t) {
            switch (direction) {
                case FORWARD -> d.conv2d(p, a, t.get("x"), t.get("w"), null, t.get("y"));
                case BACKWARD_DATA -> d.conv2dBackwardData(p, a, t.get("dy"), t.get("w"), t.get("dx"));
                case BACKWARD_FILTER -> d.conv2dBackwardFilter(p, a, t.get("x"), t.get("dy"), t.get("dw"));
            }
        }
    }

    // ------------------------------------------------------------------ pooling

    static final class PoolOp extends Op {
        final PoolProblem p;

        PoolOp(BenchProblem.Pool pool, Pass pass) {
            super(pool, pass);
            this.p = pool.problem();
        }

        PoolProblem poolProblem() {
            return p;
        }

        @Override
        public List<TensorSpec> tensors() {
            return pass == Pass.FWD
                    ? List.of(in("x", p.inputShape()), out("y", p.outputShape()))
                    : List.of(in("x", p.inputShape()), in("dy", p.outputShape()), out("dx", p.inputShape()));
        }

        @Override
        public long flops() {
            return -1;
        }

        @Override
        public long bytes() {
            return pass == Pass.FWD ? p.forwardBytes() : p.backwardBytes();
        }

        @Override
        public double errorBound(Precision precision, String algorithm) {
            return ErrorBounds.forPrecision(precision, ErrorBounds.POOLING);
        }

        @Override
        public Instance instantiate(Device device, String algorithm, Filler filler) {
            return allocate(device, filler, t -> run(device, t));
        }

        private void run(Device d, Map<String, Tensor> t) {
            if (pass == Pass.FWD) {
                d.pool(p, t.get("x"), t.get("y"));
            } else {
                d.poolBackward(p, t.get("x"), t.get("dy"), t.get("dx"));
            }
        }
    }

    // ------------------------------------------------------------------ batch norm

    static final class BatchNormOp extends Op {
        final BatchNormProblem p;

        BatchNormOp(BenchProblem.BatchNorm bn, Pass pass) {
            super(bn, pass);
            this.p = bn.problem();
        }

        BatchNormProblem batchNormProblem() {
            return p;
        }

        @Override
        public List<TensorSpec> tensors() {
            Shape x = p.inputShape();
            Shape c = p.channelShape();
            return switch (pass) {
                case FWD_TRAIN -> List.of(in("x", x), in("gamma", c), in("beta", c),
                        new TensorSpec("runningMean", c, Fill.NORMAL, true),
                        new TensorSpec("runningVar", c, Fill.POSITIVE, true),
                        out("y", x), out("saveMean", c), out("saveInvStd", c));
                case FWD_INFER -> List.of(in("x", x), in("gamma", c), in("beta", c), in("runningMean", c),
                        new TensorSpec("runningVar", c, Fill.POSITIVE, false), out("y", x));
                case BWD_TRAIN -> List.of(in("x", x), in("dy", x), in("gamma", c), in("saveMean", c),
                        new TensorSpec("saveInvStd", c, Fill.POSITIVE, false),
                        out("dx", x), out("dgamma", c), out("dbeta", c));
                default -> throw new IllegalStateException("batch-norm pass " + pass);
            };
        }

        @Override
        public long flops() {
            return -1;
        }

        @Override
        public long bytes() {
            return switch (pass) {
                case FWD_TRAIN -> p.trainForwardBytes();
                case FWD_INFER -> p.inferenceBytes();
                default -> p.backwardBytes();
            };
        }

        @Override
        public double errorBound(Precision precision, String algorithm) {
            return ErrorBounds.forPrecision(precision, ErrorBounds.REDUCTION);
        }

        @Override
        public Instance instantiate(Device device, String algorithm, Filler filler) {
            return allocate(device, filler, t -> run(device, t));
        }

        private void run(Device d, Map<String, Tensor> t) {
            switch (pass) {
                case FWD_TRAIN -> d.batchNormTrain(p, t.get("x"), t.get("gamma"), t.get("beta"), t.get("runningMean"),
                        t.get("runningVar"), t.get("y"), t.get("saveMean"), t.get("saveInvStd"));
                case FWD_INFER -> d.batchNormInference(p, t.get("x"), t.get("gamma"), t.get("beta"), t.get("runningMean"),
                        t.get("runningVar"), t.get("y"));
                default -> d.batchNormBackward(p, t.get("x"), t.get("dy"), t.get("gamma"), t.get("saveMean"),
                        t.get("saveInvStd"), t.get("dx"), t.get("dgamma"), t.get("dbeta"));
            }
        }
    }

    // ------------------------------------------------------------------ linear

    static final class LinearOp extends Op {
        final LinearProblem p;

        LinearOp(BenchProblem.Linear l, Pass pass) {
            super(l, pass);
            this.p = l.problem();
        }

        LinearProblem linearProblem() {
            return p;
        }

        @Override
        public List<TensorSpec> tensors() {
            return switch (pass) {
                case FWD -> List.of(in("x", p.inputShape()), in("w", p.weightShape()), out("y", p.outputShape()));
                case BWD_DATA -> List.of(in("dy", p.outputShape()), in("w", p.weightShape()), out("dx", p.inputShape()));
                default -> List.of(in("x", p.inputShape()), in("dy", p.outputShape()), out("dw", p.weightShape()));
            };
        }

        @Override
        public long flops() {
            return p.flops();
        }

        @Override
        public long bytes() {
            return -1;
        }

        /**
         * A linear layer is the 1x1 convolution of a 1x1 image, and backends run it as a tiled
         * GEMM with float32 accumulation: the bound of {@link ConvAlgorithm#IM2COL_GEMM}.
         */
        @Override
        public double errorBound(Precision precision, String algorithm) {
            return ErrorBounds.forPrecision(precision, ConvAlgorithm.IM2COL_GEMM.errorBound());
        }

        @Override
        public Instance instantiate(Device device, String algorithm, Filler filler) {
            return allocate(device, filler, t -> run(device, t));
        }

        private void run(Device d, Map<String, Tensor> t) {
            switch (pass) {
                case FWD -> d.linear(p, t.get("x"), t.get("w"), null, t.get("y"));
                case BWD_DATA -> d.linearBackwardData(p, t.get("dy"), t.get("w"), t.get("dx"));
                default -> d.linearBackwardWeight(p, t.get("x"), t.get("dy"), t.get("dw"));
            }
        }
    }

    // ------------------------------------------------------------------ optimizer step

    static final class StepOp extends Op {
        final Optimizer rule;
        final long n;

        StepOp(BenchProblem.Step s) {
            super(s, Pass.STEP);
            this.rule = s.rule();
            this.n = s.parameters();
        }

        @Override
        public List<TensorSpec> tensors() {
            Shape shape = Shape.of((int) n);
            List<TensorSpec> out = new ArrayList<>();
            out.add(new TensorSpec("param", shape, Fill.NORMAL, true));
            out.add(in("grad", shape));
            for (String s : rule.stateNames()) {
                out.add(new TensorSpec("state." + s, shape, Fill.UNIT, true));
            }
            return out;
        }

        @Override
        public long flops() {
            return -1;
        }

        @Override
        public long bytes() {
            return rule.bytes(n);
        }

        @Override
        public double errorBound(Precision precision, String algorithm) {
            return ErrorBounds.forPrecision(precision, ErrorBounds.OPTIMIZER);
        }

        @Override
        public Op forVerification(int batch) {
            return new StepOp(((BenchProblem.Step) problem).withParameters(Math.min(n, VERIFY_PARAMETERS)));
        }

        /** Parameter and gradient as tensors, the state as the device's {@link OptimizerState}, every slot filled. */
        @Override
        public Instance instantiate(Device device, String algorithm, Filler filler) {
            List<TensorSpec> specs = tensors();
            Map<String, Tensor> t = new LinkedHashMap<>();
            OptimizerState state = null;
            try {
                for (TensorSpec s : specs.subList(0, 2)) {
                    Tensor x = device.allocate(s.shape());
                    t.put(s.name(), x);
                    filler.fill(device, s, x);
                }
                state = device.optimizerState(rule, specs.get(0).shape());
                for (TensorSpec s : specs.subList(2, specs.size())) {
                    Tensor slot = state.get(s.name().substring("state.".length()));
                    t.put(s.name(), slot);
                    filler.fill(device, s, slot);
                }
            } catch (RuntimeException | Error e) {
                if (state != null) {
                    state.close();
                }
                t.values().forEach(Tensor::close);
                throw e;
            }
            List<String> compared = new ArrayList<>();
            for (TensorSpec s : specs) {
                if (s.compared()) {
                    compared.add(s.name());
                }
            }
            OptimizerState st = state;
            Tensor param = t.get("param");
            Tensor grad = t.get("grad");
            return new Instance(() -> device.step(rule, st, param, grad), t, compared, () -> {
                st.close();
                param.close();
                grad.close();
            });
        }
    }
}
