package io.jdnn.opencl;

import io.jdnn.DeviceOptions;
import io.jdnn.kernels.KernelDevice;
import io.jdnn.kernels.KernelLaunch;
import io.jdnn.kernels.KernelSources;
import io.jdnn.kernels.Pooling;
import io.jdnn.kernels.KernelTestSupport;
import io.jdnn.ErrorBounds;
import io.jdnn.PoolProblem;
import io.jdnn.Tensor;
import io.jdnn.spi.Buffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.jdnn.kernels.KernelTestSupport.assertClose;
import static io.jdnn.kernels.KernelTestSupport.poisoned;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Pooling forward and backward, every mode, against the reference; max pooling's tiled backward
 * kernel bitwise against the gather kernel it replaces, and its tile choice.
 */
class PoolTest extends ClDeviceTest {

    static final List<String> MAX = List.of(
            "maxpool_mb2ic3ih7iw9kh3kw3sh2sw2ph1pw1dh1dw1ceil0",   // the usual, odd sizes
            "maxpool_mb2ic3ih7iw9kh3kw3sh2sw2ph1pw1dh1dw1ceil1",   // ceil mode adds a clipped last window
            "maxpool_mb1ic2ih10iw11kh3kw3sh2sw2ph1pw1dh2dw2ceil1", // dilation with stride and ceil mode
            "maxpool_mb2ic2ih8iw7kh2kw2sh3sw3ph0pw0dh1dw1ceil0",   // stride > kernel: rows nobody reads
            "maxpool_mb1ic3ih1iw1kh1kw1sh1sw1ph0pw0dh1dw1ceil0",   // 1x1 image
            "maxpool_mb1ic1ih5iw6kh3kw2sh1sw1ph1pw1dh1dw2ceil0"    // overlapping windows, asymmetric
    );

    static final List<String> AVG = List.of(
            "avgpool_mb2ic3ih7iw9kh3kw3sh2sw2ph1pw1ceil0cip1",
            "avgpool_mb2ic3ih7iw9kh3kw3sh2sw2ph1pw1ceil0cip0",
            "avgpool_mb1ic2ih6iw6kh3kw3sh2sw2ph1pw1ceil1cip1",     // last window clipped at H + pad
            "avgpool_mb1ic2ih6iw6kh3kw3sh2sw2ph1pw1ceil1cip0",
            "avgpool_mb1ic2ih5iw4kh2kw3sh3sw1ph1pw1ceil0cip1",     // stride > kernel in rows
            "avgpool_mb1ic1ih1iw1kh1kw1sh1sw1ph0pw0ceil0cip1"      // 1x1 image
    );

    static final List<String> ADAPTIVE = List.of(
            "adaptiveavgpool_mb2ic3ih7iw9oh3ow4",                 // uneven, overlapping windows
            "adaptiveavgpool_mb2ic5ih5iw5oh1ow1",                 // global
            "adaptiveavgpool_mb1ic2ih4iw3oh6ow5",                 // more outputs than inputs
            "adaptiveavgpool_mb1ic1ih1iw1oh2ow2"
    );

    /**
     * Max-pooling backward problems for the tiled kernel (pool_max_backward_tiled): several tiles
     * in both directions at the host's tile choice, halos of every kind, several planes.
     */
    static final List<String> MAX_TILED = List.of(
            "maxpool_mb2ic3ih41iw45kh3kw3sh2sw2ph1pw1dh1dw1ceil0",   // the ResNet stem pool's shape: halo 1
            "maxpool_mb1ic2ih37iw35kh3kw3sh1sw1ph1pw1dh1dw1ceil0",   // stride 1: halo 2
            "maxpool_mb1ic2ih30iw33kh3kw3sh1sw1ph1pw1dh2dw2ceil0",   // dilation 2, stride 1: halo 4
            "maxpool_mb2ic2ih35iw38kh3kw3sh2sw2ph1pw1dh2dw2ceil1",   // dilation 2, stride 2, ceil mode
            "maxpool_mb1ic3ih40iw41kh2kw2sh3sw3ph1pw1dh1dw1ceil0",   // kernel smaller than the stride: no halo
            "maxpool_mb2ic2ih34iw36kh3kw3sh2sw2ph0pw0dh1dw1ceil1",   // ceil mode: a clipped last window
            "maxpool_mb1ic2ih20iw22kh9kw7sh1sw1ph4pw3dh1dw1ceil0",   // padding beyond stride*tile: tiles owning nothing
            "maxpool_mb1ic1ih25iw26kh3kw2sh1sw2ph1pw1dh1dw2ceil0",   // asymmetric
            "maxpool_mb1ic2ih50iw47kh4kw3sh5sw7ph2pw1dh3dw2ceil1",   // strides beyond the kernel, dilation, ceil mode
            "maxpool_mb1ic2ih2500iw9kh2kw2sh1000sw2ph1pw1dh1dw1ceil0", // a stride of 1000 rows
            "maxpool_mb2ic3ih7iw9kh3kw3sh2sw2ph1pw1dh1dw1ceil0",     // a plane smaller than one tile
            "maxpool_mb1ic3ih1iw1kh1kw1sh1sw1ph0pw0dh1dw1ceil0",     // 1x1 image
            "maxpool_mb2ic2ih1iw1kh2kw2sh2sw2ph1pw1dh1dw1ceil0",     // 1x1 image, padded window
            "maxpool_mb1ic2ih6iw7kh3kw3sh2147483647sw2147483647ph0pw0dh536870912dw536870912ceil1" // huge stride and dilation
    );

