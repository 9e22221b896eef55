package io.jdnn.onnx;

import io.jdnn.BinaryOp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The lowering rule of every op the runner supports, by op type (ONNX's default domain). */
final class Lowerings {
    /** Lowers one node: adds its steps and binds its outputs, or refuses naming the reason. */
    interface Rule {
        void lower(Lowerer l);
    }

    private static final Map<String, Rule> RULES = new LinkedHashMap<>();

    static {
        RULES.put("Conv", l -> ConvLowering.conv(l, false));
        RULES.put("ConvTranspose", l -> ConvLowering.conv(l, true));
        RULES.put("MaxPool", l -> ConvLowering.pool(l, true));
        RULES.put("AveragePool", l -> ConvLowering.pool(l, false));
        RULES.put("GlobalAveragePool", l -> ConvLowering.globalPool(l, false));
        RULES.put("GlobalMaxPool", l -> ConvLowering.globalPool(l, true));
        RULES.put("BatchNormalization", ConvLowering::batchNorm);
        RULES.put("InstanceNormalization", NormLowering::instanceNorm);
        RULES.put("LayerNormalization", NormLowering::layerNorm);
        RULES.put("GroupNormalization", NormLowering::groupNorm);
        RULES.put("LRN", NormLowering::lrn);
        RULES.put("Relu", ElementwiseLowering::single);
        RULES.put("LeakyRelu", ElementwiseLowering::single);
        RULES.put("PRelu", ElementwiseLowering::prelu);
        RULES.put("Elu", ElementwiseLowering::single);
        RULES.put("Selu", ElementwiseLowering::selu);
        RULES.put("Sigmoid", ElementwiseLowering::single);
        RULES.put("Tanh", ElementwiseLowering::single);
        RULES.put("HardSigmoid", ElementwiseLowering::hardSigmoid);
        RULES.put("HardSwish", ElementwiseLowering::single);
        RULES.put("Clip", ElementwiseLowering::clip);
        RULES.put("Softplus", ElementwiseLowering::single);
        RULES.put("Gelu", ElementwiseLowering::single);
        RULES.put("Softmax", l -> NormLowering.softmax(l, false));
        RULES.put("LogSoftmax", l -> NormLowering.softmax(l, true));
        RULES.put("Gemm", LinearLowering::gemm);
        RULES.put("MatMul", LinearLowering::matMul);
        RULES.put("Add", l -> ElementwiseLowering.binary(l, BinaryOp.ADD));
        RULES.put("Sub", l -> ElementwiseLowering.binary(l, BinaryOp.SUB));
        RULES.put("Mul", l -> ElementwiseLowering.binary(l, BinaryOp.MUL));
        RULES.put("Div", l -> ElementwiseLowering.binary(l, BinaryOp.DIV));
        RULES.put("Sum", l -> ElementwiseLowering.variadic(l, BinaryOp.ADD, false));
        RULES.put("Mean", l -> ElementwiseLowering.variadic(l, BinaryOp.ADD, true));
        RULES.put("Max", l -> ElementwiseLowering.variadic(l, BinaryOp.MAXIMUM, false));
        RULES.put("Min", l -> ElementwiseLowering.variadic(l, BinaryOp.MINIMUM, false));
        RULES.put("Concat", ShapeLowering::concat);
        RULES.put("Split", ShapeLowering::split);
        RULES.put("Slice", SliceLowering::slice);
        RULES.put("Reshape", ShapeLowering::view);
        RULES.put("Flatten", ShapeLowering::view);
        RULES.put("Transpose", ShapeLowering::transpose);
        RULES.put("Squeeze", ShapeLowering::view);
        RULES.put("Unsqueeze", ShapeLowering::view);
        RULES.put("Pad", ResampleLowering::pad);
        RULES.put("Resize", ResampleLowering::resize);
        RULES.put("Upsample", ResampleLowering::resize);
        RULES.put("DepthToSpace", ResampleLowering::depthToSpace);
        RULES.put("SpaceToDepth", ResampleLowering::spaceToDepth);
        RULES.put("Dropout", ElementwiseLowering::rename);
        RULES.put("Identity", ElementwiseLowering::rename);
        RULES.put("Cast", ElementwiseLowering::rename);
        RULES.put("Constant", SliceLowering::constant);
        RULES.put("ConstantOfShape", SliceLowering::constantOfShape);
        RULES.put("Shape", SliceLowering::shape);
        RULES.put("Gather", SliceLowering::gather);
        RULES.put("ReduceMean", NormLowering::reduceMean);
    }

    private Lowerings() {
    }

    static Rule get(String opType) {
        return RULES.get(opType);
    }

    /** The op types the runner lowers. */
    static Set<String> ops() {
        return Collections.unmodifiableSet(RULES.keySet());
    }
}
