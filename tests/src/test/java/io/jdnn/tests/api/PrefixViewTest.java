package io.jdnn.tests.api;

import io.jdnn.Activation;
import io.jdnn.BatchNormProblem;
import io.jdnn.BinaryOp;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.GroupNormProblem;
import io.jdnn.InstanceNormProblem;
import io.jdnn.InterpolateProblem;
import io.jdnn.LayerNormProblem;
import io.jdnn.LinearProblem;
import io.jdnn.LrnProblem;
import io.jdnn.PadProblem;
import io.jdnn.PixelShuffleProblem;
import io.jdnn.PoolProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.tests.support.Backends;
import io.jdnn.tests.support.DevicesUnderTest;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link Tensor#prefixView}: on every device (the reference included), each op the ONNX runner
 * launches, run with its inputs and output as prefix views of larger buffers, writes exactly what
 * it writes into tensors of their own (bit for bit, same device) and leaves the buffers' tails
 * untouched.
 */
class PrefixViewTest {
    private static final float SENTINEL = 12345f;
    private static final int TAIL = 37;

    /** One op: reads its inputs, writes its output. */
    private record Op(String name, List<Shape> inputs, Shape output, BiConsumer<List<Tensor>, Tensor> run) {
    }

    private static List<Op> ops() {
        ConvProblem conv = ConvProblem.builder().batch(2).inChannels(3).size(7, 6).outChannels(4).kernel(3, 3)
                .padding(1, 1).build();
        PoolProblem max = PoolProblem.max().batch(2).channels(3).size(7, 6).kernel(3, 3).stride(2, 2).padding(1, 1).build();
        PoolProblem avg = PoolProblem.adaptiveAvg(2, 3, 7, 6, 1, 1);
        Shape x = Shape.of(2, 3, 7, 6);
        Shape row = Shape.of(6, 7);
        List<Op> ops = new ArrayList<>();
        ops.add(new Op("conv2d", List.of(x, conv.weightShape(), conv.biasShape()), conv.outputShape(), (in, y) ->
                in.get(0).device().conv2d(conv, in.get(0).device().autoAlgorithm(conv, ConvDirection.FORWARD),
                        in.get(0), in.get(1), in.get(2), y)));
        ops.add(new Op("maxpool", List.of(x), max.outputShape(), (in, y) -> in.get(0).device().pool(max, in.get(0), y)));
        ops.add(new Op("adaptiveavg", List.of(x), avg.outputShape(), (in, y) -> in.get(0).device().pool(avg, in.get(0), y)));
        ops.add(new Op("activation", List.of(x), x, (in, y) -> in.get(0).device().activation(Activation.elu(0.5), in.get(0), y)));
        ops.add(new Op("binary", List.of(x, Shape.of(3, 1, 6)), x, (in, y) ->
                in.get(0).device().binary(BinaryOp.DIV, in.get(0), in.get(1), y)));
        ops.add(new Op("axpby", List.of(x, x), x, (in, y) -> in.get(0).device().axpby(0.5, in.get(0), 2, in.get(1), y)));
        ops.add(new Op("copy", List.of(x), x, (in, y) -> in.get(0).device().copy(in.get(0), y)));
        ops.add(new Op("cat", List.of(x, Shape.of(2, 1, 7, 6)), Shape.of(2, 4, 7, 6), (in, y) ->
                in.get(0).device().cat(in, 1, y)));
        ops.add(new Op("split", List.of(x), Shape.of(2, 2, 7, 6), (in, y) -> {
            try (Tensor rest = in.get(0).device().allocate(Shape.of(2, 1, 7, 6))) {
                in.get(0).device().split(in.get(0), 1, List.of(y, rest));
            }
        }));
        ops.add(new Op("permute", List.of(x), Shape.of(6, 3, 2, 7), (in, y) ->
                in.get(0).device().permute(in.get(0), new int[] {3, 1, 0, 2}, y)));
        LinearProblem lin = new LinearProblem(6, 7, 5);
        ops.add(new Op("linear", List.of(row, lin.weightShape(), lin.biasShape()), lin.outputShape(), (in, y) ->
                in.get(0).device().linear(lin, in.get(0), in.get(1), in.get(2), y)));
        ops.add(new Op("softmax", List.of(row), row, (in, y) -> in.get(0).device().softmax(in.get(0), y)));
        ops.add(new Op("logSoftmax", List.of(row), row, (in, y) -> in.get(0).device().logSoftmax(in.get(0), y)));
        BatchNormProblem bn = new BatchNormProblem(2, 3, 7, 6, 1e-5, 0.1);
        Shape c = Shape.of(3);
        ops.add(new Op("batchNormInference", List.of(x, c, c, c, c), x, (in, y) -> {
            Device d = in.get(0).device();
            d.activation(Activation.sigmoid(), in.get(4), in.get(4)); // a positive variance
            d.batchNormInference(bn, in.get(0), in.get(1), in.get(2), in.get(3), in.get(4), y);
        }));
        LayerNormProblem ln = LayerNormProblem.of(6, 7);
        ops.add(new Op("layerNorm", List.of(row, Shape.of(7), Shape.of(7)), row, (in, y) ->
                copyInto(in.get(0).device().layerNorm(ln, in.get(0), in.get(1), in.get(2)), y)));
        GroupNormProblem gn = GroupNormProblem.of(2, 3, 7, 6, 3);
        ops.add(new Op("groupNorm", List.of(x, c, c), x, (in, y) ->
                copyInto(in.get(0).device().groupNorm(gn, in.get(0), in.get(1), in.get(2)), y)));
        InstanceNormProblem inorm = InstanceNormProblem.of(2, 3, 7, 6);
        ops.add(new Op("instanceNorm", List.of(x, c, c), x, (in, y) ->
                copyInto(in.get(0).device().instanceNorm(inorm, in.get(0), in.get(1), in.get(2)), y)));
        LrnProblem lrn = LrnProblem.of(2, 3, 7, 6, 3);
        ops.add(new Op("lrn", List.of(x), x, (in, y) -> in.get(0).device().localResponseNorm(lrn, in.get(0), y)));
        InterpolateProblem up = new InterpolateProblem(2, 3, 7, 6, 14, 12, InterpolateProblem.Mode.BILINEAR, false);
        ops.add(new Op("interpolate", List.of(x), up.outputShape(), (in, y) -> in.get(0).device().interpolate(up, in.get(0), y)));
        PixelShuffleProblem ps = PixelShuffleProblem.unshuffle(2, 3, 8, 6, 2);
        ops.add(new Op("pixelUnshuffle", List.of(ps.inputShape()), ps.outputShape(), (in, y) ->
                in.get(0).device().pixelShuffle(ps, in.get(0), y)));
        PadProblem pad = PadProblem.of(2, 3, 7, 6, new int[] {1, 2, 0, 3}, PadProblem.Mode.REFLECT, 0);
        ops.add(new Op("pad", List.of(x), pad.outputShape(), (in, y) -> in.get(0).device().pad(pad, in.get(0), y)));
        ops.add(new Op("prelu", List.of(x, c), x, (in, y) -> in.get(0).device().prelu(in.get(0), in.get(1), y)));
        ops.add(new Op("fill", List.of(), x, (in, y) -> y.device().fill(y, 0.25f)));
        ops.add(new Op("poolBackward", List.of(x, max.outputShape()), x, (in, y) ->
                in.get(0).device().poolBackward(max, in.get(0), in.get(1), y)));
        ops.add(new Op("conv2dBackwardFilter", List.of(x, conv.outputShape()), conv.weightShape(), (in, y) ->
                in.get(0).device().conv2dBackwardFilter(conv, ConvAlgorithm.DIRECT, in.get(0), in.get(1), y)));
        io.jdnn.UnpoolProblem unpool = io.jdnn.UnpoolProblem.inverseOf(max);
        ops.add(new Op("maxUnpool", List.of(max.inputShape()), unpool.outputShape(), (in, y) -> {
            Device d = in.get(0).device();
            try (Tensor pooled = d.allocate(max.outputShape()); Tensor idx = d.allocate(max.outputShape())) {
                d.maxPoolWithIndices(max, in.get(0), pooled, idx);
                d.maxUnpool(unpool, pooled, idx, y);
            }
        }));
        ops.add(new Op("binaryBackward", List.of(x, Shape.of(3, 1, 6), x), Shape.of(3, 1, 6), (in, y) ->
                in.get(0).device().binaryBackward(BinaryOp.MUL, in.get(0), in.get(1), in.get(2), null, y)));
        // matmul: a stack times one matrix (one GEMM on the fast backends) and a batch times a broadcast batch
        ops.add(new Op("matmulStacked", List.of(x, Shape.of(6, 5)), Shape.of(2, 3, 7, 5), (in, y) ->
                in.get(0).device().matmul(in.get(0), in.get(1), y)));
        ops.add(new Op("matmul", List.of(x, Shape.of(3, 6, 5)), Shape.of(2, 3, 7, 5), (in, y) ->
                in.get(0).device().matmul(in.get(0), in.get(1), y)));
        ops.add(new Op("matmulBackward", List.of(x, Shape.of(3, 6, 5), Shape.of(2, 3, 7, 5)), Shape.of(3, 6, 5),
                (in, y) -> in.get(0).device().matmulBackward(in.get(0), in.get(1), in.get(2), null, y)));
        return ops;
    }

