package io.jdnn;

import static io.jdnn.DeviceCore.distinct;
import static io.jdnn.DeviceCore.op;

/**
 * The 1-D convolution and pooling family of a {@link Device}: checks the (N, C, L) tensors against
 * the 1-D problem (so that errors speak of L and the 1-D settings), then views them as
 * (N, C, 1, L) and runs the problem's height-1 2-D form ({@link Conv1dProblem#as2d()},
 * {@link Pool1dProblem#as2d()}) through the convolution and pooling families, on every backend
 * and algorithm unchanged. The public methods of {@link Device} document each.
 */
final class OneDOps extends OpFamily {
    private final TensorOps tensors;
    private final ConvolutionOps convolution;
    private final PoolingOps pooling;

    OneDOps(DeviceCore core, TensorOps tensors, ConvolutionOps convolution, PoolingOps pooling) {
        super(core);
        this.tensors = tensors;
        this.convolution = convolution;
        this.pooling = pooling;
    }

    /** {@code t}'s storage under the 2-D shape {@code shape} (null stays null). Called with the lock held. */
    private Tensor as2d(Tensor t, Shape shape) {
        return t == null ? null : tensors.view(t, shape, false);
    }

    Tensor conv1d(Conv1dProblem p, ConvAlgorithm algorithm, Tensor x, Tensor w, Tensor bias) {
        return core.produce(p.outputShape(), y -> conv1d(p, algorithm, x, w, bias, y));
    }

    void conv1d(Conv1dProblem p, ConvAlgorithm algorithm, Tensor x, Tensor w, Tensor bias, Tensor y) {
        String op = op("conv1d", p);
        core.run(op, () -> {
            core.use(op, "x", x, p.inputShape());
            core.use(op, "w", w, p.weightShape());
            if (bias != null) {
                core.use(op, "bias", bias, p.biasShape());
            }
            core.use(op, "y", y, p.outputShape());
            distinct(op, "y", y, x, w, bias);
            ConvProblem q = p.as2d();
            convolution.conv2d(q, algorithm, as2d(x, q.inputShape()), as2d(w, q.weightShape()), bias,
                    as2d(y, q.outputShape()));
        });
    }

    Tensor conv1dBackwardData(Conv1dProblem p, ConvAlgorithm algorithm, Tensor dy, Tensor w) {
        return core.produce(p.inputShape(), dx -> conv1dBackwardData(p, algorithm, dy, w, dx));
    }

    void conv1dBackwardData(Conv1dProblem p, ConvAlgorithm algorithm, Tensor dy, Tensor w, Tensor dx) {
        String op = op("conv1dBackwardData", p);
        core.run(op, () -> {
            core.use(op, "dy", dy, p.outputShape());
            core.use(op, "w", w, p.weightShape());
            core.use(op, "dx", dx, p.inputShape());
            distinct(op, "dx", dx, dy, w);
            ConvProblem q = p.as2d();
            convolution.conv2dBackwardData(q, algorithm, as2d(dy, q.outputShape()), as2d(w, q.weightShape()),
                    as2d(dx, q.inputShape()));
        });
    }

    Tensor conv1dBackwardFilter(Conv1dProblem p, ConvAlgorithm algorithm, Tensor x, Tensor dy) {
        return core.produce(p.weightShape(), dw -> conv1dBackwardFilter(p, algorithm, x, dy, dw));
    }

    void conv1dBackwardFilter(Conv1dProblem p, ConvAlgorithm algorithm, Tensor x, Tensor dy, Tensor dw) {
        String op = op("conv1dBackwardFilter", p);
        core.run(op, () -> {
            core.use(op, "x", x, p.inputShape());
            core.use(op, "dy", dy, p.outputShape());
            core.use(op, "dw", dw, p.weightShape());
            distinct(op, "dw", dw, x, dy);
            ConvProblem q = p.as2d();
            convolution.conv2dBackwardFilter(q, algorithm, as2d(x, q.inputShape()), as2d(dy, q.outputShape()),
                    as2d(dw, q.weightShape()));
        });
    }

    Tensor conv1dBackwardBias(Conv1dProblem p, Tensor dy) {
        return core.produce(p.biasShape(), db -> conv1dBackwardBias(p, dy, db));
    }

    void conv1dBackwardBias(Conv1dProblem p, Tensor dy, Tensor db) {
        String op = op("conv1dBackwardBias", p);
        core.run(op, () -> {
            core.use(op, "dy", dy, p.outputShape());
            core.use(op, "db", db, p.biasShape());
            distinct(op, "db", db, dy);
            ConvProblem q = p.as2d();
            convolution.conv2dBackwardBias(q, as2d(dy, q.outputShape()), db);
        });
    }

    Tensor pool1d(Pool1dProblem p, Tensor x) {
        return core.produce(p.outputShape(), y -> pool1d(p, x, y));
    }

    void pool1d(Pool1dProblem p, Tensor x, Tensor y) {
        String op = op("pool1d", p);
        core.run(op, () -> {
            core.use(op, "x", x, p.inputShape());
            core.use(op, "y", y, p.outputShape());
            distinct(op, "y", y, x);
            PoolProblem q = p.as2d();
            pooling.pool(q, as2d(x, q.inputShape()), as2d(y, q.outputShape()));
        });
    }

    Tensor pool1dBackward(Pool1dProblem p, Tensor x, Tensor dy) {
        return core.produce(p.inputShape(), dx -> pool1dBackward(p, x, dy, dx));
    }

    void pool1dBackward(Pool1dProblem p, Tensor x, Tensor dy, Tensor dx) {
        String op = op("pool1dBackward", p);
        core.run(op, () -> {
            core.use(op, "x", x, p.inputShape());
            core.use(op, "dy", dy, p.outputShape());
            core.use(op, "dx", dx, p.inputShape());
            distinct(op, "dx", dx, x, dy);
            PoolProblem q = p.as2d();
            pooling.poolBackward(q, as2d(x, q.inputShape()), as2d(dy, q.outputShape()), as2d(dx, q.inputShape()));
        });
    }
}
