package io.jdnn.onnx;

import java.util.List;
import java.util.Map;

/**
 * Checks each node's domain, opset and op, then runs the op's shape rule ({@link OpTable}), in
 * topological order, so that every node output gets a type and extents, and the outputs of shape
 * subgraphs their elements.
 */
final class ShapeInference {
    private ShapeInference() {
    }

    static void infer(List<Node> nodes, Map<String, TensorInfo> values, Map<String, ConstantTensor> constants,
                      LoadOptions options) {
        for (Node n : nodes) {
            if (!n.domain().isEmpty()) {
                throw OnnxModelException.of(n, "domain '" + n.domain() + "' is not supported (only ONNX's default"
                        + " domain is)");
            }
            if (n.opset() < OpTable.MIN_OPSET || n.opset() > OpTable.MAX_OPSET) {
                throw OnnxModelException.of(n, "opset " + n.opset() + " is outside the supported range "
                        + OpTable.MIN_OPSET + " to " + OpTable.MAX_OPSET);
            }
            OpTable.Op op = OpTable.get(n.opType());
            if (op == null) {
                throw OnnxModelException.of(n, "op " + n.opType() + " is not supported");
            }
            if (n.opset() < op.since()) {
                throw OnnxModelException.of(n, n.opType() + " is defined from opset " + op.since() + " on");
            }
            try {
                op.rule().accept(new InferContext(n, values, constants, options));
            } catch (ArithmeticException e) {
                throw OnnxModelException.of(n, "extents overflow 64 bits");
            }
            for (int k = 0; k < n.outputs().size(); k++) {
                String out = n.output(k);
                if (!out.isEmpty() && !values.containsKey(out)) {
                    throw OnnxModelException.of(n, "output " + k + " ('" + out + "') is not supported");
                }
            }
        }
    }
}
