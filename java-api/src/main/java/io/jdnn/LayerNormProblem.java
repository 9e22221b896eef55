package io.jdnn;

import java.util.Set;

/**
 * Layer normalization (PyTorch's {@code F.layer_norm}): x seen as (rows, features), features the
 * product of {@code normalized_shape} (the trailing dims) and rows the product of the leading
 * ones; each row is normalized with its own mean and biased variance,
 * {@code y = (x - mean) / sqrt(var + eps) * weight[j] + bias[j]}, weight and bias of (features).
 * View tensors of other shapes as (rows, features) and weights as (features). It is
 * {@link GroupNormProblem group norm} over (rows, features, 1, 1) with one group
 * ({@link #asGroupNorm()}).
 *
 * <p>Canonical string: {@code ln_rows512cols768_eps=1e-05}.
 */
public record LayerNormProblem(int rows, int features, double eps) {

    private static final Set<String> KEYS = Set.of("rows", "cols", "eps");

    /** Validates every field. */
    public LayerNormProblem {
        Check.positive("rows", rows);
        Check.positive("features", features);
        Check.positive("eps", eps);
        Shape.of(rows, features); // x must be indexable: IllegalArgumentException past 2^63 - 1 elements
    }

    /** With PyTorch's default eps 1e-5. */
    public static LayerNormProblem of(int rows, int features) {
        return new LayerNormProblem(rows, features, GroupNormProblem.DEFAULT_EPS);
    }

    /** The same normalization as group norm over (rows, features, 1, 1) with one group. */
    public GroupNormProblem asGroupNorm() {
        return new GroupNormProblem(rows, features, 1, 1, 1, eps);
    }

    /** Shape of x, y, dy and dx: (rows, features). */
    public Shape inputShape() {
        return Shape.of(rows, features);
    }

    /** Shape of weight, bias, dweight and dbias: (features). */
    public Shape featureShape() {
        return Shape.of(features);
    }

    /** Shape of the saved mean and inverse standard deviation: (rows). */
    public Shape statsShape() {
        return Shape.of(rows);
    }

    @Override
    public String toString() {
        return ProblemString.of("ln").i("rows", rows).i("cols", features).d("eps", eps).toString();
    }

    /** Reads a canonical string; rows defaults to 1 and eps to PyTorch's default. */
    public static LayerNormProblem parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("ln").allowOnly(KEYS);
        return new LayerNormProblem(s.intOr("rows", 1), s.requireInt("cols"), s.doubleOr("eps", GroupNormProblem.DEFAULT_EPS));
    }
}
