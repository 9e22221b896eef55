package io.jdnn.onnx;

import io.jdnn.Activation;
import io.jdnn.Shape;
import io.jdnn.nn.BatchNorm2d;
import io.jdnn.nn.ConvLayer;
import io.jdnn.nn.ConvSettings;
import io.jdnn.nn.Init;
import io.jdnn.nn.InstanceNorm;
import io.jdnn.nn.LayerNorm;
import io.jdnn.nn.Linear;
import io.jdnn.nn.PRelu;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The training rule of every op that has a backward pass in jdnn: the {@code nn} layer (or
 * {@link TrainStep}) a node runs as, its weights loaded from the initializers. A rule refuses an
 * attribute value the layer cannot express, naming it; a rule returning null makes the node an
 * alias of its input (Identity, Dropout in training-free form).
 */
final class TrainRules {
    /** Makes one node's step, or null for a pass-through. */
    interface Rule {
        TrainStep make(TrainCompiler c, Node n);
    }

    private static final Map<String, Rule> RULES = new LinkedHashMap<>();

    static {
        RULES.put("Conv", (c, n) -> conv(c, n, false));
        RULES.put("ConvTranspose", (c, n) -> conv(c, n, true));
        RULES.put("MaxPool", (c, n) -> pool(c, n, true));
        RULES.put("AveragePool", (c, n) -> pool(c, n, false));
        RULES.put("GlobalAveragePool", (c, n) -> c.layer(n, c.layers.globalAvgPool2d()));
        RULES.put("BatchNormalization", TrainRules::batchNorm);
        RULES.put("InstanceNormalization", TrainRules::instanceNorm);
        RULES.put("LayerNormalization", TrainRules::layerNorm);
        RULES.put("LRN", TrainRules::lrn);
        RULES.put("Relu", (c, n) -> act(c, n, Activation.relu()));
        RULES.put("LeakyRelu", (c, n) -> act(c, n, Activation.leakyRelu(n.getFloat("alpha", 0.01f))));
        RULES.put("Elu", (c, n) -> act(c, n, Activation.elu(n.getFloat("alpha", 1f))));
        RULES.put("Sigmoid", (c, n) -> act(c, n, Activation.sigmoid()));
        RULES.put("Tanh", (c, n) -> act(c, n, Activation.tanh()));
        RULES.put("HardSwish", (c, n) -> act(c, n, Activation.hardswish()));
        RULES.put("HardSigmoid", TrainRules::hardSigmoid);
        RULES.put("Softplus", (c, n) -> act(c, n, Activation.softplus(1, Activation.SOFTPLUS_THRESHOLD)));
        RULES.put("Gelu", (c, n) -> act(c, n, n.getString("approximate", "none").equals("tanh") ? Activation.geluTanh()
                : Activation.gelu()));
        RULES.put("Clip", TrainRules::clip);
        RULES.put("PRelu", TrainRules::prelu);
        RULES.put("Gemm", TrainRules::gemm);
        RULES.put("Flatten", TrainRules::flatten);
        RULES.put("Reshape", (c, n) -> new TrainStep.Reshape(n, n.input(0), c.shape(n.output(0))));
        RULES.put("Add", TrainRules::add);
        RULES.put("Concat", TrainRules::concat);
        RULES.put("DepthToSpace", TrainRules::depthToSpace);
        RULES.put("LogSoftmax", TrainRules::logSoftmax);
        RULES.put("Identity", (c, n) -> null);
        RULES.put("Dropout", (c, n) -> null);
    }

    private TrainRules() {
    }

    static Rule get(String opType) {
        return RULES.get(opType);
    }

    /** The op types that train. */
    static Set<String> ops() {
        return Collections.unmodifiableSet(RULES.keySet());
    }

    private static TrainStep conv(TrainCompiler c, Node n, boolean transposed) {
        Shape x = rank4(c, n);
        ConstantTensor w = c.constant(n, 1, "weight");
        long[] wd = w.info().dims();
        if (wd.length != 4) {
            throw OnnxModelException.of(n, "weight " + Arrays.toString(wd) + ": training runs 2-D convolutions only");
        }
        requireExplicitPads(n);
        int groups = (int) n.getInt("group", 1);
        int out = (int) (transposed ? wd[1] * groups : wd[0]);
        int[] k = {(int) wd[2], (int) wd[3]};
        int[] s = ints(n, "strides", 2, 1);
        int[] d = ints(n, "dilations", 2, 1);
        int[] p = ints(n, "pads", 4, 0);
        int[] op = ints(n, "output_padding", 2, 0);
        if (d[0] != d[1] || op[0] != op[1] || n.has("output_shape")) {
            throw OnnxModelException.of(n, "dilations " + Arrays.toString(d) + ", output_padding " + Arrays.toString(op)
                    + (n.has("output_shape") ? " and output_shape" : "") + ": training takes equal values on both axes "
                    + "and no output_shape");
        }
        ConvSettings.Builder<? extends ConvLayer> b = transposed ? c.layers.convTranspose2d(x.dim(1), out)
                : c.layers.conv2d(x.dim(1), out);
        ConvLayer layer = b.kernel(k[0], k[1]).stride(s[0], s[1]).padding(p[0], p[1], p[2], p[3]).dilation(d[0])
                .groups(groups).outputPadding(op[0]).bias(n.hasInput(2)).init(Init.constant(0)).build();
        return c.layer(n, layer, layer.weight(), layer.bias());
    }

