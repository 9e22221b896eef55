package io.jdnn.onnx.testing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

import static io.jdnn.onnx.testing.OnnxBuilder.attr;
import static io.jdnn.onnx.testing.OnnxBuilder.ints;

/**
 * Small whole networks built from {@link Blocks} with random weights, each ending in a classifier
 * head: ready-made models for loader, fuzz and runner tests. Input "x" is (1, 3, 16, 16)
 * unless said otherwise; output is the head's softmax.
 */
public final class TestModels {
    private TestModels() {
    }

    /** A stem conv and two residual blocks. */
    public static OnnxBuilder resnet(long seed) {
        OnnxBuilder b = new OnnxBuilder(13, seed);
        String x = b.input("x", 1, 3, 16, 16);
        String y = b.maxPool(b.relu(b.batchNorm(b.conv(x, 3, 8, 3, 1, 1), 8)), 2, 2, 0);
        y = Blocks.residual(b, Blocks.residual(b, y, 8), 8);
        b.output(Blocks.head(b, y, 8, 10));
        return b;
    }

    /** A stem conv and an Inception module (opset 11). */
    public static OnnxBuilder inception(long seed) {
        OnnxBuilder b = new OnnxBuilder(11, seed);
        String x = b.input("x", 1, 3, 16, 16);
        String y = b.relu(b.conv(x, 3, 8, 3, 2, 1));
        b.output(Blocks.head(b, Blocks.inception(b, y, 8, 4), 16, 10));
        return b;
    }

    /**
     * GoogLeNet's stem as the paper and Caffe's bvlc_googlenet have it, then an Inception module
     * (opset 10, input (1, 3, 32, 32)): conv 7x7/2, max pool 3x3/2 with ceil_mode (16 to 8, 7 when
     * flooring), LRN, conv 1x1, conv 3x3, LRN, max pool 3x3/2 with ceil_mode (8 to 4). The LRNs have
     * size 5, beta 0.75, bias 1 and alpha 0.5: Caffe's 1e-4 changes values of the scale of pixels
     * (hundreds); at these unit-scale activations 0.5 does, so the normalization is exercised.
     */
    public static OnnxBuilder googlenet(long seed) {
        OnnxBuilder b = new OnnxBuilder(10, seed);
        String x = b.input("x", 1, 3, 32, 32);
        String y = b.relu(b.conv(x, 3, 8, 7, 2, 3));
        y = lrn(b, ceilMaxPool(b, y));
        y = b.relu(b.conv(b.relu(b.conv(y, 8, 8, 1, 1, 0)), 8, 16, 3, 1, 1));
        y = ceilMaxPool(b, lrn(b, y));
        b.output(Blocks.head(b, Blocks.inception(b, y, 16, 4), 16, 10));
        return b;
    }

    private static String ceilMaxPool(OnnxBuilder b, String x) {
        return b.node("MaxPool", List.of(x), ints("kernel_shape", 3, 3), ints("strides", 2, 2), attr("ceil_mode", 1L));
    }

    private static String lrn(OnnxBuilder b, String x) {
        return b.node("LRN", List.of(x), attr("size", 5L), attr("alpha", 0.5f), attr("beta", 0.75f), attr("bias", 1f));
    }

    /** A stem conv and a dense block of three layers (opset 9). */
    public static OnnxBuilder densenet(long seed) {
        OnnxBuilder b = new OnnxBuilder(9, seed);
        String x = b.input("x", 1, 3, 16, 16);
        String y = b.conv(x, 3, 8, 3, 1, 1);
        b.output(Blocks.head(b, Blocks.dense(b, y, 8, 4, 3), 20, 10));
        return b;
    }

    /** A stem conv and two inverted residuals (the second with its skip), opset 17. */
    public static OnnxBuilder mobilenet(long seed) {
        OnnxBuilder b = new OnnxBuilder(17, seed);
        String x = b.input("x", 1, 3, 16, 16);
        String y = b.relu6(b.conv(x, 3, 8, 3, 2, 1));
        y = Blocks.invertedResidual(b, y, 8, 12, 4, 2);
        y = Blocks.invertedResidual(b, y, 12, 12, 4, 1);
        b.output(Blocks.head(b, y, 12, 10));
        return b;
    }

    /** A stem conv and a ShuffleNet unit with 2 groups (opset 13). */
    public static OnnxBuilder shufflenet(long seed) {
        OnnxBuilder b = new OnnxBuilder(13, seed);
        String x = b.input("x", 1, 3, 16, 16);
        String y = b.relu(b.conv(x, 3, 8, 3, 2, 1));
        b.output(Blocks.head(b, Blocks.shuffleUnit(b, y, 8, 2, 8, 8), 8, 10));
        return b;
    }

    /** Every model above by name. */
    public static Map<String, LongFunction<OnnxBuilder>> all() {
        Map<String, LongFunction<OnnxBuilder>> m = new LinkedHashMap<>();
        m.put("resnet", TestModels::resnet);
        m.put("inception", TestModels::inception);
        m.put("googlenet", TestModels::googlenet);
        m.put("densenet", TestModels::densenet);
        m.put("mobilenet", TestModels::mobilenet);
        m.put("shufflenet", TestModels::shufflenet);
        return m;
    }
}
