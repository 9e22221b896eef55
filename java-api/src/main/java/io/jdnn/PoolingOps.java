package io.jdnn;

import io.jdnn.spi.Buffer;

import java.util.List;

import static io.jdnn.DeviceCore.distinct;
import static io.jdnn.DeviceCore.op;

/**
 * The pooling family of a {@link Device}: forward and backward, max or average as the problem
 * says; max pooling with indices, and max unpooling and its backward.
 */
final class PoolingOps extends OpFamily {
    PoolingOps(DeviceCore core) {
        super(core);
    }

    Tensor pool(PoolProblem p, Tensor x) {
        return core.produce(p.outputShape(), y -> pool(p, x, y));
    }

    void pool(PoolProblem p, Tensor x, Tensor y) {
        String op = op("pool", p);
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x, p.inputShape());
            Buffer by = core.use(op, "y", y, p.outputShape());
            distinct(op, "y", y, x);
            impl.poolForward(p, bx, by);
        });
    }

    Tensor poolBackward(PoolProblem p, Tensor x, Tensor dy) {
        return core.produce(p.inputShape(), dx -> poolBackward(p, x, dy, dx));
    }

    void poolBackward(PoolProblem p, Tensor x, Tensor dy, Tensor dx) {
        String op = op("poolBackward", p);
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x, p.inputShape());
            Buffer bdy = core.use(op, "dy", dy, p.outputShape());
            Buffer bdx = core.use(op, "dx", dx, p.inputShape());
            distinct(op, "dx", dx, x, dy);
            impl.poolBackward(p, bx, bdy, bdx);
        });
    }

    // ---------------------------------------------------------------- max pooling with indices, max unpooling

    List<Tensor> maxPoolWithIndices(PoolProblem p, Tensor x) {
        p.requireIndexable();
        Tensor y = core.allocate(p.outputShape());
        try {
            Tensor indices = core.produce(p.outputShape(), t -> maxPoolWithIndices(p, x, y, t));
            return List.of(y, indices);
        } catch (RuntimeException | Error e) {
            y.close();
            throw e;
        }
    }

    void maxPoolWithIndices(PoolProblem p, Tensor x, Tensor y, Tensor indices) {
        p.requireIndexable();
        String op = op("maxPoolWithIndices", p);
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x, p.inputShape());
            Buffer by = core.use(op, "y", y, p.outputShape());
            Buffer bi = core.use(op, "indices", indices, p.outputShape());
            distinct(op, "y", y, x);
            distinct(op, "indices", indices, x, y);
            impl.maxPoolWithIndices(p, bx, by, bi);
        });
    }

    Tensor maxUnpool(UnpoolProblem p, Tensor x, Tensor indices) {
        return core.produce(p.outputShape(), y -> maxUnpool(p, x, indices, y));
    }

    void maxUnpool(UnpoolProblem p, Tensor x, Tensor indices, Tensor y) {
        String op = op("maxUnpool", p);
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x, p.inputShape());
            Buffer bi = core.use(op, "indices", indices, p.inputShape());
            Buffer by = core.use(op, "y", y, p.outputShape());
            distinct(op, "y", y, x, indices);
            impl.maxUnpool(p, bx, bi, by);
        });
    }

    Tensor maxUnpoolBackward(UnpoolProblem p, Tensor indices, Tensor dy) {
        return core.produce(p.inputShape(), dx -> maxUnpoolBackward(p, indices, dy, dx));
    }

    void maxUnpoolBackward(UnpoolProblem p, Tensor indices, Tensor dy, Tensor dx) {
        String op = op("maxUnpoolBackward", p);
        core.run(op, () -> {
            Buffer bi = core.use(op, "indices", indices, p.inputShape());
            Buffer bdy = core.use(op, "dy", dy, p.outputShape());
            Buffer bdx = core.use(op, "dx", dx, p.inputShape());
            distinct(op, "dx", dx, indices, dy);
            impl.maxUnpoolBackward(p, bi, bdy, bdx);
        });
    }
}
