package io.jdnn.bench.cpucompare;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Conv2dTranspose;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.GradientCollector;
import io.jdnn.BatchNormProblem;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.OptimizerState;
import io.jdnn.PoolProblem;
import io.jdnn.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * One library's way of running each case. Every provider owns its tensors (random values, made
 * in setup) and exposes a {@link Runnable} per (case, pass) that computes the result and waits
 * for it: jdnn's cpu backend is synchronous, PyTorch's eager CPU ops are too, ND4J's exec blocks.
 */
final class Providers {
    private Providers() {
    }

    /** A prepared case: run() does one pass; close() frees what setup made. */
    interface Prepared extends AutoCloseable {
        void run();

        @Override
        void close();
    }

    static long[] dims(io.jdnn.Shape s) {
        long[] d = new long[s.rank()];
        for (int i = 0; i < d.length; i++) {
            d[i] = s.dim(i);
        }
        return d;
    }

    static float[] random(long n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() * 2 - 1;
        }
        return a;
    }

    // ================================================================== jdnn

    static Prepared jdnn(String caseName, String pass) {
        Device d = Devices.open("cpu");
        List<Tensor> owned = new ArrayList<>();
        java.util.function.Function<io.jdnn.Shape, Tensor> rnd = s -> {
            Tensor t = d.upload(s, random(s.elements(), owned.size() + 1));
            owned.add(t);
            return t;
        };
        Runnable body;
        if (Cases.CONVS.containsKey(caseName)) {
            ConvProblem p = Cases.conv(caseName);
            Tensor x = rnd.apply(p.inputShape()), w = rnd.apply(p.weightShape()), dy = rnd.apply(p.outputShape());
            Tensor y = rnd.apply(p.outputShape()), dx = rnd.apply(p.inputShape()), dw = rnd.apply(p.weightShape());
            System.err.println("jdnn AUTO for " + p + ": fwd " + d.autoAlgorithm(p, io.jdnn.ConvDirection.FORWARD)
                    + ", bwd-data " + d.autoAlgorithm(p, io.jdnn.ConvDirection.BACKWARD_DATA) + ", bwd-filter "
                    + d.autoAlgorithm(p, io.jdnn.ConvDirection.BACKWARD_FILTER) + " (" + d.info().details() + ")");
            body = pass.equals("fwd")
                    ? () -> d.conv2d(p, ConvAlgorithm.AUTO, x, w, null, y)
                    : () -> {
                        d.conv2d(p, ConvAlgorithm.AUTO, x, w, null, y);
                        d.conv2dBackwardData(p, ConvAlgorithm.AUTO, dy, w, dx);
                        d.conv2dBackwardFilter(p, ConvAlgorithm.AUTO, x, dy, dw);
                    };
        } else if (caseName.equals("maxpool")) {
            PoolProblem p = Cases.MAXPOOL;
            Tensor x = rnd.apply(p.inputShape()), y = rnd.apply(p.outputShape());
            body = () -> d.pool(p, x, y);
        } else if (caseName.equals("batchnorm")) {
            BatchNormProblem p = Cases.BN;
            Tensor x = rnd.apply(p.inputShape()), y = rnd.apply(p.inputShape());
            Tensor g = rnd.apply(p.channelShape()), b = rnd.apply(p.channelShape());
            Tensor rm = rnd.apply(p.channelShape()), rv = d.full(p.channelShape(), 1f);
            Tensor sm = rnd.apply(p.channelShape()), si = rnd.apply(p.channelShape());
            owned.add(rv);
            body = () -> d.batchNormTrain(p, x, g, b, rm, rv, y, sm, si);
        } else {
            io.jdnn.Shape s = io.jdnn.Shape.of(Cases.ADAM_PARAMS);
            Tensor param = rnd.apply(s), grad = rnd.apply(s);
            OptimizerState st = d.optimizerState(Cases.ADAM, s);
            body = () -> d.step(Cases.ADAM, st, param, grad);
        }
        return new Prepared() {
            @Override
            public void run() {
                body.run();
            }

            @Override
            public void close() {
                d.close();
            }
        };
    }

    // ================================================================== DJL (PyTorch)

    static Prepared djl(String caseName, String pass) {
        NDManager m = Engine.getEngine("PyTorch").newBaseManager();
        java.util.function.Function<io.jdnn.Shape, NDArray> rnd =
                s -> m.create(random(s.elements(), s.elements()), new Shape(dims(s)));
        Runnable body;
        if (Cases.CONVS.containsKey(caseName)) {
            ConvProblem p = Cases.conv(caseName);
            NDArray x = rnd.apply(p.inputShape()), w = rnd.apply(p.weightShape()), dy = rnd.apply(p.outputShape());
            Shape stride = new Shape(p.strideH(), p.strideW()), pad = new Shape(p.padH(), p.padW());
            Shape dil = new Shape(p.dilationH(), p.dilationW());
            java.util.function.Supplier<NDArray> fwd = p.transposed()
                    ? () -> Conv2dTranspose.conv2dTranspose(x, w, null, stride, pad,
                            new Shape(p.outputPadH(), p.outputPadW()), dil, p.groups()).singletonOrThrow()
                    : () -> Conv2d.conv2d(x, w, null, stride, pad, dil, p.groups()).singletonOrThrow();
            if (pass.equals("fwd")) {
                body = () -> fwd.get().close();
            } else {
                x.setRequiresGradient(true);
                w.setRequiresGradient(true);
                body = () -> {
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        NDArray y = fwd.get();
                        // d(sum(y * dy))/dy-side = dy: the backward pass gets dy as its incoming gradient.
                        gc.backward(y.mul(dy));
                        y.close();
                    }
                };
            }
        } else if (caseName.equals("maxpool")) {
            PoolProblem p = Cases.MAXPOOL;
            NDArray x = rnd.apply(p.inputShape());
            Shape k = new Shape(p.kernelH(), p.kernelW()), st = new Shape(p.strideH(), p.strideW());
            Shape pad = new Shape(p.padH(), p.padW());
            body = () -> Pool.maxPool2d(x, k, st, pad, p.ceilMode()).close();
        } else if (caseName.equals("batchnorm")) {
            BatchNormProblem p = Cases.BN;
            NDArray x = rnd.apply(p.inputShape());
            NDArray g = rnd.apply(p.channelShape()), b = rnd.apply(p.channelShape());
            NDArray rm = m.zeros(new Shape(p.channels())), rv = m.ones(new Shape(p.channels()));
            body = () -> BatchNorm.batchNorm(x, rm, rv, g, b, 1, (float) p.momentum(), (float) p.eps(), true).close();
        } else {
            Shape s = new Shape(Cases.ADAM_PARAMS);
            NDArray param = m.randomUniform(-1, 1, s, DataType.FLOAT32), grad = m.randomUniform(-1, 1, s, DataType.FLOAT32);
            NDArray mean = m.zeros(s), var = m.zeros(s);
            NDList inputs = new NDList(param, grad, mean, var);
            NDList weights = new NDList(param);
            long[] t = {0};
            body = () -> {
                t[0]++;
                float corr = (float) (Math.sqrt(1 - Math.pow(Cases.ADAM.beta2(), t[0])) / (1 - Math.pow(Cases.ADAM.beta1(), t[0])));
                param.getNDArrayInternal().adamUpdate(inputs, weights, (float) Cases.ADAM.lr(), corr, 0f, 1f, -1f,
                        (float) Cases.ADAM.beta1(), (float) Cases.ADAM.beta2(), (float) Cases.ADAM.eps(), false, false);
            };
        }
        return new Prepared() {
            @Override
            public void run() {
                body.run();
            }

            @Override
            public void close() {
                m.close();
            }
        };
    }

    // ================================================================== ND4J (oneDNN)

    static Prepared nd4j(String caseName, String pass) {
        java.util.function.Function<io.jdnn.Shape, INDArray> rnd =
                s -> Nd4j.create(random(s.elements(), s.elements()), dims(s), 'c');
        Runnable body;
        if (Cases.CONVS.containsKey(caseName)) {
            ConvProblem p = Cases.conv(caseName);
            INDArray x = rnd.apply(p.inputShape()), y = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, dims(p.outputShape()));
            INDArray dy = rnd.apply(p.outputShape()), dx = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, dims(p.inputShape()));
            // iArgs: kH, kW, sH, sW, pH, pW, dH, dW, same-mode 0, NCHW 0, weights format 1 (PyTorch's layout)
            int[] iArgs = {p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilationH(),
                p.dilationW(), 0, 0, 1};
            String op;
            INDArray w;
            if (p.isDepthwise() && !p.transposed()) {
                op = "depthwise_conv2d";
                // depthwise weights, format 1: (multiplier, inChannels, kH, kW)
                w = rnd.apply(io.jdnn.Shape.of(p.outChannels() / p.inChannels(), p.inChannels(), p.kernelH(), p.kernelW()));
            } else {
                op = p.transposed() ? "deconv2d" : "conv2d";
                w = rnd.apply(p.weightShape());
            }
            INDArray dw = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, w.shape());
            DynamicCustomOp forward = DynamicCustomOp.builder(op).addInputs(x, w).addOutputs(y).addIntegerArguments(iArgs).build();
            DynamicCustomOp backward = DynamicCustomOp.builder(op + "_bp").addInputs(x, w, dy).addOutputs(dx, dw)
                    .addIntegerArguments(iArgs).build();
            body = pass.equals("fwd")
                    ? () -> Nd4j.exec(forward)
                    : () -> {
                        Nd4j.exec(forward);
                        Nd4j.exec(backward);
                    };
        } else if (caseName.equals("maxpool")) {
            PoolProblem p = Cases.MAXPOOL;
            INDArray x = rnd.apply(p.inputShape());
            INDArray y = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, dims(p.outputShape()));
            // iArgs: kH, kW, sH, sW, pH, pW, dH, dW, same-mode, extra (unused by max), NCHW 0
            DynamicCustomOp pool = DynamicCustomOp.builder("maxpool2d").addInputs(x).addOutputs(y)
                    .addIntegerArguments(p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), p.padH(), p.padW(),
                            p.dilationH(), p.dilationW(), 0, 0, 0).build();
            body = () -> Nd4j.exec(pool);
        } else if (caseName.equals("adam")) {
            INDArray param = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, Cases.ADAM_PARAMS);
            INDArray grad = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, Cases.ADAM_PARAMS);
            INDArray v = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, Cases.ADAM_PARAMS);
            INDArray mm = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, Cases.ADAM_PARAMS);
            INDArray update = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, Cases.ADAM_PARAMS);
            int[] t = {0};
            body = () -> {
                DynamicCustomOp op = DynamicCustomOp.builder("adam_updater").addInputs(grad, v, mm)
                        .addOutputs(update, v, mm).addFloatingPointArguments(Cases.ADAM.lr(), Cases.ADAM.beta1(),
                                Cases.ADAM.beta2(), Cases.ADAM.eps()).addIntegerArguments(t[0]++).build();
                Nd4j.exec(op);
                param.subi(update);
            };
        } else {
            throw new UnsupportedOperationException("ND4J has no fused training batch norm (its batchnorm op takes "
                    + "given statistics)");
        }
        return new Prepared() {
            @Override
            public void run() {
                body.run();
            }

            @Override
            public void close() {
                Nd4j.getMemoryManager().invokeGc();
            }
        };
    }
}
