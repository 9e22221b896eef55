package io.jdnn.cpu.reference;

import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.PoolProblem;
import io.jdnn.Tensor;
import io.jdnn.UnpoolProblem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Max pooling with indices, max unpooling and its backward on the reference backend, through the public API. */
class UnpoolTest {
    static Device dev;

    @BeforeAll
    static void open() {
        dev = Devices.open("reference");
    }

    @AfterAll
    static void close() {
        dev.close();
    }

    /** [y, indices] of max pooling with indices. */
    static double[][] poolWithIndices(PoolProblem p, float[] x) {
        try (Tensor tx = dev.upload(p.inputShape(), x)) {
            List<Tensor> out = dev.maxPoolWithIndices(p, tx);
            try (Tensor y = out.get(0); Tensor idx = out.get(1)) {
                return new double[][] {y.toDoubleArray(), idx.toDoubleArray()};
            }
        }
    }

    static double[] unpool(UnpoolProblem p, float[] x, float[] indices) {
        try (Tensor tx = dev.upload(p.inputShape(), x);
             Tensor ti = dev.upload(p.inputShape(), indices);
             Tensor y = dev.maxUnpool(p, tx, ti)) {
            return y.toDoubleArray();
        }
    }

    static double[] unpoolBackward(UnpoolProblem p, float[] indices, float[] dy) {
        try (Tensor ti = dev.upload(p.inputShape(), indices);
             Tensor tdy = dev.upload(p.outputShape(), dy);
             Tensor dx = dev.maxUnpoolBackward(p, ti, tdy)) {
            return dx.toDoubleArray();
        }
    }

    @Test
    void indicesNameTheWinnersOfPoolAndItsTiesAndNans() {
        PoolProblem p = PoolProblem.max().size(2, 4).channels(1).kernel(2, 2).build();
        // window 0: 3 at (0,0) and (1,0): the first wins; window 1: NaN at (0,3) and (1,2): the last NaN wins
        float[] x = {3, 1, 0, Float.NaN, 3, 2, Float.NaN, 5};
        double[][] r = poolWithIndices(p, x);
        assertEquals(3, r[0][0]);
        assertTrue(Double.isNaN(r[0][1]));
        assertArrayEquals(new double[] {0, 6}, r[1]);
        // the values at the indices are pool's values
        try (Tensor tx = dev.upload(p.inputShape(), x); Tensor y = dev.pool(p, tx)) {
            assertArrayEquals(y.toDoubleArray(), r[0]);
        }
    }

    @Test
    void indicesSkipPaddingAndCountWithinThePlane() {
        PoolProblem p = PoolProblem.max().batch(2).size(3, 3).channels(1).kernel(2, 2).stride(2, 2).padding(1, 1).build();
        float[] x = new float[18];
        for (int i = 0; i < x.length; i++) {
            x[i] = -i; // the first in-image cell of each window wins
        }
        double[][] r = poolWithIndices(p, x);
        assertArrayEquals(new double[] {0, 1, 3, 4, 0, 1, 3, 4}, r[1]);
        assertArrayEquals(new double[] {0, -1, -3, -4, -9, -10, -12, -13}, r[0]);
    }

    @Test
    void unpoolPlacesEachInputAtItsIndexAndZerosTheRest() {
        UnpoolProblem p = UnpoolProblem.of(1, 1, 2, 2, 2, 2, 2, 2, 0, 0);
        assertEquals(4, p.outHeight());
        float[] idx = {5, 2, 8, 15};
        double[] y = unpool(p, new float[] {1, 2, 3, 4}, idx);
        double[] want = new double[16];
        want[5] = 1;
        want[2] = 2;
        want[8] = 3;
        want[15] = 4;
        assertArrayEquals(want, y);
        assertArrayEquals(new double[] {60, 30, 90, 160}, unpoolBackward(p, idx, dyOf(p)));
    }

    @Test
    void unpoolSkipsEveryIndexOutOfRangeAndGivesItNoGradient() {
        UnpoolProblem p = UnpoolProblem.of(1, 1, 2, 3, 2, 2, 2, 2, 0, 0); // output 4 x 6: 24 positions
        float[] idx = {-1, 24, 2.5f, Float.NaN, 1e30f, -0f};
        double[] y = unpool(p, new float[] {1, 2, 3, 4, 5, 6}, idx);
        double[] want = new double[24];
        want[0] = 6; // -0 names position 0
        assertArrayEquals(want, y);
        assertArrayEquals(new double[] {0, 0, 0, 0, 0, 10}, unpoolBackward(p, idx, dyOf(p)));
    }

