package io.jdnn;

import io.jdnn.spi.Buffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.jdnn.DeviceCore.distinct;
import static io.jdnn.DeviceCore.op;

/**
 * The convolution family of a {@link Device}: the three directions and the bias gradient, and the
 * questions about algorithms (which exist, which apply, which AUTO picks, which are deterministic),
 * answered by the device's {@link ConvPlanner}. The public methods of {@link Device} document each.
 */
final class ConvolutionOps extends OpFamily {
    private final ConvPlanner planner;

    ConvolutionOps(DeviceCore core) {
        super(core);
        this.planner = new ConvPlanner(impl, core.options());
    }

    Tensor conv2d(ConvProblem p, ConvAlgorithm algorithm, Tensor x, Tensor w, Tensor bias) {
        return core.produce(p.outputShape(), y -> conv2d(p, algorithm, x, w, bias, y));
    }

    void conv2d(ConvProblem p, ConvAlgorithm algorithm, Tensor x, Tensor w, Tensor bias, Tensor y) {
        conv2d(p, algorithm, x, w, bias, null, y);
    }

    Tensor conv2d(ConvProblem p, ConvAlgorithm algorithm, Tensor x, Tensor w, Tensor bias, Activation activation) {
        return core.produce(p.outputShape(), y -> conv2d(p, algorithm, x, w, bias, activation, y));
    }

