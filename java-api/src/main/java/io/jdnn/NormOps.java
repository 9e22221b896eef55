package io.jdnn;

import io.jdnn.spi.Buffer;

import static io.jdnn.DeviceCore.distinct;
import static io.jdnn.DeviceCore.distinctAll;
import static io.jdnn.DeviceCore.op;

/**
 * The normalization family of a {@link Device}: local response norm across channels, and group,
 * instance and layer norm, forward and backward. Instance and layer norm are group norm
 * ({@link InstanceNormProblem#asGroupNorm()}, {@link LayerNormProblem#asGroupNorm()}) once their
 * arguments are checked against their own shapes; every output must be distinct from the inputs.
 */
final class NormOps extends OpFamily {
    NormOps(DeviceCore core) {
        super(core);
    }

    /** The shapes one group-norm style call checks its tensors against. */
    private record Shapes(Shape input, Shape params, Shape stats) {
    }

    // ---------------------------------------------------------------- group, instance and layer norm

    void groupNorm(GroupNormProblem p, Tensor x, Tensor weight, Tensor bias, Tensor y, Tensor saveMean,
                   Tensor saveInvStd) {
        forward(op("groupNorm", p), p, new Shapes(p.inputShape(), p.channelShape(), p.statsShape()),
                x, weight, bias, y, saveMean, saveInvStd);
    }

    void instanceNorm(InstanceNormProblem p, Tensor x, Tensor weight, Tensor bias, Tensor y, Tensor saveMean,
                      Tensor saveInvStd) {
        forward(op("instanceNorm", p), p.asGroupNorm(), new Shapes(p.inputShape(), p.channelShape(), p.statsShape()),
                x, weight, bias, y, saveMean, saveInvStd);
    }

    void layerNorm(LayerNormProblem p, Tensor x, Tensor weight, Tensor bias, Tensor y, Tensor saveMean,
                   Tensor saveInvStd) {
        forward(op("layerNorm", p), p.asGroupNorm(), new Shapes(p.inputShape(), p.featureShape(), p.statsShape()),
                x, weight, bias, y, saveMean, saveInvStd);
    }

    /** Forward into a new y of the input shape; the statistics go to temporaries freed on return. */
    private Tensor normalized(Shape input, Shape stats, ForwardCall call) {
        return core.produce(input, y -> {
            try (Tensor mean = core.allocate(stats); Tensor invStd = core.allocate(stats)) {
                call.run(y, mean, invStd);
            }
        });
    }

    Tensor groupNorm(GroupNormProblem p, Tensor x, Tensor weight, Tensor bias) {
        return normalized(p.inputShape(), p.statsShape(), (y, m, s) -> groupNorm(p, x, weight, bias, y, m, s));
    }

    Tensor instanceNorm(InstanceNormProblem p, Tensor x, Tensor weight, Tensor bias) {
        return normalized(p.inputShape(), p.statsShape(), (y, m, s) -> instanceNorm(p, x, weight, bias, y, m, s));
    }

    Tensor layerNorm(LayerNormProblem p, Tensor x, Tensor weight, Tensor bias) {
        return normalized(p.inputShape(), p.statsShape(), (y, m, s) -> layerNorm(p, x, weight, bias, y, m, s));
    }

    /** A forward call writing y and the two statistics tensors. */
    interface ForwardCall {
        void run(Tensor y, Tensor saveMean, Tensor saveInvStd);
    }

    void groupNormBackward(GroupNormProblem p, Tensor x, Tensor dy, Tensor weight, Tensor saveMean,
                           Tensor saveInvStd, Tensor dx, Tensor dweight, Tensor dbias) {
        backward(op("groupNormBackward", p), p, new Shapes(p.inputShape(), p.channelShape(), p.statsShape()),
                x, dy, weight, saveMean, saveInvStd, dx, dweight, dbias);
    }

    void instanceNormBackward(InstanceNormProblem p, Tensor x, Tensor dy, Tensor weight, Tensor saveMean,
                              Tensor saveInvStd, Tensor dx, Tensor dweight, Tensor dbias) {
        backward(op("instanceNormBackward", p), p.asGroupNorm(),
                new Shapes(p.inputShape(), p.channelShape(), p.statsShape()),
                x, dy, weight, saveMean, saveInvStd, dx, dweight, dbias);
    }

