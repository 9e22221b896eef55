package io.jdnn.onnx;

import com.google.protobuf.ByteString;
import io.jdnn.Shape;
import io.jdnn.onnx.internal.proto.AttributeProto;
import io.jdnn.onnx.internal.proto.GraphProto;
import io.jdnn.onnx.internal.proto.ModelProto;
import io.jdnn.onnx.internal.proto.NodeProto;
import io.jdnn.onnx.internal.proto.OperatorSetIdProto;
import io.jdnn.onnx.internal.proto.TensorProto;
import io.jdnn.onnx.internal.proto.TensorShapeProto;
import io.jdnn.onnx.internal.proto.TypeProto;
import io.jdnn.onnx.internal.proto.ValueInfoProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The graph an export writes, in protobuf form: unique names, float and int64 initializers, nodes
 * with attributes, and the lowest opset that every node written so far needs.
 */
final class ExportGraph {
    private final GraphProto.Builder graph;
    private final Set<String> names = new HashSet<>();
    private int opset;

    ExportGraph(String name, int minimumOpset) {
        this.graph = GraphProto.newBuilder().setName(name);
        this.opset = minimumOpset;
    }

    /** {@code hint} itself if unused, else {@code hint_1}, {@code hint_2}, ...; the name is taken. */
    String fresh(String hint) {
        String n = hint;
        for (int i = 1; names.contains(n); i++) {
            n = hint + "_" + i;
        }
        names.add(n);
        return n;
    }

    /** The name of {@code name} inside the module at {@code path}: {@code path.name}, or {@code name} at the root. */
    static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** Raises the model's opset to at least {@code version}. */
    void requireOpset(int version) {
        opset = Math.max(opset, version);
    }

    /** The opset the nodes written so far need. */
    int opset() {
        return opset;
    }

    /** Adds a FLOAT initializer named {@code hint} (made unique) of {@code dims}; returns its name. */
    String floats(String hint, long[] dims, float[] values) {
        String name = fresh(hint);
        ByteBuffer buf = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addAllDims(list(dims)).setRawData(ByteString.copyFrom(buf.array())));
        return name;
    }

    /** Adds a FLOAT scalar initializer; returns its name. */
    String scalar(String hint, float value) {
        return floats(hint, new long[0], new float[] {value});
    }

    /** Adds an INT64 vector initializer (a shape or an axis list); returns its name. */
    String int64s(String hint, long... values) {
        String name = fresh(hint);
        graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length).addAllInt64Data(list(values)));
        return name;
    }

    /**
     * Adds node {@code op} named {@code path/op} (made unique) with one output; returns the output's
     * name.
     */
    String node(String path, String op, List<String> inputs, AttributeProto... attributes) {
        String name = fresh(path.isEmpty() ? op : path + "/" + op);
        String out = fresh(name + "_output");
        graph.addNode(NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(inputs).addOutput(out)
                .addAllAttribute(List.of(attributes)));
        return out;
    }

    /**
     * Makes {@code value} the graph output {@code name}: the last node's output is renamed when it
     * produced it, else an Identity node copies it.
     */
    void output(String value, String name, Shape shape) {
        int last = graph.getNodeCount() - 1;
        if (last >= 0 && graph.getNode(last).getOutput(0).equals(value)) {
            // The last node's output has no consumer yet: renaming it touches nothing else.
            graph.getNodeBuilder(last).setOutput(0, name);
        } else {
            graph.addNode(NodeProto.newBuilder().setName(fresh("output/Identity")).setOpType("Identity")
                    .addInput(value).addOutput(name));
        }
        graph.addOutput(valueInfo(name, shape));
    }

    /** Declares the FLOAT graph input {@code name} of {@code shape}; returns its name. */
    String input(String name, Shape shape) {
        names.add(name);
        graph.addInput(valueInfo(name, shape));
        return name;
    }

    /** The model: this graph importing ONNX's default domain at {@link #opset()}. */
    ModelProto model(String producerVersion) {
        return ModelProto.newBuilder().setIrVersion(irVersion(opset)).setProducerName("jdnn")
                .setProducerVersion(producerVersion)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph.build()).build();
    }

    /** The IR version of the ONNX release that introduced {@code opset}. */
    static long irVersion(int opset) {
        if (opset <= 18) {
            return 8;
        }
        return opset <= 20 ? 9 : 10;
    }

    /** An INT attribute. */
    static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    /** A FLOAT attribute. */
    static AttributeProto attr(String name, double value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT)
                .setF((float) value).build();
    }

    /** A STRING attribute. */
    static AttributeProto attr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    /** An INTS attribute. */
    static AttributeProto ints(String name, long... values) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS)
                .addAllInts(list(values)).build();
    }

    private static ValueInfoProto valueInfo(String name, Shape shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (int d : shape.dims()) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE)
                        .setShape(s))).build();
    }

    private static List<Long> list(long[] values) {
        List<Long> out = new ArrayList<>(values.length);
        for (long v : values) {
            out.add(v);
        }
        return out;
    }
}
