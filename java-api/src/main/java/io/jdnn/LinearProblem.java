package io.jdnn;

import java.util.Set;

/**
 * A fully connected layer, PyTorch's {@code nn.Linear}: y = x w^T + b with x (batch, in),
 * w (out, in), b (out), y (batch, out).
 *
 * <p>Canonical string: {@code linear_mb32ic2048oc1000}.
 *
 * @param batch       rows of x and y (positive)
 * @param inFeatures  columns of x (positive)
 * @param outFeatures columns of y (positive)
 */
public record LinearProblem(int batch, int inFeatures, int outFeatures) {

    private static final Set<String> KEYS = Set.of("mb", "ic", "oc");

    /** Validates every field: each must be positive. */
    public LinearProblem {
        Check.positive("batch", batch);
        Check.positive("inFeatures", inFeatures);
        Check.positive("outFeatures", outFeatures);
    }

    /** Shape of x: (batch, inFeatures). */
    public Shape inputShape() {
        return Shape.of(batch, inFeatures);
    }

    /** Shape of w: (outFeatures, inFeatures), PyTorch's layout. */
    public Shape weightShape() {
        return Shape.of(outFeatures, inFeatures);
    }

    /** Shape of b: (outFeatures). */
    public Shape biasShape() {
        return Shape.of(outFeatures);
    }

    /** Shape of y: (batch, outFeatures). */
    public Shape outputShape() {
        return Shape.of(batch, outFeatures);
    }

    /** Multiply-adds times two of each of the three passes. */
    public long flops() {
        return 2L * batch * inFeatures * outFeatures;
    }

    @Override
    public String toString() {
        return ProblemString.of("linear").i("mb", batch).i("ic", inFeatures).i("oc", outFeatures).toString();
    }

    /** Reads a canonical string; {@code mb} may be left out (batch 1). */
    public static LinearProblem parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("linear").allowOnly(KEYS);
        return new LinearProblem(s.intOr("mb", 1), s.requireInt("ic"), s.requireInt("oc"));
    }
}
