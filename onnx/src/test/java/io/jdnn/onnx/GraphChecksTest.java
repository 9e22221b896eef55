package io.jdnn.onnx;

import io.jdnn.onnx.internal.proto.NodeProto;
import io.jdnn.onnx.internal.proto.OperatorSetIdProto;
import io.jdnn.onnx.internal.proto.TensorProto;
import io.jdnn.onnx.testing.OnnxBuilder;
import io.jdnn.onnx.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jdnn.onnx.testing.OnnxBuilder.attr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Graph checks, refusals and shape inference on models built in Java. */
class GraphChecksTest {
    static OnnxModel load(OnnxBuilder b) {
        return OnnxModel.fromBytes(b.bytes(), LoadOptions.defaults());
    }

    static String refusal(OnnxBuilder b) {
        return assertThrows(OnnxModelException.class, () -> load(b)).getMessage();
    }

    @Test
    void testModelsInferTheirOutputShapes() {
        for (var e : TestModels.all().entrySet()) {
            OnnxModel m = load(e.getValue().apply(7));
            assertArrayEquals(new long[]{1, 10}, m.graph().outputs().get(0).dims(), e.getKey());
            for (Node n : m.graph().nodes()) {
                for (String out : n.outputs()) {
                    assertTrue(m.graph().values().containsKey(out), e.getKey() + ": " + out);
                }
            }
        }
    }

    @Test
    void nodesAreSortedTopologicallyAndEmptyNamesSynthesized() {
        OnnxBuilder b = new OnnxBuilder(13, 1);
        String x = b.input("x", 1, 4);
        b.graph().addNode(NodeProto.newBuilder().setOpType("Relu").addInput("t").addOutput("y"));
        b.graph().addNode(NodeProto.newBuilder().setOpType("Sigmoid").addInput(x).addOutput("t"));
        b.output("y");
        Graph g = load(b).graph();
        assertEquals(List.of("Sigmoid_1", "Relu_0"), g.nodes().stream().map(Node::name).toList());
    }

    @Test
    void cyclesUndefinedInputsAndDoubleDefinitionsAreRefused() {
        OnnxBuilder cycle = new OnnxBuilder(13, 1);
        cycle.input("x", 1, 4);
        cycle.graph().addNode(NodeProto.newBuilder().setName("a").setOpType("Add").addInput("x").addInput("c")
                .addOutput("b"));
        cycle.graph().addNode(NodeProto.newBuilder().setName("n").setOpType("Relu").addInput("b").addOutput("c"));
        cycle.output("c");
        assertTrue(refusal(cycle).contains("cycle"), refusal(cycle));

        OnnxBuilder undefined = new OnnxBuilder(13, 1);
        undefined.input("x", 1, 4);
        undefined.output(undefined.node("Add", List.of("x", "nowhere")));
        assertTrue(refusal(undefined).contains("input 'nowhere' is not defined"), refusal(undefined));

        OnnxBuilder twice = new OnnxBuilder(13, 1);
        twice.input("x", 1, 4);
        twice.graph().addNode(NodeProto.newBuilder().setName("r1").setOpType("Relu").addInput("x").addOutput("y"));
        twice.graph().addNode(NodeProto.newBuilder().setName("r2").setOpType("Relu").addInput("x").addOutput("y"));
        twice.output("y");
        assertTrue(refusal(twice).startsWith("node 'r2' (Relu, opset 13): output 'y' is already defined by node 'r1'"),
                refusal(twice));
    }

    @Test
    void unsupportedOpsOpsetsAndDomainsAreRefusedNamingTheNode() {
        OnnxBuilder op = new OnnxBuilder(13, 1);
        op.output(op.node("Erf", List.of(op.input("x", 1, 4))));
        assertTrue(refusal(op).equals("node 'Erf_0' (Erf, opset 13): op Erf is not supported"), refusal(op));

        OnnxBuilder old = new OnnxBuilder(6, 1);
        old.output(old.relu(old.input("x", 1, 4)));
        assertTrue(refusal(old).contains("opset 6 of ONNX's default domain is outside the supported range 7 to 21"),
                refusal(old));

        OnnxBuilder young = new OnnxBuilder(14, 1);
        young.output(young.node("HardSwish", List.of(young.input("x", 1, 4))));
        OnnxModel ok = OnnxModel.fromBytes(young.bytes(), LoadOptions.defaults());
        assertEquals(1, ok.graph().nodes().size());
        OnnxBuilder tooYoung = new OnnxBuilder(13, 1);
        tooYoung.output(tooYoung.node("Gelu", List.of(tooYoung.input("x", 1, 4))));
        assertTrue(refusal(tooYoung).contains("Gelu is defined from opset 20 on"), refusal(tooYoung));

        OnnxBuilder domain = new OnnxBuilder(13, 1);
        domain.input("x", 1, 4);
        domain.graph().addNode(NodeProto.newBuilder().setName("q").setOpType("QuickGelu").setDomain("com.microsoft")
                .addInput("x").addOutput("y"));
        domain.output("y");
        byte[] bytes = domain.model().toBuilder().addOpsetImport(OperatorSetIdProto.newBuilder()
                .setDomain("com.microsoft").setVersion(1)).build().toByteArray();
        String msg = assertThrows(OnnxModelException.class,
                () -> OnnxModel.fromBytes(bytes, LoadOptions.defaults())).getMessage();
        assertTrue(msg.startsWith("node 'q' (com.microsoft.QuickGelu, opset 1): domain 'com.microsoft' is not"),
                msg);
    }

