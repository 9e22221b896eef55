package io.jdnn.onnx;

import io.jdnn.Activation;
import io.jdnn.BinaryOp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The lowering rule of every op the runner supports, by op type (ONNX's default domain). */
final class Rules {
    /** Lowers one node: adds its steps and binds its outputs, or refuses naming the reason. */
    interface Rule {
        void lower(Lowerer l);
    }

    private static final Map<String, Rule> RULES = new LinkedHashMap<>();

    static {
        RULES.put("Conv", l -> ConvRules.conv(l, false));
        RULES.put("ConvTranspose", l -> ConvRules.conv(l, true));
        RULES.put("MaxPool", l -> ConvRules.pool(l, true));
        RULES.put("AveragePool", l -> ConvRules.pool(l, false));
        RULES.put("GlobalAveragePool", l -> ConvRules.globalPool(l, false));
        RULES.put("GlobalMaxPool", l -> ConvRules.globalPool(l, true));
        RULES.put("BatchNormalization", ConvRules::batchNorm);
        RULES.put("InstanceNormalization", NormRules::instanceNorm);
        RULES.put("LayerNormalization", NormRules::layerNorm);
        RULES.put("GroupNormalization", NormRules::groupNorm);
        RULES.put("LRN", NormRules::lrn);
        RULES.put("Relu", l -> ElementwiseRules.activation(l, Activation.relu()));
        RULES.put("LeakyRelu", ElementwiseRules::leakyRelu);
        RULES.put("PRelu", ElementwiseRules::prelu);
        RULES.put("Elu", ElementwiseRules::elu);
        RULES.put("Selu", ElementwiseRules::selu);
        RULES.put("Sigmoid", l -> ElementwiseRules.activation(l, Activation.sigmoid()));
        RULES.put("Tanh", l -> ElementwiseRules.activation(l, Activation.tanh()));
        RULES.put("HardSigmoid", ElementwiseRules::hardSigmoid);
        RULES.put("HardSwish", l -> ElementwiseRules.activation(l, Activation.hardswish()));
        RULES.put("Clip", ElementwiseRules::clip);
        RULES.put("Softplus", ElementwiseRules::softplus);
        RULES.put("Gelu", ElementwiseRules::gelu);
        RULES.put("Softmax", l -> NormRules.softmax(l, false));
        RULES.put("LogSoftmax", l -> NormRules.softmax(l, true));
        RULES.put("Gemm", LinearRules::gemm);
        RULES.put("MatMul", LinearRules::matMul);
        RULES.put("Add", l -> ElementwiseRules.binary(l, BinaryOp.ADD));
        RULES.put("Sub", l -> ElementwiseRules.binary(l, BinaryOp.SUB));
        RULES.put("Mul", l -> ElementwiseRules.binary(l, BinaryOp.MUL));
        RULES.put("Div", l -> ElementwiseRules.binary(l, BinaryOp.DIV));
        RULES.put("Sum", l -> ElementwiseRules.variadic(l, BinaryOp.ADD, false));
        RULES.put("Mean", l -> ElementwiseRules.variadic(l, BinaryOp.ADD, true));
        RULES.put("Max", l -> ElementwiseRules.variadic(l, BinaryOp.MAXIMUM, false));
        RULES.put("Min", l -> ElementwiseRules.variadic(l, BinaryOp.MINIMUM, false));
        RULES.put("Concat", ShapeRules::concat);
        RULES.put("Split", ShapeRules::split);
        RULES.put("Slice", SliceRules::slice);
        RULES.put("Reshape", ShapeRules::reshape);
        RULES.put("Flatten", ShapeRules::flatten);
        RULES.put("Transpose", ShapeRules::transpose);
        RULES.put("Squeeze", ShapeRules::squeeze);
        RULES.put("Unsqueeze", ShapeRules::unsqueeze);
        RULES.put("Pad", ResampleRules::pad);
        RULES.put("Resize", ResampleRules::resize);
        RULES.put("Upsample", ResampleRules::resize);
        RULES.put("DepthToSpace", ResampleRules::depthToSpace);
        RULES.put("SpaceToDepth", ResampleRules::spaceToDepth);
        RULES.put("Dropout", ElementwiseRules::rename);
        RULES.put("Identity", ElementwiseRules::rename);
        RULES.put("Cast", ElementwiseRules::rename);
        RULES.put("Constant", SliceRules::constant);
        RULES.put("ConstantOfShape", SliceRules::constantOfShape);
        RULES.put("Shape", SliceRules::shape);
        RULES.put("Gather", SliceRules::gather);
        RULES.put("ReduceMean", NormRules::reduceMean);
    }

    private Rules() {
    }

    static Rule get(String opType) {
        return RULES.get(opType);
    }

    /** The op types the runner lowers. */
    static Set<String> ops() {
        return Collections.unmodifiableSet(RULES.keySet());
    }
}
