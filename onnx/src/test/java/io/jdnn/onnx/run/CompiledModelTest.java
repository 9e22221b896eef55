package io.jdnn.onnx.run;

import io.jdnn.Device;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.onnx.CompileOptions;
import io.jdnn.onnx.CompiledModel;
import io.jdnn.onnx.LoadOptions;
import io.jdnn.onnx.OnnxModel;
import io.jdnn.onnx.OnnxModelException;
import io.jdnn.onnx.internal.proto.AttributeProto;
import io.jdnn.onnx.internal.proto.TensorProto;
import io.jdnn.onnx.testing.Blocks;
import io.jdnn.onnx.testing.OnnxBuilder;
import io.jdnn.onnx.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
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
            try {
                return out.get(m.outputs().get(0).name()).toArray();
            } finally {
                out.values().forEach(Tensor::close); // the caller owns every output, not only the first
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

    /**
     * Conv (+ BatchNormalization) followed by an activation that nothing else reads: one conv2d
     * launch with the activation in its epilogue (fused on cpu, a second launch inside the call
     * elsewhere: the launch says which), the outputs ONNX Runtime's; where the conv's output is a
     * graph output too, the activation stays its own launch. HardSigmoid fuses only with
     * PyTorch's constants; Clip only to (0, inf) or (0, 6).
     */
    @Test
    void anActivationAfterAConvolutionIsFusedIntoIt() {
        List<String[]> cases = List.of(new String[] {"Relu"}, new String[] {"LeakyRelu", "alpha", "0.1"},
                new String[] {"Elu", "alpha", "0.5"}, new String[] {"Sigmoid"}, new String[] {"Tanh"},
                new String[] {"HardSwish"}, new String[] {"Softplus"},
                new String[] {"HardSigmoid", "alpha", String.valueOf((float) (1.0 / 6)), "beta", "0.5"},
                new String[] {"Clip"});
        for (String device : List.of("reference", "cpu")) {
            Device d = TestDevices.get(device);
            for (String[] c : cases) {
                for (boolean convOutputToo : new boolean[] {false, true}) {
                    OnnxBuilder b = new OnnxBuilder(14, 4);
                    String y = b.batchNorm(b.conv(b.input("x", 2, 3, 9, 9), 3, 5, 3, 1, 1), 5);
                    List<AttributeProto> attrs = new ArrayList<>();
                    for (int i = 1; i + 1 < c.length; i += 2) {
                        attrs.add(OnnxBuilder.attr(c[i], Float.parseFloat(c[i + 1])));
                    }
                    String act = c[0].equals("Clip") ? b.relu6(y)
                            : b.node(c[0], List.of(y), attrs.toArray(new AttributeProto[0]));
                    b.output(act);
                    if (convOutputToo) {
                        b.output(y);
                    }
                    OnnxModel model = OnnxModel.fromBytes(b.bytes(), LoadOptions.defaults());
                    float[] x = BlockModelsTest.random(2 * 3 * 9 * 9, 7);
                    try (CompiledModel m = model.compile(d)) {
                        String launches = String.join("\n", m.launches());
                        String what = c[0] + " on " + device + (convOutputToo ? ", conv output needed too" : "") + ":\n"
                                + launches;
                        assertEquals(!convOutputToo, launches.contains(device.equals("cpu") ? " fused)" : "as a second launch)"),
                                what);
                        // fused: the conv alone; not: the conv, then the activation (HardSigmoid's composition: 4)
                        assertEquals(convOutputToo ? (c[0].equals("HardSigmoid") ? 5 : 2) : 1, m.launches().size(), what);
                        float[] want = OrtRunner.run(b.bytes(), Map.of("x", new long[] {2, 3, 9, 9}), Map.of("x", x))
                                .get(model.graph().outputs().get(0).name());
                        double err = Compare.error(run(m, x), want);
                        assertTrue(err <= BlockModelsTest.BOUND, what + "\nerror " + err);
                    }
                }
            }
        }
    }

    /** A chain of 12 same-size convolutions (relu fused): the plan keeps two or three buffers where each activation would take one. */
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
            assertEquals(12 * one, mem.activationBytes(), mem.toString()); // each relu fused into its conv
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

    /** MatMul of two computed batched tensors runs as Device.matmul: x @ x^T per batch, against host loops. */
    @Test
    void aMatMulOfTwoComputedTensorsIsABatchedProduct() {
        OnnxBuilder b = new OnnxBuilder(13, 2);
        String x = b.input("x", 2, 4, 6);
        b.output(b.node("MatMul", List.of(x, b.node("Transpose", List.of(x), OnnxBuilder.ints("perm", 0, 2, 1)))));
        OnnxModel model = OnnxModel.fromBytes(b.bytes(), LoadOptions.defaults());
        Device d = TestDevices.get("cpu");
        float[] xs = new float[2 * 4 * 6];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (i * 7 % 11) / 4f - 1;
        }
        try (CompiledModel c = model.compile(d); Tensor in = d.upload(Shape.of(2, 4, 6), xs)) {
            Tensor y = c.run(Map.of("x", in)).values().iterator().next();
            assertEquals(Shape.of(2, 4, 4), y.shape());
            float[] got = y.toArray();
            for (int n = 0; n < 2; n++) {
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        double want = 0;
                        for (int k = 0; k < 6; k++) {
                            want += xs[n * 24 + i * 6 + k] * xs[n * 24 + j * 6 + k];
                        }
                        assertEquals(want, got[n * 16 + i * 4 + j], 1e-5, "y[" + n + "," + i + "," + j + "]");
                    }
                }
            }
            y.close();
        }
    }

    /** Gather of 2-D constant indices (consecutive ones, and repeated or negative ones) on a middle axis, against host loops. */
    @Test
    void aGatherOfAnIndexMatrixViewsTheGatheredRows() {
        long[][] cases = {{1, 2, 3, 4}, {4, -5, 0, 4}};
        for (long[] indices : cases) {
            OnnxBuilder b = new OnnxBuilder(13, 2);
            String x = b.input("x", 2, 5, 3);
            b.output(b.node("Gather", List.of(x, b.int64s("i", new long[] {2, 2}, indices)), OnnxBuilder.attr("axis", 1L)));
            OnnxModel model = OnnxModel.fromBytes(b.bytes(), LoadOptions.defaults());
            Device d = TestDevices.get("cpu");
            float[] xs = new float[2 * 5 * 3];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = i;
            }
            try (CompiledModel c = model.compile(d); Tensor in = d.upload(Shape.of(2, 5, 3), xs)) {
                Tensor y = c.run(Map.of("x", in)).values().iterator().next();
                assertEquals(Shape.of(2, 2, 2, 3), y.shape());
                float[] want = new float[2 * 4 * 3];
                for (int n = 0; n < 2; n++) {
                    for (int k = 0; k < 4; k++) {
                        int row = (int) (indices[k] < 0 ? indices[k] + 5 : indices[k]);
                        for (int j = 0; j < 3; j++) {
                            want[(n * 4 + k) * 3 + j] = xs[(n * 5 + row) * 3 + j];
                        }
                    }
                }
                assertArrayEquals(want, y.toArray(), Arrays.toString(indices));
                y.close();
            }
        }
    }

    /** What no Device call expresses is refused at compile, naming node, op, opset and reason, and nothing stays allocated. */
    @Test
    void anInexpressibleNodeIsRefusedAtCompileAndFreesEverything() {
        OnnxBuilder b = new OnnxBuilder(13, 2);
        String x = b.input("x", 2, 4, 6);
        String y = b.relu(b.conv(b.node("Reshape", List.of(x, b.int64s("s", 1, 2, 4, 6))), 2, 2, 1, 1, 0));
        // a reversing Slice (step -1): jdnn has no strided copy
        b.output(b.node("Slice", List.of(b.node("Reshape", List.of(y, b.int64s("t", 2, 4, 6))),
                b.int64s("starts", -1), b.int64s("ends", -1000), b.int64s("axes", 2), b.int64s("steps", -1))));
        OnnxModel model = OnnxModel.fromBytes(b.bytes(), LoadOptions.defaults());
        Device d = TestDevices.get("cpu");
        long live = d.memory().liveTensors();
        OnnxModelException e = assertThrows(OnnxModelException.class, () -> model.compile(d));
        assertTrue(e.getMessage().startsWith("node 'Slice_"), e.getMessage());
        assertTrue(e.getMessage().contains("(Slice, opset 13): step -1 is not supported"), e.getMessage());
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
