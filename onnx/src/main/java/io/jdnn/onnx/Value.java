package io.jdnn.onnx;

import io.jdnn.Device;
import io.jdnn.Shape;
import io.jdnn.Tensor;

import java.util.Arrays;

/**
 * One value of a compiled model: its ONNX extents (rank 0 for a scalar, which jdnn holds as
 * shape [1]) and where its elements live. A value is a graph input (bound for one run), a
 * constant (uploaded or computed once at compile), a temporary (a prefix view of a buffer of the
 * plan), an output (allocated for each run and handed to the caller), or a view of another value
 * under other extents (Reshape, Flatten, Squeeze, ...), which shares that value's storage.
 */
final class Value {
    enum Kind { INPUT, CONSTANT, TEMP, OUTPUT, VIEW }

    final String name;
    final int[] dims;
    Kind kind;
    /** For a VIEW: the value whose storage it shares. */
    final Value base;
    /** For a CONSTANT: its elements on the host, when known (read back lazily for computed ones). */
    private ConstantTensor host;
    /** The tensor of a root value: a constant's, a temporary's prefix view, or the run's input or output. */
    Tensor tensor;
    private Tensor view;
    private Tensor viewOf;
    private Tensor asView;
    private Tensor asOf;

    private Value(String name, int[] dims, Kind kind, Value base, ConstantTensor host) {
        this.name = name;
        this.dims = dims.clone();
        this.kind = kind;
        this.base = base;
        this.host = host;
    }

    static Value of(String name, int[] dims, Kind kind) {
        return new Value(name, dims, kind, null, null);
    }

    static Value constant(String name, int[] dims, ConstantTensor host) {
        return new Value(name, dims, Kind.CONSTANT, null, host);
    }

    static Value view(String name, int[] dims, Value base) {
        return new Value(name, dims, Kind.VIEW, base, null);
    }

    /** jdnn's shape of the value: its extents, or [1] for a scalar. */
    Shape shape() {
        return dims.length == 0 ? Shape.of(1) : Shape.of(dims);
    }

    long elements() {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    int rank() {
        return dims.length;
    }

    /** The value whose storage this one uses: itself, or the end of its chain of views. */
    Value root() {
        Value v = this;
        while (v.base != null) {
            v = v.base;
        }
        return v;
    }

    /** True for a constant, or a view of one. */
    boolean isConstant() {
        return root().kind == Kind.CONSTANT;
    }

    /** The host elements of a constant (or a view of one); read back from the device once when computed there. */
    ConstantTensor host() {
        if (base != null) {
            ConstantTensor b = base.host();
            return b == null ? null : Folds.reshape(b, name, dims);
        }
        if (host == null && kind == Kind.CONSTANT && tensor != null) {
            host = ConstantTensor.ofFloats(new TensorInfo(name, DataType.FLOAT, longs(dims)), tensor.toArray());
        }
        return host;
    }

    /** Uploads a float constant's host elements once; a no-op for every other kind. */
    void materialize(Device device) {
        if (base != null) {
            base.materialize(device);
        } else if (kind == Kind.CONSTANT && tensor == null) {
            if (!host.isFloat()) {
                throw new IllegalArgumentException("value '" + name + "' holds " + host.type()
                        + " elements, and Device calls take float32 tensors");
            }
            tensor = device.upload(shape(), host.floats());
        }
    }

    /** The value's tensor now: the root's tensor, or a view of it under this value's shape. */
    Tensor tensor() {
        if (base == null) {
            return tensor;
        }
        Tensor b = base.tensor();
        if (view == null || viewOf != b) {
            view = b.view(shape());
            viewOf = b;
        }
        return view;
    }

    /** The value's tensor under {@code s} (same element count): the tensor itself, or a view kept while the tensor is. */
    Tensor as(Shape s) {
        Tensor t = tensor();
        if (t.shape().equals(s)) {
            return t;
        }
        if (asView == null || asOf != t || !asView.shape().equals(s)) {
            asView = t.view(s);
            asOf = t;
        }
        return asView;
    }

    static long[] longs(int[] dims) {
        long[] out = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = dims[i];
        }
        return out;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(dims) + " " + kind;
    }
}
