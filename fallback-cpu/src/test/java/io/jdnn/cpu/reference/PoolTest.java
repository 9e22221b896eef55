package io.jdnn.cpu.reference;

import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.PoolProblem;
import io.jdnn.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Max, average and adaptive average pooling on the reference backend, through the public API. */
class PoolTest {
    static Device dev;

    @BeforeAll
    static void open() {
        dev = Devices.open("reference");
    }

    @AfterAll
    static void close() {
        dev.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "maxpool_mb2ic2ih7iw6kh3kw3sh2sw2ph1pw1dh1dw1ceil0",
        "maxpool_mb1ic2ih8iw7kh3kw2sh2sw3ph1pw1dh2dw1ceil1",
        "maxpool_mb1ic1ih5iw5kh2kw2sh1sw1ph0pw0dh1dw1ceil0",
        "avgpool_mb2ic2ih7iw6kh3kw3sh2sw2ph1pw1ceil1cip1",
        "avgpool_mb2ic2ih7iw6kh3kw3sh2sw2ph1pw1ceil1cip0",
        "avgpool_mb1ic2ih6iw5kh2kw3sh1sw2ph1pw0ceil0cip0",
        "avgpool_mb1ic2ih6iw5kh2kw3sh1sw2ph1pw0ceil0cip1",
        "adaptiveavgpool_mb2ic2ih5iw7oh2ow3",
        "adaptiveavgpool_mb1ic3ih7iw5oh3ow4",
        "adaptiveavgpool_mb1ic2ih3iw3oh1ow1",
    })
    void backwardIsTheGradientOfTheForwardPass(String text) {
        PoolProblem p = PoolProblem.parse(text);
        Random rnd = new Random(text.hashCode());
        // distinct values 0.05 apart (5000 times the step): max pooling has no ties and no kinks nearby
        float[] xv = Grad.distinct(rnd, (int) p.inputShape().elements(), 0.05);
        float[] r = Grad.uniform(rnd, (int) p.outputShape().elements(), -1, 1);
        try (Tensor x = dev.upload(p.inputShape(), xv);
             Tensor dy = dev.upload(p.outputShape(), r);
             Tensor dx = dev.poolBackward(p, x, dy)) {
            DoubleSupplier loss = () -> {
                try (Tensor y = dev.pool(p, x)) {
                    return Grad.dot(y.toDoubleArray(), r);
                }
            };
            Grad.assertGradient(text + " dx", dx.toDoubleArray(), Grad.numeric(x, loss));
        }
    }

    static double[] pool(PoolProblem p, float[] x) {
        try (Tensor tx = dev.upload(p.inputShape(), x); Tensor y = dev.pool(p, tx)) {
            return y.toDoubleArray();
        }
    }

    static double[] poolBackward(PoolProblem p, float[] x, float[] dy) {
        try (Tensor tx = dev.upload(p.inputShape(), x);
             Tensor tdy = dev.upload(p.outputShape(), dy);
             Tensor dx = dev.poolBackward(p, tx, tdy)) {
            return dx.toDoubleArray();
        }
    }

    @Test
    void maxPoolingNanWinsEvenBeforeALargerValue() {
        PoolProblem p = PoolProblem.max().size(2, 2).channels(1).kernel(2, 2).build();
        float[] x = {1, Float.NaN, 5, 2};
        assertTrue(Double.isNaN(pool(p, x)[0]));
        assertArrayEquals(new double[] {0, 7, 0, 0}, poolBackward(p, x, new float[] {7}));
        // val > max || isnan(val): each NaN replaces the one kept before it, so the last NaN takes the gradient
        assertArrayEquals(new double[] {0, 0, 7, 0}, poolBackward(p, new float[] {Float.NaN, 1, Float.NaN, 2},
                new float[] {7}));
    }

    @Test
    void maxPoolingTakesTheFirstOfEqualMaxima() {
        PoolProblem p = PoolProblem.max().size(2, 2).channels(1).kernel(2, 2).build();
        float[] x = {3, 1, 3, 2};
        assertArrayEquals(new double[] {3}, pool(p, x));
        assertArrayEquals(new double[] {7, 0, 0, 0}, poolBackward(p, x, new float[] {7}));
    }

    @Test
    void maxPoolingNeverPicksPaddingAndAccumulatesOverlappingWindows() {
        // 2x2 image of negative values, 3x3 windows with padding 1 at stride 1: every window holds
        // the whole image (and padding, which would be 0 if it counted); -1 wins all four windows
        PoolProblem p = PoolProblem.max().size(2, 2).channels(1).kernel(3, 3).stride(1, 1).padding(1, 1).build();
        float[] x = {-4, -1, -3, -2};
        assertArrayEquals(new double[] {-1, -1, -1, -1}, pool(p, x));
        assertArrayEquals(new double[] {0, 1 + 2 + 3 + 4, 0, 0}, poolBackward(p, x, new float[] {1, 2, 3, 4}));
    }

    @Test
    void averagePoolingDivisorInCeilModeWithPadding() {
        // one row 1..6, windows of 3 at stride 2 with padding 1, ceil mode: 4 windows
        // [-1,2) [1,4) [3,6) [5,7->clipped to 6); with padding counted the sizes are 3, 3, 3 and 2
        // (the last window ends at W + pad = 7, not at 5 + 3 = 8); without, the in-image counts 2, 3, 3, 1
        float[] x = {1, 2, 3, 4, 5, 6};
        PoolProblem.Builder b = PoolProblem.avg().size(1, 6).channels(1).kernel(1, 3).stride(1, 2).padding(0, 1)
                .ceilMode(true);
        PoolProblem include = b.countIncludePad(true).build();
        PoolProblem exclude = b.countIncludePad(false).build();
        assertEquals(4, include.outWidth());
        assertArrayEquals(new double[] {3 / 3.0, 9 / 3.0, 15 / 3.0, 6 / 2.0}, pool(include, x));
        assertArrayEquals(new double[] {3 / 2.0, 9 / 3.0, 15 / 3.0, 6 / 1.0}, pool(exclude, x));
        // backward spreads dy / divisor over the in-image positions of each window
        float[] dy = {6, 6, 6, 6};
        assertArrayEquals(new double[] {2, 2 + 2, 2, 2 + 2, 2, 2 + 3}, poolBackward(include, x, dy));
        assertArrayEquals(new double[] {3, 3 + 2, 2, 2 + 2, 2, 2 + 6}, poolBackward(exclude, x, dy));
        // floor mode drops the last window
        PoolProblem floor = b.countIncludePad(true).ceilMode(false).build();
        assertArrayEquals(new double[] {1, 3, 5}, pool(floor, x));
    }

    @Test
    void averagePoolingDivisorWithPaddingOnBothAxes() {
        // 4x4 ones, 3x3 windows at stride 2 with padding 1, ceil mode: 3 windows per axis covering
        // [-1,2) [1,4) [3,5) (clipped at H + pad = 5), sizes 3, 3, 2 with padding, in-image 2, 3, 1;
        // on ones the output is in-image area / divisor
        PoolProblem.Builder b = PoolProblem.avg().size(4, 4).channels(1).kernel(3, 3).stride(2, 2).padding(1, 1)
                .ceilMode(true);
        float[] ones = new float[16];
        Arrays.fill(ones, 1f);
        int[] in = {2, 3, 1};
        int[] size = {3, 3, 2};
        double[] include = new double[9];
        double[] exclude = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                include[i * 3 + j] = (double) (in[i] * in[j]) / (size[i] * size[j]);
                exclude[i * 3 + j] = 1;
            }
        }
        assertArrayEquals(include, pool(b.countIncludePad(true).build(), ones));
        assertArrayEquals(exclude, pool(b.countIncludePad(false).build(), ones));
    }

    @Test
    void adaptiveWindowsOverlapWhereTheSizeDoesNotDivide() {
        // 5 columns to 3 windows: [0,2) [1,4) [3,5)
        PoolProblem p = PoolProblem.adaptiveAvg(1, 1, 1, 5, 1, 3);
        assertArrayEquals(new double[] {1.5, 3, 4.5}, pool(p, new float[] {1, 2, 3, 4, 5}));
    }
}