    private static TrainStep pool(TrainCompiler c, Node n, boolean max) {
        rank4(c, n);
        requireExplicitPads(n);
        int[] k = ints(n, "kernel_shape", 2, 1);
        int[] s = ints(n, "strides", 2, 1);
        int[] p = ints(n, "pads", 4, 0);
        boolean padded = p[0] + p[1] + p[2] + p[3] > 0;
        boolean countPad = n.getInt("count_include_pad", 0) != 0;
        if (k[0] != k[1] || s[0] != s[1] || p[0] != p[1] || p[0] != p[2] || p[0] != p[3]
                || n.getInt("ceil_mode", 0) != 0 || !Arrays.equals(ints(n, "dilations", 2, 1), new int[] {1, 1})
                || (!max && padded && !countPad)) {
            throw OnnxModelException.of(n, "training pools with square windows, equal strides and pads, no dilation, "
                    + "floor mode" + (max ? "" : " and padding counted in the average"));
        }
        return c.layer(n, max ? c.layers.maxPool2d(k[0], s[0], p[0]) : c.layers.avgPool2d(k[0], s[0], p[0]));
    }

    private static TrainStep batchNorm(TrainCompiler c, Node n) {
        Shape x = rank4(c, n);
        if (n.getInt("training_mode", 0) != 0 || n.outputs().stream().skip(1).anyMatch(o -> !o.isEmpty())) {
            throw OnnxModelException.of(n, "training takes the inference form of BatchNormalization (one output)");
        }
        double eps = n.getFloat("epsilon", 1e-5f);
        double momentum = n.getFloat("momentum", 0.9f);
        BatchNorm2d bn = c.layers.batchNorm2d(x.dim(1), eps, 1 - momentum);
        TrainStep step = c.layer(n, bn, bn.gamma(), bn.beta());
        c.loadBuffer(n, 3, bn.runningMean());
        c.loadBuffer(n, 4, bn.runningVar());
        return step;
    }

    private static TrainStep instanceNorm(TrainCompiler c, Node n) {
        InstanceNorm layer = c.layers.instanceNorm(c.shape(n.input(0)).dim(1), n.getFloat("epsilon", 1e-5f));
        return c.layer(n, layer, layer.weight(), layer.bias());
    }

    private static TrainStep layerNorm(TrainCompiler c, Node n) {
        Shape x = c.shape(n.input(0));
        int axis = (int) n.getInt("axis", -1);
        axis = axis < 0 ? axis + x.rank() : axis;
        LayerNorm layer = c.layers.layerNorm(Shape.of(Arrays.copyOfRange(x.dims(), axis, x.rank())),
                n.getFloat("epsilon", 1e-5f));
        return c.layer(n, layer, layer.weight(), layer.bias());
    }

    private static TrainStep lrn(TrainCompiler c, Node n) {
        long size = n.requireInt("size");
        if (size % 2 == 0) {
            throw OnnxModelException.of(n, "size " + size + " is even: jdnn's window is PyTorch's, which differs there");
        }
        return c.layer(n, c.layers.localResponseNorm((int) size, n.getFloat("alpha", 1e-4f), n.getFloat("beta", 0.75f),
                n.getFloat("bias", 1f)));
    }

    private static TrainStep act(TrainCompiler c, Node n, Activation a) {
        return c.layer(n, c.layers.activation(a));
    }

    private static TrainStep hardSigmoid(TrainCompiler c, Node n) {
        if (Math.abs(n.getFloat("alpha", 0.2f) - 1.0 / 6) > 1e-7 || n.getFloat("beta", 0.5f) != 0.5f) {
            throw OnnxModelException.of(n, "training takes HardSigmoid with alpha 1/6 and beta 0.5 only (PyTorch's)");
        }
        return act(c, n, Activation.hardsigmoid());
    }

