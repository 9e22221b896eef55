package io.jdnn.cpu.reference;

import io.jdnn.MatMulProblem;

import java.util.Arrays;

/**
 * torch.matmul with broadcasting batch dimensions ({@link MatMulProblem}) in float64 loops: each
 * output matrix o is the product of a's matrix {@code p.aMatrix(o)} and b's matrix {@code p.bMatrix(o)}.
 */
final class RefMatMul {
    private RefMatMul() {
    }

    // y_o (i,j) = sum_l a_aMatrix(o) (i,l) * b_bMatrix(o) (l,j)
    static void forward(MatMulProblem p, double[] a, double[] b, double[] y) {
        int m = p.m();
        int n = p.n();
        int k = p.k();
        for (long o = 0; o < p.batchCount(); o++) {
            long a0 = p.aMatrix(o) * m * k;
            long b0 = p.bMatrix(o) * k * n;
            long y0 = o * m * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int l = 0; l < k; l++) {
                        sum += a[(int) (a0 + (long) i * k + l)] * b[(int) (b0 + (long) l * n + j)];
                    }
                    y[(int) (y0 + (long) i * n + j)] = sum;
                }
            }
        }
    }

    // da_aMatrix(o) += dy_o b_bMatrix(o)^T and db_bMatrix(o) += a_aMatrix(o)^T dy_o, o in increasing order, from 0
    static void backward(MatMulProblem p, double[] a, double[] b, double[] dy, double[] da, double[] db) {
        int m = p.m();
        int n = p.n();
        int k = p.k();
        if (da != null) {
            Arrays.fill(da, 0, (int) p.a().elements(), 0.0);
        }
        if (db != null) {
            Arrays.fill(db, 0, (int) p.b().elements(), 0.0);
        }
        for (long o = 0; o < p.batchCount(); o++) {
            long a0 = p.aMatrix(o) * m * k;
            long b0 = p.bMatrix(o) * k * n;
            long y0 = o * m * n;
            for (int i = 0; i < m; i++) {
                for (int l = 0; l < k; l++) {
                    double dSum = 0;
                    for (int j = 0; j < n; j++) {
                        double g = dy[(int) (y0 + (long) i * n + j)];
                        dSum += g * b[(int) (b0 + (long) l * n + j)];
                        if (db != null) {
                            db[(int) (b0 + (long) l * n + j)] += a[(int) (a0 + (long) i * k + l)] * g;
                        }
                    }
                    if (da != null) {
                        da[(int) (a0 + (long) i * k + l)] += dSum;
                    }
                }
            }
        }
    }
}
