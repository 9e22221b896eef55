package io.jdnn.bench;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jdnn onnx info} on a small model built with the protobuf builders. */
class OnnxInfoCommandTest {
    /** x (N, 3, 8, 8) -> Conv 3x3 pad 1 to 4 channels -> Relu -> Flatten -> Gemm to 10; N symbolic. */
    static Path model(Path dir, String op) throws Exception {
        GraphProto.Builder g = GraphProto.newBuilder().setName("tiny");
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (int d : new int[]{3, 8, 8}) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        g.addInput(ValueInfoProto.newBuilder().setName("x").setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))));
        g.addInitializer(zeros("w", 4, 3, 3, 3));
        g.addInitializer(zeros("fc", 10, 256));
        g.addNode(NodeProto.newBuilder().setOpType("Conv").addInput("x").addInput("w").addOutput("c")
                .addAttribute(AttributeProto.newBuilder().setName("pads").setType(AttributeProto.AttributeType.INTS)
                        .addInts(1).addInts(1).addInts(1).addInts(1)));
        g.addNode(NodeProto.newBuilder().setOpType(op).addInput("c").addOutput("r"));
        g.addNode(NodeProto.newBuilder().setOpType("Flatten").addInput("r").addOutput("f"));
        g.addNode(NodeProto.newBuilder().setOpType("Gemm").addInput("f").addInput("fc").addOutput("y")
                .addAttribute(AttributeProto.newBuilder().setName("transB").setType(AttributeProto.AttributeType.INT)
                        .setI(1)));
        g.addOutput(ValueInfoProto.newBuilder().setName("y"));
        ModelProto m = ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build();
        return Files.write(dir.resolve("tiny.onnx"), m.toByteArray());
    }

    static TensorProto zeros(String name, long... dims) {
        long n = 1;
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) {
            t.addDims(d);
            n *= d;
        }
        return t.setRawData(ByteString.copyFrom(new byte[(int) n * 4])).build();
    }

    @Test
    void infoPrintsShapesOpCountsParametersAndFlops(@TempDir Path dir) throws Exception {
        MainTest.Run r = MainTest.jdnn("onnx", "info", model(dir, "Relu").toString(), "--batch", "2");
        assertEquals(0, r.status(), r.err());
        String out = r.out();
        assertTrue(out.contains("input     x                        FLOAT [2, 3, 8, 8]"), out);
        assertTrue(out.contains("output    y                        FLOAT [2, 10]"), out);
        assertTrue(out.contains("  Conv                   1"), out);
        assertTrue(out.contains("parameters 2,668"), out);
        // Conv: 2 * 4 * 8 * 8 * 3 * 3 * 3 = 13,824; Gemm: 2 * 256 * 10 = 5,120 (per image).
        assertTrue(out.contains("FLOPs/image 18,944"), out);
    }

    @Test
    void aRefusedModelPrintsTheReasonAndExits1(@TempDir Path dir) throws Exception {
        MainTest.Run r = MainTest.jdnn("onnx", "info", model(dir, "Erf").toString());
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("node 'Erf_1' (Erf, opset 13): op Erf is not supported"), r.err());
    }
}
