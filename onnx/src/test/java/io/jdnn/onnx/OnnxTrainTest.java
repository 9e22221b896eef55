package io.jdnn.onnx;

import io.jdnn.Activation;
import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.examples.GoogLeNet;
import io.jdnn.examples.SmallResNet;
import io.jdnn.examples.SrNet;
import io.jdnn.nn.GradCheck;
import io.jdnn.nn.Layers;
import io.jdnn.nn.Module;
import io.jdnn.nn.MseLoss;
import io.jdnn.nn.OptimizerDriver;
import io.jdnn.onnx.testing.NetCase;
import io.jdnn.onnx.testing.OnnxBuilder;
import io.jdnn.optim.Sgd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fine-tuning imported models on the reference device: an exported nn network compiled for training
 * computes what the network computes (evaluation and training mode, batch norm unfolded), its
 * gradients pass {@link GradCheck} for small models holding every trainable op kind, an optimizer
 * lowers its loss, and an op without a backward pass is named before anything runs.
 */
class OnnxTrainTest {
    private static Device device;


    @BeforeAll
    static void open() {
        device = Devices.open("reference");
    }

    @AfterAll
    static void close() {
        device.close();
    }

    private static TrainableModel imported(Module net, Shape input) {
        byte[] bytes = OnnxExport.toBytes(net, input);
        return OnnxModel.fromBytes(bytes, LoadOptions.defaults()).compileTrainable(device, CompileOptions.defaults());
    }

