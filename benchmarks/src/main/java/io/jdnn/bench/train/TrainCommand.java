package io.jdnn.bench.train;

import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.Devices;
import io.jdnn.examples.Example;
import io.jdnn.examples.ExampleConfig;
import io.jdnn.examples.Examples;
import io.jdnn.nn.ConvAlgorithmChoice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.concurrent.Callable;

/**
 * {@code jdnn train lenet|resnet|dcgan|alexnet|vgg|googlenet|srnet --device D --steps N}: trains one of the examples of
 * {@link Examples} (layer toolkit {@code io.jdnn.nn}) on data generated in the process. Prints the loss
 * of every step, a progress bar on stderr, images per second at the end; {@code --png} saves the loss
 * curve (and the DCGAN's generated samples). Exit status 1 when a loss is not finite or tensors leaked.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a small network with the layer toolkit (io.jdnn.nn) on procedurally generated data.",
                "Examples:%n  lenet   LeNet-5 on drawn digits%n  resnet  small ResNet (basic blocks, batch norm) on drawn shapes%n"
                        + "  dcgan   DCGAN generator and discriminator on soft blobs%n"
                        + "  alexnet   scaled-down AlexNet (ReLU, LRN, overlapping max pooling) on drawn shapes%n"
                        + "  vgg       scaled-down VGG (3x3 conv + ReLU stacks, max pooling) on drawn shapes%n"
                        + "  googlenet scaled-down GoogLeNet (Inception blocks, LRN) on drawn shapes%n"
                        + "  srnet     residual dense super-resolution net (pixel shuffle, MSE), 8x8 to 16x16 blobs"})
public final class TrainCommand implements Callable<Integer> {

    /** The example names for picocli's completion and help, read from {@link Examples}. */
    static final class ExampleNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Examples.names().iterator();
        }
    }

    @Parameters(index = "0", completionCandidates = ExampleNames.class, paramLabel = "EXAMPLE",
            description = "One of: ${COMPLETION-CANDIDATES}.")
    String example;

    @Option(names = {"-d", "--device"}, defaultValue = "auto", paramLabel = "D",
            description = "Device spec: auto, reference, cpu, opencl[:N|:NAME], cuda[:N] (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = {"-n", "--steps"}, defaultValue = "100", paramLabel = "N", description = "Training steps (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = {"-b", "--batch"}, defaultValue = "0", paramLabel = "B",
            description = "Images per step (default: the example's, 16).")
    int batch;

    @Option(names = "--lr", defaultValue = "0", paramLabel = "LR", description = "Learning rate (default: the example's).")
    double learningRate;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of weights, dropout, noise and data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--algorithm", defaultValue = "auto", paramLabel = "ALGO",
            description = {"Convolution algorithms: auto (the backend's fastest), accurate (no looser error bound than DIRECT's: "
                    + "no Winograd, no TF32, no BF16), or one algorithm name for every pass (default: ${DEFAULT-VALUE})."})
    String algorithm;

    @Option(names = "--deterministic", description = "Open the device in deterministic mode (no floating-point atomics).")
    boolean deterministic;

    @Option(names = "--png", paramLabel = "FILE", description = "Save the loss curve (and DCGAN samples) as a PNG.")
    File png;

    @Option(names = "--progress", defaultValue = "auto", paramLabel = "WHEN",
            description = "Progress bar on stderr: auto (on a terminal), always, never (default: ${DEFAULT-VALUE}).")
    String progress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (steps < 1) {
            throw new IllegalArgumentException("--steps: expected a value >= 1, got " + steps);
        }
        boolean bar = switch (progress) {
            case "auto" -> System.console() != null;
            case "always" -> true;
            case "never" -> false;
            default -> throw new IllegalArgumentException("--progress: expected auto, always or never, got '" + progress + "'");
        };
        ExampleConfig cfg = new ExampleConfig(seed, batch, learningRate, ConvAlgorithmChoice.parse(algorithm));
        if (png != null) {
            System.setProperty("java.awt.headless", "true");
        }
        DeviceOptions options = DeviceOptions.DEFAULT.withDeterministic(deterministic);
        try (Device d = Devices.open(device, options);
             Example ex = Examples.create(example, d, cfg)) {
            out.println(ex.name() + " on " + d.spec() + " (" + d.info().name() + "): " + Examples.description(ex.name()));
            out.println(String.format(java.util.Locale.ROOT, "%d parameters, batch %d, %d steps, seed %d, conv algorithms %s",
                    ex.parameterCount(), ex.batchSize(), steps, seed, cfg.algorithms()));
            TrainingRun run = new TrainingRun(ex, out, err, bar);
            TrainingRun.Result r = run.run(steps);
            run.summarize(r);
            if (png != null) {
                run.writePng(png, r);
                out.println("wrote " + png);
            }
            boolean finite = r.losses().stream().flatMapToDouble(java.util.Arrays::stream).allMatch(Double::isFinite);
            if (!finite) {
                err.println("error: a loss is not finite");
            }
            if (r.liveAfterRelease() != r.expectedLive()) {
                err.println("error: " + r.liveAfterRelease() + " tensors live after release, expected " + r.expectedLive());
                d.liveAllocations().forEach(a -> err.println("  " + a));
            }
            return finite && r.liveAfterRelease() == r.expectedLive() ? 0 : 1;
        }
    }
}
