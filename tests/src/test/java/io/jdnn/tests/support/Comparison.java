package io.jdnn.tests.support;

import io.jdnn.ErrorBounds;
import io.jdnn.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One output tensor of a device compared with the reference's: the error by
 * {@link ErrorBounds#maxNormalizedError} against a bound, the norm-wise error, and the first
 * {@value #SHOWN} elements whose own error exceeds the bound, with their coordinates in the
 * output's shape (NCHW for images), as llm.c's checker prints them.
 *
 * <p>An element mismatches when {@code |out - ref| / max|ref| > bound} (the absolute difference
 * when the reference is all zeros), or when one side is NaN or infinite and the other is not the
 * same value: exactly the elements that make {@code maxNormalizedError} exceed the bound, so a
 * failed comparison always names at least one.
 *
 * @param output     the output's name ({@code y}, {@code dx}, {@code running_var})
 * @param shape      its shape
 * @param error      {@link ErrorBounds#maxNormalizedError}
 * @param normwise   {@link ErrorBounds#normwiseError}
 * @param bound      the bound {@code error} must not exceed
 * @param mismatches how many elements exceed the bound
 * @param first      the first {@value #SHOWN} of them in row-major order
 */
public record Comparison(String output, Shape shape, double error, double normwise, double bound, long mismatches,
                         List<Mismatch> first) {

    /** Mismatches listed in a message, at most. */
    public static final int SHOWN = 10;

    /** One element that exceeds the bound. */
    public record Mismatch(long index, int[] coords, double got, double expected) {
        /** {@code y[0,3,2,1] = 0.125 expected 0.12501 (diff 1.0e-05)}. */
        public String describe(String output) {
            return output + coordString(coords) + " = " + num(got) + " expected " + num(expected)
                    + " (diff " + num(Math.abs(got - expected)) + ")";
        }
    }

    /** Compares {@code got} (the device's output widened to double) with {@code ref}. */
    public static Comparison of(String output, Shape shape, double[] got, double[] ref, double bound) {
        return of(output, shape, got, ref, bound, 0);
    }

    /**
     * As {@link #of(String, Shape, double[], double[], double)}, with errors normalized by
     * max(max|ref|, {@code scale}) instead of max|ref|: for an output whose float32 error is set by
     * the magnitude of an input rather than by its own (a gradient f'(x) * dy near a root of f',
     * where f' is the difference of terms of size |dy|), {@code scale} being that magnitude. A
     * scale of 0 is the plain comparison.
     */
    public static Comparison of(String output, Shape shape, double[] got, double[] ref, double bound, double scale) {
        if (got.length != ref.length || got.length != shape.elements()) {
            throw new IllegalArgumentException(output + ": expected " + shape.elements() + " elements for shape "
                    + shape + ", got " + got.length + " from the device and " + ref.length + " from the reference");
        }
        double error = ErrorBounds.maxNormalizedError(got, ref);
        double normwise = ErrorBounds.normwiseError(got, ref);
        double maxRef = 0;
        for (double r : ref) {
            if (Double.isFinite(r)) {
                maxRef = Math.max(maxRef, Math.abs(r));
            }
        }
        if (scale > maxRef && Double.isFinite(error)) {
            error = error * (maxRef == 0 ? 1 : maxRef) / scale;
            maxRef = scale;
        }
        long count = 0;
        List<Mismatch> first = new ArrayList<>();
        for (int i = 0; i < ref.length; i++) {
            if (elementError(got[i], ref[i], maxRef) > bound) {
                if (count < SHOWN) {
                    first.add(new Mismatch(i, coords(shape, i), got[i], ref[i]));
                }
                count++;
            }
        }
        return new Comparison(output, shape, error, normwise, bound, count, List.copyOf(first));
    }

    /** The error of one element as {@link ErrorBounds#maxNormalizedError} measures it. */
    static double elementError(double got, double ref, double maxRef) {
        if (Double.compare(got, ref) == 0) {
            return 0;
        }
        if (!Double.isFinite(got) || !Double.isFinite(ref)) {
            return Double.POSITIVE_INFINITY;
        }
        double d = Math.abs(got - ref);
        return maxRef == 0 ? d : d / maxRef;
    }

    /** Whether the error is within the bound. */
    public boolean passed() {
        return error <= bound;
    }

    /** The comparison in one or more lines: error, bound, norm-wise error, the first mismatches. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        b.append("output ").append(output).append(' ').append(shape).append(": max normalized error ")
                .append(num(error)).append(passed() ? " <= " : " > ").append("bound ").append(num(bound))
                .append(", normwise error ").append(num(normwise));
        if (mismatches > 0) {
            b.append(", ").append(mismatches).append(" of ").append(shape.elements()).append(" elements over the bound");
            for (Mismatch m : first) {
                b.append("\n      ").append(m.describe(output));
            }
            if (mismatches > first.size()) {
                b.append("\n      ...");
            }
        }
        return b.toString();
    }

    /** Row-major coordinates of flat index {@code i} in {@code shape}. */
    public static int[] coords(Shape shape, long i) {
        int[] c = new int[shape.rank()];
        long rest = i;
        for (int d = shape.rank() - 1; d >= 0; d--) {
            c[d] = (int) (rest % shape.dim(d));
            rest /= shape.dim(d);
        }
        return c;
    }

    /** {@code [0,3,2,1]}. */
    public static String coordString(int[] coords) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < coords.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(coords[i]);
        }
        return b.append(']').toString();
    }

    static String num(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
