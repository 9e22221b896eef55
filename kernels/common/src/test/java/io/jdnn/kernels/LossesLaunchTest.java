package io.jdnn.kernels;

import io.jdnn.DeviceOptions;
import io.jdnn.Loss;
import io.jdnn.spi.Buffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every op of the losses family issued on a {@link RecordingDevice}: each launch's arguments match
 * its kernel's declaration (the recording device checks), and every kernel of {@code losses.cl} is
 * launched by some op.
 */
class LossesLaunchTest {

    @Test
    void everyLossOpLaunchesItsKernelsAsDeclared() {
        RecordingDevice d = new RecordingDevice(DeviceOptions.DEFAULT);
        for (int[] rc : new int[][] {{1, 1}, {5, 3}, {3, 700}, {5000, 2}}) {
            int rows = rc[0], cols = rc[1];
            Buffer x = d.allocate((long) rows * cols);
            Buffer dx = d.allocate((long) rows * cols);
            d.nllLoss(rows, cols, new int[rows], x, d.allocate(1), dx);
        }
        for (long n : new long[] {1, 1003, 70_000}) {
            Buffer x = d.allocate(n);
            Buffer t = d.allocate(n);
            Buffer dx = d.allocate(n);
            for (Loss l : List.of(Loss.mse(), Loss.l1(), Loss.smoothL1(0.5), Loss.smoothL1(0), Loss.bceWithLogits())) {
                d.loss(l, n, x, t, d.allocate(1), dx);
            }
        }
        Set<String> launched = new TreeSet<>();
        for (RecordingDevice.Launch l : d.launches()) {
            launched.add(l.source() + ":" + l.compiled());
        }
        List<String> never = new ArrayList<>();
        for (String kernel : KernelSources.precompiledKernels("losses.cl").keySet()) {
            if (!launched.contains("losses.cl:" + kernel)) {
                never.add(kernel);
            }
        }
        assertEquals(List.of(), never, "kernels of losses.cl no op launched");
    }
}