    @Test
    void ofInputsNamingOnePositionTheHighestWinsAndAllGetItsGradient() {
        UnpoolProblem p = new UnpoolProblem(2, 1, 1, 4, 1, 2, 1, 1, 0, 0, 1, 5);
        float[] idx = {3, 1, 3, 0, /* plane 1 */ 2, 2, 4, 2};
        double[] y = unpool(p, new float[] {1, 2, 3, 4, 5, 6, 7, 8}, idx);
        assertArrayEquals(new double[] {4, 2, 0, 3, 0, /* plane 1 */ 0, 0, 8, 0, 7}, y);
        assertArrayEquals(new double[] {40, 20, 40, 10, /* plane 1 */ 30, 30, 50, 30}, unpoolBackward(p, idx, dyOf(p)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "maxunpool_mb2ic2ih3iw4kh2kw2sh2sw2ph0pw0",
        "maxunpool_mb1ic2ih3iw3kh3kw3sh2sw2ph1pw1oh6ow6",
        "maxunpool_mb1ic1ih4iw2kh2kw1sh3sw1ph0pw0oh12",
    })
    void backwardIsTheGradientOfTheForwardPassForDistinctIndices(String text) {
        UnpoolProblem p = UnpoolProblem.parse(text);
        Random rnd = new Random(text.hashCode());
        int in = p.height() * p.width();
        int out = p.outHeight() * p.outWidth();
        int planes = p.batch() * p.channels();
        float[] idx = new float[planes * in];
        for (int pl = 0; pl < planes; pl++) {
            // distinct positions of the plane (a shuffle's prefix), one of them out of range
            int[] perm = new int[out];
            for (int i = 0; i < out; i++) {
                perm[i] = i;
            }
            for (int i = out - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            for (int i = 0; i < in; i++) {
                idx[pl * in + i] = i == 1 ? out : perm[i];
            }
        }
        float[] xv = Grad.uniform(rnd, planes * in, -1, 1);
        float[] r = Grad.uniform(rnd, planes * out, -1, 1);
        try (Tensor x = dev.upload(p.inputShape(), xv);
             Tensor ti = dev.upload(p.inputShape(), idx);
             Tensor dy = dev.upload(p.outputShape(), r);
             Tensor dx = dev.maxUnpoolBackward(p, ti, dy)) {
            DoubleSupplier loss = () -> {
                try (Tensor y = dev.maxUnpool(p, x, ti)) {
                    return Grad.dot(y.toDoubleArray(), r);
                }
            };
            Grad.assertGradient(text + " dx", dx.toDoubleArray(), Grad.numeric(x, loss));
        }
    }

    @Test
    void unpoolOfThePoolingsIndicesRestoresTheWinners() {
        PoolProblem pool = PoolProblem.parse("maxpool_mb1ic2ih5iw6kh2kw2sh2sw2ph0pw0dh1dw1ceil1");
        UnpoolProblem p = UnpoolProblem.inverseOf(pool);
        assertEquals(pool.inputShape(), p.outputShape());
        float[] x = Grad.distinct(new Random(7), (int) pool.inputShape().elements(), 0.05);
        for (int i = 0; i < x.length; i++) {
            x[i] += 100; // no zero among them: a zero of y would look like a position nothing was written to
        }
        double[][] r = poolWithIndices(pool, x);
        float[] y = new float[r[0].length];
        float[] idx = new float[r[1].length];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) r[0][i];
            idx[i] = (float) r[1][i];
        }
        double[] back = unpool(p, y, idx);
        int winners = 0;
        for (int i = 0; i < back.length; i++) {
            if (back[i] != 0) {
                assertEquals(x[i], back[i], "position " + i);
                winners++;
            }
        }
        assertEquals(pool.outputShape().elements(), winners); // disjoint windows: one winner each
    }

    @Test
    void argumentsAreCheckedByName() {
        PoolProblem p = PoolProblem.max().size(4, 4).channels(1).kernel(2, 2).build();
        UnpoolProblem u = UnpoolProblem.inverseOf(p);
        try (Tensor x = dev.zeros(p.inputShape()); Tensor y = dev.zeros(p.outputShape());
             Tensor wrong = dev.zeros(p.inputShape())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> dev.maxPoolWithIndices(p, x, y, y));
            assertTrue(e.getMessage().contains("argument 'indices': expected a tensor distinct from the inputs"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> dev.maxPoolWithIndices(p, x, y, wrong));
            assertTrue(e.getMessage().contains("argument 'indices': expected shape [1, 1, 2, 2], got [1, 1, 4, 4]"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> dev.maxUnpool(u, y, x).close());
            assertTrue(e.getMessage().contains("argument 'indices': expected shape [1, 1, 2, 2], got [1, 1, 4, 4]"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> dev.maxUnpoolBackward(u, y, y).close());
            assertTrue(e.getMessage().contains("argument 'dy': expected shape [1, 1, 4, 4], got [1, 1, 2, 2]"),
                    e.getMessage());
            PoolProblem avg = PoolProblem.avg().size(4, 4).channels(1).kernel(2, 2).build();
            e = assertThrows(IllegalArgumentException.class, () -> dev.maxPoolWithIndices(avg, x));
            assertEquals("mode: expected MAX (only max pooling has indices), got AVG", e.getMessage());
        }
    }

    /** dy of p's output shape: 10 * (its position in the plane + 1). */
    private static float[] dyOf(UnpoolProblem p) {
        int out = p.outHeight() * p.outWidth();
        float[] v = new float[(int) p.outputShape().elements()];
        for (int i = 0; i < v.length; i++) {
            v[i] = 10 * (i % out + 1);
        }
        return v;
    }
}
