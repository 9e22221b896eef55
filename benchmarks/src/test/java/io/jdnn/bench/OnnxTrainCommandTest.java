package io.jdnn.bench;

import io.jdnn.Activation;
import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.Shape;
import io.jdnn.examples.SmallResNet;
import io.jdnn.nn.Layers;
import io.jdnn.nn.Module;
import io.jdnn.onnx.OnnxExport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jdnn onnx train} on models exported from nn networks, in process on the reference backend. */
class OnnxTrainCommandTest {
    private static Path export(Path dir, String name, java.util.function.Function<Layers, Module> build, Shape input)
            throws Exception {
        Path file = dir.resolve(name + ".onnx");
        try (Device d = Devices.open("reference"); Module net = build.apply(Layers.on(d, 1))) {
            OnnxExport.write(net, input, file);
        }
        return file;
    }

    @Test
    void fineTunesAnExportedResNetAndPrintsTheLossCurve(@TempDir Path dir) throws Exception {
        Path model = export(dir, "resnet", SmallResNet::build, Shape.of(1, 3, 24, 24));
        MainTest.Run r = MainTest.jdnn("onnx", "train", model.toString(), "--device", "reference", "--steps", "4",
                "--batch", "4", "--lr", "0.01");
        assertEquals(0, r.status(), r.out() + r.err());
        List<String> lines = r.lines();
        assertTrue(lines.get(0).contains("on reference") && lines.get(0).contains("batch 4"), r.out());
        for (int s = 1; s <= 4; s++) {
            String prefix = "step " + s + "  loss ";
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(prefix)), "no line '" + prefix + "...' in:\n" + r.out());
        }
        String curve = lines.stream().filter(l -> l.startsWith("loss (step 1 -> 4): ")).findFirst().orElseThrow();
        String[] ends = curve.substring(curve.indexOf(':') + 1).split("->");
        assertTrue(Double.parseDouble(ends[1].trim()) < Double.parseDouble(ends[0].trim()), "the loss falls: " + curve);
    }

    @Test
    void aModelWithAnOpWithoutBackwardNamesTheNodeAndExits1(@TempDir Path dir) throws Exception {
        Path model = export(dir, "silu", nn -> nn.sequential(nn.conv2d(2, 2).kernel(1).build(),
                nn.activation(Activation.silu())), Shape.of(1, 2, 4, 4));
        MainTest.Run r = MainTest.jdnn("onnx", "train", model.toString(), "--device", "reference", "--steps", "1");
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("1/Mul") && r.err().contains("no backward pass"), r.err());
    }
}