    /** Max pooling whose 1x1 tile plus halo (1200 window rows) exceeds the local array: pool_max_backward runs. */
    static final String MAX_NO_TILE = "maxpool_mb1ic2ih1300iw5kh3kw1sh1sw1ph1pw0dh600dw1ceil0";

    /** Quantized values so that windows hold ties (first maximum wins) and a few NaNs. */
    private static float[] input(PoolProblem p, boolean withTiesAndNaN) {
        int n = Math.toIntExact(p.inputShape().elements());
        float[] x = KernelTestSupport.random(p.hashCode(), n, -1, 1);
        if (withTiesAndNaN) {
            for (int i = 0; i < n; i++) {
                x[i] = Math.round(x[i] * 2) / 2f; // five distinct values: ties everywhere
            }
            for (int i = 5; i < n; i += 37) {
                x[i] = Float.NaN;
            }
        }
        return x;
    }

    private void check(String problem, boolean tiesAndNaN) {
        PoolProblem p = PoolProblem.parse(problem);
        float[] xs = input(p, tiesAndNaN);
        float[] dys = KernelTestSupport.random(p.hashCode() + 1, Math.toIntExact(p.outputShape().elements()), -1, 1);
        try (Tensor x = cl.upload(p.inputShape(), xs); Tensor dy = cl.upload(p.outputShape(), dys);
             Tensor y = poisoned(cl, p.outputShape()); Tensor dx = poisoned(cl, p.inputShape());
             Tensor rx = ref.upload(p.inputShape(), xs); Tensor rdy = ref.upload(p.outputShape(), dys);
             Tensor ry = ref.pool(p, rx); Tensor rdx = ref.poolBackward(p, rx, rdy)) {
            cl.pool(p, x, y);
            cl.poolBackward(p, x, dy, dx);
            String what = problem + (tiesAndNaN ? " with ties and NaN" : "");
            // max: exact; averages: a window's sum in float32; backward: a few overlapping windows' terms
            assertClose(what + " forward", y, ry, ErrorBounds.POOLING);
            assertClose(what + " backward", dx, rdx, ErrorBounds.POOLING);
        }
    }

    @Test
    void maxPooling() {
        for (String p : MAX) {
            check(p, false);
            check(p, true);
        }
    }

    @Test
    void averagePooling() {
        for (String p : AVG) {
            check(p, false);
        }
    }

    @Test
    void adaptiveAveragePooling() {
        for (String p : ADAPTIVE) {
            check(p, false);
        }
    }

    // ================================================================== max-pooling backward, tiled

    private static int halo(int k, int d, int s) {
        return (int) ((long) (k - 1) * d / s);
    }

    /** The arguments pool_max_backward and pool_max_backward_tiled share after the first, in order. */
    private static KernelLaunch window(KernelLaunch l, PoolProblem p) {
        return Pooling.window(l, p).arg("dh", p.dilationH()).arg("dw", p.dilationW());
    }

    private static float[] read(KernelDevice dev, Buffer b, long n) {
        float[] out = new float[Math.toIntExact(n)];
        dev.read(b, 0, out, 0, out.length);
        return out;
    }

    private static Buffer upload(KernelDevice dev, float[] values) {
        Buffer b = dev.allocate(values.length);
        dev.write(b, 0, values, 0, values.length);
        return b;
    }

    /** dx from today's gather kernel, pool_max_backward, launched directly into a NaN-poisoned buffer. */
    private static float[] gather(KernelDevice dev, PoolProblem p, Buffer x, Buffer dy) {
        long n = p.inputShape().elements();
        Buffer dx = dev.allocate(n);
        dev.fill(dx, n, Float.NaN);
        window(dev.launch("test", p.toString(), "pool.cl", "pool_max_backward").arg("total", n), p)
                .arg("x", x).arg("dy", dy).arg("dx", dx)
                .elements(n);
        float[] out = read(dev, dx, n);
        dev.free(dx);
        return out;
    }

