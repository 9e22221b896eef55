package io.jdnn.onnx;

import io.jdnn.Activation;
import io.jdnn.BinaryOp;

import java.util.List;

/**
 * The element-wise ops: activations (one Device activation each, or a composition where jdnn has
 * no kind of its own: Selu, HardSigmoid, Clip, PRelu with a slope that is not per channel), the
 * broadcasting arithmetic (Add, Sub, Mul, Div, and the variadic Sum, Max, Min, Mean as chains),
 * and the ops that only rename a value (Identity, Dropout at inference, Cast between float types).
 */
final class ElementwiseLowering {
    private ElementwiseLowering() {
    }

    static void activation(Lowerer l, Activation a) {
        Value x = l.in(0);
        apply(l, a, x, l.out(0, x.dims));
    }

    static void apply(Lowerer l, Activation a, Value x, Value y) {
        l.step("activation " + a + " " + java.util.Arrays.toString(x.dims), List.of(x), List.of(y), x,
                () -> l.device.activation(a, x.tensor(), y.as(x.shape())));
    }

    /** An op that is one jdnn activation of its attributes (Relu, LeakyRelu, Elu, Sigmoid, Tanh, HardSwish, Softplus, Gelu). */
    static void single(Lowerer l) {
        if (l.node.opType().equals("Gelu") && asActivation(l) == null) {
            throw l.refuse("approximate '" + l.node.getString("approximate", "none") + "' is not one of none, tanh");
        }
        activation(l, asActivation(l));
    }

    /**
     * The one jdnn activation that the node computes, or null where it is none (or a composition):
     * the ops of {@link #single}, HardSigmoid with PyTorch's constants (alpha 1/6 and beta 1/2 as
     * float32, relu6(x + 3) / 6) and Clip to (0, inf) or (0, 6) with constant bounds. A Conv whose
     * output only such a node reads fuses it ({@link ConvLowering#conv}).
     */
    static Activation asActivation(Lowerer l) {
        Node n = l.node;
        return switch (n.opType()) {
            case "Relu" -> Activation.relu();
            case "LeakyRelu" -> Activation.leakyRelu(n.getFloat("alpha", 0.01f));
            case "Elu" -> Activation.elu(n.getFloat("alpha", 1f));
            case "Sigmoid" -> Activation.sigmoid();
            case "Tanh" -> Activation.tanh();
            case "HardSwish" -> Activation.hardswish();
            case "Softplus" -> Activation.softplus(1, Activation.SOFTPLUS_THRESHOLD);
            case "Gelu" -> switch (n.getString("approximate", "none")) {
                case "none" -> Activation.gelu();
                case "tanh" -> Activation.geluTanh();
                default -> null;
            };
            case "HardSigmoid" -> n.getFloat("alpha", 0.2f) == (float) (1.0 / 6) && n.getFloat("beta", 0.5f) == 0.5f
                    ? Activation.hardsigmoid() : null;
            case "Clip" -> {
                double[] b = constantClipBounds(l);
                yield b == null || b[0] != 0 ? null
                        : b[1] == Double.POSITIVE_INFINITY ? Activation.relu() : b[1] == 6 ? Activation.relu6() : null;
            }
            default -> null;
        };
    }

    /** Clip's (min, max), each infinite where omitted; null where a bound is an input that is not a constant. */
    private static double[] constantClipBounds(Lowerer l) {
        if (l.opset() >= 11) {
            for (int i = 1; i <= 2; i++) {
                Value v = l.has(i) ? l.compiler.valueOf(l.node.input(i)) : null;
                if (l.has(i) && (v == null || !v.isConstant() || v.host() == null)) {
                    return null;
                }
            }
        }
        return clipBounds(l);
    }

