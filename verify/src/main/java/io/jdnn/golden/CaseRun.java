package io.jdnn.golden;

import io.jdnn.ConvAlgorithm;
import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.Shape;
import io.jdnn.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The state of one golden case's run, and what every {@link OpHandler} uses: the checks of what
 * the case declares, its parameters, its tensors uploaded to the device (and closed when the case
 * ends), and the comparison of outputs with the expected ones.
 */
final class CaseRun {
    private final GoldenCase c;
    private final Device device;
    private final ConvAlgorithm algorithm;
    private final Params params;
    /** What to close when the case ends, in the order it was opened. */
    private final List<Runnable> opened = new ArrayList<>();
    private final List<OutputResult> results = new ArrayList<>();

    CaseRun(GoldenCase c, Device device, ConvAlgorithm algorithm) {
        this.c = c;
        this.device = device;
        this.algorithm = algorithm;
        this.params = new Params(c);
    }

    /** The names of the case's inputs, as listed. */
    List<String> inputs() {
        return c.inputs();
    }

    String op() {
        return c.op();
    }

    Device device() {
        return device;
    }

    /** The convolution algorithm the runner was asked for ({@link ConvAlgorithm#AUTO}: the device's choice). */
    ConvAlgorithm algorithm() {
        return algorithm;
    }

    Params params() {
        return params;
    }

    /** The outputs compared so far. */
    List<OutputResult> results() {
        return results;
    }

    // ------------------------------------------------------------ declarations

    /**
     * Checks the case against what the op takes: every parameter known (the required ones
     * present), every input and output known, the required inputs present.
     */
    void declare(List<String> required, List<String> optional, List<String> requiredInputs,
                 List<String> optionalInputs, List<String> knownOutputs) {
        params.declare(required, optional);
        List<String> knownInputs = new ArrayList<>(requiredInputs);
        knownInputs.addAll(optionalInputs);
        for (String in : c.inputs()) {
            if (!knownInputs.contains(in)) {
                throw new UnsupportedCase("input '" + in + "' is not understood for op '" + c.op() + "' (it takes "
                        + String.join(", ", knownInputs) + ")");
            }
        }
        for (String in : requiredInputs) {
            if (!c.inputs().contains(in)) {
                throw new UnsupportedCase("input '" + in + "' is missing (op '" + c.op() + "' needs " + String.join(", ", requiredInputs) + ")");
            }
        }
        for (String out : c.outputs()) {
            if (!knownOutputs.contains(out)) {
                throw new UnsupportedCase("output '" + out + "' is not produced by op '" + c.op() + "' (it produces "
                        + String.join(", ", knownOutputs) + ")");
            }
        }
    }

    /** {@code input} must be given when any of {@code outputs} is to be compared. */
    void requireIfAny(String input, String... outputs) {
        for (String o : outputs) {
            if (wants(o) && !has(input)) {
                throw new UnsupportedCase("input '" + input + "' is missing; output '" + o + "' needs it");
            }
        }
    }

    /** True when the case lists {@code output} to compare. */
    boolean wants(String output) {
        return c.outputs().contains(output);
    }

    /** True when the case gives {@code input}. */
    boolean has(String input) {
        return c.inputs().contains(input);
    }

    // ------------------------------------------------------------ tensors

    /** The case's tensor {@code name}. */
    GoldenTensor tensor(String name) {
        GoldenTensor t = c.tensor(name);
        if (t == null) {
            throw new UnsupportedCase("tensor '" + name + "' is missing");
        }
        return t;
    }

    /** The shape of input {@code name}, which must have {@code rank} dimensions. */
    int[] dims(String name, int rank, String layout) {
        int[] d = tensor(name).shape();
        if (d.length != rank) {
            throw new UnsupportedCase("input '" + name + "': expected a " + rank + "-D tensor " + layout + ", got shape "
                    + Arrays.toString(d));
        }
        return d;
    }

    /** Uploads an f32 input with its own shape. */
    Tensor upload(String name) {
        int[] d = tensor(name).shape();
        if (d.length == 0) {
            d = new int[] {1};
        }
        for (int e : d) {
            if (e < 1) {
                throw new UnsupportedCase("input '" + name + "': expected positive extents, got shape " + Arrays.toString(d));
            }
        }
        return upload(name, Shape.of(d));
    }

    /** Uploads an f32 input with its own shape if the case gives it; null if not. */
    Tensor uploadIfGiven(String name) {
        return has(name) ? upload(name) : null;
    }

