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
}
