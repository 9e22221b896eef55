package io.jdnn.cpu.fast;

import io.jdnn.DeviceOptions;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * A linear layer's product at up to {@link Gemm#DOT_ROWS} rows (dot products, the weights read in
 * place) gives the same bits as the blocked, packed path gives for the same rows, on the plain and
 * the vector kernels, with and without bias, over several KC chunks and ragged column counts.
 */
class GemmDotsTest {
    @Test
    void fewRowsGiveTheBlockedPathsBits() {
        Random r = new Random(11);
        for (Kernels kern : new Kernels[] {new PlainKernels(), KernelsLoader.best()}) {
            CpuDevice dev = new CpuDevice(CpuBackend.info(kern), DeviceOptions.DEFAULT, kern, Parallel.ofThreads(2));
            for (int[] nk : new int[][] {{77, 600}, {1000, 512}, {3, 5}, {64, 256}}) {
                int n = nk[0], k = nk[1], rows = Gemm.DOT_ROWS + 1;
                float[] a = random(r, rows * k), b = random(r, n * k), bias = random(r, n);
                for (float[] bi : new float[][] {null, bias}) {
                    float[] blocked = new float[rows * n];
                    Gemm.multiply(dev, rows, n, k, a, false, b, true, bi, blocked);
                    for (int m = 1; m <= Gemm.DOT_ROWS; m++) {
                        float[] dots = new float[m * n];
                        Gemm.multiply(dev, m, n, k, Arrays.copyOf(a, m * k), false, b, true, bi, dots);
                        assertArrayEquals(Arrays.copyOf(blocked, m * n), dots,
                                kern.getClass().getSimpleName() + " n=" + n + " k=" + k + " m=" + m + " bias=" + (bi != null));
                    }
                }
            }
        }
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }
}
