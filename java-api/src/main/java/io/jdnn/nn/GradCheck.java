package io.jdnn.nn;

import io.jdnn.Device;
import io.jdnn.Precision;
import io.jdnn.Shape;
import io.jdnn.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * A gradient checker: compares a module's (or a loss's) analytic gradients with central differences
 * of its forward pass, in float64, on a device that stores float64 (the {@code reference} backend).
 *
 * <p>For a module, the scalar differentiated is L = sum(forward(x) * w) for a fixed random w (uniform
 * in [-1, 1) from the seed): {@code backward(w)} gives dL/dx and every parameter's dL/dp, and each is
 * compared at {@link #probes(int) probes} random elements v with (L(v + h) - L(v - h)) / (2h), where
 * h = {@link #step(double) step} * max(1, |v|). The error of a tensor is the largest
 * |numeric - analytic| over its probes divided by the largest |analytic| element of that tensor (so a
 * backward pass that returns zeros fails); the check passes where every tensor's error is at most
 * {@link #bound(double) bound}. A parameter that received no gradient fails too.
 *
 * <p>Defaults: step 1e-5 and bound 1e-6. The loss is evaluated in float64 from float32-exact values:
 * rounding contributes about 1e-16 / 1e-5 = 1e-11 of the loss's scale, truncation about h^2 = 1e-10
 * times the third derivative. A kink (ReLU, max pooling, L1) within h of a probed value gives a
 * wrong difference with probability of order 1e-5 per probe. Dropout in training mode draws a new
 * mask per pass: put it in evaluation mode first.
 *
 * <p>Side effects: the probed input and every parameter are rounded to float32 first (so that a
 * probe can write exact perturbed values and restore them), the module runs forward and backward
 * several times, and its parameters' gradients are overwritten ({@link Module#zeroGrad()} first).
 *
 * <pre>{@code
 * GradCheck.Report r = GradCheck.defaults().check(nn.groupNorm(2, 4), Shape.of(2, 4, 3, 3));
 * assert r.passed() : r;
 * }</pre>
 */
public final class GradCheck {
    private final double step;
    private final double bound;
    private final int probes;
    private final long seed;

    private GradCheck(double step, double bound, int probes, long seed) {
        if (!(step > 0 && step < 1)) {
            throw new IllegalArgumentException("step: expected a value in (0, 1), got " + step);
        }
        if (!(bound > 0)) {
            throw new IllegalArgumentException("bound: expected a positive value, got " + bound);
        }
        if (probes < 1) {
            throw new IllegalArgumentException("probes: expected at least 1, got " + probes);
        }
        this.step = step;
        this.bound = bound;
        this.probes = probes;
        this.seed = seed;
    }

    /** Step 1e-5, bound 1e-6, 12 probes per tensor, seed 1. */
    public static GradCheck defaults() {
        return new GradCheck(1e-5, 1e-6, 12, 1);
    }

    /** The same check with the relative step h of the central differences, in (0, 1). */
    public GradCheck step(double h) {
        return new GradCheck(h, bound, probes, seed);
    }

    /** The same check with the largest error (relative to the tensor's largest gradient) that passes. */
    public GradCheck bound(double b) {
        return new GradCheck(step, b, probes, seed);
    }

    /** The same check probing {@code n} elements per tensor (every element of a smaller one). */
    public GradCheck probes(int n) {
        return new GradCheck(step, bound, n, seed);
    }

    /** The same check drawing the input, the weights w and the probed elements from {@code s}. */
    public GradCheck seed(long s) {
        return new GradCheck(step, bound, probes, s);
    }

    /** The relative step h. */
    public double step() {
        return step;
    }

    /** The largest relative error that passes. */
    public double bound() {
        return bound;
    }

    /** Elements probed per tensor. */
    public int probes() {
        return probes;
    }

    /** The seed of the random input, weights and probes. */
    public long seed() {
        return seed;
    }

    /** Checks {@code m} on a random input of {@code inputShape}, uniform in [-1, 1), made and freed here. */
    public Report check(Module m, Shape inputShape) {
        Device d = deviceOf(m);
        float[] v = uniform(new SplittableRandom(seed ^ 0x5DEECE66DL), (int) inputShape.elements());
        try (Tensor x = d.upload(inputShape, v)) {
            return check(m, x);
        }
    }

    /** Checks {@code m} at the input {@code x} (rounded to float32 in place; see the class comment). */
    public Report check(Module m, Tensor x) {
        if (m == null || x == null) {
            throw new IllegalArgumentException("GradCheck.check: expected a module and an input tensor, got " + m + ", " + x);
        }
        Device d = x.device();
        requireFloat64(d);
        SplittableRandom r = new SplittableRandom(seed);
        for (Parameter p : m.parameters()) {
            p.value().copyFrom(p.value().toArray());
        }
        x.copyFrom(x.toArray());
        Tensor y = m.forward(x);
        float[] w = uniform(r, (int) y.elements());
        List<TensorError> errors = new ArrayList<>();
        try (Tensor dy = d.upload(y.shape(), w)) {
            m.zeroGrad();
            double[] dx = m.backward(dy).toDoubleArray();
            DoubleSupplier loss = () -> {
                double[] out = m.forward(x).toDoubleArray();
                double s = 0;
                for (int i = 0; i < out.length; i++) {
                    s += out[i] * w[i];
                }
                return s;
            };
            errors.add(probe("input", x, dx, loss, r));
            for (Parameter p : m.parameters()) {
                errors.add(p.hasGrad() ? probe(p.name(), p.value(), p.grad().toDoubleArray(), loss, r)
                        : TensorError.missing(p.name()));
            }
        }
        return new Report(m.toString(), List.copyOf(errors), bound);
    }

    /**
     * Checks a loss at {@code x} (rounded to float32 in place): {@code forward} computes the loss of its
     * argument (always {@code x}) and keeps the gradient that {@code gradient} then returns, as
     * {@link MseLoss} or {@link NllLoss} do:
     * {@code check("mse", x, v -> mse.forward(v, target), mse::gradient)}.
     */
    public Report checkLoss(String name, Tensor x, ToDoubleFunction<Tensor> forward, Supplier<Tensor> gradient) {
        requireFloat64(x.device());
        SplittableRandom r = new SplittableRandom(seed);
        x.copyFrom(x.toArray());
        forward.applyAsDouble(x);
        double[] dx = gradient.get().toDoubleArray();
        TensorError e = probe("input", x, dx, () -> forward.applyAsDouble(x), r);
        return new Report(name, List.of(e), bound);
    }

    private TensorError probe(String what, Tensor t, double[] analytic, DoubleSupplier loss, SplittableRandom r) {
        double scale = 0;
        for (double g : analytic) {
            scale = Math.max(scale, Math.abs(g));
        }
        int n = (int) t.elements();
        float[] v = t.toArray();
        TensorError worst = new TensorError(what, 0, -1, 0, 0, scale, Math.min(probes, n));
        for (int k = 0; k < Math.min(probes, n); k++) {
            int i = n <= probes ? k : r.nextInt(n);
            float orig = v[i];
            float plus = (float) (orig + step * Math.max(1, Math.abs(orig)));
            float minus = (float) (orig - step * Math.max(1, Math.abs(orig)));
            v[i] = plus;
            t.copyFrom(v);
            double lp = loss.getAsDouble();
            v[i] = minus;
            t.copyFrom(v);
            double lm = loss.getAsDouble();
            v[i] = orig;
            t.copyFrom(v);
            double numeric = (lp - lm) / ((double) plus - (double) minus);
            double err = Math.abs(numeric - analytic[i]) / Math.max(scale, 1e-12);
            if (Double.isNaN(err) || err > worst.error() || worst.index() < 0) {
                worst = new TensorError(what, Double.isNaN(err) ? Double.POSITIVE_INFINITY : err, i, analytic[i], numeric,
                        scale, worst.probes());
            }
        }
        return worst;
    }

    private static Device deviceOf(Module m) {
        if (m == null) {
            throw new IllegalArgumentException("module: expected a Module, got null");
        }
        List<Parameter> ps = m.parameters();
        if (!ps.isEmpty()) {
            return ps.get(0).device();
        }
        if (m instanceof Layer l) {
            return l.device();
        }
        for (Module c : m.children()) {
            try {
                return deviceOf(c);
            } catch (IllegalArgumentException e) {
                // try the next child
            }
        }
        throw new IllegalArgumentException("module: cannot tell the device of " + m + " (no parameters, no layer); "
                + "pass the input tensor: check(module, x)");
    }

    private static void requireFloat64(Device d) {
        if (d.info().precision() != Precision.FLOAT64) {
            throw new IllegalArgumentException("GradCheck: expected a device that stores float64 (the reference "
                    + "backend), got " + d.spec() + " (" + d.info().precision() + "): central differences of float32 "
                    + "values are too coarse for the bound");
        }
    }

    private static float[] uniform(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    /**
     * The worst probe of one tensor: its relative error, where it was, the analytic and numeric
     * gradients there, the tensor's largest analytic gradient (the scale), and the probe count. An
     * index of -1 with an infinite error is a parameter that received no gradient.
     *
     * @param tensor   "input" or the parameter's name
     * @param error    max |numeric - analytic| / scale over the probes
     * @param index    the element of the worst probe
     * @param analytic the backward pass's gradient there
     * @param numeric  the central difference there
     * @param scale    the largest |analytic| element of the tensor
     * @param probes   elements probed
     */
    public record TensorError(String tensor, double error, int index, double analytic, double numeric, double scale,
                              int probes) {
        static TensorError missing(String name) {
            return new TensorError(name, Double.POSITIVE_INFINITY, -1, Double.NaN, Double.NaN, 0, 0);
        }

        @Override
        public String toString() {
            if (index < 0 && Double.isInfinite(error)) {
                return tensor + ": no gradient after backward";
            }
            return String.format(Locale.ROOT, "%s: error %.3g at [%d] (backward %.10g, central difference %.10g, "
                    + "largest gradient %.3g, %d probes)", tensor, error, index, analytic, numeric, scale, probes);
        }
    }

    /**
     * The result of one check: the module or loss checked, one {@link TensorError} per tensor (the
     * input first, then the parameters in {@link Module#parameters()} order) and the bound.
     *
     * @param name    what was checked ({@code toString()} of the module, or the loss's name)
     * @param tensors the worst probe of each tensor
     * @param bound   the largest error that passes
     */
    public record Report(String name, List<TensorError> tensors, double bound) {
        /** True where every tensor's error is at most the bound. */
        public boolean passed() {
            return tensors.stream().allMatch(t -> t.error() <= bound);
        }

        /** The largest error over the tensors. */
        public double maxError() {
            return tensors.stream().mapToDouble(TensorError::error).max().orElse(0);
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "gradient check of %s: %s (max error %.3g, bound %.3g)",
                    name, passed() ? "passed" : "FAILED", maxError(), bound));
            for (TensorError t : tensors) {
                s.append("\n  ").append(t.error() <= bound ? "" : "FAIL ").append(t);
            }
            return s.toString();
        }
    }
}
