package io.jdnn.onnx;

import io.jdnn.Activation;
import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.examples.AlexNet;
import io.jdnn.examples.Dcgan;
import io.jdnn.examples.GoogLeNet;
import io.jdnn.examples.LeNet5;
import io.jdnn.examples.SmallResNet;
import io.jdnn.examples.SrNet;
import io.jdnn.examples.Vgg;
import io.jdnn.nn.Init;
import io.jdnn.nn.Layers;
import io.jdnn.nn.Module;
import io.jdnn.onnx.testing.NetCase;
import io.jdnn.onnx.run.OrtRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exports the example networks and small compositions of every exportable layer, loads each file
 * with jdnn's loader (output shape inferred as jdnn's forward gives it), runs it in ONNX Runtime and
 * in jdnn's own runner ({@link OnnxModel#compile}), and compares both outputs with the nn network's
 * evaluation-mode forward pass on the reference device: every element within {@value #BOUND} times
 * the largest output magnitude (at least 1).
 */
class OnnxExportTest {
    /** The bound of ONNX Runtime's float32 output against the reference backend's, relative to the output's scale. */
    static final double BOUND = 1e-5;

    private static Device device;


    @BeforeAll
    static void open() {
        device = Devices.open("reference");
    }

    @AfterAll
    static void close() {
        device.close();
    }

    static List<NetCase> examples() {
        Shape shapes = Shape.of(2, 3, 24, 24);
        return List.of(
                new NetCase("lenet", Shape.of(2, 1, 32, 32), 1, nn -> LeNet5.build(nn.defaultInit(Init.torchDefault()))),
                new NetCase("resnet", shapes, 1, SmallResNet::build),
                new NetCase("resnet-relu", shapes, 1, nn -> SmallResNet.build(nn, Activation.relu())),
                new NetCase("alexnet", shapes, 1, AlexNet::build),
                new NetCase("vgg", shapes, 1, Vgg::build),
                new NetCase("googlenet", shapes, 1, GoogLeNet::build),
                new NetCase("srnet", Shape.of(2, 1, 8, 8), 1, SrNet::build),
                new NetCase("dcgan-generator", Shape.of(2, Dcgan.NOISE, 1, 1), 1, Dcgan::generator),
                new NetCase("dcgan-discriminator", Shape.of(2, 1, 16, 16), 1, Dcgan::discriminator));
    }

    static List<NetCase> compositions() {
        List<NetCase> out = new ArrayList<>();
        out.add(new NetCase("asymmetric-convs", Shape.of(2, 3, 11, 13), 1, nn -> nn.sequential(
                nn.conv2d(3, 8).kernel(3).stride(2).padding(0, 1, 2, 1).build(), nn.relu(),
                nn.conv2d(8, 8).kernel(3).dilation(2).padding(2).groups(4).build(), nn.activation(Activation.elu(1)),
                nn.convTranspose2d(8, 4).kernel(3).stride(2).padding(1, 0, 0, 1).outputPadding(1).build(),
                nn.convTranspose2d(4, 2).kernel(2).stride(2).groups(2).bias(false).build())));
        out.add(new NetCase("norms-and-pools", Shape.of(2, 3, 12, 12), 1, nn -> nn.sequential(
                nn.conv2d(3, 8).kernel(3).padding(1).build(), nn.groupNorm(4, 8), nn.prelu(8, 0.1),
                nn.instanceNorm(8), nn.layerNorm(12, 12), nn.pixelUnshuffle(2),
                nn.conv2d(32, 32).kernel(1).build(), nn.pixelShuffle(2), nn.localResponseNorm(3, 1e-2, 0.75, 2),
                nn.maxPool2d(3, 2, 1), nn.avgPool2d(3, 2, 1), nn.dropout(0.5), nn.batchNorm2d(8),
                nn.globalAvgPool2d(), nn.flatten(), nn.linear(8, 6), nn.layerNorm(6), nn.prelu(),
                nn.groupNorm(2, 6), nn.linear(6, 4, false, Init.torchDefault()), nn.logSoftmax())));
        out.add(new NetCase("branches", Shape.of(2, 4, 6, 6), 1, nn -> nn.sequential(
                nn.concat(nn.identity(), nn.sequential(nn.conv2d(4, 4).kernel(3).padding(1).build(), nn.tanh()),
                        nn.avgPool2d(3, 1, 1)),
                nn.residual(nn.conv2d(12, 6).kernel(1).build(), nn.conv2d(12, 6).kernel(3).padding(1).build()),
                nn.residual(nn.sequential(nn.batchNorm2d(6), nn.sigmoid())))));
        List<Activation> activations = List.of(Activation.relu(), Activation.leakyRelu(0.1), Activation.elu(0.7),
                Activation.sigmoid(), Activation.tanh(), Activation.relu6(), Activation.hardswish(),
                Activation.hardsigmoid(), Activation.silu(), Activation.mish(), Activation.gelu(), Activation.geluTanh(),
                Activation.softplus(1, 20), Activation.softplus(2, 30));
        for (Activation a : activations) {
            out.add(new NetCase("activation " + a, Shape.of(2, 3, 5, 5), 8, nn -> nn.sequential(
                    nn.conv2d(3, 4).kernel(1).build(), nn.activation(a))));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void exampleNetworksRunInOnnxRuntimeAsInJdnn(NetCase c) {
        check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compositions")
    void everyLayerRunsInOnnxRuntimeAsInJdnn(NetCase c) {
        check(c);
    }

    private static void check(NetCase c) {
        try (Module net = c.build().apply(Layers.on(device, 7))) {
            warmBatchNorm(net, c.input());
            float[] x = c.input(11);
            byte[] bytes = OnnxExport.toBytes(net, c.input());

            OnnxModel loaded = OnnxModel.fromBytes(bytes, LoadOptions.defaults());
            assertEquals(List.of(OnnxExport.INPUT), loaded.graph().inputs().stream().map(TensorInfo::name).toList(), c.name());
            assertEquals(List.of(OnnxExport.OUTPUT), loaded.graph().outputs().stream().map(TensorInfo::name).toList(),
                    c.name());

            float[] want;
            try (Tensor t = device.upload(c.input(), x)) {
                Tensor y = net.forward(t);
                assertEquals(y.shape(), loaded.graph().outputs().get(0).shape(), c.name() + ": inferred output shape");
                want = y.toArray();
                net.release();
            }
            long[] dims = Arrays.stream(c.input().dims()).asLongStream().toArray();
            assertWithin(c.name() + ": ONNX Runtime", want, OrtRunner.run(bytes, Map.of(OnnxExport.INPUT, dims),
                    Map.of(OnnxExport.INPUT, x)).get(OnnxExport.OUTPUT));
            try (CompiledModel compiled = loaded.compile(device); Tensor t = device.upload(c.input(), x)) {
                Map<String, Tensor> out = compiled.run(Map.of(OnnxExport.INPUT, t));
                try (Tensor y = out.get(OnnxExport.OUTPUT)) {
                    assertWithin(c.name() + ": jdnn's runner", want, y.toArray());
                }
            }
        }
    }

    private static void assertWithin(String what, float[] want, float[] got) {
        assertEquals(want.length, got.length, what + ": output elements");
        double scale = 1;
        for (float v : want) {
            scale = Math.max(scale, Math.abs(v));
        }
        double worst = 0;
        int at = 0;
        for (int i = 0; i < want.length; i++) {
            double e = Math.abs(got[i] - want[i]);
            if (e > worst || Double.isNaN(e)) {
                worst = e;
                at = i;
            }
        }
        assertTrue(worst <= BOUND * scale, what + " differs from jdnn's nn forward by " + worst + " at element "
                + at + " (" + got[at] + " vs " + want[at] + "), bound " + BOUND * scale);
    }

    /** Two training passes so that batch norm's running statistics are not its initial 0 and 1; then evaluation mode. */
    private static void warmBatchNorm(Module net, Shape input) {
        for (int i = 0; i < 2; i++) {
            try (Tensor t = device.upload(input, NetCase.uniform(input, 1, 100 + i))) {
                net.forward(t);
                net.release();
            }
        }
        net.train(false);
    }


    @Test
    void writesAFileThatLoads(@TempDir Path dir) throws Exception {
        try (Module net = LeNet5.build(Layers.on(device, 3))) {
            Path file = dir.resolve("lenet.onnx");
            OnnxExport.write(net, Shape.of(1, 1, 32, 32), file);
            OnnxModel m = OnnxModel.load(file);
            assertEquals(OnnxExport.DEFAULT_OPSET, m.opset());
            assertEquals("jdnn", m.producerName());
            Map<String, Long> ops = new LinkedHashMap<>();
            for (Node n : m.graph().nodes()) {
                ops.merge(n.opType(), 1L, Long::sum);
            }
            // Dropout leaves no node; weights are named after the module's path.
            assertEquals(Map.of("Conv", 2L, "Tanh", 4L, "AveragePool", 2L, "Flatten", 1L, "Gemm", 3L), ops);
            assertTrue(m.graph().initializers().containsKey("0.weight"), m.graph().initializers().keySet().toString());
            assertTrue(m.graph().initializers().containsKey("12.bias"), m.graph().initializers().keySet().toString());
        }
    }

    @Test
    void geluRaisesTheOpsetTo20() {
        try (Module net = Layers.on(device, 1).activation(Activation.gelu())) {
            assertEquals(20, OnnxModel.fromBytes(OnnxExport.toBytes(net, Shape.of(1, 4)), LoadOptions.defaults()).opset());
        }
    }

    @Test
    void aModuleWithoutAnOnnxFormIsRefusedByName() {
        Layers nn = Layers.on(device, 1);
        Module custom = new Module() {
            @Override
            public Tensor forward(Tensor x) {
                return x;
            }

            @Override
            public Tensor backward(Tensor dy) {
                return dy;
            }

            @Override
            public void close() {
            }

            @Override
            public String toString() {
                return "myLayer";
            }
        };
        assertRefused(nn.sequential(nn.relu(), nn.residual(custom)), Shape.of(1, 2, 4, 4), "'1.main' myLayer",
                "has no ONNX form");
        assertRefused(nn.sequential(nn.localResponseNorm(4)), Shape.of(1, 6, 4, 4), "'0' localResponseNorm(4)", "even");
        assertRefused(nn.activation(Activation.softplus(1, 5)), Shape.of(1, 4), "(the model)", "threshold");
        assertRefused(nn.sequential(nn.flatten(), nn.linear(16, 3)), Shape.of(1, 2, 3, 3), "'1' linear(16->3)",
                "(batch, 16), gets [1, 18]");
        assertRefused(nn.instanceNorm(4), Shape.of(2, 4), "instanceNorm(4)", "rank 3 or more");
    }

    private static void assertRefused(Module m, Shape input, String... parts) {
        try (m) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toBytes(m, input));
            for (String p : parts) {
                assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
            }
        }
    }
}
