package io.jdnn.onnx;

import java.util.Arrays;
import java.util.Map;

/**
 * What an op's shape rule sees of one node: its inputs' infos and known elements, and where it
 * puts its outputs' infos and folded elements. Every refusal names the node.
 */
final class InferContext {
    /** Largest value a rule folds into a constant (shape subgraphs are far smaller). */
    static final int MAX_FOLDED_ELEMENTS = 1 << 16;

    final Node node;
    private final Map<String, TensorInfo> values;
    private final Map<String, ConstantTensor> constants;
    private final LoadOptions options;

    InferContext(Node node, Map<String, TensorInfo> values, Map<String, ConstantTensor> constants,
                 LoadOptions options) {
        this.node = node;
        this.values = values;
        this.constants = constants;
        this.options = options;
    }

    int opset() {
        return node.opset();
    }

    OnnxModelException refuse(String reason) {
        return OnnxModelException.of(node, reason);
    }

    /** Refuses unless the node has between {@code min} and {@code max} inputs and at most {@code maxOut} outputs. */
    void arity(int min, int max, int maxOut) {
        int n = node.inputs().size();
        if (n < min || n > max) {
            throw refuse("takes " + (min == max ? min : min + " to " + max) + " inputs, got " + n);
        }
        for (int i = 0; i < min; i++) {
            if (!node.hasInput(i)) {
                throw refuse("input " + i + " is required");
            }
        }
        if (node.outputs().isEmpty() || node.outputs().size() > maxOut) {
            throw refuse("has " + node.outputs().size() + " outputs, at most " + maxOut + " expected");
        }
    }

    boolean has(int i) {
        return node.hasInput(i);
    }

    TensorInfo in(int i) {
        if (!node.hasInput(i)) {
            throw refuse("input " + i + " is required");
        }
        return values.get(node.input(i));
    }

    long[] dims(int i) {
        return in(i).dims();
    }

    DataType type(int i) {
        return in(i).type();
    }

    /** Input i's elements when load knows them, else null. */
    ConstantTensor constant(int i) {
        return node.hasInput(i) ? constants.get(node.input(i)) : null;
    }

    /** Input i's elements, which the op needs at load ({@code what} names the input in the refusal). */
    ConstantTensor requireConstant(int i, String what) {
        ConstantTensor c = constant(i);
        if (c == null) {
            throw refuse("input '" + what + "' ('" + node.input(i) + "') must be known at load (an initializer, a"
                    + " Constant or a shape computation); it is computed at run time");
        }
        return c;
    }

    /** Input i as a list of integers known at load (a shape, axes, pads, ...). */
    long[] requireInts(int i, String what) {
        ConstantTensor c = requireConstant(i, what);
        if (!c.isInteger()) {
            throw refuse("input '" + what + "' must be an integer tensor, got " + c.type());
        }
        return c.longs();
    }

    /** Refuses unless input i has a float type (the ops jdnn computes in float32). */
    void requireFloat(int i) {
        if (!type(i).isFloat()) {
            throw refuse("input " + i + " ('" + node.input(i) + "') must be a float tensor, got " + type(i));
        }
    }

    /** Refuses unless input i has rank in [min, max]. */
    void requireRank(int i, int min, int max) {
        int r = in(i).rank();
        if (r < min || r > max) {
            throw refuse("input " + i + " ('" + node.input(i) + "') must have rank " + (min == max ? min
                    : min + " to " + max) + ", got " + Arrays.toString(dims(i)));
        }
    }

    /** {@code axis} (negative counts from the end) as an index in [0, rank); {@code what} names it. */
    int axis(long axis, int rank, String what) {
        if (axis < -rank || axis >= Math.max(rank, 1)) {
            throw refuse(what + " " + axis + " is out of range for rank " + rank);
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /** Sets output k's info (when the output is used); the element count is checked against the limit. */
    void out(int k, DataType type, long... dims) {
        String name = node.output(k);
        if (name.isEmpty()) {
            return;
        }
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw refuse("output '" + name + "' would have the negative extent " + d + " in "
                        + Arrays.toString(dims));
            }
            if (d != 0 && n > options.maxTensorElements() / d) {
                throw refuse("output '" + name + "' " + Arrays.toString(dims) + " exceeds the limit of "
                        + options.maxTensorElements() + " elements");
            }
            n *= d;
        }
        if (n > options.maxTensorElements()) {
            throw refuse("output '" + name + "' " + Arrays.toString(dims) + " exceeds the limit of "
                    + options.maxTensorElements() + " elements");
        }
        values.put(name, new TensorInfo(name, type, dims));
    }

    /** Output k has the type and extents of input i. */
    void same(int k, int i) {
        out(k, type(i), dims(i));
    }

    /** Records output k's elements (its info must have been set with the same extents). */
    void fold(int k, ConstantTensor c) {
        String name = node.output(k);
        if (!name.isEmpty() && c.size() <= MAX_FOLDED_ELEMENTS) {
            constants.put(name, c.withName(name));
        }
    }

    /** Sets output k's info and elements from {@code c}, whatever its size (a Constant node's value). */
    void outConstant(int k, ConstantTensor c) {
        out(k, c.type(), c.info().dims());
        String name = node.output(k);
        if (!name.isEmpty()) {
            constants.put(name, c.withName(name));
        }
    }

    /** Numpy's multidirectional broadcast of two shapes; refuses shapes that do not broadcast. */
    long[] broadcast(long[] a, long[] b) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long x = i < r - a.length ? 1 : a[i - (r - a.length)];
            long y = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (x != y && x != 1 && y != 1) {
                throw refuse("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            }
            out[i] = x == 1 ? y : x;
        }
        return out;
    }

    /** True when every given input's elements are known. */
    boolean allConstant() {
        for (int i = 0; i < node.inputs().size(); i++) {
            if (node.hasInput(i) && constant(i) == null) {
                return false;
            }
        }
        return true;
    }
}
