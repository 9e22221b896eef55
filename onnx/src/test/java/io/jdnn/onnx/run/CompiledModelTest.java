package io.jdnn.onnx.run;

import io.jdnn.Device;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.onnx.CompileOptions;
import io.jdnn.onnx.CompiledModel;
import io.jdnn.onnx.LoadOptions;
import io.jdnn.onnx.OnnxModel;
import io.jdnn.onnx.OnnxModelException;
import io.jdnn.onnx.internal.proto.TensorProto;
import io.jdnn.onnx.testing.Blocks;
import io.jdnn.onnx.testing.OnnxBuilder;
import io.jdnn.onnx.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What compile does besides lowering: batch norm folding, the buffer plan, a batch fixed at compile, refusals, run's checks. */
class CompiledModelTest {
    private static float[] run(CompiledModel m, float[] x) {
        Device d = m.device();
        try (Tensor t = d.upload(BlockModelsTest.shape(m.inputs().get(0).dims()), x)) {
            Map<String, Tensor> out = m.run(Map.of(m.inputs().get(0).name(), t));
            try (Tensor y = out.values().iterator().next()) {
                return y.toArray();
            }
        }
    }

    /** Conv then BatchNormalization: folded into the conv's weights and bias, unless the conv's output is needed too. */
    @Test
    void batchNormIsFoldedIntoTheConvolutionExactlyAsItComputes() {
        Device d = TestDevices.get("reference");
        for (boolean convOutputToo : new boolean[] {false, true}) {
            OnnxBuilder b = new OnnxBuilder(13, 3);
            String y = b.conv(b.input("x", 2, 3, 9, 9), 3, 5, 3, 1, 1);
            b.output(b.batchNorm(y, 5));
            if (convOutputToo) {
                b.output(y);
            }
            OnnxModel model = OnnxModel.fromBytes(b.bytes(), LoadOptions.defaults());
            float[] x = BlockModelsTest.random(2 * 3 * 9 * 9, 5);
            try (CompiledModel m = model.compile(d)) {
                String launches = String.join("\n", m.launches());
                assertEquals(convOutputToo, launches.contains("batchNormInference"), launches);
                assertEquals(!convOutputToo, launches.contains("batch norm folded"), launches);
                float[] want = OrtRunner.run(b.bytes(), Map.of("x", new long[] {2, 3, 9, 9}), Map.of("x", x))
                        .get(model.graph().outputs().get(0).name());
                // float64 on the reference: the fold's single float32 rounding of w * s is the only difference
                double err = Compare.error(run(m, x), want);
                assertTrue(err <= 1e-6, "error " + err);
            }
        }
    }

    /** A chain of 12 same-size convolutions: the plan keeps two or three buffers where each activation would take one. */
    @Test
    void thePlannedPeakIsFarBelowTheSumOfActivations() {
        OnnxBuilder b = new OnnxBuilder(13, 4);
        String y = b.input("x", 1, 4, 16, 16);
        for (int i = 0; i < 12; i++) {
            y = b.relu(b.conv(y, 4, 4, 3, 1, 1));
        }
        b.output(y);
        OnnxModel model = OnnxModel.fromBytes(b.bytes(), LoadOptions.defaults());
        Device d = TestDevices.get("cpu");
        try (CompiledModel m = model.compile(d)) {
            CompiledModel.Memory mem = m.memory();
            long one = 4 * 16 * 16 * Float.BYTES;
            assertEquals(24 * one, mem.activationBytes(), mem.toString());
            assertTrue(mem.plannedActivationBytes() <= 3 * one, mem.toString());
            assertTrue(mem.buffers() <= 2, mem.toString());
            float[] x = BlockModelsTest.random(4 * 16 * 16, 6);
            float[] want = OrtRunner.run(b.bytes(), Map.of("x", new long[] {1, 4, 16, 16}), Map.of("x", x)).values()
                    .iterator().next();
            assertTrue(Compare.error(run(m, x), want) <= BlockModelsTest.BOUND);
        }
    }

