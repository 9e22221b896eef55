package io.jdnn.cpu.fast;

import io.jdnn.Devices;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The width the Vector API kernels run: the JVM's preferred one unless {@value VectorWidth#PROPERTY}
 * asks for 256 (the build runs this module's tests once at each), named in the device's details; and
 * the GEMM micro-kernel gives the same bits at every width and tiling.
 */
class VectorWidthTest {

    @Test
    void widthFollowsThePropertyOrThePreferredSpecies() {
        Assumptions.assumeTrue(KernelsLoader.vector() != null, "no Vector API in this JVM");
        int preferred = Math.min(512, FloatVector.SPECIES_PREFERRED.vectorBitSize());
        String request = System.getProperty(VectorWidth.PROPERTY, "");
        int expected = request.equals("256") ? 256 : preferred;
        assertEquals(expected, VectorWidth.bits(), VectorWidth.WHY);
        assertEquals(expected / 32, VectorWidth.L);
        assertEquals(2 * VectorWidth.L, VectorGemm.NR);
        String details = Devices.wrap(CpuBackend.open(io.jdnn.DeviceOptions.DEFAULT, KernelsLoader.vector()),
                io.jdnn.DeviceOptions.DEFAULT).info().details();
        assertTrue(details.contains(VectorWidth.L + " lanes, " + expected + "-bit"), details);
    }

    /**
     * Every C element is one fma chain in reduction order, whatever the tile (6, 4 and 1 rows, every
     * column panel): the kernel equals a scalar fma loop bit for bit, so 256 and 512 bits agree.
     */
    @Test
    void gemmEqualsScalarFmaChains() {
        Assumptions.assumeTrue(KernelsLoader.vector() != null, "no Vector API in this JVM");
        Random r = new Random(7);
        for (int[] mnk : new int[][] {{1, 1, 1}, {6, 32, 5}, {11, 45, 17}, {64, 100, 256}, {13, 7, 300}}) {
            int m = mnk[0], n = mnk[1], k = mnk[2], np = Workspace.padTile(n);
            float[] a = new float[m * k + 3];
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextFloat() * 2 - 1;
            }
            float[][] b = new float[k][np];
            float[][] c = new float[m][np];
            for (float[] row : b) {
                for (int j = 0; j < n; j++) {
                    row[j] = r.nextFloat() * 2 - 1;
                }
            }
            for (boolean acc : new boolean[] {false, true}) {
                float[][] expected = new float[m][n];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        c[i][j] = acc ? 0.5f * (i - j) : Float.NaN;
                        float s = acc ? c[i][j] : 0f;
                        for (int q = 0; q < k; q++) {
                            s = Math.fma(a[3 + i * k + q], b[q][j], s);
                        }
                        expected[i][j] = s;
                    }
                }
                KernelsLoader.vector().gemm(m, n, k, a, 3, k, b, 0, c, 0, acc);
                for (int i = 0; i < m; i++) {
                    float[] got = java.util.Arrays.copyOf(c[i], n);
                    assertArrayEquals(expected[i], got, m + "x" + n + "x" + k + " row " + i + " accumulate " + acc);
                }
            }
        }
    }
}
