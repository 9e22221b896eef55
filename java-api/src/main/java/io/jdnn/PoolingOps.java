package io.jdnn;

import io.jdnn.spi.Buffer;

import static io.jdnn.DeviceCore.distinct;
import static io.jdnn.DeviceCore.op;

/** The pooling family of a {@link Device}: forward and backward, max or average as the problem says. */
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
}
