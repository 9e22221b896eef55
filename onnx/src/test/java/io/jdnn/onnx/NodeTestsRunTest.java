package io.jdnn.onnx;

import io.jdnn.Device;
import io.jdnn.Tensor;
import io.jdnn.onnx.run.Compare;
import io.jdnn.onnx.run.TestDevices;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * ONNX's backend node tests of the claimed ops that load accepts ({@link NodeTestsTest}), each
 * compiled for reference, cpu, opencl and cuda (where present) and run on its test data: every output within the bound
 * of its ops ({@link NodeBounds}), or the compile refused as listed in node/refused-run.txt (with
 * the reason).
 */
class NodeTestsRunTest {

    static Map<String, String> refusedAtCompile() throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(NodeTestsTest.root().resolve("refused-run.txt"))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            m.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        return m;
    }

    @TestFactory
    List<DynamicTest> everyNodeTestRunsWithinItsBoundOrIsRefusedAsListed() throws Exception {
        Map<String, String> atLoad = NodeTestsTest.refused();
        Map<String, String> atCompile = refusedAtCompile();
        List<DynamicTest> tests = new ArrayList<>();
        for (String backend : TestDevices.BACKENDS) {
            if (TestDevices.unavailable(backend) != null) {
                tests.add(DynamicTest.dynamicTest(backend, () -> TestDevices.skipOrFail(backend)));
                continue;
            }
            for (Path dir : NodeTestsTest.tests()) {
                String name = dir.getFileName().toString();
                if (atLoad.containsKey(name)) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(name + " on " + backend, () -> check(dir, backend,
                        atCompile.get(name))));
            }
        }
        return tests;
    }

    private static void check(Path dir, String backend, String refusal) throws Exception {
        String name = dir.getFileName().toString();
        Device d = TestDevices.get(backend);
        OnnxModel m = NodeTestsTest.load(dir);
        if (refusal != null) {
            OnnxModelException e = assertThrows(OnnxModelException.class, () -> m.compile(d).close(), name);
            assertTrue(e.getMessage().contains(refusal), name + ": expected a refusal containing '" + refusal
                    + "', got: " + e.getMessage());
            return;
        }
        Path data = dir.resolve("test_data_set_0");
        Map<String, ConstantTensor> inputs = new HashMap<>();
        for (int k = 0; Files.exists(data.resolve("input_" + k + ".pb")); k++) {
            ConstantTensor t = OnnxTensors.read(data.resolve("input_" + k + ".pb"));
            inputs.put(t.name(), t);
        }
        double bound = NodeBounds.of(m.graph());
        List<Tensor> fed = new ArrayList<>();
        try (CompiledModel c = compile(m, d, name)) {
            Map<String, Tensor> feeds = new HashMap<>();
            for (TensorInfo in : c.inputs()) {
                ConstantTensor t = inputs.get(in.name());
                float[] v = floats(t, in);
                if (v.length == 1 && in.elementCount() > 1) {
                    // CastLike's 'like' (a type donor) has one element in ONNX's data but [3, 4] in the model
                    v = new float[(int) in.elementCount()];
                    java.util.Arrays.fill(v, floats(t, in)[0]);
                }
                Tensor x = d.upload(in.shape(), v);
                fed.add(x);
                feeds.put(in.name(), x);
            }
            Map<String, Tensor> out = c.run(feeds);
            List<TensorInfo> outs = c.outputs();
            for (int k = 0; k < outs.size(); k++) {
                ConstantTensor want = OnnxTensors.read(data.resolve("output_" + k + ".pb"));
                try (Tensor y = out.get(outs.get(k).name())) {
                    double err = Compare.error(y.toArray(), want.floats());
                    assertTrue(err <= bound, name + " on " + d.spec() + ": output " + k + " error " + err + " > "
                            + bound);
                }
            }
        } finally {
            fed.forEach(Tensor::close);
        }
    }

    private static CompiledModel compile(OnnxModel m, Device d, String name) {
        try {
            return m.compile(d);
        } catch (OnnxModelException e) {
            fail(name + " is refused at compile but not listed in refused-run.txt: " + e.getMessage());
            return null;
        }
    }

    @Test
    void everyListedRefusalNamesATestThatLoads() throws Exception {
        Map<String, String> atLoad = NodeTestsTest.refused();
        List<String> names = NodeTestsTest.tests().stream().map(p -> p.getFileName().toString()).toList();
        for (String listed : refusedAtCompile().keySet()) {
            assertTrue(names.contains(listed), "refused-run.txt lists " + listed + ", which is not a test");
            assertEquals(null, atLoad.get(listed), listed + " is refused at load already");
        }
    }

    /**
     * A test input's elements as floats: ONNX's older generators store BFLOAT16 data as the UINT16
     * bit patterns, which are widened here as BFLOAT16 is (the high half of a float32).
     */
    private static float[] floats(ConstantTensor t, TensorInfo declared) {
        if (t.isFloat()) {
            return t.floats();
        }
        if (declared.type() == DataType.BFLOAT16 && t.type() == DataType.UINT16) {
            float[] f = new float[t.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = Float.intBitsToFloat((int) t.longAt(i) << 16);
            }
            return f;
        }
        throw new IllegalStateException(t.info() + " fed to " + declared + " is not float data");
    }
}
