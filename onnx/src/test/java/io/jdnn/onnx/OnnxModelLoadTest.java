package io.jdnn.onnx;

import io.jdnn.onnx.testing.OnnxBuilder;
import io.jdnn.onnx.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxModelLoadTest {
    @Test
    void everyTestModelLoadsFromAFile(@TempDir Path dir) throws Exception {
        for (Map.Entry<String, LongFunction<OnnxBuilder>> e : TestModels.all().entrySet()) {
            OnnxBuilder b = e.getValue().apply(1);
            OnnxModel m = OnnxModel.load(b.write(dir.resolve(e.getKey() + ".onnx")));
            assertEquals(b.opset(), m.opset(), e.getKey());
            Graph g = m.graph();
            assertEquals(List.of("x"), g.inputs().stream().map(TensorInfo::name).toList(), e.getKey());
            assertEquals(b.model().getGraph().getNodeCount(), g.nodes().size(), e.getKey());
            assertTrue(g.parameterCount() > 0, e.getKey());
        }
    }
}
