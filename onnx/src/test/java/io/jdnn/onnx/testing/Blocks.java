package io.jdnn.onnx.testing;

import java.util.List;

import static io.jdnn.onnx.testing.OnnxBuilder.attr;
import static io.jdnn.onnx.testing.OnnxBuilder.ints;

/**
 * The building blocks of common CNNs, added to an {@link OnnxBuilder} with random weights. Each
 * takes the name and channel count of its NCHW input and returns the name of its output.
 */
public final class Blocks {
    private Blocks() {
    }

    /** ResNet's basic block: conv3x3-BN-ReLU-conv3x3-BN, plus the input, then ReLU. Keeps the channels. */
    public static String residual(OnnxBuilder b, String x, int channels) {
        String y = b.relu(b.batchNorm(b.conv(x, channels, channels, 3, 1, 1), channels));
        y = b.batchNorm(b.conv(y, channels, channels, 3, 1, 1), channels);
        return b.relu(b.add(y, x));
    }

    /**
     * An Inception (GoogLeNet) module: 1x1, 1x1-3x3, 1x1-5x5 and maxpool-1x1 branches concatenated
     * on the channels. Output channels: {@code 4 * branch}.
     */
    public static String inception(OnnxBuilder b, String x, int channels, int branch) {
        String b1 = b.relu(b.conv(x, channels, branch, 1, 1, 0));
        String b2 = b.relu(b.conv(b.relu(b.conv(x, channels, branch, 1, 1, 0)), branch, branch, 3, 1, 1));
        String b3 = b.relu(b.conv(b.relu(b.conv(x, channels, branch, 1, 1, 0)), branch, branch, 5, 1, 2));
        String b4 = b.relu(b.conv(b.maxPool(x, 3, 1, 1), channels, branch, 1, 1, 0));
        return b.concat(1, b1, b2, b3, b4);
    }

    /**
     * A DenseNet block: {@code layers} times BN-ReLU-conv3x3 producing {@code growth} channels,
     * each concatenated to its input. Output channels: {@code channels + layers * growth}.
     */
    public static String dense(OnnxBuilder b, String x, int channels, int growth, int layers) {
        String y = x;
        int c = channels;
        for (int i = 0; i < layers; i++) {
            String z = b.conv(b.relu(b.batchNorm(y, c)), c, growth, 3, 1, 1);
            y = b.concat(1, y, z);
            c += growth;
        }
        return y;
    }

    /**
     * MobileNetV2's inverted residual: 1x1 expansion by {@code expand} with ReLU6, 3x3 depthwise
     * with stride, 1x1 projection to {@code out}; the input is added back when stride is 1 and the
     * channels match.
     */
    public static String invertedResidual(OnnxBuilder b, String x, int in, int out, int expand, int stride) {
        int hidden = in * expand;
        String y = b.relu6(b.batchNorm(b.conv(x, in, hidden, 1, 1, 0), hidden));
        y = b.relu6(b.batchNorm(b.conv(y, hidden, hidden, 3, stride, 1, hidden), hidden));
        y = b.batchNorm(b.conv(y, hidden, out, 1, 1, 0), out);
        return stride == 1 && in == out ? b.add(y, x) : y;
    }

    /**
     * ShuffleNet's channel shuffle on an (N, C, H, W) input: Reshape to (N, g, C/g, H, W),
     * Transpose to (N, C/g, g, H, W), Reshape back (the shapes are constants; 0 copies N).
     */
    public static String channelShuffle(OnnxBuilder b, String x, int channels, int groups, int h, int w) {
        String s1 = b.int64s(b.fresh("shuffle_shape"), 0, groups, channels / groups, h, w);
        String y = b.node("Reshape", List.of(x, s1));
        y = b.node("Transpose", List.of(y), ints("perm", 0, 2, 1, 3, 4));
        String s2 = b.int64s(b.fresh("shuffle_shape"), 0, -1, h, w);
        return b.node("Reshape", List.of(y, s2));
    }

    /** A ShuffleNet unit (stride 1): grouped 1x1, shuffle, depthwise 3x3, grouped 1x1, add, ReLU. */
    public static String shuffleUnit(OnnxBuilder b, String x, int channels, int groups, int h, int w) {
        String y = b.relu(b.batchNorm(b.conv(x, channels, channels, 1, 1, 0, groups), channels));
        y = channelShuffle(b, y, channels, groups, h, w);
        y = b.batchNorm(b.conv(y, channels, channels, 3, 1, 1, channels), channels);
        y = b.batchNorm(b.conv(y, channels, channels, 1, 1, 0, groups), channels);
        return b.relu(b.add(y, x));
    }

    /** A classifier head: global average pooling, flatten, Gemm to {@code classes}, Softmax. */
    public static String head(OnnxBuilder b, String x, int channels, int classes) {
        String y = b.gemm(b.flatten(b.globalAvgPool(x)), channels, classes);
        return b.node("Softmax", List.of(y), attr("axis", 1L));
    }
}
