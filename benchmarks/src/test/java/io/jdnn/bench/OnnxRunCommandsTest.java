package io.jdnn.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import io.jdnn.bench.Main;
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

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jdnn onnx run}, {@code verify} and {@code bench} on a small model with random weights (ONNX Runtime's outputs as the expected data). */
class OnnxRunCommandsTest {
    @TempDir
    Path dir;

    /** x (N, 3, 8, 8) -> Conv 3x3 pad 1 (4 channels, bias) -> Relu -> Flatten -> Gemm (transB) to 10; N symbolic. */
    private Path model(String activation) throws Exception {
        Random r = new Random(3);
        GraphProto.Builder g = GraphProto.newBuilder().setName("tiny");
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (int d : new int[] {3, 8, 8}) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        g.addInput(ValueInfoProto.newBuilder().setName("x").setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))));
        g.addInitializer(tensor("w", random(r, 4 * 27), 4, 3, 3, 3));
        g.addInitializer(tensor("b", random(r, 4), 4));
        g.addInitializer(tensor("fc", random(r, 2560), 10, 256));
        g.addNode(NodeProto.newBuilder().setOpType("Conv").addInput("x").addInput("w").addInput("b").addOutput("c")
                .addAttribute(AttributeProto.newBuilder().setName("pads").setType(AttributeProto.AttributeType.INTS)
                        .addInts(1).addInts(1).addInts(1).addInts(1)));
        g.addNode(NodeProto.newBuilder().setOpType(activation).addInput("c").addOutput("r"));
        g.addNode(NodeProto.newBuilder().setOpType("Flatten").addInput("r").addOutput("f"));
        g.addNode(NodeProto.newBuilder().setOpType("Gemm").addInput("f").addInput("fc").addOutput("y")
                .addAttribute(AttributeProto.newBuilder().setName("transB").setType(AttributeProto.AttributeType.INT).setI(1)));
        g.addOutput(ValueInfoProto.newBuilder().setName("y").setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
        ModelProto m = ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build();
        return Files.write(dir.resolve("tiny.onnx"), m.toByteArray());
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }

    private static TensorProto tensor(String name, float[] v, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        return t.setRawData(ByteString.copyFrom(b.array())).build();
    }

    /** ONNX's test layout for the model at batch 2: input_0.pb random, output_0.pb by ONNX Runtime, times {@code skew}. */
    private Path dataSet(Path model, float skew) throws Exception {
        float[] x = random(new Random(9), 2 * 3 * 64);
        float[] y;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(Files.readAllBytes(model));
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {2, 3, 8, 8});
             OrtSession.Result r = s.run(Map.of("x", t))) {
            FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
            y = new float[fb.remaining()];
            fb.get(y);
        }
        for (int i = 0; i < y.length; i++) {
            y[i] *= skew;
        }
        Path set = Files.createDirectories(dir.resolve("data").resolve("test_data_set_0"));
        Files.write(set.resolve("input_0.pb"), tensor("x", x, 2, 3, 8, 8).toByteArray());
        Files.write(set.resolve("output_0.pb"), tensor("y", y, 2, 10).toByteArray());
        return dir.resolve("data");
    }

    private record Result(int status, String out, String err) {
    }

    private static Result jdnn(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8), args);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void runPrintsEachOutputFromRandomOrFileInputs() throws Exception {
        Path m = model("Relu");
        Result r = jdnn("onnx", "run", m.toString(), "--device", "cpu");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("input     x                        [1, 3, 8, 8] from random"), r.out());
        assertTrue(r.out().contains("output    y                        [1, 10]"), r.out());
        assertTrue(r.out().contains("planned peak"), r.out());
        Path data = dataSet(m, 1);
        r = jdnn("onnx", "run", m.toString(), "--device", "reference", "--batch", "2",
                "--input", "x=" + data.resolve("test_data_set_0/input_0.pb"));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("output    y                        [2, 10]"), r.out());
        r = jdnn("onnx", "run", m.toString(), "--device", "cpu", "--input", "z=random");
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().contains("--input z: the model has no such input"), r.err());
    }

    @Test
    void verifyPrintsEachOutputsErrorAndFailsWhenOneIsOutOfBound() throws Exception {
        Path m = model("Relu");
        Path good = dataSet(m, 1);
        for (String device : new String[] {"reference", "cpu"}) {
            Result r = jdnn("onnx", "verify", m.toString(), "--data", good.toString(), "--device", device);
            assertEquals(0, r.status(), r.out() + r.err());
            assertTrue(r.out().contains("test_data_set_0    output 'y'"), r.out());
            assertTrue(r.out().contains("1 passed, 0 failed"), r.out());
        }
        Path bad = dataSet(m, 1.01f);
        Result r = jdnn("onnx", "verify", m.toString(), "--data", bad.toString(), "--device", "cpu");
        assertEquals(1, r.status(), r.out());
        assertTrue(r.out().contains("FAILED"), r.out());
        assertTrue(r.out().contains("0 passed, 1 failed"), r.out());
    }

    @Test
    void benchTimesJdnnAndOnnxRuntimeAndPrintsTheRatio() throws Exception {
        Result r = jdnn("onnx", "bench", model("Relu").toString(), "--device", "cpu", "--batch", "2", "--warmup", "1",
                "--runs", "3");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("p50 ms"), r.out());
        assertTrue(r.out().contains("jdnn cpu"), r.out());
        assertTrue(r.out().contains("onnxruntime"), r.out());
        assertTrue(r.out().contains("images/s (jdnn / onnxruntime"), r.out());
        // Linux reports the resident set; ONNX Runtime's memory is its rise while the session ran
        if (Files.isReadable(Path.of("/proc/self/status"))) {
            assertTrue(r.out().contains("MiB (rise of the process's peak resident set)"), r.out());
        }
    }

    @Test
    void benchProfilePrintsTheTimePerOpKind() throws Exception {
        Result r = jdnn("onnx", "bench", model("Relu").toString(), "--device", "cpu", "--batch", "1", "--warmup", "0",
                "--runs", "2", "--profile", "--no-onnxruntime");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("op kind"), r.out());
        assertTrue(r.out().contains("sum of launches"), r.out());
        // the model's Relu is fused into its convolution, so the kinds are the conv (per algorithm) and the linear head
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("conv2d ")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("linear ")), r.out());
    }

    @Test
    void aModelTheRunnerRefusesExitsWithTheNodeAndReason() throws Exception {
        Path m = model("Relu");
        Result r = jdnn("onnx", "bench", m.toString(), "--device", "cpu", "--batch", "0");
        assertEquals(2, r.status(), r.out());
        ModelProto p = ModelProto.parseFrom(Files.readAllBytes(m));
        GraphProto.Builder g = p.getGraph().toBuilder();
        g.getNodeBuilder(1).addAttribute(AttributeProto.newBuilder().setName("alpha").setType(AttributeProto.AttributeType.FLOAT).setF(0.1f));
        g.getNodeBuilder(0).clearAttribute().addAttribute(AttributeProto.newBuilder().setName("pads")
                .setType(AttributeProto.AttributeType.INTS).addInts(1).addInts(1).addInts(1).addInts(1));
        Path lrn = Files.write(dir.resolve("lrn.onnx"), p.toBuilder().setGraph(g.setNode(1, g.getNode(1).toBuilder()
                .setOpType("LRN").addAttribute(AttributeProto.newBuilder().setName("size")
                        .setType(AttributeProto.AttributeType.INT).setI(2)))).build().toByteArray());
        r = jdnn("onnx", "run", lrn.toString(), "--device", "cpu");
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("(LRN, opset 13): even size 2"), r.err());
    }
}