    /** A model with a symbolic batch, loaded at batch 1, compiled for batch 3: each sample as the batch-1 model computes it. */
    @Test
    void aBatchSizeIsFixedAtCompile() {
        OnnxBuilder b = new OnnxBuilder(13, 8);
        String x = b.symbolicInput("x", TensorProto.DataType.FLOAT_VALUE, "N", 3, 8, 8);
        String y = b.relu(b.batchNorm(b.conv(x, 3, 4, 3, 1, 1), 4));
        b.output(Blocks.head(b, y, 4, 5));
        OnnxModel model = OnnxModel.fromBytes(b.bytes(), LoadOptions.defaults());
        Device d = TestDevices.get("cpu");
        float[] xs = BlockModelsTest.random(3 * 3 * 8 * 8, 9);
        try (CompiledModel one = model.compile(d); CompiledModel three = model.compile(d, CompileOptions.defaults().withBatch(3))) {
            assertEquals(3, three.inputs().get(0).dims()[0]);
            assertArrayEquals(new long[] {3, 5}, three.outputs().get(0).dims());
            float[] all = run(three, xs);
            for (int s = 0; s < 3; s++) {
                float[] single = run(one, Arrays.copyOfRange(xs, s * 192, (s + 1) * 192));
                assertTrue(Compare.error(Arrays.copyOfRange(all, s * 5, (s + 1) * 5), single) <= 1e-6, "sample " + s);
            }
            try (Tensor t = d.zeros(Shape.of(1, 3, 8, 8))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> three.run(Map.of("x", t)));
                assertTrue(e.getMessage().contains("expected shape [3, 3, 8, 8], got [1, 3, 8, 8]"), e.getMessage());
            }
        }
    }

    /** What no Device call expresses is refused at compile, naming node, op, opset and reason, and nothing stays allocated. */
    @Test
    void anInexpressibleNodeIsRefusedAtCompileAndFreesEverything() {
        OnnxBuilder b = new OnnxBuilder(13, 2);
        String x = b.input("x", 2, 4, 6);
        String y = b.relu(b.conv(b.node("Reshape", List.of(x, b.int64s("s", 1, 2, 4, 6))), 2, 2, 1, 1, 0));
        b.output(b.node("MatMul", List.of(b.node("Reshape", List.of(y, b.int64s("t", 2, 4, 6))),
                b.node("Transpose", List.of(x), OnnxBuilder.ints("perm", 0, 2, 1)))));
        OnnxModel model = OnnxModel.fromBytes(b.bytes(), LoadOptions.defaults());
        Device d = TestDevices.get("cpu");
        long live = d.memory().liveTensors();
        OnnxModelException e = assertThrows(OnnxModelException.class, () -> model.compile(d));
        assertTrue(e.getMessage().startsWith("node 'MatMul_"), e.getMessage());
        assertTrue(e.getMessage().contains("(MatMul, opset 13): the right side must be a constant"), e.getMessage());
        assertEquals(live, d.memory().liveTensors(), "tensors left behind by a refused compile");
    }

    /** run() names a missing, unknown or misshapen input; outputs belong to the caller; a closed model refuses to run. */
    @Test
    void runChecksItsArgumentsAndHandsOutputsOver() {
        OnnxModel model = OnnxModel.fromBytes(TestModels.resnet(1).bytes(), LoadOptions.defaults());
        Device d = TestDevices.get("cpu");
        CompiledModel m = model.compile(d);
        try (Tensor x = d.zeros(Shape.of(1, 3, 16, 16)); Tensor bad = d.zeros(Shape.of(1, 3, 16, 15))) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> m.run(Map.of()))
                    .getMessage().contains("input 'x' is missing"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> m.run(Map.of("x", x, "z", x)))
                    .getMessage().contains("no input 'z'"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> m.run(Map.of("x", bad)))
                    .getMessage().contains("expected shape [1, 3, 16, 16], got [1, 3, 16, 15]"));
            Tensor first = m.run(Map.of("x", x)).values().iterator().next();
            float[] a = first.toArray();
            try (Tensor second = m.run(Map.of("x", x)).values().iterator().next()) {
                assertArrayEquals(a, second.toArray());
                assertFalse(first.isClosed());
            }
            first.close();
            m.close();
            assertThrows(IllegalStateException.class, () -> m.run(Map.of("x", x)));
        }
    }

    /** profile runs exactly like run and adds a non-negative time per launch, accumulating over runs. */
    @Test
    void profileRunsLikeRunAndTimesEveryLaunch() {
        OnnxModel model = OnnxModel.fromBytes(TestModels.resnet(1).bytes(), LoadOptions.defaults());
        Device d = TestDevices.get("cpu");
        float[] xs = BlockModelsTest.random(3 * 16 * 16, 4);
        try (CompiledModel m = model.compile(d); Tensor x = d.upload(Shape.of(1, 3, 16, 16), xs)) {
            float[] expected = run(m, xs);
            double[] ms = new double[m.launches().size()];
            for (int i = 0; i < 2; i++) {
                try (Tensor y = m.profile(Map.of("x", x), ms).values().iterator().next()) {
                    assertArrayEquals(expected, y.toArray());
                }
            }
            assertTrue(Arrays.stream(ms).allMatch(t -> t >= 0) && Arrays.stream(ms).sum() > 0, Arrays.toString(ms));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> m.profile(Map.of("x", x), new double[1]))
                    .getMessage().contains("1 times for " + ms.length + " launches"));
        }
    }
}
