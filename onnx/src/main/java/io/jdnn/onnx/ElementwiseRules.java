package io.jdnn.onnx;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * Shape rules of the elementwise ops: activations, Softmax and LogSoftmax, Clip, PRelu, Dropout,
 * Identity, Cast, the broadcasting arithmetic (Add, Sub, Mul, Div) and the variadic Sum, Max and
 * Min. Arithmetic, Identity and Cast fold when their inputs are known (shape subgraphs).
 */
final class ElementwiseRules {
    private ElementwiseRules() {
    }

    /** A float activation with the input's type and extents (Relu, Sigmoid, Tanh, ...). */
    static void unary(InferContext c) {
        c.arity(1, 1, 1);
        c.requireFloat(0);
        c.same(0, 0);
    }

    static void gelu(InferContext c) {
        String approximate = c.node.getString("approximate", "none");
        if (!approximate.equals("none") && !approximate.equals("tanh")) {
            throw c.refuse("approximate '" + approximate + "' is not one of none, tanh");
        }
        unary(c);
    }

    static void softmax(InferContext c) {
        c.arity(1, 1, 1);
        c.requireFloat(0);
        c.axis(c.node.getInt("axis", c.opset() < 13 ? 1 : -1), c.in(0).rank(), "axis");
        c.same(0, 0);
    }

    static void clip(InferContext c) {
        c.arity(1, c.opset() < 11 ? 1 : 3, 1);
        c.requireFloat(0);
        for (int i = 1; i < 3; i++) {
            if (c.has(i)) {
                ConstantTensor bound = c.requireConstant(i, i == 1 ? "min" : "max");
                if (bound.size() != 1 || bound.type() != c.type(0)) {
                    throw c.refuse("input '" + (i == 1 ? "min" : "max") + "' must be a scalar of the input's type");
                }
            }
        }
        c.same(0, 0);
    }

    static void prelu(InferContext c) {
        c.arity(2, 2, 1);
        c.requireFloat(0);
        c.requireFloat(1);
        long[] x = c.dims(0);
        if (!Arrays.equals(c.broadcast(x, c.dims(1)), x)) {
            throw c.refuse("slope " + Arrays.toString(c.dims(1)) + " does not broadcast to the input "
                    + Arrays.toString(x));
        }
        c.same(0, 0);
    }

    static void dropout(InferContext c) {
        c.arity(1, c.opset() < 12 ? 1 : 3, 2);
        c.requireFloat(0);
        if (c.has(2)) {
            ConstantTensor training = c.requireConstant(2, "training_mode");
            if (training.size() != 1 || training.doubleAt(0) != 0) {
                throw c.refuse("training_mode must be false (inference only)");
            }
        }
        c.same(0, 0);
        c.out(1, DataType.BOOL, c.dims(0));
    }

    static void identity(InferContext c) {
        c.arity(1, 1, 1);
        c.same(0, 0);
        ConstantTensor x = c.constant(0);
        if (x != null) {
            c.fold(0, x);
        }
    }

    static void cast(InferContext c) {
        c.arity(1, 1, 1);
        long to = c.node.requireInt("to");
        DataType type = DataType.fromCode((int) Math.max(0, Math.min(to, Integer.MAX_VALUE)));
        if (type == null || !type.isSupported()) {
            throw c.refuse("Cast to " + (type == null ? "type " + to : type) + " is not supported");
        }
        if (!c.type(0).isSupported()) {
            throw c.refuse("Cast from " + c.type(0) + " is not supported");
        }
        c.out(0, type, c.dims(0));
        ConstantTensor x = c.constant(0);
        if (x != null) {
            c.fold(0, Folding.cast(x, type));
        }
    }

    static void add(InferContext c) {
        binary(c, Math::addExact, Double::sum);
    }

    static void sub(InferContext c) {
        binary(c, Math::subtractExact, (a, b) -> a - b);
    }

    static void mul(InferContext c) {
        binary(c, Math::multiplyExact, (a, b) -> a * b);
    }

    static void div(InferContext c) {
        binary(c, (a, b) -> {
            if (b == 0) {
                throw c.refuse("integer division by zero in a value computed at load");
            }
            return a / b;
        }, (a, b) -> a / b);
    }

    static void max(InferContext c) {
        variadic(c, Math::max, Math::max);
    }

    static void min(InferContext c) {
        variadic(c, Math::min, Math::min);
    }

    static void sum(InferContext c) {
        variadic(c, Math::addExact, Double::sum);
    }

    private static void binary(InferContext c, LongBinaryOperator intOp, DoubleBinaryOperator floatOp) {
        c.arity(2, 2, 1);
        variadic(c, intOp, floatOp);
    }

    /** One or more inputs of one numeric type, broadcast together; folded when all are known. */
    private static void variadic(InferContext c, LongBinaryOperator intOp, DoubleBinaryOperator floatOp) {
        c.arity(1, Integer.MAX_VALUE, 1);
        int n = c.node.inputs().size();
        DataType type = c.type(0);
        if (!type.isFloat() && !type.isInteger()) {
            throw c.refuse("inputs must be numeric, got " + type);
        }
        long[] dims = c.dims(0);
        for (int i = 1; i < n; i++) {
            if (c.type(i) != type) {
                throw c.refuse("input " + i + " is " + c.type(i) + ", input 0 is " + type + " (they must match)");
            }
            dims = c.broadcast(dims, c.dims(i));
        }
        c.out(0, type, dims);
        if (c.allConstant() && Folding.count(dims) <= InferContext.MAX_FOLDED_ELEMENTS) {
            ConstantTensor acc = c.constant(0);
            for (int i = 1; i < n; i++) {
                try {
                    acc = Folding.binary(acc, c.constant(i), c.broadcast(acc.info().dims(), c.dims(i)), intOp,
                            floatOp);
                } catch (ArithmeticException e) {
                    throw c.refuse("int64 overflow in a value computed at load");
                }
            }
            if (n == 1) {
                acc = Folding.reshape(acc, dims);
            }
            c.fold(0, acc);
        }
    }
}
