package io.jdnn;

import java.util.List;
import java.util.Set;

/**
 * Concatenation along {@code axis} ({@code torch.cat}) of any count of inputs that agree in every
 * other dimension; its backward is the split of dy into one gradient per input. Viewed as
 * (outer, extent along the axis, inner) blocks: input i occupies rows
 * [{@link #offset}(i), offset(i) + {@link #extent}(i)) of the output's axis.
 *
 * <p>Canonical string: {@code cat_axis1_y=2x10x4x4_sizes=3x5x2} (the output's shape and each
 * input's extent along the axis).
 */
public record CatProblem(int axis, List<Shape> inputs) {

    private static final Set<String> KEYS = Set.of("axis", "y", "sizes");

    /** Validates the axis and that the inputs agree in every dimension but the axis; copies the list. */
    public CatProblem {
        Check.that(inputs != null && !inputs.isEmpty(), "inputs", "at least one shape", inputs == null ? "null" : "none");
        inputs = List.copyOf(inputs);
        Shape first = inputs.get(0);
        Check.that(axis >= 0 && axis < first.rank(), "axis", "an axis in [0, " + first.rank() + ")", axis);
        for (int i = 1; i < inputs.size(); i++) {
            Shape s = inputs.get(i);
            boolean agrees = s.rank() == first.rank();
            for (int d = 0; agrees && d < s.rank(); d++) {
                agrees = d == axis || s.dim(d) == first.dim(d);
            }
            Check.that(agrees, "inputs[" + i + "]", "a shape equal to inputs[0]=" + first + " except along axis " + axis, s);
        }
    }

    /** Number of inputs. */
    public int count() {
        return inputs.size();
    }

    /** Input i's extent along the axis. */
    public int extent(int i) {
        return inputs.get(i).dim(axis);
    }

    /** Where input i starts along the output's axis: the sum of the extents before it. */
    public long offset(int i) {
        long o = 0;
        for (int j = 0; j < i; j++) {
            o += extent(j);
        }
        return o;
    }

    /** The output's shape: the inputs' common extents, along the axis their sum. */
    public Shape outputShape() {
        int[] dims = inputs.get(0).dims();
        long total = offset(count());
        Check.that(total <= Integer.MAX_VALUE, "inputs", "extents along the axis summing to at most " + Integer.MAX_VALUE, total);
        dims[axis] = (int) total;
        return Shape.of(dims);
    }

    /** Product of the extents before the axis. */
    public long outer() {
        long n = 1;
        for (int d = 0; d < axis; d++) {
            n *= inputs.get(0).dim(d);
        }
        return n;
    }

    /** Product of the extents after the axis. */
    public long inner() {
        long n = 1;
        Shape s = inputs.get(0);
        for (int d = axis + 1; d < s.rank(); d++) {
            n *= s.dim(d);
        }
        return n;
    }

    /** Output elements. */
    public long elements() {
        return outputShape().elements();
    }

    /** Minimal traffic of either direction: every element read once and written once, float32. */
    public long minimalBytes() {
        return 2 * outputShape().bytes();
    }

    @Override
    public String toString() {
        int[] sizes = new int[count()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = extent(i);
        }
        return ProblemString.of("cat").i("axis", axis).dims("y", outputShape().dims()).dims("sizes", sizes).toString();
    }

    /** Reads the canonical string. */
    public static CatProblem parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("cat").allowOnly(KEYS);
        int axis = s.requireInt("axis");
        int[] y = s.requireDims("y");
        int[] sizes = s.requireDims("sizes");
        Check.that(axis < y.length, "axis", "an axis in [0, " + y.length + ")", axis);
        Shape[] shapes = new Shape[sizes.length];
        long total = 0;
        for (int i = 0; i < sizes.length; i++) {
            int[] dims = y.clone();
            dims[axis] = sizes[i];
            shapes[i] = Shape.of(dims);
            total += sizes[i];
        }
        Check.that(total == y[axis], "sizes", "extents summing to y's extent " + y[axis] + " along the axis", total);
        return new CatProblem(axis, List.of(shapes));
    }
}
