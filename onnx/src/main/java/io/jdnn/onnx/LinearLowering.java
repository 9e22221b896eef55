package io.jdnn.onnx;

import io.jdnn.BinaryOp;
import io.jdnn.LinearProblem;
import io.jdnn.MatMulProblem;
import io.jdnn.Shape;

import java.util.Arrays;
import java.util.List;

/**
 * Gemm and MatMul as Device.linear (y = x w^T + bias): a constant right side is laid out as the
 * (out, in) weight once at compile, with Gemm's transB and alpha folded into it and beta * C
 * into the bias where C is one row; a computed right side is permuted (and scaled) at run.
 * MatMul of any other operands (computed right side, batched right side) is Device.matmul.
 */
final class LinearLowering {
    private LinearLowering() {
    }

    static void gemm(Lowerer l) {
        Value a = l.in(0);
        Value b = l.in(1);
        if (a.rank() != 2 || b.rank() != 2) {
            throw l.refuse("A and B must be matrices, got " + Arrays.toString(a.dims) + " and " + Arrays.toString(b.dims));
        }
        boolean transA = l.node.getInt("transA", 0) != 0;
        boolean transB = l.node.getInt("transB", 0) != 0;
        double alpha = l.node.getFloat("alpha", 1f);
        double beta = l.node.getFloat("beta", 1f);
        int m = transA ? a.dims[1] : a.dims[0];
        int k = transA ? a.dims[0] : a.dims[1];
        int n = transB ? b.dims[0] : b.dims[1];
        if ((transB ? b.dims[1] : b.dims[0]) != k) {
            throw l.refuse("A " + Arrays.toString(a.dims) + " and B " + Arrays.toString(b.dims) + " do not multiply");
        }
        if (transA) {
            Value t = l.temp(l.node.name() + ":At", new int[] {m, k});
            ShapeLowering.permute(l, a, new int[] {1, 0}, t);
            a = t;
        }
        Value w = weight(l, b, transB, alpha, n, k);
        Value bias = null;
        Value rest = null;
        if (l.has(2) && beta != 0) {
            Value c = l.in(2);
            if (c.elements() == n && (c.rank() == 1 || (c.rank() == 2 && c.dims[0] == 1)) || c.elements() == 1) {
                if (c.isConstant()) {
                    ConstantTensor h = c.host();
                    float[] row = new float[n];
                    for (int j = 0; j < n; j++) {
                        row[j] = (float) (beta * h.doubleAt(c.elements() == 1 ? 0 : j));
                    }
                    bias = l.constant("bias", new int[] {n}, row);
                } else if (beta == 1 && c.elements() == n) {
                    bias = c;
                } else {
                    rest = c;
                }
            } else {
                rest = c;
            }
        }
        int[] out = {m, n};
        Value y = l.out(0, out);
        linear(l, a, w, bias, y, new LinearProblem(m, k, n));
        if (rest != null) {
            Value c = rest;
            if (beta != 1) {
                Value s = l.temp(l.node.name() + ":betaC", c.dims);
                ElementwiseLowering.scale(l, c, beta, s);
                c = s;
            }
            ElementwiseLowering.binary(l, BinaryOp.ADD, y, c, y);
        }
    }