    void layerNormBackward(LayerNormProblem p, Tensor x, Tensor dy, Tensor weight, Tensor saveMean,
                           Tensor saveInvStd, Tensor dx, Tensor dweight, Tensor dbias) {
        backward(op("layerNormBackward", p), p.asGroupNorm(),
                new Shapes(p.inputShape(), p.featureShape(), p.statsShape()),
                x, dy, weight, saveMean, saveInvStd, dx, dweight, dbias);
    }

    private void forward(String op, GroupNormProblem g, Shapes s, Tensor x, Tensor weight, Tensor bias, Tensor y,
                         Tensor saveMean, Tensor saveInvStd) {
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x, s.input());
            Buffer bw = core.use(op, "weight", weight, s.params());
            Buffer bb = core.use(op, "bias", bias, s.params());
            Buffer by = core.use(op, "y", y, s.input());
            Buffer bm = core.use(op, "saveMean", saveMean, s.stats());
            Buffer bs = core.use(op, "saveInvStd", saveInvStd, s.stats());
            distinct(op, "y", y, x, weight, bias);
            distinct(op, "saveMean", saveMean, x, weight, bias);
            distinct(op, "saveInvStd", saveInvStd, x, weight, bias);
            distinctAll(op, new String[] {"y", "saveMean", "saveInvStd"}, y, saveMean, saveInvStd);
            impl.groupNormForward(g, bx, bw, bb, by, bm, bs);
        });
    }

    private void backward(String op, GroupNormProblem g, Shapes s, Tensor x, Tensor dy, Tensor weight,
                          Tensor saveMean, Tensor saveInvStd, Tensor dx, Tensor dweight, Tensor dbias) {
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x, s.input());
            Buffer bdy = core.use(op, "dy", dy, s.input());
            Buffer bw = core.use(op, "weight", weight, s.params());
            Buffer bm = core.use(op, "saveMean", saveMean, s.stats());
            Buffer bs = core.use(op, "saveInvStd", saveInvStd, s.stats());
            Buffer bdx = core.use(op, "dx", dx, s.input());
            Buffer bdw = core.use(op, "dweight", dweight, s.params());
            Buffer bdb = core.use(op, "dbias", dbias, s.params());
            Tensor[] inputs = {x, dy, weight, saveMean, saveInvStd};
            distinct(op, "dx", dx, inputs);
            distinct(op, "dweight", dweight, inputs);
            distinct(op, "dbias", dbias, inputs);
            distinctAll(op, new String[] {"dx", "dweight", "dbias"}, dx, dweight, dbias);
            impl.groupNormBackward(g, bx, bdy, bw, bm, bs, bdx, bdw, bdb);
        });
    }

    // ---------------------------------------------------------------- local response norm

    Tensor localResponseNorm(LrnProblem p, Tensor x) {
        return core.produce(p.inputShape(), y -> localResponseNorm(p, x, y));
    }

    void localResponseNorm(LrnProblem p, Tensor x, Tensor y) {
        String op = op("localResponseNorm", p);
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x, p.inputShape());
            Buffer by = core.use(op, "y", y, p.inputShape());
            distinct(op, "y", y, x);
            impl.lrnForward(p, bx, by);
        });
    }

    Tensor localResponseNormBackward(LrnProblem p, Tensor x, Tensor dy) {
        return core.produce(p.inputShape(), dx -> localResponseNormBackward(p, x, dy, dx));
    }

    void localResponseNormBackward(LrnProblem p, Tensor x, Tensor dy, Tensor dx) {
        String op = op("localResponseNormBackward", p);
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x, p.inputShape());
            Buffer bdy = core.use(op, "dy", dy, p.inputShape());
            Buffer bdx = core.use(op, "dx", dx, p.inputShape());
            distinct(op, "dx", dx, x, dy);
            impl.lrnBackward(p, bx, bdy, bdx);
        });
    }
}
