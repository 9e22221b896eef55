package io.jdnn.onnx;

import io.jdnn.Device;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a lowering rule sees of the node it lowers: the node, its input values (with their extents
 * and, for constants, their host elements), and where it puts its output values and its
 * {@link Step}s. In constant mode (a node whose inputs are all constants and that load did not
 * fold) each step runs once at once and the outputs become constants of the compiled model. Every
 * refusal names the node.
 */
final class Lowerer {
    final Device device;
    final Compiler compiler;
    final Node node;
    private final Map<String, Value> values;
    private final boolean constantMode;

    Lowerer(Compiler compiler, Node node, Map<String, Value> values, boolean constantMode) {
        this.device = compiler.device;
        this.compiler = compiler;
        this.node = node;
        this.values = values;
        this.constantMode = constantMode;
    }

    /** Load's view of the node (its shape rules map attributes onto problem records: one definition of each). */
    InferContext infer() {
        Graph g = compiler.graph;
        return new InferContext(node, new java.util.HashMap<>(g.values()), new java.util.HashMap<>(g.constants()),
                compiler.loadOptions);
    }

    /** Output {@code k}'s extents as load inferred them (one definition of each op's shape rule). */
    int[] outDims(int k) {
        return ints(compiler.graph.info(node.output(k)).dims());
    }

    /** NumPy's broadcast of two extents lists, by load's rule. */
    int[] broadcast(int[] a, int[] b) {
        return ints(infer().broadcast(Value.longs(a), Value.longs(b)));
    }

    private static int[] ints(long[] d) {
        int[] out = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = Math.toIntExact(d[i]);
        }
        return out;
    }

    int opset() {
        return node.opset();
    }

    OnnxModelException refuse(String reason) {
        return OnnxModelException.of(node, reason);
    }

    boolean has(int i) {
        return node.hasInput(i);
    }

    /** Input {@code i}'s value; refuses when it is omitted. */
    Value in(int i) {
        if (!node.hasInput(i)) {
            throw refuse("input " + i + " is required");
        }
        Value v = values.get(node.input(i));
        if (v == null) {
            throw refuse("input '" + node.input(i) + "' has no value (an unsupported producer?)");
        }
        return v;
    }

    int[] dims(int i) {
        return in(i).dims.clone();
    }

    /** Input {@code i}'s host elements; refuses unless it is a constant. */
    ConstantTensor constant(int i, String what) {
        Value v = in(i);
        ConstantTensor c = v.isConstant() ? v.host() : null;
        if (c == null) {
            throw refuse(what + " (input " + i + ", '" + node.input(i) + "') must be a constant: jdnn plans "
                    + "its Device calls at compile");
        }
        return c;
    }

    /** Input {@code i}'s elements as longs (a constant); {@code absent} when the input is omitted. */
    long[] longs(int i, String what, long[] absent) {
        if (!has(i)) {
            return absent;
        }
        ConstantTensor c = constant(i, what);
        long[] out = new long[c.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = c.longAt(k);
        }
        return out;
    }

    /** Input {@code i}'s elements as doubles (a constant). */
    double[] doubles(int i, String what) {
        ConstantTensor c = constant(i, what);
        double[] out = new double[c.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = c.doubleAt(k);
        }
        return out;
    }

    /** An axis attribute or value normalized into [0, rank). */
    int axis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.max(rank, 1)) {
            throw refuse("axis " + axis + " is outside a rank-" + rank + " input");
        }
        return (int) a;
    }

    /** Output {@code k} as a new value of extents {@code dims} (a temporary, or a constant in constant mode). */
    Value out(int k, int[] dims) {
        String name = node.output(k);
        Value v = temp(name.isEmpty() ? node.name() + ":" + k : name, dims);
        if (!name.isEmpty()) {
            bind(k, v);
        }
        return v;
    }

    /** A temporary of extents {@code dims} that no other node sees. */
    Value temp(String name, int[] dims) {
        for (int d : dims) {
            if (d <= 0) {
                throw refuse("value '" + name + "' would have the empty extents " + Arrays.toString(dims)
                        + ": jdnn has no empty tensors");
            }
        }
        Value v = Value.of(name, dims, constantMode ? Value.Kind.CONSTANT : Value.Kind.TEMP);
        if (constantMode) {
            v.tensor = device.allocate(v.shape());
            compiler.own(v.tensor);
        }
        return v;
    }

    /** Output {@code k} is {@code source}'s elements under extents {@code dims} (no launch). */
    void view(int k, Value source, int[] dims) {
        if (countOf(dims) != source.elements()) {
            throw refuse("cannot view " + Arrays.toString(source.dims) + " as " + Arrays.toString(dims));
        }
        bind(k, Value.view(node.output(k), dims, source));
    }

    /** Output {@code k} is the host constant {@code c}. */
    void constantOut(int k, ConstantTensor c) {
        bind(k, compiler.constantValue(node.output(k), c));
    }

    /** A float constant of extents {@code dims} made at compile (a folded weight, a scalar operand). */
    Value constant(String hint, int[] dims, float[] data) {
        return compiler.constantValue(node.name() + ":" + hint,
                ConstantTensor.ofFloats(new TensorInfo(node.name() + ":" + hint, DataType.FLOAT, Value.longs(dims)), data));
    }

    /** A one-element constant holding {@code v}. */
    Value scalar(double v) {
        return constant("scalar" + v, new int[] {1}, new float[] {(float) v});
    }

    private void bind(int k, Value v) {
        compiler.bind(node, node.output(k), v);
    }

    /** Adds a launch (runs it now in constant mode). */
    void step(String label, List<Value> reads, List<Value> writes, Value inPlace, Runnable action) {
        for (Value r : reads) {
            r.materialize(device);
        }
        Step s = new Step(node.name() + ": " + label, List.copyOf(reads), List.copyOf(writes), inPlace, action);
        if (constantMode) {
            action.run();
        } else {
            compiler.add(s);
        }
    }

    /** A launch that reads {@code reads} and writes {@code out}, never in place. */
    void step(String label, Value out, Runnable action, Value... reads) {
        step(label, Arrays.asList(reads), List.of(out), null, action);
    }

    static long countOf(int[] dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    static List<Value> list(Value... vs) {
        return new ArrayList<>(Arrays.asList(vs));
    }
}