    @Test
    void attributeErrorsNameTheNodeAndTheAttribute() {
        OnnxBuilder b = new OnnxBuilder(13, 1);
        b.output(b.node("Flatten", List.of(b.input("x", 1, 2, 3)), attr("axis", "one")));
        assertEquals("node 'Flatten_0' (Flatten, opset 13): attribute 'axis' must be INT, got STRING", refusal(b));
    }

    @Test
    void shapeSubgraphsFoldAndReshapeTakesTheirResult() {
        // y = Reshape(x, Concat(Gather(Shape(x), 0), [-1])): PyTorch's flatten as exported.
        OnnxBuilder b = new OnnxBuilder(13, 1);
        String x = b.input("x", 2, 3, 4);
        String shape = b.node("Shape", List.of(x));
        String batch = b.node("Unsqueeze", List.of(b.node("Gather", List.of(shape, b.int64s("zero", new long[0], 0))),
                b.int64s("axes", 0)));
        String target = b.concat(0, batch, b.int64s("minus_one", -1));
        String y = b.node("Reshape", List.of(x, target));
        b.output(y);
        Graph g = load(b).graph();
        assertArrayEquals(new long[]{2, 12}, g.info(y).dims());
        assertArrayEquals(new long[]{2, -1}, g.constant(target).orElseThrow().longs());
        assertArrayEquals(new long[]{2, 3, 4}, g.constant(shape).orElseThrow().longs());
    }

    @Test
    void aReshapeOfARunTimeShapeIsRefused() {
        OnnxBuilder b = new OnnxBuilder(13, 1);
        String x = b.input("x", 2, 3);
        b.symbolicInput("s", TensorProto.DataType.INT64_VALUE, 2);
        b.output(b.node("Reshape", List.of(x, "s")));
        assertTrue(refusal(b).contains("input 'shape' ('s') must be known at load"), refusal(b));
    }

    @Test
    void symbolicExtentsResolveFromTheOptions() {
        OnnxBuilder b = new OnnxBuilder(13, 1);
        b.symbolicInput("x", TensorProto.DataType.FLOAT_VALUE, "N", 3, "H", "W");
        b.output(b.relu("x"));
        String msg = refusal(b);
        assertTrue(msg.equals("graph input 'x': extent 2 is the symbol 'H'; give it with LoadOptions.dim(\"H\", n)"),
                msg);
        LoadOptions options = LoadOptions.builder().dim("H", 8).dim("W", 9).batch(4).build();
        OnnxModel m = OnnxModel.fromBytes(b.bytes(), options);
        assertArrayEquals(new long[]{4, 3, 8, 9}, m.graph().inputs().get(0).dims());
        assertArrayEquals(new long[]{4, 3, 8, 9}, m.graph().outputs().get(0).dims());
        OnnxModel named = OnnxModel.fromBytes(b.bytes(), LoadOptions.builder().dim("N", 2).dim("H", 1).dim("W", 1)
                .build());
        assertArrayEquals(new long[]{2, 3, 1, 1}, named.graph().inputs().get(0).dims());
    }

    @Test
    void convAndPoolSizesComeFromTheProblemRecords() {
        OnnxBuilder b = new OnnxBuilder(13, 1);
        String x = b.input("x", 1, 2, 7, 9);
        String w = b.weights("w", 1, 4, 2, 3, 3);
        String same = b.node("Conv", List.of(x, w), attr("auto_pad", "SAME_UPPER"),
                OnnxBuilder.ints("strides", 2, 2));
        String ceil = b.node("MaxPool", List.of(x), OnnxBuilder.ints("kernel_shape", 2, 2),
                OnnxBuilder.ints("strides", 2, 2), attr("ceil_mode", 1L));
        b.output(same);
        b.output(ceil);
        Graph g = load(b).graph();
        assertArrayEquals(new long[]{1, 4, 4, 5}, g.info(same).dims());
        assertArrayEquals(new long[]{1, 2, 4, 5}, g.info(ceil).dims());

        OnnxBuilder bad = new OnnxBuilder(13, 1);
        String y = bad.input("x", 1, 2, 3, 3);
        bad.output(bad.node("MaxPool", List.of(y), OnnxBuilder.ints("kernel_shape", 2, 2),
                OnnxBuilder.ints("pads", 2, 0, 0, 0)));
        assertTrue(refusal(bad).startsWith("node 'MaxPool_0' (MaxPool, opset 13): padH: expected"), refusal(bad));
    }
}