    /** The forward pass; {@code activation} null runs the plain convolution (the existing SPI calls). */
    void conv2d(ConvProblem p, ConvAlgorithm algorithm, Tensor x, Tensor w, Tensor bias, Activation activation,
                Tensor y) {
        String op = activation == null ? op("conv2d", p) : op("conv2d", p) + " + " + activation;
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x, p.inputShape());
            Buffer bw = core.use(op, "w", w, p.weightShape());
            Buffer bb = bias == null ? null : core.use(op, "bias", bias, p.biasShape());
            Buffer by = core.use(op, "y", y, p.outputShape());
            distinct(op, "y", y, x, w, bias);
            if (activation == null) {
                convolve(p, ConvDirection.FORWARD, algorithm, bx, bw, bb, by);
            } else {
                ConvAlgorithm a = concrete(p, ConvDirection.FORWARD, algorithm);
                impl.convActivationForward(p.direct(), p.directDirection(ConvDirection.FORWARD), a, bx, bw, bb,
                        activation, by);
            }
        });
    }

    boolean isActivationFused(ConvProblem p, ConvAlgorithm algorithm) {
        Check.that(p != null, "p", "a ConvProblem", "null");
        return core.locked("isActivationFused", () -> impl.fusesActivation(p.direct(),
                p.directDirection(ConvDirection.FORWARD), concrete(p, ConvDirection.FORWARD, algorithm)));
    }

    Tensor conv2dBackwardData(ConvProblem p, ConvAlgorithm algorithm, Tensor dy, Tensor w) {
        return core.produce(p.inputShape(), dx -> conv2dBackwardData(p, algorithm, dy, w, dx));
    }

    void conv2dBackwardData(ConvProblem p, ConvAlgorithm algorithm, Tensor dy, Tensor w, Tensor dx) {
        String op = op("conv2dBackwardData", p);
        core.run(op, () -> {
            Buffer bdy = core.use(op, "dy", dy, p.outputShape());
            Buffer bw = core.use(op, "w", w, p.weightShape());
            Buffer bdx = core.use(op, "dx", dx, p.inputShape());
            distinct(op, "dx", dx, dy, w);
            convolve(p, ConvDirection.BACKWARD_DATA, algorithm, bdy, bw, null, bdx);
        });
    }

    Tensor conv2dBackwardFilter(ConvProblem p, ConvAlgorithm algorithm, Tensor x, Tensor dy) {
        return core.produce(p.weightShape(), dw -> conv2dBackwardFilter(p, algorithm, x, dy, dw));
    }

    void conv2dBackwardFilter(ConvProblem p, ConvAlgorithm algorithm, Tensor x, Tensor dy, Tensor dw) {
        String op = op("conv2dBackwardFilter", p);
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x, p.inputShape());
            Buffer bdy = core.use(op, "dy", dy, p.outputShape());
            Buffer bdw = core.use(op, "dw", dw, p.weightShape());
            distinct(op, "dw", dw, x, dy);
            convolve(p, ConvDirection.BACKWARD_FILTER, algorithm, bx, bdy, null, bdw);
        });
    }

    /**
     * Runs {@code direction} of {@code p} with the algorithm its plan names: the one place that
     * maps a problem onto the backend's direct convolution ({@link DirectConv}). The buffers come
     * in the order of the public method: forward (x, w, bias, y), backward-data (dy, w, -, dx),
     * backward-filter (x, dy, -, dw). A transposed problem's forward pass is the direct
     * backward-data pass, its backward-data the direct forward pass, and its backward-filter the
     * direct backward-filter with image and response swapped. Called with the lock held.
     */
    private void convolve(ConvProblem p, ConvDirection direction, ConvAlgorithm requested, Buffer in1, Buffer in2,
                          Buffer bias, Buffer out) {
        ConvAlgorithm a = concrete(p, direction, requested);
        DirectConv d = p.direct();
        switch (p.directDirection(direction)) {
            case FORWARD -> impl.convForward(d, a, in1, in2, bias, out);
            case BACKWARD_DATA -> impl.convBackwardData(d, a, in1, in2, bias, out);
            case BACKWARD_FILTER -> {
                if (p.transposed()) {
                    impl.convBackwardFilter(d, a, in2, in1, out);
                } else {
                    impl.convBackwardFilter(d, a, in1, in2, out);
                }
            }
        }
    }

    /** The algorithm the plan of {@code direction} names for {@code requested} (AUTO resolved); throws where none can run. */
    private ConvAlgorithm concrete(ConvProblem p, ConvDirection direction, ConvAlgorithm requested) {
        Check.that(requested != null, "algorithm", "a ConvAlgorithm (AUTO to let the device choose)", "null");
        return planner.plan(p, direction, requested, Double.POSITIVE_INFINITY).algorithm();
    }

    Tensor conv2dBackwardBias(ConvProblem p, Tensor dy) {
        return core.produce(p.biasShape(), db -> conv2dBackwardBias(p, dy, db));
    }

    void conv2dBackwardBias(ConvProblem p, Tensor dy, Tensor db) {
        String op = op("conv2dBackwardBias", p);
        core.run(op, () -> {
            Buffer bdy = core.use(op, "dy", dy, p.outputShape());
            Buffer bdb = core.use(op, "db", db, p.biasShape());
            distinct(op, "db", db, dy);
            impl.channelSum(p.batch(), p.outChannels(), (long) p.outHeight() * p.outWidth(), bdy, bdb);
        });
    }

    // ================================================================== algorithms and plans

    List<ConvAlgorithm> algorithms() {
        return impl.algorithms();
    }

    boolean isDeterministic(ConvAlgorithm algorithm) {
        Check.that(algorithm != null, "algorithm", "a ConvAlgorithm", "null");
        List<ConvAlgorithm> all = impl.algorithms();
        if (algorithm == ConvAlgorithm.AUTO) {
            return core.options().deterministic() || all.stream().allMatch(impl::isDeterministic);
        }
        return all.contains(algorithm) && impl.isDeterministic(algorithm);
    }

    ConvPlan plan(ConvProblem p, ConvDirection direction, ConvAlgorithm algorithm, double maxErrorBound) {
        Check.that(p != null, "p", "a ConvProblem", "null");
        Check.that(direction != null, "direction", "a ConvDirection", "null");
        Check.that(algorithm != null, "algorithm", "a ConvAlgorithm (AUTO to let the device choose)", "null");
        Check.that(maxErrorBound > 0, "maxErrorBound", "a bound > 0", maxErrorBound);
        return core.locked("plan", () -> planner.plan(p, direction, algorithm, maxErrorBound));
    }

    Optional<String> whyNot(ConvProblem p, ConvDirection direction, ConvAlgorithm algorithm) {
        Check.that(algorithm != null, "algorithm", "a ConvAlgorithm", "null");
        if (algorithm == ConvAlgorithm.AUTO) {
            return core.locked("whyNot", () -> planner.autoWhyNot(p, direction));
        }
        return core.locked("whyNot", () -> planner.plan(p, direction, algorithm, Double.POSITIVE_INFINITY).whyNot());
    }

    List<ConvAlgorithm> applicableAlgorithms(ConvProblem p, ConvDirection direction) {
        List<ConvAlgorithm> out = new ArrayList<>();
        for (ConvAlgorithm a : algorithms()) {
            if (whyNot(p, direction, a).isEmpty()) {
                out.add(a);
            }
        }
        return out;
    }

    ConvAlgorithm autoAlgorithm(ConvProblem p, ConvDirection direction) {
        return plan(p, direction, ConvAlgorithm.AUTO, Double.POSITIVE_INFINITY).algorithm();
    }
}
