package io.jdnn.onnx.testing;

import com.google.protobuf.ByteString;
import io.jdnn.onnx.internal.proto.AttributeProto;
import io.jdnn.onnx.internal.proto.GraphProto;
import io.jdnn.onnx.internal.proto.ModelProto;
import io.jdnn.onnx.internal.proto.NodeProto;
import io.jdnn.onnx.internal.proto.OperatorSetIdProto;
import io.jdnn.onnx.internal.proto.TensorProto;
import io.jdnn.onnx.internal.proto.TensorShapeProto;
import io.jdnn.onnx.internal.proto.TypeProto;
import io.jdnn.onnx.internal.proto.ValueInfoProto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Builds ONNX models in tests with the generated protobuf builders: inputs, random float weights,
 * nodes with attributes, outputs. Names are generated ({@code Conv_0_y}, {@code Conv_0_w}) unless
 * given. The common layers ({@link #conv}, {@link #relu}, {@link #gemm}, ...) and the blocks of
 * {@link Blocks} return the name of their output, so a network reads top to bottom:
 *
 * <pre>{@code
 * OnnxBuilder b = new OnnxBuilder(13, 42);
 * String x = b.input("x", 1, 3, 32, 32);
 * String y = b.relu(b.conv(x, 3, 16, 3, 1, 1));
 * b.output(Blocks.residual(b, y, 16));
 * OnnxModel m = OnnxModel.fromBytes(b.bytes(), LoadOptions.defaults());
 * }</pre>
 */
public final class OnnxBuilder {
    private final int opset;
    private final Random random;
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("test");
    private int counter;

    /** A builder of a model importing ONNX opset {@code opset}, with weights drawn from {@code seed}. */
    public OnnxBuilder(int opset, long seed) {
        this.opset = opset;
        this.random = new Random(seed);
    }

    /** The opset the model imports. */
    public int opset() {
        return opset;
    }

    /** The random source of the weights (for callers drawing more). */
    public Random random() {
        return random;
    }

    /** Adds a FLOAT graph input with fixed extents; returns its name. */
    public String input(String name, long... dims) {
        graph.addInput(valueInfo(name, TensorProto.DataType.FLOAT_VALUE, dims));
        return name;
    }

    /** Adds a graph input with symbolic extents (null entries are unnamed, Strings named, Numbers fixed). */
    public String symbolicInput(String name, int elemType, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Number n) {
                dim.setDimValue(n.longValue());
            } else if (d instanceof String s) {
                dim.setDimParam(s);
            }
            shape.addDim(dim);
        }
        graph.addInput(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))));
        return name;
    }

    /** Marks {@code name} as a graph output (type FLOAT, extents left for inference). */
    public void output(String name) {
        graph.addOutput(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
    }

    /** Adds a float initializer; returns its name. */
    public String floats(String name, long[] dims, float[] values) {
        graph.addInitializer(floatTensor(name, dims, values));
        return name;
    }

    /** Adds an INT64 initializer; returns its name. */
    public String int64s(String name, long[] dims, long... values) {
        graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .addAllDims(list(dims)).addAllInt64Data(list(values)));
        return name;
    }

    /** Adds an INT64 vector initializer (as shape arguments are); returns its name. */
    public String int64s(String name, long... values) {
        return int64s(name, new long[]{values.length}, values);
    }

    /** Adds an initializer of uniform random floats in [-scale, scale); returns its generated name. */
    public String weights(String hint, float scale, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (random.nextFloat() * 2 - 1) * scale;
        }
        return floats(fresh(hint), dims, v);
    }

    /** Adds a node with one output; returns the output's name. */
    public String node(String op, List<String> inputs, AttributeProto... attributes) {
        return node(op, inputs, 1, attributes).get(0);
    }

    /** Adds a node with {@code outputs} outputs; returns their names. */
    public List<String> node(String op, List<String> inputs, int outputs, AttributeProto... attributes) {
        String name = op + "_" + counter++;
        List<String> outs = new ArrayList<>();
        for (int i = 0; i < outputs; i++) {
            outs.add(name + "_y" + (outputs > 1 ? i : ""));
        }
        graph.addNode(NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(inputs).addAllOutput(outs)
                .addAllAttribute(List.of(attributes)));
        return outs;
    }

    /** A convolution with random weights and bias: kernel k x k, stride, symmetric padding, groups 1. */
    public String conv(String x, int inChannels, int outChannels, int k, int stride, int pad) {
        return conv(x, inChannels, outChannels, k, stride, pad, 1);
    }

    /** A grouped convolution with random weights and bias. */
    public String conv(String x, int inChannels, int outChannels, int k, int stride, int pad, int groups) {
        float scale = (float) Math.sqrt(3.0 / (inChannels / groups * k * k));
        String w = weights("w", scale, outChannels, inChannels / groups, k, k);
        String bias = weights("b", 0.1f, outChannels);
        return node("Conv", List.of(x, w, bias), ints("kernel_shape", k, k), ints("strides", stride, stride),
                ints("pads", pad, pad, pad, pad), ints("dilations", 1, 1), attr("group", groups));
    }

    /** Batch normalization with random scale, bias, mean and positive variance. */
    public String batchNorm(String x, int channels) {
        String scale = weights("bn_scale", 1f, channels);
        String bias = weights("bn_bias", 0.5f, channels);
        String mean = weights("bn_mean", 0.5f, channels);
        float[] var = new float[channels];
        for (int i = 0; i < channels; i++) {
            var[i] = 0.5f + random.nextFloat();
        }
        String v = floats(fresh("bn_var"), new long[]{channels}, var);
        return node("BatchNormalization", List.of(x, scale, bias, mean, v), attr("epsilon", 1e-5f));
    }

    /** Relu. */
    public String relu(String x) {
        return node("Relu", List.of(x));
    }

    /** Clip to [0, 6] (ReLU6), with min and max as inputs (opset 11+) or attributes (before). */
    public String relu6(String x) {
        if (opset >= 11) {
            return node("Clip", List.of(x, floats(fresh("min"), new long[0], new float[]{0}),
                    floats(fresh("max"), new long[0], new float[]{6})));
        }
        return node("Clip", List.of(x), attr("min", 0f), attr("max", 6f));
    }

    /** Elementwise sum of two tensors. */
    public String add(String a, String b) {
        return node("Add", List.of(a, b));
    }

    /** Max pooling k x k with stride s and padding p. */
    public String maxPool(String x, int k, int s, int p) {
        return node("MaxPool", List.of(x), ints("kernel_shape", k, k), ints("strides", s, s), ints("pads", p, p, p, p));
    }

    /** Global average pooling. */
    public String globalAvgPool(String x) {
        return node("GlobalAveragePool", List.of(x));
    }

    /** Flatten from axis 1. */
    public String flatten(String x) {
        return node("Flatten", List.of(x), attr("axis", 1L));
    }

    /** Gemm with random weights (transB = 1, PyTorch's Linear) and bias: (N, in) to (N, out). */
    public String gemm(String x, int in, int out) {
        String w = weights("fc_w", (float) Math.sqrt(3.0 / in), out, in);
        String bias = weights("fc_b", 0.1f, out);
        return node("Gemm", List.of(x, w, bias), attr("transB", 1L));
    }

    /** Concatenation along {@code axis}. */
    public String concat(int axis, String... xs) {
        return node("Concat", List.of(xs), attr("axis", (long) axis));
    }

    /** The model. */
    public ModelProto model() {
        return ModelProto.newBuilder().setIrVersion(opset >= 15 ? 8 : 7).setProducerName("jdnn-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph.build()).build();
    }

    /** The model's bytes. */
    public byte[] bytes() {
        return model().toByteArray();
    }

    /** Writes the model to {@code file}; returns it. */
    public Path write(Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }

    /** The graph under construction, for edits the helpers do not cover. */
    public GraphProto.Builder graph() {
        return graph;
    }

    /** A fresh name starting with {@code hint}. */
    public String fresh(String hint) {
        return hint + "_" + counter++;
    }

    /** An INT attribute. */
    public static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    /** A FLOAT attribute. */
    public static AttributeProto attr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }

    /** A STRING attribute. */
    public static AttributeProto attr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    /** An INTS attribute. */
    public static AttributeProto ints(String name, long... values) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS)
                .addAllInts(list(values)).build();
    }

    /** A TENSOR attribute. */
    public static AttributeProto tensor(String name, TensorProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(value)
                .build();
    }

    /** A FLOAT tensor proto with raw little-endian data. */
    public static TensorProto floatTensor(String name, long[] dims, float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addAllDims(list(dims)).setRawData(ByteString.copyFrom(buf.array())).build();
    }

    private static ValueInfoProto valueInfo(String name, int elemType, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))).build();
    }

    private static List<Long> list(long[] values) {
        List<Long> out = new ArrayList<>(values.length);
        for (long v : values) {
            out.add(v);
        }
        return out;
    }
}
