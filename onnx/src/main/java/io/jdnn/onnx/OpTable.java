package io.jdnn.onnx;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The ops of ONNX's default domain that jdnn loads, each with the first opset that defines it and
 * its shape rule (which also checks its attributes per opset).
 */
final class OpTable {
    /** The oldest and newest default-domain opsets jdnn loads. */
    static final int MIN_OPSET = 7;
    static final int MAX_OPSET = 21;

    record Op(String name, int since, Consumer<InferContext> rule) {
    }

    private static final Map<String, Op> OPS = new LinkedHashMap<>();

    static {
        add("Conv", 1, ConvPoolRules::conv);
        add("ConvTranspose", 1, ConvPoolRules::convTranspose);
        add("MaxPool", 1, ConvPoolRules::maxPool);
        add("AveragePool", 1, ConvPoolRules::averagePool);
        add("GlobalAveragePool", 1, ConvPoolRules::globalPool);
        add("GlobalMaxPool", 1, ConvPoolRules::globalPool);
        add("BatchNormalization", 1, NormLinearRules::batchNorm);
        add("InstanceNormalization", 1, NormLinearRules::instanceNorm);
        add("LayerNormalization", 17, NormLinearRules::layerNorm);
        add("GroupNormalization", 18, NormLinearRules::groupNorm);
        add("LRN", 1, NormLinearRules::lrn);
        add("Relu", 1, ElementwiseRules::unary);
        add("LeakyRelu", 1, ElementwiseRules::unary);
        add("PRelu", 1, ElementwiseRules::prelu);
        add("Elu", 1, ElementwiseRules::unary);
        add("Selu", 1, ElementwiseRules::unary);
        add("Sigmoid", 1, ElementwiseRules::unary);
        add("Tanh", 1, ElementwiseRules::unary);
        add("HardSigmoid", 1, ElementwiseRules::unary);
        add("HardSwish", 14, ElementwiseRules::unary);
        add("Clip", 1, ElementwiseRules::clip);
        add("Softplus", 1, ElementwiseRules::unary);
        add("Gelu", 20, ElementwiseRules::gelu);
        add("Softmax", 1, ElementwiseRules::softmax);
        add("LogSoftmax", 1, ElementwiseRules::softmax);
        add("Gemm", 1, NormLinearRules::gemm);
        add("MatMul", 1, NormLinearRules::matMul);
        add("Add", 1, ElementwiseRules::add);
        add("Sub", 1, ElementwiseRules::sub);
        add("Mul", 1, ElementwiseRules::mul);
        add("Div", 1, ElementwiseRules::div);
        add("Sum", 1, ElementwiseRules::sum);
        add("Max", 1, ElementwiseRules::max);
        add("Min", 1, ElementwiseRules::min);
        add("Concat", 1, ShapeOpRules::concat);
        add("Split", 1, LayoutRules::split);
        add("Slice", 1, LayoutRules::slice);
        add("Reshape", 5, ShapeOpRules::reshape);
        add("Flatten", 1, LayoutRules::flatten);
        add("Transpose", 1, LayoutRules::transpose);
        add("Squeeze", 1, ShapeOpRules::squeeze);
        add("Unsqueeze", 1, ShapeOpRules::unsqueeze);
        add("Pad", 2, ResampleRules::pad);
        add("Resize", 10, ResampleRules::resize);
        add("Upsample", 7, ResampleRules::upsample);
        add("DepthToSpace", 1, ResampleRules::depthToSpace);
        add("SpaceToDepth", 1, ResampleRules::spaceToDepth);
        add("Dropout", 1, ElementwiseRules::dropout);
        add("Identity", 1, ElementwiseRules::identity);
        add("Constant", 1, ShapeOpRules::constant);
        add("ConstantOfShape", 9, ShapeOpRules::constantOfShape);
        add("Shape", 1, ShapeOpRules::shape);
        add("Gather", 1, ShapeOpRules::gather);
        add("Cast", 1, ElementwiseRules::cast);
        add("ReduceMean", 1, LayoutRules::reduceMean);
    }

    private OpTable() {
    }

    private static void add(String name, int since, Consumer<InferContext> rule) {
        OPS.put(name, new Op(name, since, rule));
    }

    /** The op named {@code opType}, or null when jdnn does not load it. */
    static Op get(String opType) {
        return OPS.get(opType);
    }

    /** Every supported op with the first opset that defines it, in the table's order. */
    static Map<String, Integer> supported() {
        Map<String, Integer> m = new LinkedHashMap<>();
        OPS.values().forEach(op -> m.put(op.name(), op.since()));
        return Collections.unmodifiableMap(m);
    }
}