    /** Clip's (min, max): attributes before opset 11, constant inputs from 11 on; infinite where omitted. */
    private static double[] clipBounds(Lowerer l) {
        if (l.opset() < 11) {
            return new double[] {l.node.getFloat("min", Float.NEGATIVE_INFINITY),
                    l.node.getFloat("max", Float.POSITIVE_INFINITY)};
        }
        return new double[] {l.has(1) ? single(l, 1, "min") : Double.NEGATIVE_INFINITY,
                l.has(2) ? single(l, 2, "max") : Double.POSITIVE_INFINITY};
    }

    /** Selu: gamma * elu_alpha(x), an ELU then a scaling. */
    static void selu(Lowerer l) {
        double alpha = l.node.getFloat("alpha", 1.67326319217681884765625f);
        double gamma = l.node.getFloat("gamma", 1.05070102214813232421875f);
        Value x = l.in(0);
        Value t = l.temp(l.node.name() + ":elu", x.dims);
        apply(l, Activation.elu(alpha), x, t);
        Value y = l.out(0, x.dims);
        scale(l, t, gamma, y);
    }

    /** HardSigmoid: max(0, min(1, alpha * x + beta)) with ONNX's defaults alpha 0.2, beta 0.5, as four launches. */
    static void hardSigmoid(Lowerer l) {
        double alpha = l.node.getFloat("alpha", 0.2f);
        double beta = l.node.getFloat("beta", 0.5f);
        Value x = l.in(0);
        Value t = l.temp(l.node.name() + ":affine", x.dims);
        scale(l, x, alpha, t);
        binary(l, BinaryOp.ADD, t, l.scalar(beta), t);
        binary(l, BinaryOp.MAXIMUM, t, l.scalar(0), t);
        binary(l, BinaryOp.MINIMUM, t, l.scalar(1), l.out(0, x.dims));
    }

    /** Clip: RELU or RELU6 where the bounds are (0, inf) or (0, 6), else maximum and minimum with the bounds. */
    static void clip(Lowerer l) {
        double[] bounds = clipBounds(l);
        double lo = bounds[0];
        double hi = bounds[1];
        Value x = l.in(0);
        if (lo == 0 && hi == Double.POSITIVE_INFINITY) {
            activation(l, Activation.relu());
        } else if (lo == 0 && hi == 6) {
            activation(l, Activation.relu6());
        } else if (lo == Double.NEGATIVE_INFINITY && hi == Double.POSITIVE_INFINITY) {
            l.view(0, x, x.dims);
        } else if (lo == Double.NEGATIVE_INFINITY) {
            binary(l, BinaryOp.MINIMUM, x, l.scalar(hi), l.out(0, x.dims));
        } else if (hi == Double.POSITIVE_INFINITY) {
            binary(l, BinaryOp.MAXIMUM, x, l.scalar(lo), l.out(0, x.dims));
        } else {
            Value t = l.temp(l.node.name() + ":lower", x.dims);
            binary(l, BinaryOp.MAXIMUM, x, l.scalar(lo), t);
            binary(l, BinaryOp.MINIMUM, t, l.scalar(hi), l.out(0, x.dims));
        }
    }

    private static double single(Lowerer l, int i, String what) {
        double[] v = l.doubles(i, what);
        if (v.length != 1) {
            throw l.refuse(what + " must hold one element, got " + v.length);
        }
        return v[0];
    }

    /** PRelu: Device.prelu for one slope or one per channel (axis 1); else relu(x) + slope * min(x, 0). */
    static void prelu(Lowerer l) {
        Value x = l.in(0);
        Value s = l.in(1);
        Value y = l.out(0, x.dims);
        int r = x.rank();
        int[] padded = new int[r];
        java.util.Arrays.fill(padded, 1);
        if (s.rank() > r) {
            throw l.refuse("slope " + java.util.Arrays.toString(s.dims) + " has a higher rank than the input");
        }
        System.arraycopy(s.dims, 0, padded, r - s.rank(), s.rank());
        boolean perChannel = r >= 2 && padded[1] == x.dims[1] && s.elements() == x.dims[1];
        if (s.elements() == 1 || perChannel) {
            io.jdnn.Shape ws = io.jdnn.Shape.of((int) s.elements());
            l.step("prelu " + java.util.Arrays.toString(x.dims), List.of(x, s), List.of(y), x,
                    () -> l.device.prelu(x.tensor(), s.as(ws), y.tensor()));
            return;
        }
        Value neg = l.temp(l.node.name() + ":negative", x.dims);
        binary(l, BinaryOp.MINIMUM, x, l.scalar(0), neg);
        binary(l, BinaryOp.MUL, neg, s, neg);
        Value pos = l.temp(l.node.name() + ":positive", x.dims);
        apply(l, Activation.relu(), x, pos);
        binary(l, BinaryOp.ADD, pos, neg, y);
    }

