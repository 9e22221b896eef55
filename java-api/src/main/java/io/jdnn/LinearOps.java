package io.jdnn;

import io.jdnn.spi.Buffer;

import static io.jdnn.DeviceCore.distinct;
import static io.jdnn.DeviceCore.op;

/** The fully connected family of a {@link Device}: y = x w^T + bias and its three gradients. */
final class LinearOps extends OpFamily {
    LinearOps(DeviceCore core) {
        super(core);
    }

    void linear(LinearProblem p, Tensor x, Tensor w, Tensor bias, Tensor y) {
        String op = op("linear", p);
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x, p.inputShape());
            Buffer bw = core.use(op, "w", w, p.weightShape());
            Buffer bb = bias == null ? null : core.use(op, "bias", bias, p.biasShape());
            Buffer by = core.use(op, "y", y, p.outputShape());
            distinct(op, "y", y, x, w, bias);
            impl.linearForward(p, bx, bw, bb, by);
        });
    }

    void linearBackwardData(LinearProblem p, Tensor dy, Tensor w, Tensor dx) {
        String op = op("linearBackwardData", p);
        core.run(op, () -> {
            Buffer bdy = core.use(op, "dy", dy, p.outputShape());
            Buffer bw = core.use(op, "w", w, p.weightShape());
            Buffer bdx = core.use(op, "dx", dx, p.inputShape());
            distinct(op, "dx", dx, dy, w);
            impl.linearBackwardData(p, bdy, bw, bdx);
        });
    }

    void linearBackwardWeight(LinearProblem p, Tensor x, Tensor dy, Tensor dw) {
        String op = op("linearBackwardWeight", p);
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x, p.inputShape());
            Buffer bdy = core.use(op, "dy", dy, p.outputShape());
            Buffer bdw = core.use(op, "dw", dw, p.weightShape());
            distinct(op, "dw", dw, x, dy);
            impl.linearBackwardWeight(p, bx, bdy, bdw);
        });
    }

    void linearBackwardBias(LinearProblem p, Tensor dy, Tensor db) {
        String op = op("linearBackwardBias", p);
        core.run(op, () -> {
            Buffer bdy = core.use(op, "dy", dy, p.outputShape());
            Buffer bdb = core.use(op, "db", db, p.biasShape());
            distinct(op, "db", db, dy);
            impl.channelSum(p.batch(), p.outFeatures(), 1, bdy, bdb);
        });
    }
}
