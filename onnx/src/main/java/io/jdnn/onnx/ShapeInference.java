package io.jdnn.onnx;

import java.util.List;
import java.util.Map;

/** Infers the type and extents of every node output, folding int64 shape subgraphs into constants. */
final class ShapeInference {
    private ShapeInference() {
    }

    static void infer(List<Node> nodes, Map<String, TensorInfo> values, Map<String, ConstantTensor> constants,
                      LoadOptions options) {
        // Filled in by the shape-inference step; until then node outputs carry no info.
    }
}
