package io.jdnn.golden;

import io.jdnn.ErrorBounds;
import io.jdnn.OptimizerState;
import io.jdnn.Tensor;
import io.jdnn.optim.AdaDelta;
import io.jdnn.optim.AdaGrad;
import io.jdnn.optim.Adam;
import io.jdnn.optim.AdamW;
import io.jdnn.optim.Optimizer;
import io.jdnn.optim.RmsProp;
import io.jdnn.optim.Sgd;

import java.util.ArrayList;
import java.util.List;

/**
 * Golden ops sgd, adagrad, rmsprop, adam, adamw and adadelta: optimizerState, then one step per
 * gradient g1, g2, ... comparing the parameter after it with p1, p2, ...
 */
final class OptimizerHandler {
    private OptimizerHandler() {
    }

    /** Runs an optimizer case. */
    static void run(CaseRun r) {
        List<String> names = switch (r.op()) {
            case "sgd" -> List.of("lr", "momentum", "dampening", "nesterov", "weight_decay");
            case "adagrad" -> List.of("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps");
            case "rmsprop" -> List.of("lr", "alpha", "eps", "weight_decay", "momentum", "centered");
            case "adam", "adamw" -> List.of("lr", "betas", "eps", "weight_decay", "amsgrad");
            default -> List.of("lr", "rho", "eps", "weight_decay");
        };
        int steps = 0;
        while (r.has("g" + (steps + 1))) {
            steps++;
        }
        if (steps == 0) {
            throw new UnsupportedCase("inputs: expected gradients g1, g2, ... (one per step), got " + r.inputs());
        }
        List<String> inputs = new ArrayList<>(List.of("p0"));
        List<String> outputs = new ArrayList<>();
        for (int k = 1; k <= steps; k++) {
            inputs.add("g" + k);
            outputs.add("p" + k);
        }
        r.declare(names, List.of(), inputs, List.of(), outputs);
        Optimizer rule = rule(r.op(), r.params());
        int[] dims = r.tensor("p0").shape();
        Tensor param = r.upload("p0");
        OptimizerState state = r.device().optimizerState(rule, param.shape());
        r.onClose(state::close);
        for (int k = 1; k <= steps; k++) {
            Tensor g = r.upload("g" + k);
            r.device().step(rule, state, param, g);
            r.compare("p" + k, param, dims, ErrorBounds.OPTIMIZER, "optimizer");
        }
    }

    /** The update rule of {@code op} with the case's hyper-parameters. */
    private static Optimizer rule(String op, Params p) {
        return switch (op) {
            case "sgd" -> new Sgd(p.real("lr"), p.real("momentum"), p.real("dampening"), p.bool("nesterov"),
                    p.real("weight_decay"));
            case "adagrad" -> new AdaGrad(p.real("lr"), p.real("lr_decay"), p.real("weight_decay"),
                    p.real("initial_accumulator_value"), p.real("eps"));
            case "rmsprop" -> new RmsProp(p.real("lr"), p.real("alpha"), p.real("eps"), p.real("weight_decay"),
                    p.real("momentum"), p.bool("centered"));
            case "adam" -> {
                double[] b = p.realPair("betas");
                yield new Adam(p.real("lr"), b[0], b[1], p.real("eps"), p.real("weight_decay"), p.bool("amsgrad"));
            }
            case "adamw" -> {
                double[] b = p.realPair("betas");
                yield new AdamW(p.real("lr"), b[0], b[1], p.real("eps"), p.real("weight_decay"), p.bool("amsgrad"));
            }
            default -> new AdaDelta(p.real("lr"), p.real("rho"), p.real("eps"), p.real("weight_decay"));
        };
    }
}
