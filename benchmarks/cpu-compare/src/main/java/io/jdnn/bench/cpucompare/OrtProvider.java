package io.jdnn.bench.cpucompare;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import io.jdnn.BatchNormProblem;
import io.jdnn.ConvProblem;
import io.jdnn.PoolProblem;
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
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime's CPU provider on a single-node model built here for each case (Conv or
 * ConvTranspose with the case's stride, padding, dilation and groups; MaxPool; BatchNormalization
 * with {@code training_mode=1}, which normalizes with the batch's statistics as jdnn's
 * {@code batchNormTrain} does): x is a graph input fed as an {@link OnnxTensor}, the weights are
 * initializers (so ORT may pre-pack them once, as jdnn caches its weight packs), and y is a pinned
 * output written in place on every run. Session options: as many intra-op threads as jdnn's cpu
 * backend uses (the available processors), sequential execution, every graph optimization. ORT's
 * Java API has no training pass, so convolution {@code train} and Adam are not offered (see
 * {@link Cases#unsupported}).
 */
final class OrtProvider {
    private static final int OPSET = 17;
    private static final String X = "x";
    private static final String Y = "y";

    private OrtProvider() {
    }

    /** The intra-op thread count every ORT session gets: the cores jdnn's shared pool uses. */
    static int threads() {
        return Runtime.getRuntime().availableProcessors();
    }

    static Providers.Prepared prepare(String caseName, String pass) {
        if (!pass.equals("fwd")) {
            throw new UnsupportedOperationException(Cases.ORT_INFERENCE_ONLY);
        }
        GraphProto.Builder g = GraphProto.newBuilder().setName(caseName);
        Shape in;
        Shape out;
        if (Cases.CONVS.containsKey(caseName)) {
            ConvProblem p = Cases.conv(caseName);
            in = p.inputShape();
            out = p.outputShape();
            Shape ws = p.weightShape();
            g.addInitializer(floats("w", ws, Providers.random(ws.elements(), 2)));
            List<AttributeProto> a = new ArrayList<>(List.of(
                    ints("kernel_shape", p.kernelH(), p.kernelW()), ints("strides", p.strideH(), p.strideW()),
                    ints("pads", p.padH(), p.padW(), p.padH(), p.padW()),
                    ints("dilations", p.dilationH(), p.dilationW()), attr("group", p.groups())));
            if (p.transposed()) {
                a.add(ints("output_padding", p.outputPadH(), p.outputPadW()));
            }
            g.addNode(NodeProto.newBuilder().setOpType(p.transposed() ? "ConvTranspose" : "Conv")
                    .addInput(X).addInput("w").addOutput(Y).addAllAttribute(a));
        } else if (caseName.equals("maxpool")) {
            PoolProblem p = Cases.MAXPOOL;
            in = p.inputShape();
            out = p.outputShape();
            g.addNode(NodeProto.newBuilder().setOpType("MaxPool").addInput(X).addOutput(Y).addAllAttribute(List.of(
                    ints("kernel_shape", p.kernelH(), p.kernelW()), ints("strides", p.strideH(), p.strideW()),
                    ints("pads", p.padH(), p.padW(), p.padH(), p.padW()),
                    ints("dilations", p.dilationH(), p.dilationW()), attr("ceil_mode", p.ceilMode() ? 1 : 0))));
        } else if (caseName.equals("batchnorm")) {
            // training_mode=1: normalizes with the batch's statistics and updates the running ones, as jdnn's batchNormTrain
            BatchNormProblem p = Cases.BN;
            in = p.inputShape();
            out = p.inputShape();
            Shape c = p.channelShape();
            g.addInitializer(floats("scale", c, Providers.random(c.elements(), 3)));
            g.addInitializer(floats("bias", c, Providers.random(c.elements(), 4)));
            g.addInitializer(floats("mean", c, new float[p.channels()]));
            float[] ones = new float[p.channels()];
            java.util.Arrays.fill(ones, 1f);
            g.addInitializer(floats("var", c, ones));
            g.addNode(NodeProto.newBuilder().setOpType("BatchNormalization").addInput(X).addInput("scale")
                    .addInput("bias").addInput("mean").addInput("var").addOutput(Y).addOutput("running_mean")
                    .addOutput("running_var").addAllAttribute(List.of(attr("training_mode", 1),
                            floatAttr("epsilon", p.eps()), floatAttr("momentum", 1 - p.momentum())))); // ONNX's momentum weighs the running value
        } else {
            throw new UnsupportedOperationException(Cases.ORT_INFERENCE_ONLY);
        }
        g.addInput(valueInfo(X, in)).addOutput(valueInfo(Y, out));
        byte[] model = ModelProto.newBuilder().setIrVersion(8).setProducerName("jdnn-cpu-compare")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(g).build().toByteArray();
        return session(model, in, out);
    }

    private static Providers.Prepared session(byte[] model, Shape in, Shape out) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try {
            OrtSession.SessionOptions o = new OrtSession.SessionOptions();
            o.setIntraOpNumThreads(threads());
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            OrtSession s = env.createSession(model, o);
            OnnxTensor x = OnnxTensor.createTensor(env, direct(Providers.random(in.elements(), 1)), Providers.dims(in));
            OnnxTensor y = OnnxTensor.createTensor(env, direct(new float[Math.toIntExact(out.elements())]),
                    Providers.dims(out));
            Map<String, OnnxTensor> feeds = Map.of(X, x);
            Map<String, OnnxValue> pinned = new LinkedHashMap<>(Map.of(Y, y));
            return new Providers.Prepared() {
                @Override
                public void run() {
                    try {
                        s.run(feeds, pinned).close(); // the pinned y stays open: the caller owns it
                    } catch (OrtException e) {
                        throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
                    }
                }

                @Override
                public void close() {
                    try {
                        x.close();
                        y.close();
                        s.close();
                        o.close();
                    } catch (OrtException e) {
                        throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
                    }
                }
            };
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
        }
    }

    private static FloatBuffer direct(float[] values) {
        FloatBuffer b = ByteBuffer.allocateDirect(values.length * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        b.put(values).rewind();
        return b;
    }

    private static TensorProto floats(String name, Shape shape, float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(buf.array()));
        for (long d : Providers.dims(shape)) {
            t.addDims(d);
        }
        return t.build();
    }

    private static ValueInfoProto valueInfo(String name, Shape shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : Providers.dims(shape)) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s))).build();
    }

    private static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static AttributeProto floatAttr(String name, double value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT)
                .setF((float) value).build();
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }
}