    /** Uploads an f32 input under {@code shape} (the same element count, another view of it). */
    Tensor upload(String name, Shape shape) {
        GoldenTensor t = tensor(name);
        if (t.dtype() != DType.F32) {
            throw new UnsupportedCase("input '" + name + "': expected dtype f32 (the device API takes float32 inputs), got "
                    + t.dtype().token());
        }
        if (t.elements() != shape.elements()) {
            throw new UnsupportedCase("input '" + name + "': expected " + shape.elements() + " elements (shape " + shape
                    + "), got shape " + Arrays.toString(t.shape()));
        }
        return keep(device.upload(shape, t.toFloatArray()));
    }

    /**
     * Uploads an i64 input of positions (indices) with its own shape as the float32 tensor the
     * device API takes: every value must be an integer float32 holds exactly (|v| <= 2^24).
     */
    Tensor uploadIndices(String name) {
        GoldenTensor t = tensor(name);
        if (t.dtype() != DType.I64) {
            throw new UnsupportedCase("input '" + name + "': expected indices of dtype i64, got " + t.dtype().token());
        }
        long[] raw = t.toLongArray();
        float[] values = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            if (Math.abs(raw[i]) > 1L << 24) {
                throw new UnsupportedCase("input '" + name + "': expected indices of at most 2^24 in magnitude (exact "
                        + "in float32), got " + raw[i] + " at " + i);
            }
            values[i] = raw[i];
        }
        return keep(device.upload(Shape.of(t.shape()), values));
    }

    /**
     * Compares {@code actual}, float32 positions of shape {@code shape}, with the expected i64
     * output exactly, if the case lists it: the error is the largest difference, the bound 0.
     */
    void compareExact(String output, Tensor actual, Shape shape) {
        if (!wants(output)) {
            return;
        }
        GoldenTensor expected = tensor(output);
        if (expected.dtype() != DType.I64) {
            throw new UnsupportedCase("output '" + output + "': expected dtype i64 (indices), got "
                    + expected.dtype().token());
        }
        if (!Arrays.equals(expected.shape(), shape.dims())) {
            throw new UnsupportedCase("output '" + output + "': the case gives shape " + Arrays.toString(expected.shape())
                    + ", the op produces " + shape);
        }
        long[] e = expected.toLongArray();
        double[] a = actual.toDoubleArray();
        double error = 0;
        for (int i = 0; i < e.length; i++) {
            error = Math.max(error, Math.abs(a[i] - e[i])); // a NaN stays
        }
        results.add(new OutputResult(output, error, 0, "exact"));
    }

    /** A new device tensor, closed when the case ends. */
    Tensor allocate(Shape shape) {
        return keep(device.allocate(shape));
    }

    /** Closes {@code t} when the case ends. */
    Tensor keep(Tensor t) {
        opened.add(t::close);
        return t;
    }

    /** Runs {@code close} when the case ends (after what was opened later). */
    void onClose(Runnable close) {
        opened.add(close);
    }

    /** Compares {@code actual} (of shape {@code shape}) with the expected output, if the case lists it. */
    void compare(String output, Tensor actual, Shape shape, double float32Bound, String what) {
        compare(output, actual, shape.dims(), float32Bound, what);
    }

    /**
     * Compares {@code actual} (logically of shape {@code dims}) with the expected output, if the
     * case lists it.
     */
    void compare(String output, Tensor actual, int[] dims, double float32Bound, String what) {
        if (!wants(output)) {
            return;
        }
        GoldenTensor expected = tensor(output);
        if (expected.dtype() == DType.I64) {
            throw new UnsupportedCase("output '" + output + "': expected dtype f64 or f32, got i64");
        }
        int[] e = expected.shape();
        boolean scalarOk = e.length == 0 && Arrays.equals(dims, new int[] {1});
        if (!scalarOk && !Arrays.equals(e, dims)) {
            throw new UnsupportedCase("output '" + output + "': the case gives shape " + Arrays.toString(e)
                    + ", the op produces " + Arrays.toString(dims));
        }
        double error = ErrorBounds.maxNormalizedError(actual.toDoubleArray(), expected.toDoubleArray());
        double bound = ErrorBounds.forPrecision(device.info().precision(), float32Bound);
        results.add(new OutputResult(output, error, bound, what));
    }

    /** Closes everything the case opened, last first. */
    void closeAll() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).run();
        }
        opened.clear();
    }
}