    static void binary(Lowerer l, BinaryOp op) {
        Value a = l.in(0);
        Value b = l.in(1);
        binary(l, op, a, b, l.out(0, l.outDims(0)));
    }

    /** y = op(a, b), in place over a or b where the planner finds it dying here and of y's extents. */
    static void binary(Lowerer l, BinaryOp op, Value a, Value b, Value y) {
        Value inPlace = a.root() == b.root() ? null : java.util.Arrays.equals(a.dims, y.dims) ? a
                : java.util.Arrays.equals(b.dims, y.dims) ? b : null;
        l.step("binary " + op + " " + java.util.Arrays.toString(a.dims) + " " + java.util.Arrays.toString(b.dims),
                List.of(a, b), List.of(y), inPlace, () -> l.device.binary(op, a.tensor(), b.tensor(), y.tensor()));
    }

    static void scale(Lowerer l, Value x, double alpha, Value y) {
        l.step("scale " + alpha, List.of(x), List.of(y), x, () -> l.device.scale(x.tensor(), alpha, y.as(x.shape())));
    }

    /** Sum, Max, Min, Mean of any number of inputs: a chain of binary launches (Mean scales the sum). */
    static void variadic(Lowerer l, BinaryOp op, boolean mean) {
        int n = l.node.inputs().size();
        if (n == 0) {
            throw l.refuse("takes at least one input");
        }
        if (n == 1) {
            l.view(0, l.in(0), l.in(0).dims);
            return;
        }
        int[] all = l.outDims(0);
        Value acc = l.in(0);
        for (int i = 1; i < n; i++) {
            int[] d = l.broadcast(acc.dims, l.dims(i));
            Value next = i == n - 1 && !mean ? l.out(0, all) : l.temp(l.node.name() + ":partial" + i, d);
            binary(l, op, acc, l.in(i), next);
            acc = next;
        }
        if (mean) {
            scale(l, acc, 1.0 / n, l.out(0, all));
        }
    }

    /** Identity, Dropout (inference), Cast from float to float: the output is the input. */
    static void rename(Lowerer l) {
        switch (l.node.opType()) {
            case "Dropout" -> {
                if (l.node.getInt("is_test", 1) == 0 && l.opset() < 7) {
                    throw l.refuse("is_test 0 (training) is not supported");
                }
                if (l.has(2) && l.doubles(2, "training_mode")[0] != 0) {
                    throw l.refuse("training_mode true is not supported (inference only)");
                }
                if (!l.node.output(1).isEmpty() && l.compiler.isUsed(l.node.output(1))) {
                    throw l.refuse("the mask output is not supported");
                }
            }
            case "Cast" -> {
                DataType to = DataType.fromCode((int) l.node.requireInt("to"));
                if (to == null || !to.isFloat()) {
                    throw l.refuse("a cast of a computed value to " + to + " is not supported (float32 only)");
                }
                if (to == DataType.FLOAT16 || to == DataType.BFLOAT16) {
                    throw l.refuse("a cast to " + to + " rounds, and the runner has no rounding op (float32 only)");
                }
            }
            default -> { }
        }
        Value x = l.in(0);
        l.view(0, x, x.dims);
    }
}
