package io.jdnn.golden;

import io.jdnn.Activation;
import io.jdnn.ErrorBounds;
import io.jdnn.Tensor;

import java.util.List;

/**
 * Golden element-wise activation ops (activation and activationBackward): relu, leaky_relu, elu,
 * sigmoid, tanh, and the second set's relu6, hardswish, hardsigmoid, silu, mish, gelu
 * (approximate "none" or "tanh") and softplus (beta, threshold).
 */
final class ActivationHandler {
    private ActivationHandler() {
    }

    /** The ops of the second set this handler runs (the first set's are registered with it too). */
    static final List<String> SECOND_SET = List.of("relu6", "hardswish", "hardsigmoid", "silu", "mish", "gelu",
            "softplus");

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
            case "gelu" -> {
                r.declare(List.of("approximate"), List.of(), List.of("x"), List.of("dy"), List.of("y", "dx"));
                a = switch (r.params().string("approximate")) {
                    case "none" -> Activation.gelu();
                    case "tanh" -> Activation.geluTanh();
                    default -> throw new UnsupportedCase("parameter 'approximate': expected \"none\" or \"tanh\", got \""
                            + r.params().string("approximate") + "\"");
                };
            }
            case "softplus" -> {
                r.declare(List.of("beta", "threshold"), List.of(), List.of("x"), List.of("dy"), List.of("y", "dx"));
                a = Activation.softplus(r.params().real("beta"), r.params().real("threshold"));
            }
            default -> {
                r.declare(List.of(), List.of(), List.of("x"), List.of("dy"), List.of("y", "dx"));
                a = switch (r.op()) {
                    case "relu" -> Activation.relu();
                    case "sigmoid" -> Activation.sigmoid();
                    case "tanh" -> Activation.tanh();
                    case "relu6" -> Activation.relu6();
                    case "hardswish" -> Activation.hardswish();
                    case "hardsigmoid" -> Activation.hardsigmoid();
                    case "silu" -> Activation.silu();
                    case "mish" -> Activation.mish();
                    default -> throw new IllegalStateException("ActivationHandler registered for op '" + r.op() + "'");
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
