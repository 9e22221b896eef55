package io.jdnn.onnx;

import io.jdnn.Activation;

import java.util.List;

import static io.jdnn.onnx.ExportGraph.attr;
import static io.jdnn.onnx.ExportGraph.child;

/**
 * The ONNX form of each {@link Activation}: one op where ONNX has it (Relu, LeakyRelu, Elu, Sigmoid,
 * Tanh, HardSwish, HardSigmoid, Softplus, Gelu from opset 20), a few ops where it has not (ReLU6 as
 * Clip, SiLU as x * Sigmoid(x), Mish as x * Tanh(Softplus(x)), softplus with beta as
 * Softplus(beta x) / beta).
 */
final class ActivationExport {
    /** The smallest softplus threshold exported: above it ONNX's Softplus and jdnn's differ by less than e^-20. */
    static final double MIN_SOFTPLUS_THRESHOLD = Activation.SOFTPLUS_THRESHOLD;

    private ActivationExport() {
    }

    /** Why {@code a} has no ONNX form, or null when it has one. */
    static String refusal(Activation a) {
        if (a.kind() == Activation.Kind.SOFTPLUS && a.threshold() < MIN_SOFTPLUS_THRESHOLD) {
            return "is softplus with threshold " + a.threshold() + ": ONNX's Softplus has no threshold, and below "
                    + MIN_SOFTPLUS_THRESHOLD + " the difference shows in float32";
        }
        return null;
    }

    /** Writes {@code a} applied to value {@code x} at {@code path}; returns the output's name. */
    static String write(ExportGraph g, Activation a, String path, String x) {
        List<String> in = List.of(x);
        return switch (a.kind()) {
            case RELU -> g.node(path, "Relu", in);
            case LEAKY_RELU -> g.node(path, "LeakyRelu", in, attr("alpha", a.alpha()));
            case ELU -> g.node(path, "Elu", in, attr("alpha", a.alpha()));
            case SIGMOID -> g.node(path, "Sigmoid", in);
            case TANH -> g.node(path, "Tanh", in);
            case RELU6 -> g.node(path, "Clip", List.of(x, g.scalar(child(path, "min"), 0f), g.scalar(child(path, "max"), 6f)));
            case HARDSWISH -> {
                g.requireOpset(14);
                yield g.node(path, "HardSwish", in);
            }
            case HARDSIGMOID -> g.node(path, "HardSigmoid", in, attr("alpha", 1.0 / 6), attr("beta", 0.5));
            case SILU -> g.node(path, "Mul", List.of(x, g.node(path, "Sigmoid", in)));
            case MISH -> g.node(path, "Mul", List.of(x, g.node(path, "Tanh", List.of(g.node(path, "Softplus", in)))));
            case GELU, GELU_TANH -> {
                g.requireOpset(20);
                yield a.kind() == Activation.Kind.GELU ? g.node(path, "Gelu", in)
                        : g.node(path, "Gelu", in, attr("approximate", "tanh"));
            }
            case SOFTPLUS -> softplus(g, a.alpha(), path, x);
        };
    }

    private static String softplus(ExportGraph g, double beta, String path, String x) {
        if (beta == 1) {
            return g.node(path, "Softplus", List.of(x));
        }
        String scaled = g.node(path, "Mul", List.of(x, g.scalar(child(path, "beta"), (float) beta)));
        String soft = g.node(path, "Softplus", List.of(scaled));
        return g.node(path, "Div", List.of(soft, g.scalar(child(path, "beta"), (float) beta)));
    }
}
