package io.jdnn;

import io.jdnn.optim.Optimizer;
import io.jdnn.spi.Buffer;

import java.util.List;

import static io.jdnn.DeviceCore.distinct;

/** The optimizer family of a {@link Device}: per-element state for a rule, and one step in place. */
final class OptimizerOps extends OpFamily {
    OptimizerOps(DeviceCore core) {
        super(core);
    }

    OptimizerState optimizerState(Optimizer rule, Shape shape) {
        Check.that(rule != null, "rule", "an Optimizer", "null");
        Check.that(shape != null, "shape", "a shape", "null");
        List<String> names = rule.stateNames();
        Tensor[] slots = new Tensor[names.size()];
        try {
            for (int i = 0; i < slots.length; i++) {
                double v = rule.initialState(i);
                slots[i] = core.locked("optimizerState", () -> {
                    Tensor t = core.allocations().newTensor(shape);
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
        return new OptimizerState(core.device(), rule, shape, names, slots);
    }

    void step(Optimizer rule, OptimizerState state, Tensor param, Tensor grad) {
        String op = "step(" + rule + ")";
        core.run(op, () -> {
            Check.that(rule != null, "rule", "an Optimizer", "null");
            Check.that(state != null, "state", "an OptimizerState from optimizerState()", "null");
            Check.that(state.device() == core.device(), "state", "state created on " + core.spec(),
                    "state of " + state.device().spec());
            Check.that(state.rule().kind().equals(rule.kind()) && state.stateNames().equals(rule.stateNames()),
                    "state", "state for " + rule.kind() + " with slots " + rule.stateNames(),
                    "state for " + state.rule().kind() + " with slots " + state.stateNames());
            Buffer bp = core.use(op, "param", param, state.shape());
            Buffer bg = core.use(op, "grad", grad, state.shape());
            distinct(op, "param", param, grad);
            Tensor[] slots = state.slots();
            Buffer[] bs = new Buffer[slots.length];
            for (int i = 0; i < slots.length; i++) {
                bs[i] = core.use(op, "state." + state.stateNames().get(i), slots[i], state.shape());
            }
            long t = state.advance();
            impl.optimizerStep(rule, t, param.elements(), bp, bg, bs);
        });
    }
}
