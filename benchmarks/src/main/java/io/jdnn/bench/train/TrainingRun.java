package io.jdnn.bench.train;

import io.jdnn.Device;
import io.jdnn.examples.Batch;
import io.jdnn.examples.Example;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Trains an {@link Example} for a number of steps: the loss of each step to {@code out}, a progress
 * bar to {@code err}, a summary with images per second at the end, and optionally the PNG. Then it
 * frees the activations and checks that the device holds exactly the example's persistent tensors.
 */
final class TrainingRun {
    /** What a run measured. */
    record Result(List<double[]> losses, double seconds, double secondsAfterFirst, long liveAfterRelease,
                  long expectedLive) {
        double imagesPerSecond(int batch) {
            return losses.size() * (double) batch / seconds;
        }

        /** Throughput without step 1, which compiles kernels and picks algorithms; NaN for a one-step run. */
        double imagesPerSecondAfterFirst(int batch) {
            return losses.size() < 2 ? Double.NaN : (losses.size() - 1) * (double) batch / secondsAfterFirst;
        }
    }

    private final Example example;
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean progress;

    TrainingRun(Example example, PrintWriter out, PrintWriter err, boolean progress) {
        this.example = example;
        this.out = out;
        this.err = err;
        this.progress = progress;
    }

    Result run(long steps) {
        List<String> names = example.lossNames();
        List<double[]> losses = new ArrayList<>();
        ProgressBar bar = new ProgressBar(err, steps, progress);
        long t0 = System.nanoTime();
        long t1 = t0;
        for (long s = 1; s <= steps; s++) {
            double[] l = example.step(s);
            long now = System.nanoTime();
            if (s == 1) {
                t1 = now;
            }
            losses.add(l);
            bar.clear();
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "step %" + Long.toString(steps).length() + "d", s));
            for (int k = 0; k < names.size(); k++) {
                line.append(String.format(Locale.ROOT, "  %s %.6f", names.get(k), l[k]));
            }
            out.println(line);
            out.flush();
            bar.update(s, (now - t0) / 1e9);
        }
        long end = System.nanoTime();
        bar.finish((end - t0) / 1e9);
        example.release();
        Device d = example.device();
        return new Result(losses, (end - t0) / 1e9, (end - t1) / 1e9, d.memory().liveTensors(), example.persistentTensors());
    }

    void summarize(Result r) {
        List<String> names = example.lossNames();
        int n = r.losses().size();
        int batch = example.batchSize();
        if (n > 0) {
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < names.size(); k++) {
                b.append(String.format(Locale.ROOT, "%s%s %.6f -> %.6f", k == 0 ? "" : ", ", names.get(k),
                        r.losses().get(0)[k], r.losses().get(n - 1)[k]));
            }
            out.println("loss (step 1 -> " + n + "): " + b);
        }
        String after = Double.isNaN(r.imagesPerSecondAfterFirst(batch)) ? ""
                : String.format(Locale.ROOT, "; %.1f from step 2 on", r.imagesPerSecondAfterFirst(batch));
        out.println(String.format(Locale.ROOT, "images/s: %.1f (%d images in %.2f s)%s", r.imagesPerSecond(batch),
                (long) n * batch, r.seconds(), after));
        out.println("tensors live after release: " + r.liveAfterRelease() + " (parameters, gradients, optimizer state and buffers: "
                + r.expectedLive() + ")");
    }

    void writePng(File file, Result r) throws IOException {
        Batch samples = example.samples(64).orElse(null);
        String title = example.name() + " on " + example.device().spec() + ", batch " + example.batchSize();
        TrainingPlot.write(file, TrainingPlot.render(title, example.lossNames(), r.losses(), samples));
        example.release();
    }
}
