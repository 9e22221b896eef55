package io.jdnn.opencl;

import io.jdnn.kernels.KernelTestSupport;
import io.jdnn.ErrorBounds;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.jdnn.kernels.KernelTestSupport.assertClose;
import static io.jdnn.kernels.KernelTestSupport.poisoned;

/** Softmax forward and backward and the smoothed cross-entropy against the reference. */
class SoftmaxTest extends ClDeviceTest {

    /** (rows, cols, logit scale): a single column, fewer columns than work-items, more, large logits, many rows. */
    static final int[][] SHAPES = {{3, 1, 1}, {5, 10, 3}, {4, 1000, 3}, {2, 257, 40}, {1, 3001, 5},
        {300, 7, 2}}; // the last: more rows than groups are launched on a small device

    @Test
    void softmaxForwardAndBackward() {
        for (int[] sh : SHAPES) {
            Shape s = Shape.of(sh[0], sh[1]);
            int n = sh[0] * sh[1];
            float[] xs = KernelTestSupport.random(sh[1], n, -sh[2], sh[2]);
            float[] dys = KernelTestSupport.random(sh[1] + 1, n, -1, 1);
            String what = "softmax " + s + " scale " + sh[2];
            try (Tensor x = cl.upload(s, xs); Tensor dy = cl.upload(s, dys); Tensor y = poisoned(cl, s);
                 Tensor dx = poisoned(cl, s); Tensor rx = ref.upload(s, xs); Tensor rdy = ref.upload(s, dys);
                 Tensor ry = ref.allocate(s); Tensor rdx = ref.allocate(s)) {
                cl.softmax(x, y);
                ref.softmax(rx, ry);
                // a row sum of exponentials and a division (ErrorBounds.SOFTMAX)
                assertClose(what + " forward", y, ry, ErrorBounds.SOFTMAX);
                // backward from the reference's y, so only the backward arithmetic is measured
                try (Tensor yRef = cl.upload(s, ry.toArray())) {
                    cl.softmaxBackward(yRef, dy, dx);
                    ref.softmaxBackward(ry, rdy, rdx);
                    assertClose(what + " backward", dx, rdx, ErrorBounds.SOFTMAX);
                }
            }
        }
    }

    @Test
    void crossEntropyWithAndWithoutLabelSmoothing() {
        for (int[] sh : SHAPES) {
            int rows = sh[0];
            int cols = sh[1];
            Shape s = Shape.of(rows, cols);
            float[] xs = KernelTestSupport.random(cols + 7, rows * cols, -sh[2], sh[2]);
            int[] labels = new Random(cols).ints(rows, 0, cols).toArray();
            for (double smoothing : new double[] {0, 0.1, 1}) {
                String what = "cross-entropy " + s + " smoothing " + smoothing;
                try (Tensor x = cl.upload(s, xs); Tensor loss = poisoned(cl, Shape.of(1)); Tensor d = poisoned(cl, s);
                     Tensor rx = ref.upload(s, xs); Tensor rloss = ref.allocate(Shape.of(1));
                     Tensor rd = ref.allocate(s)) {
                    cl.softmaxCrossEntropy(x, labels, smoothing, loss, d);
                    ref.softmaxCrossEntropy(rx, labels, smoothing, rloss, rd);
                    // row reductions over the classes, a float32 log, then a mean over rows (ErrorBounds.SOFTMAX)
                    assertClose(what + " loss", loss, rloss, ErrorBounds.SOFTMAX);
                    assertClose(what + " dlogits", d, rd, ErrorBounds.SOFTMAX);
                }
            }
        }
    }

    /**
     * Confident rows with a tiny smoothing: the label's gradient (1 - on) - S'/S is of the order of
     * the smoothing, so 1 - on must not be formed from on rounded to float32 (found by the
     * conformance suite: crossentropy_rows1cols2_scale=40.0_smoothing=1.0E-6_labels=[0], 1.4 %
     * off before the kernel took 1 - on from the host in float64). Also a flat row of many
     * classes, where the maximum's p is small and 1 - S'/S would cancel instead.
     */
    @Test
    void crossEntropyOfConfidentAndFlatRows() {
        float[][] rows = {
                {40f, -40f},                 // p(label) = 1 - 2e-35: the gradient is the smoothing's alone
                {12f, 3f, -7f},
                {0.01f, 0f, -0.01f, 0.005f, 0f, 0.002f, -0.003f, 0.004f},  // flat: p(max) about 1/8
        };
        for (float[] row : rows) {
            Shape s = Shape.of(1, row.length);
            for (double smoothing : new double[] {1e-6, 1e-3, 0.5}) {
                String what = "cross-entropy " + java.util.Arrays.toString(row) + " smoothing " + smoothing;
                try (Tensor x = cl.upload(s, row); Tensor loss = poisoned(cl, Shape.of(1)); Tensor d = poisoned(cl, s);
                     Tensor rx = ref.upload(s, row); Tensor rloss = ref.allocate(Shape.of(1));
                     Tensor rd = ref.allocate(s)) {
                    cl.softmaxCrossEntropy(x, new int[] {0}, smoothing, loss, d);
                    ref.softmaxCrossEntropy(rx, new int[] {0}, smoothing, rloss, rd);
                    assertClose(what + " loss", loss, rloss, ErrorBounds.SOFTMAX);
                    assertClose(what + " dlogits", d, rd, ErrorBounds.SOFTMAX);
                }
            }
        }
    }
}
