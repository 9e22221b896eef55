package io.jdnn.golden;

import io.jdnn.Activation;
import io.jdnn.ErrorBounds;
import io.jdnn.Tensor;

import java.util.List;

/** Golden ops relu, leaky_relu, elu, sigmoid and tanh: activation and activationBackward. */
final class ActivationHandler {
    private ActivationHandler() {
    }

    /** Runs an element-wise activation case. */
    static void run(CaseRun r) {
        Activation a;
        switch (r.op()) {
            case "leaky_relu" -> {
                r.declare(List.of("negative_slope"), List.of(), List.of("x"), List.of("dy"), List.of("y", "dx"));
                a = Activation.leakyRelu(r.params().real("negative_slope"));
            }
            case "elu" -> {
                r.declare(List.of("alpha"), List.of(), List.of("x"), List.of("dy"), List.of("y", "dx"));
                a = Activation.elu(r.params().real("alpha"));
            }
            default -> {
                r.declare(List.of(), List.of(), List.of("x"), List.of("dy"), List.of("y", "dx"));
                a = switch (r.op()) {
                    case "relu" -> Activation.relu();
                    case "sigmoid" -> Activation.sigmoid();
                    default -> Activation.tanh();
                };
            }
        }
        r.requireIfAny("dy", "dx");
        int[] dims = r.tensor("x").shape();
        Tensor x = r.upload("x");
        if (r.wants("y")) {
            r.compare("y", r.keep(r.device().activation(a, x)), dims, ErrorBounds.ELEMENTWISE, "elementwise");
        }
        if (r.wants("dx")) {
            Tensor dy = r.upload("dy");
            r.compare("dx", r.keep(r.device().activationBackward(a, x, dy)), dims, ErrorBounds.ELEMENTWISE, "elementwise");
        }
    }
}