    private static TrainStep clip(TrainCompiler c, Node n) {
        double lo = n.opset() < 11 ? n.getFloat("min", Float.NEGATIVE_INFINITY)
                : n.hasInput(1) ? c.constant(n, 1, "min").doubleAt(0) : Double.NEGATIVE_INFINITY;
        double hi = n.opset() < 11 ? n.getFloat("max", Float.POSITIVE_INFINITY)
                : n.hasInput(2) ? c.constant(n, 2, "max").doubleAt(0) : Double.POSITIVE_INFINITY;
        if (lo == 0 && hi == 6) {
            return act(c, n, Activation.relu6());
        }
        if (lo == 0 && hi == Double.POSITIVE_INFINITY) {
            return act(c, n, Activation.relu());
        }
        throw OnnxModelException.of(n, "training takes Clip to [0, 6] or [0, inf) only, got [" + lo + ", " + hi + "]");
    }

    private static TrainStep prelu(TrainCompiler c, Node n) {
        int slopes = c.constant(n, 1, "slope").size();
        PRelu layer = c.layers.prelu(slopes, 0);
        return c.layer(n, layer, layer.weight(), null);
    }

    private static TrainStep gemm(TrainCompiler c, Node n) {
        Shape x = c.shape(n.input(0));
        long[] w = c.constant(n, 1, "B").info().dims();
        boolean transB = n.getInt("transB", 0) != 0;
        if (x.rank() != 2 || w.length != 2 || n.getInt("transA", 0) != 0 || n.getFloat("alpha", 1f) != 1
                || n.getFloat("beta", 1f) != 1 || !transB) {
            throw OnnxModelException.of(n, "training takes Gemm as a linear layer: 2-D input, transA 0, transB 1, alpha "
                    + "and beta 1");
        }
        Linear layer = c.layers.linear((int) w[1], (int) w[0], n.hasInput(2), Init.constant(0));
        return c.layer(n, layer, layer.weight(), layer.bias());
    }

    private static TrainStep flatten(TrainCompiler c, Node n) {
        if (n.getInt("axis", 1) != 1) {
            return new TrainStep.Reshape(n, n.input(0), c.shape(n.output(0)));
        }
        return c.layer(n, c.layers.flatten());
    }

    private static TrainStep add(TrainCompiler c, Node n) {
        if (!c.isVariable(n.input(0)) || !c.isVariable(n.input(1))
                || !c.shape(n.input(0)).equals(c.shape(n.input(1)))) {
            throw OnnxModelException.of(n, "training takes Add of two computed values of one shape (a residual sum)");
        }
        return new TrainStep.Add(n, c.device);
    }

    private static TrainStep concat(TrainCompiler c, Node n) {
        int rank = c.shape(n.input(0)).rank();
        long axis = n.requireInt("axis");
        if ((axis < 0 ? axis + rank : axis) != 1 || !n.inputs().stream().allMatch(c::isVariable)) {
            throw OnnxModelException.of(n, "training takes Concat of computed values along axis 1 only");
        }
        return new TrainStep.Concat(n, c.device);
    }

    private static TrainStep depthToSpace(TrainCompiler c, Node n) {
        if (!n.getString("mode", "DCR").equals("CRD")) {
            throw OnnxModelException.of(n, "training takes DepthToSpace in CRD mode (PyTorch's pixel shuffle) only");
        }
        return c.layer(n, c.layers.pixelShuffle((int) n.requireInt("blocksize")));
    }

    private static TrainStep logSoftmax(TrainCompiler c, Node n) {
        Shape x = c.shape(n.input(0));
        long axis = n.getInt("axis", n.opset() < 13 ? 1 : -1);
        if (x.rank() != 2 || (axis < 0 ? axis + 2 : axis) != 1) {
            throw OnnxModelException.of(n, "training takes LogSoftmax over the classes of (batch, classes) only");
        }
        return c.layer(n, c.layers.logSoftmax());
    }

    private static Shape rank4(TrainCompiler c, Node n) {
        Shape x = c.shape(n.input(0));
        if (x.rank() != 4) {
            throw OnnxModelException.of(n, "training takes (N, C, H, W) input here, got " + x);
        }
        return x;
    }

    private static void requireExplicitPads(Node n) {
        String autoPad = n.getString("auto_pad", "NOTSET");
        if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
            throw OnnxModelException.of(n, "auto_pad " + autoPad + ": training takes explicit pads");
        }
    }

    private static int[] ints(Node n, String attr, int count, int fill) {
        long[] v = n.getInts(attr, null);
        int[] out = new int[count];
        Arrays.fill(out, fill);
        if (v != null) {
            if (v.length != count) {
                throw OnnxModelException.of(n, attr + " " + Arrays.toString(v) + ": expected " + count + " values");
            }
            for (int i = 0; i < count; i++) {
                out[i] = Math.toIntExact(v[i]);
            }
        }
        return out;
    }
}
