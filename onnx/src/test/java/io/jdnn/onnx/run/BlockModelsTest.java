package io.jdnn.onnx.run;

import io.jdnn.Device;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.onnx.CompiledModel;
import io.jdnn.onnx.LoadOptions;
import io.jdnn.onnx.OnnxModel;
import io.jdnn.onnx.TensorInfo;
import io.jdnn.onnx.testing.OnnxBuilder;
import io.jdnn.onnx.testing.TestModels;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The block models of {@link TestModels} (residual, Inception, dense, inverted-residual and
 * channel-shuffle blocks, and GoogLeNet's stem with LRNs, with random weights, each ending in a softmax head) compiled for
 * reference, cpu, opencl and cuda (where present), against ONNX Runtime's CPU provider on the same input.
 *
 * <p>Bound {@link #BOUND}: each model chains up to 9 float32 convolutions of at most 3*3*32 taps
 * (AUTO may pick Winograd or a GEMM algorithm: {@link io.jdnn.ConvAlgorithm#errorBound()} up to
 * 1e-4 on one layer's output, far less on these small layers), batch norms folded in float64 and rounded once, and a softmax
 * head; ONNX Runtime has its own float32 rounding. The softmax outputs are at most 1.
 */
class BlockModelsTest {
    static final double BOUND = 1e-5;

    @TestFactory
    List<DynamicTest> everyBlockModelMatchesOnnxRuntime() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String backend : TestDevices.BACKENDS) {
            if (TestDevices.unavailable(backend) != null) {
                tests.add(DynamicTest.dynamicTest(backend, () -> TestDevices.skipOrFail(backend)));
                continue;
            }
            for (String name : TestModels.all().keySet()) {
                tests.add(DynamicTest.dynamicTest(name + " on " + backend, () -> check(name, backend)));
            }
        }
        return tests;
    }

    private static void check(String name, String backend) {
        Device d = TestDevices.get(backend);
        OnnxBuilder b = TestModels.all().get(name).apply(7);
        byte[] bytes = b.bytes();
        OnnxModel model = OnnxModel.fromBytes(bytes, LoadOptions.defaults());
        TensorInfo in = model.graph().inputs().get(0);
        float[] x = random(in.elementCount(), 11);
        Map<String, float[]> want = OrtRunner.run(bytes, Map.of(in.name(), in.dims()), Map.of(in.name(), x));
        try (CompiledModel m = model.compile(d); Tensor t = d.upload(in.shape(), x)) {
            Map<String, Tensor> out = m.run(Map.of(in.name(), t));
            assertEquals(want.keySet(), out.keySet(), name + ": the outputs");
            for (Map.Entry<String, Tensor> e : out.entrySet()) {
                try (Tensor y = e.getValue()) {
                    double err = Compare.error(y.toArray(), want.get(e.getKey()));
                    assertTrue(err <= BOUND, name + " on " + d.spec() + ": output " + e.getKey() + " error " + err
                            + " > " + BOUND);
                }
            }
        }
    }

    static float[] random(long n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    static Shape shape(long[] dims) {
        int[] d = new int[dims.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = (int) dims[i];
        }
        return Shape.of(d);
    }
}