    /** B as linear's (n, k) weight times alpha: folded on the host when constant, else permuted and scaled on the device. */
    private static Value weight(Lowerer l, Value b, boolean transposed, double alpha, int n, int k) {
        if (b.isConstant()) {
            ConstantTensor h = b.host();
            if (h == null || !h.isFloat()) {
                throw l.refuse("B must hold floats");
            }
            float[] src = h.floats();
            float[] w = new float[n * k];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < k; j++) {
                    double v = transposed ? src[i * k + j] : src[j * n + i];
                    w[i * k + j] = (float) (alpha * v);
                }
            }
            return l.constant("weight", new int[] {n, k}, w);
        }
        Value w = b;
        if (!transposed) {
            w = l.temp(l.node.name() + ":Bt", new int[] {n, k});
            ShapeLowering.permute(l, b, new int[] {1, 0}, w);
        }
        if (alpha != 1) {
            Value s = l.temp(l.node.name() + ":alphaB", new int[] {n, k});
            ElementwiseLowering.scale(l, w, alpha, s);
            w = s;
        }
        return w;
    }

    private static void linear(Lowerer l, Value x, Value w, Value bias, Value y, LinearProblem p) {
        Shape bs = p.biasShape();
        l.step("linear " + p, bias == null ? List.of(x, w) : List.of(x, w, bias), List.of(y), null,
                () -> l.device.linear(p, x.as(p.inputShape()), w.as(p.weightShape()),
                        bias == null ? null : bias.as(bs), y.as(p.outputShape())));
    }

    /**
     * MatMul: with a constant matrix (or vector) on the right, linear with the transposed weight
     * and the left side as rows (one GEMM, the weight laid out once); otherwise Device.matmul with
     * broadcasting batch dimensions, a vector operand viewed as a matrix as ONNX (numpy) defines it.
     */
    static void matMul(Lowerer l) {
        Value a = l.in(0);
        Value b = l.in(1);
        if (!b.isConstant() || b.rank() > 2) {
            batchedMatMul(l, a, b);
            return;
        }
        boolean vectorB = b.rank() == 1;
        int k = b.dims[0];
        int n = vectorB ? 1 : b.dims[1];
        int ka = a.dims[a.rank() - 1];
        if (ka != k) {
            throw l.refuse("A " + Arrays.toString(a.dims) + " and B " + Arrays.toString(b.dims) + " do not multiply");
        }
        long rows = a.elements() / k;
        Value w = weight(l, b, false, 1, n, k);
        int[] out;
        if (vectorB) {
            out = Arrays.copyOf(a.dims, a.rank() - 1);
        } else {
            out = a.dims.clone();
            out[out.length - 1] = n;
        }
        linear(l, a, w, null, l.out(0, out), new LinearProblem((int) rows, k, n));
    }

    /** a @ b as Device.matmul: a vector a (K) is the matrix (1, K), a vector b (K) the matrix (K, 1), that extent dropped from y. */
    private static void batchedMatMul(Lowerer l, Value a, Value b) {
        if (a.rank() == 0 || b.rank() == 0) {
            throw l.refuse("MatMul of a scalar is not defined, got " + Arrays.toString(a.dims) + " and "
                    + Arrays.toString(b.dims));
        }
        int[] ad = a.rank() == 1 ? new int[] {1, a.dims[0]} : a.dims;
        int[] bd = b.rank() == 1 ? new int[] {b.dims[0], 1} : b.dims;
        MatMulProblem p;
        try {
            p = new MatMulProblem(Shape.of(ad), Shape.of(bd));
        } catch (IllegalArgumentException e) {
            throw l.refuse("A " + Arrays.toString(a.dims) + " and B " + Arrays.toString(b.dims) + " do not multiply: "
                    + e.getMessage());
        }
        int[] full = p.outputShape().dims();
        int[] out = full;
        if (a.rank() == 1 && b.rank() == 1) {
            out = new int[0];
        } else if (a.rank() == 1) {
            out = dropAxis(full, full.length - 2);
        } else if (b.rank() == 1) {
            out = dropAxis(full, full.length - 1);
        }
        Value y = l.out(0, out);
        l.step("matmul " + p, List.of(a, b), List.of(y), null,
                () -> l.device.matmul(a.as(p.a()), b.as(p.b()), y.as(p.outputShape())));
    }

    private static int[] dropAxis(int[] dims, int axis) {
        int[] out = new int[dims.length - 1];
        for (int i = 0, j = 0; i < dims.length; i++) {
            if (i != axis) {
                out[j++] = dims[i];
            }
        }
        return out;
    }
}
