package io.jdnn.onnx;

import io.jdnn.Activation;
import io.jdnn.BatchNormProblem;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvPlan;
import io.jdnn.ConvProblem;
import io.jdnn.PoolMode;
import io.jdnn.PoolProblem;

import java.util.List;

/**
 * Conv and ConvTranspose (bias in the call, a following inference BatchNormalization folded into
 * the weights, a following activation that nothing else reads fused into the call, the algorithm
 * planned once), the pools, and BatchNormalization on its own.
 */
final class ConvLowering {
    private ConvLowering() {
    }

    static void conv(Lowerer l, boolean transposed) {
        int rank = l.dims(0).length;
        ConvProblem p = transposed ? ConvPoolRules.convTransposeProblem(l.infer()) : ConvPoolRules.convProblem(l.infer());
        int out = p.outChannels();
        Value w = l.in(1);
        Value bias = l.has(2) ? l.in(2) : null;
        String y = l.node.output(0);
        Node bn = transposed ? null : l.compiler.soleConsumer(y);
        if (bn != null && foldable(l, bn) && w.isConstant() && (bias == null || bias.isConstant())) {
            float[][] folded = foldBatchNorm(l, bn, w.host().floats(), bias == null ? null : bias.host().floats(), out);
            w = l.constant("folded_weight", w.dims, folded[0]);
            bias = l.constant("folded_bias", new int[] {out}, folded[1]);
            l.compiler.absorb(bn);
            y = bn.output(0);
        }
        Node actNode = l.compiler.soleConsumer(y);
        boolean readsY = actNode != null && actNode.hasInput(0) && actNode.input(0).equals(y)
                && (actNode.domain().isEmpty() || actNode.domain().equals("ai.onnx"));
        Activation act = readsY ? ElementwiseLowering.asActivation(l.compiler.inspect(actNode)) : null;
        Node bound = bn != null && y.equals(bn.output(0)) ? bn : null;
        if (act != null) {
            l.compiler.absorb(actNode);
            bound = actNode;
            y = actNode.output(0);
        }
        ConvPlan plan = l.device.plan(p, ConvDirection.FORWARD, l.compiler.options.algorithm());
        if (!plan.isRunnable()) {
            throw l.refuse("no convolution algorithm of " + l.device.spec() + " runs " + p + ": "
                    + plan.whyNot().orElse("?"));
        }
        ConvAlgorithm algorithm = plan.algorithm();
        Value xv = l.in(0);
        Value b = bias != null && bias.rank() != 1 ? null : bias;
        if (bias != null && b == null) {
            throw l.refuse("bias must be 1-D");
        }
        int[] outDims = onnxDims(rank, p.batch(), out, p.outHeight(), p.outWidth());
        Value yv = l.out(0, outDims);
        if (bound != null) {
            l.compiler.bind(bound, y, yv);
        }
        Value wv = w;
        ConvProblem fp = p;
        boolean folded = bn != null && l.compiler.isAbsorbed(bn);
        String epilogue = act == null ? "" : " + " + act + (l.device.isActivationFused(p, algorithm)
                ? " (" + actNode.name() + " fused)" : " (" + actNode.name() + " as a second launch)");
        l.step("conv2d " + algorithm + " " + p + (folded ? " (batch norm folded)" : "") + epilogue,
                b == null ? List.of(xv, wv) : List.of(xv, wv, b), List.of(yv), null,
                () -> l.device.conv2d(fp, algorithm, xv.as(fp.inputShape()), wv.as(fp.weightShape()),
                        b == null ? null : b.tensor(), act, yv.as(fp.outputShape())));
    }

