package io.jdnn.bench.train;

import io.jdnn.bench.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jdnn train}, run in-process through {@link Main#run} on the reference backend. */
class TrainCommandTest {
    @TempDir
    Path tmp;

    record Run(int status, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    static Run jdnn(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void trainsLenetPrintsEveryStepAndThroughputAndWritesThePng() throws IOException {
        Path png = tmp.resolve("plots/lenet.png");
        Run r = jdnn("train", "lenet", "--device", "reference", "--steps", "3", "--batch", "4", "--png", png.toString(),
                "--progress", "always");
        assertEquals(0, r.status(), r.out() + r.err());
        for (int s = 1; s <= 3; s++) {
            String prefix = "step " + s + "  loss ";
            assertTrue(r.lines().stream().anyMatch(l -> l.startsWith(prefix)), "no line '" + prefix + "...' in:\n" + r.out());
        }
        assertTrue(r.out().contains("images/s: "), r.out());
        assertTrue(r.out().contains("loss (step 1 -> 3): loss "), r.out());
        assertTrue(r.out().contains("tensors live after release: 30 (parameters, gradients, optimizer state and buffers: 30)"), r.out());
        assertTrue(r.err().contains("[" + "#".repeat(30) + "] 3/3"), "the progress bar's last state on stderr:\n" + r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img != null && img.getWidth() == 720 && img.getHeight() == 420, "a 720x420 loss plot, got " + img);
    }

    @Test
    void dcganPrintsBothLossesAndPutsTheSamplesBesideTheCurve() throws IOException {
        Path png = tmp.resolve("dcgan.png");
        Run r = jdnn("train", "dcgan", "--device", "reference", "--steps", "2", "--batch", "4", "--png", png.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.lines().stream().anyMatch(l -> l.matches("step 2  loss_d \\d+\\.\\d{6}  loss_g \\d+\\.\\d{6}")), r.out());
        assertTrue(r.err().isEmpty() || !r.err().contains("["), "no progress bar without a terminal: " + r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img.getWidth() > 720, "the sample grid widens the image, got width " + img.getWidth());
        // The grid's first cell is a generated image in gray levels, not the white background.
        int rgb = img.getRGB(720 + 20 + 1, 40 + 1) & 0xFFFFFF;
        assertTrue(rgb != 0xFFFFFF && ((rgb >> 16) & 0xFF) == (rgb & 0xFF), String.format("pixel %06x", rgb));
        assertTrue(Files.size(png) > 0);
    }

    @Test
    void anUnknownExampleIsAUsageErrorListingTheExamples() {
        Run r = jdnn("train", "inception", "--device", "reference", "--steps", "1");
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("[lenet, resnet, dcgan, alexnet, vgg, googlenet, srnet]") && r.err().contains("'inception'"),
                r.err());
    }

    @Test
    void theSuperResolutionExamplePrintsItsMeanSquaredError() {
        Run r = jdnn("train", "srnet", "--device", "reference", "--steps", "2", "--batch", "2");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.lines().stream().anyMatch(l -> l.matches("step 2  mse \\d+\\.\\d{6}")), r.out());
    }

    @Test
    void anUnknownAlgorithmChoiceIsAUsageError() {
        Run r = jdnn("train", "lenet", "--device", "reference", "--steps", "1", "--algorithm", "fastest");
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("expected auto, accurate or one of"), r.err());
    }

    @Test
    void progressBarShowsCountElapsedAndEta() {
        assertEquals("[##########--------------------] 1/3  2.0 s  eta 4.0 s", ProgressBar.render(1, 3, 2.0));
        assertEquals("[##############################] 3/3  6.0 s", ProgressBar.render(3, 3, 6.0));
        assertEquals("[------------------------------]  0/10  0.0 s", ProgressBar.render(0, 10, 0.0));
    }
}