    private static void copyInto(Tensor result, Tensor y) {
        try (result) {
            result.device().copy(result, y);
        }
    }

    @TestFactory
    List<DynamicTest> everyOpWritesOnlyItsView() {
        List<DevicesUnderTest.Target> targets = new ArrayList<>(DevicesUnderTest.targets());
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("reference", () -> check(DevicesUnderTest.reference())));
        for (DevicesUnderTest.Target t : targets) {
            tests.add(DynamicTest.dynamicTest(t.describe(), () -> {
                if (!t.available()) {
                    Backends.skipOrFail(t);
                }
                check(Backends.device(t));
            }));
        }
        return tests;
    }

    private static void check(Device d) {
        for (Op op : ops()) {
            Random r = new Random(op.name().hashCode());
            List<float[]> data = new ArrayList<>();
            for (Shape s : op.inputs()) {
                float[] v = new float[(int) s.elements()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) r.nextGaussian();
                }
                data.add(v);
            }
            float[] expected = runWith(d, op, data, false);
            float[] viewed = runWith(d, op, data, true);
            int n = (int) op.output().elements();
            float[] head = java.util.Arrays.copyOf(viewed, n);
            assertArrayEquals(expected, head, op.name() + " on " + d.spec() + ": the view's elements");
            for (int i = n; i < viewed.length; i++) {
                assertEquals(SENTINEL, viewed[i], op.name() + " on " + d.spec() + ": element " + i + " past the view");
            }
        }
    }

    /** The op's output, or with {@code prefix} the whole buffer its prefix view lies in. */
    private static float[] runWith(Device d, Op op, List<float[]> data, boolean prefix) {
        List<Tensor> owned = new ArrayList<>();
        try {
            List<Tensor> in = new ArrayList<>();
            for (int i = 0; i < data.size(); i++) {
                Shape s = op.inputs().get(i);
                Tensor t = prefix ? d.full(Shape.of((int) s.elements() + TAIL), SENTINEL) : d.allocate(s);
                owned.add(t);
                Tensor v = prefix ? t.prefixView(s) : t;
                v.copyFrom(data.get(i));
                in.add(v);
            }
            Tensor out = prefix ? d.full(Shape.of((int) op.output().elements() + TAIL), SENTINEL) : d.allocate(op.output());
            owned.add(out);
            op.run().accept(in, prefix ? out.prefixView(op.output()) : out);
            return out.toArray();
        } finally {
            owned.forEach(Tensor::close);
        }
    }

    @org.junit.jupiter.api.Test
    void aPrefixViewIsNeverLargerThanItsTensor() {
        Device d = DevicesUnderTest.reference();
        try (Tensor t = d.zeros(Shape.of(2, 3))) {
            assertEquals(Shape.of(4), t.prefixView(Shape.of(4)).shape());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.prefixView(Shape.of(7)));
            DeviceValidationTest.assertMessage(e, "shape", "at most 6 elements", "[7]");
        }
    }
}