    static List<NetCase> networks() {
        Shape shapes = Shape.of(2, 3, 24, 24);
        return List.of(new NetCase("resnet", shapes, SmallResNet::build),
                new NetCase("resnet-relu", shapes, nn -> SmallResNet.build(nn, Activation.relu())),
                new NetCase("googlenet", shapes, GoogLeNet::build),
                new NetCase("srnet", Shape.of(2, 1, 8, 8), SrNet::build));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void anImportedNetworkComputesWhatTheNetworkComputes(NetCase c) {
        try (Module net = c.build().apply(Layers.on(device, 5));
             Tensor x = device.upload(c.input(), c.input(3))) {
            try (TrainableModel m = imported(net, c.input())) {
                // Training mode: batch norm normalizes with the batch's statistics (it is not folded).
                assertArrayEquals(net.forward(x).toArray(), m.forward(x).toArray(), 1e-6f, c.name() + " training mode");
                net.train(false);
                m.train(false);
                assertArrayEquals(net.forward(x).toArray(), m.forward(x).toArray(), 1e-6f, c.name() + " evaluation mode");
                assertEquals(net.parameters().size(), m.parameters().size(), c.name() + " parameters");
            }
        }
    }

    static List<NetCase> gradientCases() {
        return List.of(
                new NetCase("conv-bn-elu-pool-gemm", Shape.of(2, 3, 7, 7), nn -> nn.sequential(
                        nn.conv2d(3, 4).kernel(3).stride(2).padding(0, 1, 1, 2).bias(false).build(), nn.batchNorm2d(4),
                        nn.activation(Activation.elu(1)), nn.avgPool2d(2, 1, 1), nn.flatten(), nn.linear(80, 5),
                        nn.logSoftmax())),
                new NetCase("transposed-lrn-norms", Shape.of(2, 4, 3, 3), nn -> nn.sequential(
                        nn.convTranspose2d(4, 6).kernel(3).stride(2).padding(1).outputPadding(1).build(),
                        nn.localResponseNorm(3, 0.1, 0.75, 2), nn.layerNorm(6), nn.instanceNorm(6),
                        nn.prelu(6, 0.2), nn.activation(Activation.softplus(1, 20)), nn.globalAvgPool2d())),
                new NetCase("branches-shuffle", Shape.of(2, 4, 4, 4), nn -> nn.sequential(
                        nn.concat(nn.identity(), nn.sequential(nn.conv2d(4, 4).kernel(3).padding(1).build(), nn.tanh())),
                        nn.residual(nn.sequential(nn.conv2d(8, 8).kernel(1).build(), nn.sigmoid())),
                        nn.pixelShuffle(2), nn.activation(Activation.gelu()), nn.leakyRelu(0.1),
                        nn.activation(Activation.hardswish()), nn.maxPool2d(2))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gradientCases")
    void gradientsMatchCentralDifferences(NetCase c) {
        try (Module net = c.build().apply(Layers.on(device, 9));
             TrainableModel m = imported(net, c.input())) {
            GradCheck.Report r = GradCheck.defaults().check(m, c.input());
            assertTrue(r.passed(), r.toString());
            assertEquals(m.parameters().size() + 1, r.tensors().size(), "input and every parameter checked");
        }
    }

    @Test
    void gradientsOfAGraphBuiltInOnnxMatchCentralDifferences() {
        // Ops no nn export writes: Reshape, Clip (ReLU6), HardSigmoid, Relu, Dropout; the Conv's output read twice.
        OnnxBuilder b = new OnnxBuilder(13, 4);
        String x = b.input("x", 2, 3, 4, 4);
        String c = b.conv(x, 3, 4, 3, 1, 1);
        String six = b.relu6(c);
        String hs = b.node("HardSigmoid", List.of(c), OnnxBuilder.attr("alpha", 1f / 6), OnnxBuilder.attr("beta", 0.5f));
        String sum = b.add(b.relu(six), hs);
        String flat = b.node("Reshape", List.of(sum, b.int64s(b.fresh("shape"), 2, -1)));
        b.output(b.node("Dropout", List.of(b.gemm(flat, 64, 3))));
        OnnxModel model = OnnxModel.fromBytes(b.bytes(), LoadOptions.defaults());
        try (TrainableModel m = model.compileTrainable(device, CompileOptions.defaults())) {
            assertEquals(List.of("Conv", "Clip", "HardSigmoid", "Relu", "Add", "Reshape", "Gemm"), m.ops());
            GradCheck.Report r = GradCheck.defaults().check(m, Shape.of(2, 3, 4, 4));
            assertTrue(r.passed(), r.toString());
        }
    }

    @Test
    void anOptimizerLowersTheLossOfAnImportedModel() {
        Shape in = Shape.of(8, 3, 24, 24);
        try (Module net = SmallResNet.build(Layers.on(device, 1));
             Module teacher = SmallResNet.build(Layers.on(device, 2));
             TrainableModel m = imported(net, in);
             MseLoss loss = new MseLoss(device);
             Tensor x = device.upload(in, NetCase.uniform(in, 1, 4))) {
            teacher.train(false);
            Tensor target = teacher.forward(x);
            OptimizerDriver opt = OptimizerDriver.of(Sgd.withMomentum(0.05, 0.9), m);
            double first = 0;
            double last = 0;
            for (int step = 0; step < 8; step++) {
                m.zeroGrad();
                last = loss.forward(m.forward(x), target);
                first = step == 0 ? last : first;
                m.backward(loss.gradient());
                opt.step();
            }
            assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
            assertTrue(m.parameterNames().contains("0.weight"), m.parameterNames().toString());
            assertEquals(m.parameter("0.weight"), m.parameters().get(0));
        }
    }

    @Test
    void anOpWithoutABackwardPassIsNamedBeforeAnythingRuns() {
        Layers nn = Layers.on(device, 1);
        try (Module net = nn.sequential(nn.conv2d(2, 4).kernel(1).build(), nn.activation(Activation.silu()))) {
            OnnxModel model = OnnxModel.fromBytes(OnnxExport.toBytes(net, Shape.of(1, 2, 3, 3)), LoadOptions.defaults());
            long before = device.memory().liveTensors();
            OnnxModelException e = assertThrows(OnnxModelException.class,
                    () -> model.compileTrainable(device, CompileOptions.defaults()));
            assertTrue(e.getMessage().contains("1/Mul") && e.getMessage().contains("no backward pass"), e.getMessage());
            assertEquals(before, device.memory().liveTensors(), "nothing allocated");
        }
    }

}
