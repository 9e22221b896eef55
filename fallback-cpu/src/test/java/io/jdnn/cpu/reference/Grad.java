package io.jdnn.cpu.reference;

import io.jdnn.ErrorBounds;
import io.jdnn.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Numerical differentiation for the reference backend's tests, and the comparison every gradient
 * test uses.
 *
 * <p>Inputs reach a device as float32 only, so an input element x is moved to the float32 values
 * nearest x + H and x - H, and the central difference divides by the exact distance between those
 * two values (not by 2H): the perturbation is exact, only the loss is rounded.
 */
final class Grad {
    /**
     * Step of the central difference. The reference computes the loss in float64: its rounding
     * error, about 1e-16 times the loss's magnitude (at most ~1e2 here) and the number of terms,
     * divided by 2H, stays below 1e-8 absolute; the truncation error H^2/6 * |f'''| is below 1e-9
     * for the smooth ops with third derivatives of order 1-10 (and zero for the piecewise linear or
     * bilinear ones: convolution, linear, pooling, relu).
     */
    static final double H = 1e-5;

    /**
     * Bound on max|analytic - numeric| / max|numeric| (ErrorBounds' metric). The numerical
     * derivative is accurate to about 1e-8 of the gradient's scale (see {@link #H}); a wrong term,
     * a missing factor or a misplaced index moves the gradient by far more than 1e-6 of its scale.
     */
    static final double TOLERANCE = 1e-6;

    private Grad() {
    }

    /** n float32 values uniform in [lo, hi). */
    static float[] uniform(Random rnd, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        return a;
    }

    /** n float32 values with |v| in [lo, hi) and a random sign: away from the kinks at 0. */
    static float[] awayFromZero(Random rnd, int n, double lo, double hi) {
        float[] a = uniform(rnd, n, lo, hi);
        for (int i = 0; i < n; i++) {
            if (rnd.nextBoolean()) {
                a[i] = -a[i];
            }
        }
        return a;
    }

    /**
     * n distinct values spaced {@code gap} apart in random order, centred on 0: max pooling then has
     * no ties and no window whose maximum is within H of a rival, so it is differentiable everywhere
     * the central difference looks.
     */
    static float[] distinct(Random rnd, int n, double gap) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, rnd);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((order.get(i) - n / 2) * gap);
        }
        return a;
    }

    static double dot(double[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("dot of " + a.length + " and " + b.length + " elements");
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** dL/dt for every element of {@code input}, by central differences of {@code loss}. */
    static double[] numeric(Tensor input, DoubleSupplier loss) {
        float[] v = input.toArray();
        double[] g = new double[v.length];
        float[] one = new float[1];
        for (int i = 0; i < v.length; i++) {
            float plus = (float) (v[i] + H);
            float minus = (float) (v[i] - H);
            one[0] = plus;
            input.write(i, one, 0, 1);
            double lp = loss.getAsDouble();
            one[0] = minus;
            input.write(i, one, 0, 1);
            double lm = loss.getAsDouble();
            one[0] = v[i];
            input.write(i, one, 0, 1);
            g[i] = (lp - lm) / ((double) plus - (double) minus);
        }
        return g;
    }

    /**
     * Fails when max|analytic - numeric| / max|numeric| exceeds {@link #TOLERANCE}, listing the first
     * ten elements that are off by more than that with their indices.
     */
    static void assertGradient(String what, double[] analytic, double[] numeric) {
        assertClose(what, analytic, numeric, TOLERANCE);
    }

    /** max|actual - expected| / max|expected| at most {@code tolerance} (the caller states its reason). */
    static void assertClose(String what, double[] actual, double[] expected, double tolerance) {
        double err = ErrorBounds.maxNormalizedError(actual, expected);
        if (err <= tolerance) {
            return;
        }
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        StringBuilder b = new StringBuilder(what + ": max error " + err + " of the scale " + scale + " > " + tolerance);
        int shown = 0;
        for (int i = 0; i < actual.length && shown < 10; i++) {
            if (!(Math.abs(actual[i] - expected[i]) <= tolerance * Math.max(scale, 1e-300))) {
                b.append("\n  [").append(i).append("] got ").append(actual[i]).append(", expected ").append(expected[i]);
                shown++;
            }
        }
        fail(b.toString());
    }

    static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
