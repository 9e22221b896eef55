package io.jdnn;

import io.jdnn.spi.Buffer;

import static io.jdnn.DeviceCore.distinct;
import static io.jdnn.DeviceCore.distinctAll;
import static io.jdnn.DeviceCore.op;

/**
 * The batch-norm family of a {@link Device}: training and inference forward, and their backward
 * passes. Per-channel tensors (gamma, beta, statistics) have {@link BatchNormProblem#channelShape()}.
 */
final class BatchNormOps extends OpFamily {
    BatchNormOps(DeviceCore core) {
        super(core);
    }

    void batchNormTrain(BatchNormProblem p, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                        Tensor runningVar, Tensor y, Tensor saveMean, Tensor saveInvStd) {
        String op = op("batchNormTrain", p);
        core.run(op, () -> {
            // PyTorch: "Expected more than 1 value per channel when training"; the unbiased
            // running variance divides by N*H*W - 1.
            Check.that(p.reductionSize() > 1, "problem", "more than one value per channel (batch * height * width > 1)"
                    + " in training mode", p);
            Shape cs = p.channelShape();
            Buffer bx = core.use(op, "x", x, p.inputShape());
            Buffer bg = core.use(op, "gamma", gamma, cs);
            Buffer bb = core.use(op, "beta", beta, cs);
            Buffer brm = core.use(op, "runningMean", runningMean, cs);
            Buffer brv = core.use(op, "runningVar", runningVar, cs);
            Buffer by = core.use(op, "y", y, p.inputShape());
            Buffer bsm = core.use(op, "saveMean", saveMean, cs);
            Buffer bsi = core.use(op, "saveInvStd", saveInvStd, cs);
            distinct(op, "y", y, x);
            distinctAll(op, new String[] {"gamma", "beta", "runningMean", "runningVar", "saveMean", "saveInvStd"},
                    gamma, beta, runningMean, runningVar, saveMean, saveInvStd);
            impl.batchNormTrain(p, bx, bg, bb, brm, brv, by, bsm, bsi);
        });
    }

    void batchNormInference(BatchNormProblem p, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                            Tensor runningVar, Tensor y) {
        String op = op("batchNormInference", p);
        core.run(op, () -> {
            Shape cs = p.channelShape();
            Buffer bx = core.use(op, "x", x, p.inputShape());
            Buffer bg = core.use(op, "gamma", gamma, cs);
            Buffer bb = core.use(op, "beta", beta, cs);
            Buffer brm = core.use(op, "runningMean", runningMean, cs);
            Buffer brv = core.use(op, "runningVar", runningVar, cs);
            Buffer by = core.use(op, "y", y, p.inputShape());
            distinct(op, "y", y, gamma, beta, runningMean, runningVar);
            impl.batchNormInference(p, bx, bg, bb, brm, brv, by);
        });
    }

    void batchNormBackward(BatchNormProblem p, Tensor x, Tensor dy, Tensor gamma, Tensor saveMean,
                           Tensor saveInvStd, Tensor dx, Tensor dgamma, Tensor dbeta) {
        String op = op("batchNormBackward", p);
        core.run(op, () -> {
            Shape cs = p.channelShape();
            Buffer bx = core.use(op, "x", x, p.inputShape());
            Buffer bdy = core.use(op, "dy", dy, p.inputShape());
            Buffer bg = core.use(op, "gamma", gamma, cs);
            Buffer bsm = core.use(op, "saveMean", saveMean, cs);
            Buffer bsi = core.use(op, "saveInvStd", saveInvStd, cs);
            Buffer bdx = core.use(op, "dx", dx, p.inputShape());
            Buffer bdg = core.use(op, "dgamma", dgamma, cs);
            Buffer bdb = core.use(op, "dbeta", dbeta, cs);
            distinct(op, "dx", dx, x, dy);
            distinct(op, "dgamma", dgamma, gamma, saveMean, saveInvStd, dbeta);
            distinct(op, "dbeta", dbeta, gamma, saveMean, saveInvStd);
            impl.batchNormBackward(p, bx, bdy, bg, bsm, bsi, bdx, bdg, bdb);
        });
    }

    void batchNormInferenceBackward(BatchNormProblem p, Tensor x, Tensor dy, Tensor gamma, Tensor runningMean,
                                    Tensor runningVar, Tensor dx, Tensor dgamma, Tensor dbeta) {
        String op = op("batchNormInferenceBackward", p);
        core.run(op, () -> {
            Shape cs = p.channelShape();
            Buffer bx = core.use(op, "x", x, p.inputShape());
            Buffer bdy = core.use(op, "dy", dy, p.inputShape());
            Buffer bg = core.use(op, "gamma", gamma, cs);
            Buffer brm = core.use(op, "runningMean", runningMean, cs);
            Buffer brv = core.use(op, "runningVar", runningVar, cs);
            Buffer bdx = core.use(op, "dx", dx, p.inputShape());
            Buffer bdg = core.use(op, "dgamma", dgamma, cs);
            Buffer bdb = core.use(op, "dbeta", dbeta, cs);
            distinct(op, "dx", dx, x, dy);
            distinct(op, "dgamma", dgamma, gamma, runningMean, runningVar, dbeta);
            distinct(op, "dbeta", dbeta, gamma, runningMean, runningVar);
            impl.batchNormInferenceBackward(p, bx, bdy, bg, brm, brv, bdx, bdg, bdb);
        });
    }
}
