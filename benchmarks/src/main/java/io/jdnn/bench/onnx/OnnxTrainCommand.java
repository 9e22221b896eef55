package io.jdnn.bench.onnx;

import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.nn.MseLoss;
import io.jdnn.nn.OptimizerDriver;
import io.jdnn.nn.Parameter;
import io.jdnn.onnx.CompileOptions;
import io.jdnn.onnx.LoadOptions;
import io.jdnn.onnx.OnnxModel;
import io.jdnn.onnx.TrainableModel;
import io.jdnn.optim.Adam;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code jdnn onnx train MODEL}: fine-tunes an ONNX model on data generated in the process. The
 * teacher is the model itself with every weight perturbed by Gaussian noise of {@code --noise} times
 * that weight tensor's RMS, in evaluation mode; each step draws a batch of uniform inputs in
 * [-1, 1], and the student (the model as loaded, in training mode) learns the teacher's outputs
 * with the mean squared error and Adam. Prints the loss of every step and the curve's ends; exit
 * status 1 when a loss is not finite or the model cannot be trained (the refusal names the node).
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fine-tunes an ONNX model (one input, one output) on data generated in the process: a teacher "
                + "(the model with its weights perturbed) labels uniform random inputs, the model learns them with the "
                + "mean squared error and Adam. Prints the loss of every step.",
                "A model with an op that has no backward pass in jdnn prints the node and exits with status 1."})
public final class OnnxTrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file (external data is read from its folder).")
    Path model;

    @Option(names = {"-d", "--device"}, defaultValue = "auto", paramLabel = "D",
            description = "Device spec: auto, reference, cpu, opencl[:N|:NAME], cuda[:N] (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = {"-n", "--steps"}, defaultValue = "20", paramLabel = "N", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--lr", defaultValue = "1e-3", paramLabel = "X", description = "Adam's learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = {"-b", "--batch"}, defaultValue = "8", paramLabel = "B", description = "Inputs per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--noise", defaultValue = "0.1", paramLabel = "S",
            description = "The teacher's weight noise, relative to each weight tensor's RMS (default: ${DEFAULT-VALUE}).")
    double noise;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the teacher's noise and the inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        if (steps < 1 || batch < 1 || !(learningRate > 0) || !(noise >= 0)) {
            throw new IllegalArgumentException("--steps and --batch: expected at least 1, --lr positive, --noise at least 0; "
                    + "got " + steps + ", " + batch + ", " + learningRate + ", " + noise);
        }
        PrintWriter out = spec.commandLine().getOut();
        OnnxModel m = OnnxModel.load(model, LoadOptions.builder().batch(batch).build());
        CompileOptions options = CompileOptions.defaults().withBatch(batch);
        try (Device d = Devices.open(device);
             TrainableModel student = m.compileTrainable(d, options);
             TrainableModel teacher = m.compileTrainable(d, options);
             MseLoss loss = new MseLoss(d)) {
            SplittableRandom random = new SplittableRandom(seed);
            long weights = 0;
            for (Parameter p : teacher.parameters()) {
                perturb(p, noise, random);
                weights += p.shape().elements();
            }
            teacher.train(false);
            int[] dims = m.graph().inputs().get(0).shape().dims();
            dims[0] = batch;
            Shape in = Shape.of(dims);
            out.printf(Locale.ROOT, "%s on %s (%s): %d nodes train, %d weights in %d initializers, batch %d%n", model,
                    d.spec(), d.info().name(), student.ops().size(), weights, student.parameters().size(), batch);
            out.printf(Locale.ROOT, "teacher: the model with weight noise %.3g x RMS; inputs uniform in [-1, 1]; MSE; Adam "
                    + "lr %.3g%n", noise, learningRate);
            OptimizerDriver adam = OptimizerDriver.of(new Adam(learningRate, 0.9, 0.999, 1e-8, 0, false), student);
            double first = Double.NaN;
            double last = Double.NaN;
            boolean finite = true;
            for (int step = 1; step <= steps; step++) {
                try (Tensor x = d.upload(in, uniform(in, random))) {
                    Tensor target = teacher.forward(x);
                    student.zeroGrad();
                    last = loss.forward(student.forward(x), target);
                    student.backward(loss.gradient());
                    adam.step();
                    student.release();
                    teacher.release();
                }
                first = step == 1 ? last : first;
                finite &= Double.isFinite(last);
                out.printf(Locale.ROOT, "step %d  loss %.6g%n", step, last);
            }
            out.printf(Locale.ROOT, "loss (step 1 -> %d): %.6g -> %.6g%n", steps, first, last);
            if (!finite) {
                spec.commandLine().getErr().println("error: a loss is not finite");
            }
            return finite ? 0 : 1;
        }
    }

    /** Adds N(0, (noise * rms(p))^2) to every element of {@code p}. */
    private static void perturb(Parameter p, double noise, SplittableRandom random) {
        float[] v = p.value().toArray();
        double sum = 0;
        for (float f : v) {
            sum += (double) f * f;
        }
        double scale = noise * Math.sqrt(sum / Math.max(1, v.length));
        for (int i = 0; i < v.length; i++) {
            v[i] += (float) (scale * gaussian(random));
        }
        p.value().copyFrom(v);
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    private static float[] uniform(Shape s, SplittableRandom r) {
        float[] x = new float[Math.toIntExact(s.elements())];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }
}