    /** dx from pool_max_backward_tiled with tiles of toh x tow windows, launched directly. */
    private static float[] tiled(KernelDevice dev, PoolProblem p, Buffer x, Buffer dy, int toh, int tow, long local,
                                 long groups) {
        long n = p.inputShape().elements();
        Buffer dx = dev.allocate(n);
        dev.fill(dx, n, Float.NaN);
        window(dev.launch("test", p.toString(), "pool.cl", "pool_max_backward_tiled")
                .arg("planes", (long) p.batch() * p.channels()), p)
                .arg("TOH", toh).arg("TOW", tow).arg("x", x).arg("dy", dy).arg("dx", dx)
                .groups(groups, local);
        float[] out = read(dev, dx, n);
        dev.free(dx);
        return out;
    }

    private static void assertBitwise(String what, float[] expected, float[] got) {
        assertEquals(expected.length, got.length, what + ": element count");
        StringBuilder m = new StringBuilder();
        int bad = 0;
        for (int i = 0; i < got.length; i++) {
            if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(expected[i])) {
                if (bad < 10) {
                    m.append("\n  [").append(i).append("] got ").append(got[i]).append(", expected ").append(expected[i]);
                }
                bad++;
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + got.length + " elements differ" + m);
        }
    }

    /** Whether a tile of toh x tow windows with its halo fits the kernel's local array. */
    private static boolean fits(PoolProblem p, int toh, int tow) {
        long rows = Math.min(toh, p.outHeight()) + halo(p.kernelH(), p.dilationH(), p.strideH());
        long cols = Math.min(tow, p.outWidth()) + halo(p.kernelW(), p.dilationW(), p.strideW());
        return rows * cols <= KernelSources.defaultInt("pool.cl", "POOL_TILE_WINDOWS");
    }

    /**
     * The tiled kernel gives bitwise the gather kernel's dx: at the host's tile (through
     * poolBackward, also checked against the reference) and launched directly with small and odd
     * tiles (many tiles, a halo bigger than the tile, tiles larger than the plane), with several
     * local sizes and with fewer groups than tiles; with and without ties and NaN.
     */
    @Test
    void tiledMaxBackwardIsBitwiseTheGatherKernel() {
        for (String text : MAX_TILED) {
            check(text, false);
            check(text, true);
        }
        try (KernelDevice dev = OpenClBackendTest.openRaw(DeviceOptions.DEFAULT)) {
            int capacity = KernelSources.defaultInt("pool.cl", "POOL_TILE_WINDOWS");
            for (String text : MAX_TILED) {
                PoolProblem p = PoolProblem.parse(text);
                Pooling.PoolTile hostTile = Pooling.poolMaxTile(p, capacity);
                assertNotNull(hostTile, text + ": the tiled kernel takes it");
                for (boolean tiesAndNaN : new boolean[] {false, true}) {
                    String what = text + (tiesAndNaN ? " with ties and NaN" : "");
                    Buffer x = upload(dev, input(p, tiesAndNaN));
                    Buffer dy = upload(dev, KernelTestSupport.random(p.hashCode() + 1,
                            Math.toIntExact(p.outputShape().elements()), -1, 1));
                    float[] expected = gather(dev, p, x, dy);

                    long n = p.inputShape().elements();
                    Buffer dx = dev.allocate(n);
                    dev.fill(dx, n, Float.NaN);
                    dev.poolBackward(p, x, dy, dx);
                    assertBitwise(what + ", poolBackward (tile " + hostTile + ")", expected, read(dev, dx, n));
                    dev.free(dx);

                    int[][] shapes = {{1, 1}, {1, 3}, {2, 1}, {2, 3}, {3, 2}, {5, 4}, {7, 16},
                            {hostTile.rows(), hostTile.cols()}, {p.outHeight(), p.outWidth()}, {64, 64}};
                    for (int[] t : shapes) {
                        if (!fits(p, t[0], t[1])) {
                            continue;
                        }
                        long tiles = (long) p.batch() * p.channels() * ((p.outHeight() - 1) / t[0] + 1)
                                * ((p.outWidth() - 1) / t[1] + 1);
                        for (long[] lg : new long[][] {{256, tiles}, {64, 3}, {7, tiles}, {1, 1}}) {
                            assertBitwise(what + ", tile " + t[0] + "x" + t[1] + ", local " + lg[0] + ", groups "
                                    + lg[1], expected, tiled(dev, p, x, dy, t[0], t[1], lg[0], Math.min(lg[1], tiles)));
                        }
                    }
                    dev.free(x);
                    dev.free(dy);
                }
            }
        }
    }

    /** A halo that does not fit the local array: poolBackward runs the gather kernel, still right. */
    @Test
    void maxBackwardWithoutATileRunsTheGatherKernel() {
        PoolProblem p = PoolProblem.parse(MAX_NO_TILE);
        assertNull(Pooling.poolMaxTile(p, KernelSources.defaultInt("pool.cl", "POOL_TILE_WINDOWS")));
        check(MAX_NO_TILE, false);
        check(MAX_NO_TILE, true);
        try (KernelDevice dev = OpenClBackendTest.openRaw(DeviceOptions.DEFAULT)) {
            Buffer x = upload(dev, input(p, true));
            Buffer dy = upload(dev, KernelTestSupport.random(p.hashCode() + 1,
                    Math.toIntExact(p.outputShape().elements()), -1, 1));
            long n = p.inputShape().elements();
            Buffer dx = dev.allocate(n);
            dev.fill(dx, n, Float.NaN);
            dev.poolBackward(p, x, dy, dx);
            assertBitwise(MAX_NO_TILE, gather(dev, p, x, dy), read(dev, dx, n));
        }
    }

    /**
     * The tile choice: within the output, at most POOL_TILE_TARGET windows, halo included within
     * the capacity; none when a 1x1 tile with its halo does not fit; no overflow at extents,
     * strides and dilations of 2^31 - 1.
     */
    @Test
    void maxTileChoiceKeepsItsLimits() {
        int capacity = KernelSources.defaultInt("pool.cl", "POOL_TILE_WINDOWS");
        // the ResNet stem pool: 56x56 windows, halo 1: 16x16 is the squarest 256, evened out to 4 tiles of 14
        assertEquals(new Pooling.PoolTile(14, 14),
                Pooling.poolMaxTile(PoolProblem.parse("maxpool_mb32ic64ih112iw112kh3kw3sh2sw2ph1pw1"), capacity));
        // halos 31x31: a 1x1 tile with its halo is 32x32 = 1024 windows, just fits; one more row does not
        PoolProblem edge = PoolProblem.max().channels(1).size(40, 40).kernel(32, 32).stride(1, 1).padding(16, 16).build();
        assertEquals(new Pooling.PoolTile(1, 1), Pooling.poolMaxTile(edge, 1024));
        assertNull(Pooling.poolMaxTile(edge, 1023));
        PoolProblem over = PoolProblem.max().channels(1).size(40, 40).kernel(33, 32).stride(1, 1).padding(16, 16).build();
        assertNull(Pooling.poolMaxTile(over, 1024));

        int big = Integer.MAX_VALUE;
        List<PoolProblem> problems = new ArrayList<>();
        for (String text : MAX_TILED) {
            problems.add(PoolProblem.parse(text));
        }
        for (String text : MAX) {
            problems.add(PoolProblem.parse(text));
        }
        problems.add(PoolProblem.parse(MAX_NO_TILE));
        problems.add(PoolProblem.max().channels(1).size(big, big).kernel(3, 3).stride(1, 1).padding(1, 1).build());
        problems.add(PoolProblem.max().channels(1).size(big, 5).kernel(3, 3).stride(big, 1).padding(1, 1).build());
        problems.add(PoolProblem.max().channels(1).size(big, big).kernel(3, 3).stride(1, 1).padding(1, 1)
                .dilation(big / 2, 1).build()); // halo 2^31 - 2 rows
        problems.add(PoolProblem.max().channels(1).size(5, 9).kernel(big, 3).stride(big, 2).padding(big / 2 - 1, 1).build());
        problems.add(PoolProblem.max().channels(1).size(9, 9).kernel(3, 3).stride(big, big).dilation(1 << 29, 1 << 29)
                .ceilMode(true).build());
        for (PoolProblem p : problems) {
            long haloH = (long) (p.kernelH() - 1) * p.dilationH() / p.strideH();
            long haloW = (long) (p.kernelW() - 1) * p.dilationW() / p.strideW();
            for (int cap : new int[] {capacity, 64, 9, 1}) {
                Pooling.PoolTile t = Pooling.poolMaxTile(p, cap);
                boolean oneFits = (haloH + 1) * (haloW + 1) <= cap;
                assertEquals(oneFits, t != null, p + " capacity " + cap + ": a tile exactly when 1x1 fits");
                if (t == null) {
                    continue;
                }
                String what = p + " capacity " + cap + ": " + t;
                assertTrue(t.rows() >= 1 && t.cols() >= 1, what);
                assertTrue(t.rows() <= p.outHeight() && t.cols() <= p.outWidth(), what + " within the output");
                assertTrue((long) t.rows() * t.cols() <= 256, what + " at most 256 windows");
                assertTrue((t.rows() + haloH) * (t.cols() + haloW) <= cap, what + " with its halo within the capacity");
            }
        }
    }
}