    /** An inference BatchNormalization whose scale, bias, mean and variance are constants, and whose only output is Y. */
    private static boolean foldable(Lowerer l, Node bn) {
        if (!bn.opType().equals("BatchNormalization") || bn.getInt("training_mode", 0) != 0
                || bn.getInt("spatial", 1) != 1) {
            return false;
        }
        for (int i = 1; i <= 4; i++) {
            Value v = l.compiler.valueOf(bn.input(i));
            if (v == null || !v.isConstant() || v.host() == null || !v.host().isFloat()) {
                return false;
            }
        }
        for (int k = 1; k < bn.outputs().size(); k++) {
            if (!bn.output(k).isEmpty() && l.compiler.isUsed(bn.output(k))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Conv weights and bias with the batch norm folded in, computed in float64: per output channel
     * k, s = gamma / sqrt(var + eps), w' = w * s, b' = (b - mean) * s + beta.
     */
    static float[][] foldBatchNorm(Lowerer l, Node bn, float[] w, float[] b, int channels) {
        double eps = bn.getFloat("epsilon", 1e-5f);
        double[] gamma = hostOf(l, bn, 1, channels);
        double[] beta = hostOf(l, bn, 2, channels);
        double[] mean = hostOf(l, bn, 3, channels);
        double[] var = hostOf(l, bn, 4, channels);
        int per = w.length / channels;
        float[] fw = new float[w.length];
        float[] fb = new float[channels];
        for (int k = 0; k < channels; k++) {
            double s = gamma[k] / Math.sqrt(var[k] + eps);
            for (int i = 0; i < per; i++) {
                fw[k * per + i] = (float) (w[k * per + i] * s);
            }
            fb[k] = (float) (((b == null ? 0 : b[k]) - mean[k]) * s + beta[k]);
        }
        return new float[][] {fw, fb};
    }

    private static double[] hostOf(Lowerer l, Node bn, int i, int channels) {
        ConstantTensor c = l.compiler.valueOf(bn.input(i)).host();
        if (c.size() != channels) {
            throw OnnxModelException.of(bn, "input " + i + " has " + c.size() + " elements, expected " + channels);
        }
        double[] out = new double[channels];
        for (int k = 0; k < channels; k++) {
            out[k] = c.doubleAt(k);
        }
        return out;
    }

    static void batchNorm(Lowerer l) {
        if (l.node.getInt("training_mode", 0) != 0) {
            throw l.refuse("training_mode 1 is not supported (inference only)");
        }
        if (l.node.getInt("spatial", 1) != 1) {
            throw l.refuse("spatial 0 is not supported");
        }
        int[] d = l.dims(0);
        if (d.length < 2) {
            throw l.refuse("takes (N, C, ...) data, got rank " + d.length);
        }
        int spatial = (int) (Lowerer.countOf(d) / d[0] / d[1]);
        BatchNormProblem p = new BatchNormProblem(d[0], d[1], spatial, 1, l.node.getFloat("epsilon", 1e-5f), 0.1);
        Value x = l.in(0);
        Value[] stats = {l.in(1), l.in(2), l.in(3), l.in(4)};
        for (Value s : stats) {
            if (s.elements() != d[1]) {
                throw l.refuse("scale, bias, mean and variance must have " + d[1] + " elements, got " + s);
            }
        }
        Value y = l.out(0, d);
        l.step("batchNormInference " + p, List.of(x, stats[0], stats[1], stats[2], stats[3]), List.of(y), x,
                () -> l.device.batchNormInference(p, x.as(p.inputShape()), stats[0].as(p.channelShape()),
                        stats[1].as(p.channelShape()), stats[2].as(p.channelShape()),
                        stats[3].as(p.channelShape()), y.as(p.inputShape())));
    }

    static void pool(Lowerer l, boolean max) {
        run(l, ConvPoolRules.poolProblem(l.infer(), max ? PoolMode.MAX : PoolMode.AVG), l.dims(0).length);
    }

    static void globalPool(Lowerer l, boolean max) {
        int[] d = l.dims(0);
        int[] x = nchw(l, d);
        PoolProblem p = max ? PoolProblem.max().batch(x[0]).channels(x[1]).size(x[2], x[3]).kernel(x[2], x[3]).build()
                : PoolProblem.global(x[0], x[1], x[2], x[3]);
        run(l, p, d.length);
    }

    static void run(Lowerer l, PoolProblem p, int rank) {
        Value x = l.in(0);
        Value y = l.out(0, onnxDims(rank, p.batch(), p.channels(), p.outHeight(), p.outWidth()));
        l.step("pool " + p, y, () -> l.device.pool(p, x.as(p.inputShape()), y.as(p.outputShape())), x);
    }

    /** The extents of a 2-D view of (N, C, spatial...) data: (N, C, H, W), H = 1 for 1-D data. */
    static int[] nchw(Lowerer l, int[] dims) {
        if (dims.length == 4) {
            return dims;
        }
        if (dims.length == 3) {
            return new int[] {dims[0], dims[1], 1, dims[2]};
        }
        throw l.refuse("takes (N, C, L) or (N, C, H, W) data, got rank " + dims.length);
    }

    /** The ONNX extents of (N, C, H, W) results for data of rank {@code rank} (3 drops the height of 1). */
    static int[] onnxDims(int rank, int n, int c, int h, int w) {
        return rank == 3 ? new int[] {n, c, w} : new int[] {n, c, h, w};
    }
}
