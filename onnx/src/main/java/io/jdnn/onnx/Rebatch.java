package io.jdnn.onnx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A graph with every input's first extent set to a new batch size, its extents and folded shapes inferred again. */
final class Rebatch {
    private Rebatch() {
    }

    static Graph apply(Graph g, int batch, LoadOptions options) {
        List<TensorInfo> inputs = new ArrayList<>();
        Map<String, TensorInfo> values = new LinkedHashMap<>();
        boolean same = true;
        for (TensorInfo t : g.inputs()) {
            long[] d = t.dims();
            if (d.length == 0) {
                throw new OnnxModelException("input '" + t.name() + "' is a scalar: it has no batch extent to set");
            }
            same &= d[0] == batch;
            d[0] = batch;
            TensorInfo n = new TensorInfo(t.name(), t.type(), d);
            inputs.add(n);
            values.put(t.name(), n);
        }
        if (same) {
            return g;
        }
        Map<String, ConstantTensor> constants = new LinkedHashMap<>(g.initializers());
        for (ConstantTensor c : g.initializers().values()) {
            values.put(c.name(), c.info());
        }
        ShapeInference.infer(g.nodes(), values, constants, options);
        List<TensorInfo> outputs = new ArrayList<>();
        for (TensorInfo t : g.outputs()) {
            outputs.add(values.getOrDefault(t.name(), t));
        }
        return new Graph(g.name(), inputs, outputs, g.initializers(), g.nodes(), values, constants);
    }
}
