package io.jdnn;

import io.jdnn.optim.Optimizer;
import io.jdnn.spi.Buffer;
import io.jdnn.spi.DeviceBackend;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

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
    private static final Cleaner CLEANER = Cleaner.create();
    private static final boolean TRACK_SITES = Boolean.getBoolean("jdnn.trackAllocations");

    private final DeviceBackend impl;
    private final DeviceOptions options;
    private final String spec;
    private final int bytesPerElement;
    private final ReentrantLock lock = new ReentrantLock();
    private final Set<Allocation> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private long liveBytes;
    private long peakBytes;
    private long allocations;
    private long leaks;
    private volatile boolean closed;
    private volatile String broken;

    Device(DeviceBackend impl, DeviceOptions options) {
        this.impl = impl;
        this.options = options;
        this.spec = impl.info().spec();
        this.bytesPerElement = impl.info().precision() == Precision.FLOAT64 ? Double.BYTES : Float.BYTES;
    }

    // ================================================================== identity

    /** The backend's name: reference, cpu, opencl, cuda. */
    public String backend() {
        return impl.info().backend();
    }

    /** The spec that opens this device again, e.g. {@code opencl:0}. */
    public String spec() {
        return spec;
    }

    public DeviceInfo info() {
        return impl.info();
    }

    public DeviceOptions options() {
        return options;
    }

    /** Null while the device works; after a kernel fault, what went wrong. */
    public String brokenReason() {
        return broken;
    }

    public boolean isBroken() {
        return broken != null;
    }

    @Override
    public String toString() {
        return "Device[" + spec + ", " + impl.info().name() + "]";
    }

    // ================================================================== memory

    /** A tensor with unspecified contents. */
    public Tensor allocate(Shape shape) {
        return locked("allocate", () -> newTensor("allocate", shape));
    }

    /** A tensor of zeros. */
    public Tensor zeros(Shape shape) {
        return full(shape, 0f);
    }

    /** A tensor with every element {@code value}. */
    public Tensor full(Shape shape, float value) {
        return locked("full", () -> {
            Tensor t = newTensor("full", shape);
            impl.fill(t.buffer(), shape.elements(), value);
            return t;
        });
    }

    /** A tensor holding {@code data} (row-major, length equal to the element count). */
    public Tensor upload(Shape shape, float[] data) {
        Check.that(shape != null, "shape", "a shape", "null");
        Check.that(data != null && data.length == shape.elements(), "data", "an array of " + shape.elements()
                + " elements for shape " + shape, data == null ? "null" : data.length + " elements");
        return locked("upload", () -> {
            Tensor t = newTensor("upload", shape);
            impl.write(t.buffer(), 0, data, 0, data.length);
            return t;
        });
    }

    /** Sets every element of {@code t} to {@code value}. */
    public void fill(Tensor t, float value) {
        run("fill", () -> impl.fill(use("fill", "t", t), t.elements(), value));
    }

    /** Copies {@code src} into {@code dst}, which must have the same shape. */
    public void copy(Tensor src, Tensor dst) {
        run("copy", () -> {
            Buffer s = use("copy", "src", src);
            Buffer d = use("copy", "dst", dst, src.shape());
            if (s != d) { // a tensor copied onto itself (or a view of the same storage) is already there
                impl.copy(s, d, src.elements());
            }
        });
    }

    /** Waits until every operation issued so far has finished. */
    public void synchronize() {
        run("synchronize", impl::synchronize);
    }

    /**
     * Runs {@code work} (calls on this device) and returns the device time it took in
     * milliseconds: from device events on GPU backends, wall time around a synchronization on the
     * CPU backends. Holds the device's lock throughout, so other threads' work is not counted.
     */
    public double timeMillis(Runnable work) {
        return locked("timeMillis", () -> {
            io.jdnn.spi.DeviceTimer t = impl.startTimer();
            try {
                work.run();
            } catch (RuntimeException | Error e) {
                try {
                    t.stop();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            return t.stop();
        });
    }

    /** Live tensors and bytes, the peak, and the driver's free-memory figure where there is one. */
    public MemoryStats memory() {
        lock.lock();
        try {
            return new MemoryStats(live.size(), liveBytes, peakBytes, allocations, closed ? -1 : impl.deviceFreeBytes());
        } finally {
            lock.unlock();
        }
    }

    /** Tensors freed by the cleaner because nobody closed them. */
    public long leakedTensors() {
        lock.lock();
        try {
            return leaks;
        } finally {
            lock.unlock();
        }
    }

    /**
     * One line per live tensor: its shape and, with {@code -Djdnn.trackAllocations=true}, where
     * it was allocated.
     */
    public List<String> liveAllocations() {
        lock.lock();
        try {
            List<String> out = new ArrayList<>();
            for (Allocation a : live) {
                out.add(a.describe());
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    // ================================================================== convolution

    /** Forward convolution (or transposed convolution) with the algorithm AUTO picks. */
    public Tensor conv2d(ConvProblem p, Tensor x, Tensor w, Tensor bias) {
        return conv2d(p, ConvAlgorithm.AUTO, x, w, bias);
    }

    /** Forward convolution into a new tensor of {@link ConvProblem#outputShape()}. */
    public Tensor conv2d(ConvProblem p, ConvAlgorithm algorithm, Tensor x, Tensor w, Tensor bias) {
        return produce(p.outputShape(), y -> conv2d(p, algorithm, x, w, bias, y));
    }

    /** Forward convolution into {@code y}; {@code bias} may be null. */
    public void conv2d(ConvProblem p, ConvAlgorithm algorithm, Tensor x, Tensor w, Tensor bias, Tensor y) {
        String op = op("conv2d", p);
        run(op, () -> {
            Buffer bx = use(op, "x", x, p.inputShape());
            Buffer bw = use(op, "w", w, p.weightShape());
            Buffer bb = bias == null ? null : use(op, "bias", bias, p.biasShape());
            Buffer by = use(op, "y", y, p.outputShape());
            distinct(op, "y", y, x, w, bias);
            DirectConv d = p.direct();
            if (p.transposed()) {
                impl.convBackwardData(d, resolve(op, d, ConvDirection.BACKWARD_DATA, algorithm), bx, bw, bb, by);
            } else {
                impl.convForward(d, resolve(op, d, ConvDirection.FORWARD, algorithm), bx, bw, bb, by);
            }
        });
    }

    /** Gradient with respect to the input, into a new tensor of {@link ConvProblem#inputShape()}. */
    public Tensor conv2dBackwardData(ConvProblem p, ConvAlgorithm algorithm, Tensor dy, Tensor w) {
        return produce(p.inputShape(), dx -> conv2dBackwardData(p, algorithm, dy, w, dx));
    }

    /** Gradient with respect to the input, into {@code dx} (overwritten). */
    public void conv2dBackwardData(ConvProblem p, ConvAlgorithm algorithm, Tensor dy, Tensor w, Tensor dx) {
        String op = op("conv2dBackwardData", p);
        run(op, () -> {
            Buffer bdy = use(op, "dy", dy, p.outputShape());
            Buffer bw = use(op, "w", w, p.weightShape());
            Buffer bdx = use(op, "dx", dx, p.inputShape());
            distinct(op, "dx", dx, dy, w);
            DirectConv d = p.direct();
            if (p.transposed()) {
                impl.convForward(d, resolve(op, d, ConvDirection.FORWARD, algorithm), bdy, bw, null, bdx);
            } else {
                impl.convBackwardData(d, resolve(op, d, ConvDirection.BACKWARD_DATA, algorithm), bdy, bw, null, bdx);
            }
        });
    }

    /** Gradient with respect to the weights, into a new tensor of {@link ConvProblem#weightShape()}. */
    public Tensor conv2dBackwardFilter(ConvProblem p, ConvAlgorithm algorithm, Tensor x, Tensor dy) {
        return produce(p.weightShape(), dw -> conv2dBackwardFilter(p, algorithm, x, dy, dw));
    }

    /** Gradient with respect to the weights, into {@code dw} (overwritten, not accumulated). */
    public void conv2dBackwardFilter(ConvProblem p, ConvAlgorithm algorithm, Tensor x, Tensor dy, Tensor dw) {
        String op = op("conv2dBackwardFilter", p);
        run(op, () -> {
            Buffer bx = use(op, "x", x, p.inputShape());
            Buffer bdy = use(op, "dy", dy, p.outputShape());
            Buffer bdw = use(op, "dw", dw, p.weightShape());
            distinct(op, "dw", dw, x, dy);
            DirectConv d = p.direct();
            ConvAlgorithm a = resolve(op, d, ConvDirection.BACKWARD_FILTER, algorithm);
            if (p.transposed()) {
                impl.convBackwardFilter(d, a, bdy, bx, bdw);
            } else {
                impl.convBackwardFilter(d, a, bx, bdy, bdw);
            }
        });
    }

    /** Gradient with respect to the bias: dy summed over batch and space, a new tensor of (outChannels). */
    public Tensor conv2dBackwardBias(ConvProblem p, Tensor dy) {
        return produce(p.biasShape(), db -> conv2dBackwardBias(p, dy, db));
    }

    /** Gradient with respect to the bias into {@code db} (overwritten). */
    public void conv2dBackwardBias(ConvProblem p, Tensor dy, Tensor db) {
        String op = op("conv2dBackwardBias", p);
        run(op, () -> {
            Buffer bdy = use(op, "dy", dy, p.outputShape());
            Buffer bdb = use(op, "db", db, p.biasShape());
            distinct(op, "db", db, dy);
            impl.channelSum(p.batch(), p.outChannels(), (long) p.outHeight() * p.outWidth(), bdy, bdb);
        });
    }

    /** The algorithms of this backend, AUTO excluded, in its preferred order. */
    public List<ConvAlgorithm> algorithms() {
        return impl.algorithms();
    }

    /**
     * Whether {@code algorithm} declares itself deterministic on this device: bitwise-identical
     * results run after run (no floating-point atomics). False for an algorithm this device does
     * not implement. AUTO is deterministic when the device was opened with
     * {@link DeviceOptions#deterministic()} (it then picks among deterministic algorithms only) or
     * when every algorithm of the device is; its choice per problem is kept for the device's life.
     */
    public boolean isDeterministic(ConvAlgorithm algorithm) {
        Check.that(algorithm != null, "algorithm", "a ConvAlgorithm", "null");
        List<ConvAlgorithm> all = impl.algorithms();
        if (algorithm == ConvAlgorithm.AUTO) {
            return options.deterministic() || all.stream().allMatch(impl::isDeterministic);
        }
        return all.contains(algorithm) && impl.isDeterministic(algorithm);
    }

    /** Empty if {@code algorithm} can run {@code direction} of {@code p} here; otherwise why not. */
    public Optional<String> whyNot(ConvProblem p, ConvDirection direction, ConvAlgorithm algorithm) {
        Check.that(algorithm != null, "algorithm", "a ConvAlgorithm", "null");
        if (algorithm == ConvAlgorithm.AUTO) {
            return Optional.empty();
        }
        DirectConv d = p.direct();
        return locked("whyNot", () -> impl.whyNot(d, directDirection(p, direction), algorithm));
    }

    /** The algorithms that can run {@code direction} of {@code p} here. */
    public List<ConvAlgorithm> applicableAlgorithms(ConvProblem p, ConvDirection direction) {
        List<ConvAlgorithm> out = new ArrayList<>();
        for (ConvAlgorithm a : algorithms()) {
            if (whyNot(p, direction, a).isEmpty()) {
                out.add(a);
            }
        }
        return out;
    }

    /** The algorithm AUTO runs for {@code direction} of {@code p} (it may time candidates once). */
    public ConvAlgorithm autoAlgorithm(ConvProblem p, ConvDirection direction) {
        DirectConv d = p.direct();
        return locked("autoAlgorithm", () -> impl.autoSelect(d, directDirection(p, direction)));
    }

    /** The direct direction that runs {@code direction} of {@code p} (they differ for a transposed problem). */
    static ConvDirection directDirection(ConvProblem p, ConvDirection direction) {
        if (!p.transposed()) {
            return direction;
        }
        return switch (direction) {
            case FORWARD -> ConvDirection.BACKWARD_DATA;
            case BACKWARD_DATA -> ConvDirection.FORWARD;
            case BACKWARD_FILTER -> ConvDirection.BACKWARD_FILTER;
        };
    }

    private ConvAlgorithm resolve(String op, DirectConv d, ConvDirection direct, ConvAlgorithm requested) {
        Check.that(requested != null, "algorithm", "a ConvAlgorithm (AUTO to let the backend choose)", "null");
        if (requested == ConvAlgorithm.AUTO) {
            return impl.autoSelect(d, direct);
        }
        Optional<String> why = impl.whyNot(d, direct, requested);
        if (why.isPresent()) {
            throw new AlgorithmNotSupportedException(requested, direct, spec, d.problem().toString(), why.get());
        }
        return requested;
    }

    // ================================================================== pooling

    /** Pooling forward into a new tensor of {@link PoolProblem#outputShape()}. */
    public Tensor pool(PoolProblem p, Tensor x) {
        return produce(p.outputShape(), y -> pool(p, x, y));
    }

    public void pool(PoolProblem p, Tensor x, Tensor y) {
        String op = op("pool", p);
        run(op, () -> {
            Buffer bx = use(op, "x", x, p.inputShape());
            Buffer by = use(op, "y", y, p.outputShape());
            distinct(op, "y", y, x);
            impl.poolForward(p, bx, by);
        });
    }

    /** Pooling backward into a new tensor of {@link PoolProblem#inputShape()}. */
    public Tensor poolBackward(PoolProblem p, Tensor x, Tensor dy) {
        return produce(p.inputShape(), dx -> poolBackward(p, x, dy, dx));
    }

    /** Pooling backward into {@code dx} (overwritten); x is the forward input (max pooling re-finds its argmax). */
    public void poolBackward(PoolProblem p, Tensor x, Tensor dy, Tensor dx) {
        String op = op("poolBackward", p);
        run(op, () -> {
            Buffer bx = use(op, "x", x, p.inputShape());
            Buffer bdy = use(op, "dy", dy, p.outputShape());
            Buffer bdx = use(op, "dx", dx, p.inputShape());
            distinct(op, "dx", dx, x, dy);
            impl.poolBackward(p, bx, bdy, bdx);
        });
    }

    // ================================================================== batch norm

    /**
     * Training forward: normalizes with the batch statistics, writes y and the saved mean and
     * inverse standard deviation (for the backward pass), and updates the running statistics in place.
     */
    public void batchNormTrain(BatchNormProblem p, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                               Tensor runningVar, Tensor y, Tensor saveMean, Tensor saveInvStd) {
        String op = op("batchNormTrain", p);
        run(op, () -> {
            // PyTorch: "Expected more than 1 value per channel when training"; the unbiased
            // running variance divides by N*H*W - 1.
            Check.that(p.reductionSize() > 1, "problem", "more than one value per channel (batch * height * width > 1)"
                    + " in training mode", p);
            Shape cs = p.channelShape();
            Buffer bx = use(op, "x", x, p.inputShape());
            Buffer bg = use(op, "gamma", gamma, cs);
            Buffer bb = use(op, "beta", beta, cs);
            Buffer brm = use(op, "runningMean", runningMean, cs);
            Buffer brv = use(op, "runningVar", runningVar, cs);
            Buffer by = use(op, "y", y, p.inputShape());
            Buffer bsm = use(op, "saveMean", saveMean, cs);
            Buffer bsi = use(op, "saveInvStd", saveInvStd, cs);
            distinct(op, "y", y, x);
            distinctAll(op, new String[] {"gamma", "beta", "runningMean", "runningVar", "saveMean", "saveInvStd"},
                    gamma, beta, runningMean, runningVar, saveMean, saveInvStd);
            impl.batchNormTrain(p, bx, bg, bb, brm, brv, by, bsm, bsi);
        });
    }

    /** Inference forward: normalizes with the running statistics. y may be x. */
    public void batchNormInference(BatchNormProblem p, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                   Tensor runningVar, Tensor y) {
        String op = op("batchNormInference", p);
        run(op, () -> {
            Shape cs = p.channelShape();
            Buffer bx = use(op, "x", x, p.inputShape());
            Buffer bg = use(op, "gamma", gamma, cs);
            Buffer bb = use(op, "beta", beta, cs);
            Buffer brm = use(op, "runningMean", runningMean, cs);
            Buffer brv = use(op, "runningVar", runningVar, cs);
            Buffer by = use(op, "y", y, p.inputShape());
            distinct(op, "y", y, gamma, beta, runningMean, runningVar);
            impl.batchNormInference(p, bx, bg, bb, brm, brv, by);
        });
    }

    /** Training backward from the statistics {@link #batchNormTrain} saved: dx, dgamma, dbeta (overwritten). */
    public void batchNormBackward(BatchNormProblem p, Tensor x, Tensor dy, Tensor gamma, Tensor saveMean,
                                  Tensor saveInvStd, Tensor dx, Tensor dgamma, Tensor dbeta) {
        String op = op("batchNormBackward", p);
        run(op, () -> {
            Shape cs = p.channelShape();
            Buffer bx = use(op, "x", x, p.inputShape());
            Buffer bdy = use(op, "dy", dy, p.inputShape());
            Buffer bg = use(op, "gamma", gamma, cs);
            Buffer bsm = use(op, "saveMean", saveMean, cs);
            Buffer bsi = use(op, "saveInvStd", saveInvStd, cs);
            Buffer bdx = use(op, "dx", dx, p.inputShape());
            Buffer bdg = use(op, "dgamma", dgamma, cs);
            Buffer bdb = use(op, "dbeta", dbeta, cs);
            distinct(op, "dx", dx, x, dy);
            distinct(op, "dgamma", dgamma, gamma, saveMean, saveInvStd, dbeta);
            distinct(op, "dbeta", dbeta, gamma, saveMean, saveInvStd);
            impl.batchNormBackward(p, bx, bdy, bg, bsm, bsi, bdx, bdg, bdb);
        });
    }

    /** Inference-mode backward (running statistics held constant): dx, dgamma, dbeta (overwritten). */
    public void batchNormInferenceBackward(BatchNormProblem p, Tensor x, Tensor dy, Tensor gamma, Tensor runningMean,
                                           Tensor runningVar, Tensor dx, Tensor dgamma, Tensor dbeta) {
        String op = op("batchNormInferenceBackward", p);
        run(op, () -> {
            Shape cs = p.channelShape();
            Buffer bx = use(op, "x", x, p.inputShape());
            Buffer bdy = use(op, "dy", dy, p.inputShape());
            Buffer bg = use(op, "gamma", gamma, cs);
            Buffer brm = use(op, "runningMean", runningMean, cs);
            Buffer brv = use(op, "runningVar", runningVar, cs);
            Buffer bdx = use(op, "dx", dx, p.inputShape());
            Buffer bdg = use(op, "dgamma", dgamma, cs);
            Buffer bdb = use(op, "dbeta", dbeta, cs);
            distinct(op, "dx", dx, x, dy);
            distinct(op, "dgamma", dgamma, gamma, runningMean, runningVar, dbeta);
            distinct(op, "dbeta", dbeta, gamma, runningMean, runningVar);
            impl.batchNormInferenceBackward(p, bx, bdy, bg, brm, brv, bdx, bdg, bdb);
        });
    }

    // ================================================================== activations and element-wise

    /** y = f(x) into a new tensor. */
    public Tensor activation(Activation a, Tensor x) {
        return produce(shapeOf("activation", "x", x), y -> activation(a, x, y));
    }

    /** y = f(x); y may be x (in place). */
    public void activation(Activation a, Tensor x, Tensor y) {
        String op = "activation(" + a + ")";
        run(op, () -> {
            Buffer bx = use(op, "x", x);
            impl.activationForward(a, x.elements(), bx, use(op, "y", y, x.shape()));
        });
    }

    /** dx = f'(x) * dy into a new tensor. */
    public Tensor activationBackward(Activation a, Tensor x, Tensor dy) {
        return produce(shapeOf("activationBackward", "x", x), dx -> activationBackward(a, x, dy, dx));
    }

    /** dx = f'(x) * dy; dx may be x or dy. */
    public void activationBackward(Activation a, Tensor x, Tensor dy, Tensor dx) {
        String op = "activationBackward(" + a + ")";
        run(op, () -> {
            Buffer bx = use(op, "x", x);
            impl.activationBackward(a, x.elements(), bx, use(op, "dy", dy, x.shape()), use(op, "dx", dx, x.shape()));
        });
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
        run("axpby", () -> {
            Check.finite("alpha", alpha);
            Check.finite("beta", beta);
            Buffer ba = use("axpby", "a", a);
            impl.axpby(a.elements(), alpha, ba, beta, use("axpby", "b", b, a.shape()), use("axpby", "out", out, a.shape()));
        });
    }

    // ================================================================== dropout and random fills

    /**
     * Dropout with probability {@code p}: y = x / (1 - p) where the mask keeps element i, else 0.
     * The mask is {@link Philox} stream ({@code seed}, {@code offset}), the same on every backend;
     * pass the same seed and offset to {@link #dropoutBackward}. y may be x.
     */
    public void dropout(double p, long seed, long offset, Tensor x, Tensor y) {
        run("dropout", () -> {
            Check.inClosedRange("p", p, 0, 1);
            Buffer bx = use("dropout", "x", x);
            impl.dropoutForward(x.elements(), p, seed, offset, bx, use("dropout", "y", y, x.shape()));
        });
    }

    /** dx = dy / (1 - p) where the mask of ({@code seed}, {@code offset}) keeps element i, else 0. dx may be dy. */
    public void dropoutBackward(double p, long seed, long offset, Tensor dy, Tensor dx) {
        run("dropoutBackward", () -> {
            Check.inClosedRange("p", p, 0, 1);
            Buffer bdy = use("dropoutBackward", "dy", dy);
            impl.dropoutBackward(dy.elements(), p, seed, offset, bdy, use("dropoutBackward", "dx", dx, dy.shape()));
        });
    }

    /** Fills t with uniform values in [lo, hi) from {@link Philox} stream (seed, offset). */
    public void randomUniform(Tensor t, double lo, double hi, long seed, long offset) {
        run("randomUniform", () -> {
            Check.finite("lo", lo);
            Check.finite("hi", hi);
            Check.that(lo <= hi, "hi", "a value >= lo=" + lo, hi);
            impl.randomUniform(t == null ? 0 : t.elements(), lo, hi, seed, offset, use("randomUniform", "t", t));
        });
    }

    /** Fills t with normal values of the given mean and standard deviation from {@link Philox} stream (seed, offset). */
    public void randomNormal(Tensor t, double mean, double std, long seed, long offset) {
        run("randomNormal", () -> {
            Check.finite("mean", mean);
            Check.nonNegative("std", std);
            impl.randomNormal(t == null ? 0 : t.elements(), mean, std, seed, offset, use("randomNormal", "t", t));
        });
    }

    // ================================================================== softmax, loss, linear

    /** Row-wise softmax of a (rows, cols) matrix into y. */
    public void softmax(Tensor x, Tensor y) {
        run("softmax", () -> {
            Buffer bx = use("softmax", "x", x);
            requireMatrix("softmax", "x", x);
            Buffer by = use("softmax", "y", y, x.shape());
            distinct("softmax", "y", y, x);
            impl.softmaxForward(x.shape().dim(0), x.shape().dim(1), bx, by);
        });
    }

    /** dx = y * (dy - rowsum(dy * y)), from the softmax output y. */
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx) {
        run("softmaxBackward", () -> {
            Buffer by = use("softmaxBackward", "y", y);
            requireMatrix("softmaxBackward", "y", y);
            Buffer bdy = use("softmaxBackward", "dy", dy, y.shape());
            Buffer bdx = use("softmaxBackward", "dx", dx, y.shape());
            distinct("softmaxBackward", "dx", dx, y, dy);
            impl.softmaxBackward(y.shape().dim(0), y.shape().dim(1), by, bdy, bdx);
        });
    }

    /**
     * Mean softmax cross-entropy of (rows, classes) logits against {@code labels} (one class index
     * per row) with label smoothing in [0, 1]: the loss into {@code loss} (one element), its gradient
     * into {@code dlogits}.
     */
    public void softmaxCrossEntropy(Tensor logits, int[] labels, double labelSmoothing, Tensor loss, Tensor dlogits) {
        String op = "softmaxCrossEntropy";
        run(op, () -> {
            Buffer bl = use(op, "logits", logits);
            requireMatrix(op, "logits", logits);
            int rows = logits.shape().dim(0);
            int cols = logits.shape().dim(1);
            Check.that(labels != null && labels.length == rows, "labels", "one label per row (" + rows + ")",
                    labels == null ? "null" : labels.length + " labels");
            for (int i = 0; i < rows; i++) {
                if (labels[i] < 0 || labels[i] >= cols) {
                    throw new IllegalArgumentException("labels[" + i + "]: expected a class index in [0, " + cols
                            + "), got " + labels[i]);
                }
            }
            Check.inClosedRange("labelSmoothing", labelSmoothing, 0, 1);
            Buffer bloss = use(op, "loss", loss, Shape.of(1));
            Buffer bd = use(op, "dlogits", dlogits, logits.shape());
            distinct(op, "dlogits", dlogits, logits, loss);
            impl.softmaxCrossEntropy(rows, cols, labels.clone(), labelSmoothing, bl, bloss, bd);
        });
    }

    /** y = x w^T + bias; bias may be null. */
    public void linear(LinearProblem p, Tensor x, Tensor w, Tensor bias, Tensor y) {
        String op = op("linear", p);
        run(op, () -> {
            Buffer bx = use(op, "x", x, p.inputShape());
            Buffer bw = use(op, "w", w, p.weightShape());
            Buffer bb = bias == null ? null : use(op, "bias", bias, p.biasShape());
            Buffer by = use(op, "y", y, p.outputShape());
            distinct(op, "y", y, x, w, bias);
            impl.linearForward(p, bx, bw, bb, by);
        });
    }

    /** dx = dy w (overwritten). */
    public void linearBackwardData(LinearProblem p, Tensor dy, Tensor w, Tensor dx) {
        String op = op("linearBackwardData", p);
        run(op, () -> {
            Buffer bdy = use(op, "dy", dy, p.outputShape());
            Buffer bw = use(op, "w", w, p.weightShape());
            Buffer bdx = use(op, "dx", dx, p.inputShape());
            distinct(op, "dx", dx, dy, w);
            impl.linearBackwardData(p, bdy, bw, bdx);
        });
    }

    /** dw = dy^T x (overwritten). */
    public void linearBackwardWeight(LinearProblem p, Tensor x, Tensor dy, Tensor dw) {
        String op = op("linearBackwardWeight", p);
        run(op, () -> {
            Buffer bx = use(op, "x", x, p.inputShape());
            Buffer bdy = use(op, "dy", dy, p.outputShape());
            Buffer bdw = use(op, "dw", dw, p.weightShape());
            distinct(op, "dw", dw, x, dy);
            impl.linearBackwardWeight(p, bx, bdy, bdw);
        });
    }

    /** db = dy summed over the batch (overwritten). */
    public void linearBackwardBias(LinearProblem p, Tensor dy, Tensor db) {
        String op = op("linearBackwardBias", p);
        run(op, () -> {
            Buffer bdy = use(op, "dy", dy, p.outputShape());
            Buffer bdb = use(op, "db", db, p.biasShape());
            distinct(op, "db", db, dy);
            impl.channelSum(p.batch(), p.outFeatures(), 1, bdy, bdb);
        });
    }

    // ================================================================== optimizers

    /** Per-element state for {@code rule} over parameters of {@code shape}, initialized as the rule says. */
    public OptimizerState optimizerState(Optimizer rule, Shape shape) {
        Check.that(rule != null, "rule", "an Optimizer", "null");
        Check.that(shape != null, "shape", "a shape", "null");
        List<String> names = rule.stateNames();
        Tensor[] slots = new Tensor[names.size()];
        try {
            for (int i = 0; i < slots.length; i++) {
                double v = rule.initialState(i);
                slots[i] = locked("optimizerState", () -> {
                    Tensor t = newTensor("optimizerState", shape);
                    impl.fill(t.buffer(), shape.elements(), v);
                    return t;
                });
            }
        } catch (RuntimeException e) {
            for (Tensor t : slots) {
                if (t != null) {
                    t.close();
                }
            }
            throw e;
        }
        return new OptimizerState(this, rule, shape, names, slots);
    }

    /** One optimizer step in place on {@code param} and {@code state}, from {@code grad}. */
    public void step(Optimizer rule, OptimizerState state, Tensor param, Tensor grad) {
        String op = "step(" + rule + ")";
        run(op, () -> {
            Check.that(rule != null, "rule", "an Optimizer", "null");
            Check.that(state != null, "state", "an OptimizerState from optimizerState()", "null");
            Check.that(state.device() == this, "state", "state created on " + spec, "state of " + state.device().spec());
            Check.that(state.rule().kind().equals(rule.kind()) && state.stateNames().equals(rule.stateNames()),
                    "state", "state for " + rule.kind() + " with slots " + rule.stateNames(),
                    "state for " + state.rule().kind() + " with slots " + state.stateNames());
            Buffer bp = use(op, "param", param, state.shape());
            Buffer bg = use(op, "grad", grad, state.shape());
            distinct(op, "param", param, grad);
            Tensor[] slots = state.slots();
            Buffer[] bs = new Buffer[slots.length];
            for (int i = 0; i < slots.length; i++) {
                bs[i] = use(op, "state." + state.stateNames().get(i), slots[i], state.shape());
            }
            long t = state.advance();
            impl.optimizerStep(rule, t, param.elements(), bp, bg, bs);
        });
    }

    // ================================================================== lifecycle

    /** Frees every tensor still open on this device and releases the device. Idempotent. */
    @Override
    public void close() {
        List<Allocation> released = List.of();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            released = new ArrayList<>(live);
            for (Allocation a : released) {
                a.releaseLocked();
            }
            live.clear();
            liveBytes = 0;
        } finally {
            lock.unlock();
        }
        for (Allocation a : released) {
            if (a.cleanable != null) {
                a.cleanable.clean(); // the cleaner lets go of the allocation (its run() finds it released)
            }
        }
        impl.close();
    }

    public boolean isClosed() {
        return closed;
    }

    // ================================================================== internals

    /** A tensor's storage: freed once, by close(), by the device's close(), or by the cleaner. */
    final class Allocation implements Runnable {
        /** Null once released, so a closed tensor the caller still holds does not keep its storage reachable. */
        private Buffer buffer;
        private final long bytes;
        private final String shape;
        private final Throwable site;
        private volatile boolean released;
        private Cleaner.Cleanable cleanable;

        Allocation(Buffer buffer, long bytes, String shape, Throwable site) {
            this.buffer = buffer;
            this.bytes = bytes;
            this.shape = shape;
            this.site = site;
        }

        Buffer buffer() {
            return buffer;
        }

        boolean isReleased() {
            return released;
        }

        /** Cleaner action: the tensor became unreachable without close(). */
        @Override
        public void run() {
            lock.lock();
            try {
                if (!released && !closed) {
                    leaks++;
                    System.getLogger(Device.class.getName()).log(System.Logger.Level.WARNING,
                            "jdnn: leaked tensor freed by the cleaner on " + spec + ": " + describe());
                    releaseLocked();
                    live.remove(this);
                }
            } finally {
                lock.unlock();
            }
        }

        void releaseLocked() {
            if (released) {
                return;
            }
            released = true;
            liveBytes -= bytes;
            impl.free(buffer);
            buffer = null;
        }

        String describe() {
            if (site == null) {
                return "tensor " + shape + " (" + bytes + " bytes); run with -Djdnn.trackAllocations=true for the allocation site";
            }
            StringBuilder b = new StringBuilder("tensor " + shape + " (" + bytes + " bytes) allocated at");
            StackTraceElement[] st = site.getStackTrace();
            int shown = 0;
            for (StackTraceElement e : st) {
                if (e.getClassName().startsWith("io.jdnn.Device") || e.getClassName().startsWith("io.jdnn.Tensor")) {
                    continue;
                }
                b.append("\n    at ").append(e);
                if (++shown == 8) {
                    break;
                }
            }
            return b.toString();
        }
    }

    /** Called with the lock held. */
    private Tensor newTensor(String op, Shape shape) {
        Check.that(shape != null, "shape", "a shape", "null");
        Buffer buffer = impl.allocate(shape.elements());
        long bytes = shape.elements() * bytesPerElement;
        Allocation a = new Allocation(buffer, bytes, shape.toString(), TRACK_SITES ? new Throwable("allocation site") : null);
        Tensor t = new Tensor(this, shape, a, null);
        a.cleanable = CLEANER.register(t, a);
        live.add(a);
        liveBytes += bytes;
        peakBytes = Math.max(peakBytes, liveBytes);
        allocations++;
        return t;
    }

    void release(Allocation a) {
        lock.lock();
        try {
            if (a.released) {
                return;
            }
            if (!closed) {
                a.releaseLocked();
                live.remove(a);
            }
        } finally {
            lock.unlock();
        }
        if (a.cleanable != null) {
            a.cleanable.clean();
        }
    }

    Tensor view(Tensor base, Shape shape) {
        return locked("view", () -> {
            use("view", "tensor", base);
            Check.that(shape != null && shape.elements() == base.elements(), "shape",
                    "a shape of " + base.elements() + " elements (viewing " + base.shape() + ")", shape);
            Tensor root = base;
            return new Tensor(this, shape, root.allocation, root);
        });
    }

    void read(Tensor t, long offset, float[] dst, int dstOffset, int length) {
        run("read", () -> {
            Buffer b = use("read", "tensor", t);
            checkRange(t, offset, dst == null ? -1 : dst.length, dstOffset, length);
            impl.read(b, offset, dst, dstOffset, length);
        });
    }

    void readDouble(Tensor t, long offset, double[] dst, int dstOffset, int length) {
        run("read", () -> {
            Buffer b = use("read", "tensor", t);
            checkRange(t, offset, dst == null ? -1 : dst.length, dstOffset, length);
            impl.readDouble(b, offset, dst, dstOffset, length);
        });
    }

    void write(Tensor t, long offset, float[] src, int srcOffset, int length) {
        run("write", () -> {
            Buffer b = use("write", "tensor", t);
            checkRange(t, offset, src == null ? -1 : src.length, srcOffset, length);
            impl.write(b, offset, src, srcOffset, length);
        });
    }

    private static void checkRange(Tensor t, long offset, int arrayLength, int arrayOffset, int length) {
        Check.that(arrayLength >= 0, "array", "an array", "null");
        Check.that(length >= 0, "length", "a value >= 0", length);
        // offset <= elements - length, not offset + length <= elements: the sum overflows near Long.MAX_VALUE
        Check.that(offset >= 0 && offset <= t.elements() - length, "offset",
                "a range inside the tensor's " + t.elements() + " elements",
                "[" + offset + ", " + offset + " + " + length + ")");
        Check.that(arrayOffset >= 0 && arrayOffset + (long) length <= arrayLength, "array offset",
                "a range inside the array's " + arrayLength + " elements",
                "[" + arrayOffset + ", " + ((long) arrayOffset + length) + ")");
    }

    private Tensor produce(Shape shape, java.util.function.Consumer<Tensor> op) {
        Tensor out = allocate(shape);
        try {
            op.accept(out);
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    private Shape shapeOf(String op, String name, Tensor t) {
        Check.that(t != null, op + ": argument '" + name + "'", "a tensor", "null");
        return t.shape();
    }

    private void requireMatrix(String op, String name, Tensor t) {
        Check.that(t.shape().rank() == 2, op + ": argument '" + name + "'", "a (rows, cols) matrix", "shape " + t.shape());
    }

    /** Validates a tensor argument: present, of this device, open. Called with the lock held. */
    private Buffer use(String op, String name, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": argument '" + name + "': expected a tensor, got null");
        }
        if (t.device() != this) {
            throw new IllegalArgumentException(op + ": argument '" + name + "': expected a tensor of device " + spec
                    + ", got one of device " + t.device().spec() + (t.device().backend().equals(backend()) ? " (another Device instance)" : ""));
        }
        if (t.isClosed()) {
            throw new IllegalStateException(op + ": argument '" + name + "': tensor " + t.shape() + " is closed");
        }
        return t.buffer();
    }

    /** Validates a tensor argument and its shape. */
    private Buffer use(String op, String name, Tensor t, Shape expected) {
        Buffer b = use(op, name, t);
        if (!t.shape().equals(expected)) {
            throw new IllegalArgumentException(op + ": argument '" + name + "': expected shape " + expected
                    + ", got " + t.shape());
        }
        return b;
    }

    /** An output must not share storage with the listed inputs. */
    private static void distinct(String op, String outName, Tensor out, Tensor... inputs) {
        for (Tensor in : inputs) {
            if (in != null && in.allocation == out.allocation) {
                throw new IllegalArgumentException(op + ": argument '" + outName
                        + "': expected a tensor distinct from the inputs, got one sharing storage with an input");
            }
        }
    }

    private static void distinctAll(String op, String[] names, Tensor... ts) {
        for (int i = 0; i < ts.length; i++) {
            for (int j = i + 1; j < ts.length; j++) {
                if (ts[i].allocation == ts[j].allocation) {
                    throw new IllegalArgumentException(op + ": arguments '" + names[i] + "' and '" + names[j]
                            + "': expected distinct tensors, got the same storage twice");
                }
            }
        }
    }

    private static String op(String name, Object problem) {
        return name + "(" + problem + ")";
    }

    private void checkUsable(String op) {
        if (closed) {
            throw new IllegalStateException(op + ": device " + spec + " is closed");
        }
        if (broken != null) {
            throw new IllegalStateException(op + ": device " + spec + " is broken after an earlier failure: " + broken);
        }
    }

    private void run(String op, Runnable body) {
        locked(op, () -> {
            body.run();
            return null;
        });
    }

    private <T> T locked(String op, Supplier<T> body) {
        lock.lock();
        try {
            checkUsable(op);
            return body.get();
        } catch (DeviceException e) {
            if (isFault(e)) {
                broken = e.getMessage();
            }
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** Kernel faults leave a context unusable; other native failures (a failed build, say) do not. */
    private static boolean isFault(DeviceException e) {
        String s = e.status();
        return s != null && (s.contains("ILLEGAL_ADDRESS") || s.contains("LAUNCH_FAILED") || s.contains("MISALIGNED")
                || s.contains("ILLEGAL_INSTRUCTION") || s.contains("HARDWARE_STACK_ERROR") || s.contains("OUT_OF_RESOURCES")
                || s.contains("EXEC_STATUS_ERROR") || s.contains("ASSERT") || s.contains("INVALID_PC")
                || s.contains("LAUNCH_TIMEOUT") || s.contains("INVALID_ADDRESS_SPACE") || s.contains("ECC_UNCORRECTABLE"));
    }
}
