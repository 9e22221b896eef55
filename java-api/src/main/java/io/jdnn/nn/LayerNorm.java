package io.jdnn.nn;

import io.jdnn.LayerNormProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;

import java.util.Arrays;

/**
 * Layer normalization, PyTorch's {@code nn.LayerNorm(normalized_shape)}: the trailing dimensions of
 * the input, which must equal {@code normalizedShape}, are normalized per leading index with their
 * own statistics, then scaled and shifted element-wise by weight (init 1) and bias (init 0), both of
 * {@code normalizedShape}. Forward {@link io.jdnn.Device#layerNorm} on the (rows, features) view,
 * backward {@code layerNormBackward}. Made by {@link Layers#layerNorm}.
 */
public final class LayerNorm extends AffineNorm {
    private final Shape normalized;
    private final int features;
    private final double eps;
    private LayerNormProblem problem;

    LayerNorm(Layers layers, Shape normalizedShape, double eps) {
        super(layers, "layerNorm" + Arrays.toString(checked(normalizedShape, eps).dims()), normalizedShape);
        this.normalized = normalizedShape;
        this.features = (int) normalized.elements();
        this.eps = eps;
    }

    private static Shape checked(Shape s, double eps) {
        if (s == null || s.rank() == 0) {
            throw new IllegalArgumentException("normalizedShape: expected at least one dimension, got " + s);
        }
        if (s.elements() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("normalizedShape: expected at most 2^31 - 1 elements, got " + s);
        }
        new LayerNormProblem(1, (int) s.elements(), eps);
        return s;
    }

    /** The trailing dimensions normalized, and the shape of weight and bias. */
    public Shape normalizedShape() {
        return normalized;
    }

    /** The epsilon added to the variance before its square root. */
    public double eps() {
        return eps;
    }

    @Override
    Shape prepare(Shape x) {
        int lead = x.rank() - normalized.rank();
        boolean fits = lead >= 0;
        for (int i = 0; fits && i < normalized.rank(); i++) {
            fits = x.dim(lead + i) == normalized.dim(i);
        }
        if (!fits) {
            throw new IllegalArgumentException(this + ".forward: argument 'x': expected shape (..., "
                    + Arrays.toString(normalized.dims()).replaceAll("[\\[\\]]", "") + "), got " + x);
        }
        int rows = (int) (x.elements() / features);
        if (problem == null || problem.rows() != rows) {
            problem = new LayerNormProblem(rows, features, eps);
        }
        return problem.statsShape();
    }

    @Override
    void forwardOp(Tensor x, Tensor w, Tensor b, Tensor y, Tensor mean, Tensor invStd) {
        LayerNormProblem p = problem;
        viewed(p.featureShape(), new Tensor[] {w, b}, f -> viewed(p.inputShape(), new Tensor[] {x, y},
                v -> device.layerNorm(p, v[0], f[0], f[1], v[1], mean, invStd)));
    }

    @Override
    void backwardOp(Tensor x, Tensor dy, Tensor w, Tensor mean, Tensor invStd, Tensor dx, Tensor dw, Tensor db) {
        LayerNormProblem p = problem;
        viewed(p.featureShape(), new Tensor[] {w, dw, db}, f -> viewed(p.inputShape(), new Tensor[] {x, dy, dx},
                v -> device.layerNormBackward(p, v[0], v[1], f[0], mean, invStd, v[2], f[1], f[2])));
    }

    @Override
    public String toString() {
        return "layerNorm" + Arrays.toString(normalized.dims());
    }
}
