package io.jdnn.onnx;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ErrorBounds;

import java.util.Map;

/**
 * The error bound of a node test: the loosest bound among its graph's ops, by the kind of
 * arithmetic each does, in jdnn's metric max |o - r| / max |r| (see {@link ErrorBounds}). The
 * expected outputs were computed by ONNX's NumPy reference, mostly in float32.
 */
final class NodeBounds {
    /** Ops that only move, pick or compare elements, or round once: results are exact. */
    static final double EXACT = 0;

    private static final Map<String, Double> BY_OP = Map.ofEntries(
            // data movement, max, comparisons, nearest resizing: exact
            Map.entry("Concat", EXACT), Map.entry("Split", EXACT), Map.entry("Slice", EXACT),
            Map.entry("Reshape", EXACT), Map.entry("Flatten", EXACT), Map.entry("Transpose", EXACT),
            Map.entry("Squeeze", EXACT), Map.entry("Unsqueeze", EXACT), Map.entry("Pad", EXACT),
            Map.entry("Identity", EXACT), Map.entry("Dropout", EXACT), Map.entry("Cast", EXACT),
            Map.entry("Gather", EXACT), Map.entry("DepthToSpace", EXACT), Map.entry("SpaceToDepth", EXACT),
            Map.entry("MaxPool", EXACT), Map.entry("GlobalMaxPool", EXACT), Map.entry("Max", EXACT),
            Map.entry("Min", EXACT), Map.entry("Relu", EXACT), Map.entry("Clip", EXACT),
            Map.entry("Constant", EXACT), Map.entry("ConstantOfShape", EXACT), Map.entry("Shape", EXACT),
            Map.entry("Upsample", EXACT),
            // one to a few rounded operations per element, float32 exp, tanh, erf (ErrorBounds.ELEMENTWISE)
            Map.entry("Add", ErrorBounds.ELEMENTWISE), Map.entry("Sub", ErrorBounds.ELEMENTWISE),
            Map.entry("Mul", ErrorBounds.ELEMENTWISE), Map.entry("Div", ErrorBounds.ELEMENTWISE),
            Map.entry("Sum", ErrorBounds.ELEMENTWISE), Map.entry("Mean", ErrorBounds.ELEMENTWISE),
            Map.entry("LeakyRelu", ErrorBounds.ELEMENTWISE), Map.entry("PRelu", ErrorBounds.ELEMENTWISE),
            Map.entry("Elu", ErrorBounds.ELEMENTWISE), Map.entry("Selu", ErrorBounds.ELEMENTWISE),
            Map.entry("Sigmoid", ErrorBounds.ELEMENTWISE), Map.entry("Tanh", ErrorBounds.ELEMENTWISE),
            Map.entry("HardSigmoid", ErrorBounds.ELEMENTWISE), Map.entry("HardSwish", ErrorBounds.ELEMENTWISE),
            Map.entry("Softplus", ErrorBounds.ELEMENTWISE), Map.entry("Gelu", ErrorBounds.ELEMENTWISE),
            // windows and rows summed in float32 (ErrorBounds.POOLING, SOFTMAX, REDUCTION, LRN)
            Map.entry("AveragePool", ErrorBounds.POOLING), Map.entry("GlobalAveragePool", ErrorBounds.POOLING),
            Map.entry("Resize", ErrorBounds.POOLING),
            Map.entry("ReduceMean", ErrorBounds.REDUCTION), Map.entry("Softmax", ErrorBounds.SOFTMAX),
            Map.entry("LogSoftmax", ErrorBounds.SOFTMAX), Map.entry("BatchNormalization", ErrorBounds.REDUCTION),
            Map.entry("InstanceNormalization", ErrorBounds.REDUCTION),
            Map.entry("LayerNormalization", ErrorBounds.REDUCTION),
            Map.entry("GroupNormalization", ErrorBounds.REDUCTION), Map.entry("LRN", ErrorBounds.LRN),
            // dot products: linear as GEMM; convolutions by whichever algorithm AUTO picks, Winograd's the loosest
            Map.entry("Gemm", ErrorBounds.GEMM), Map.entry("MatMul", ErrorBounds.GEMM),
            Map.entry("Conv", ConvAlgorithm.WINOGRAD.errorBound()),
            Map.entry("ConvTranspose", ConvAlgorithm.WINOGRAD.errorBound()));

    private NodeBounds() {
    }

    /** The loosest bound of the ops of {@code g}; an op without one gets the element-wise bound. */
    static double of(Graph g) {
        double b = EXACT;
        for (Node n : g.nodes()) {
            b = Math.max(b, BY_OP.getOrDefault(n.opType(), ErrorBounds.ELEMENTWISE));
        }
        return b;
    }
}
