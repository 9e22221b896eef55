/*
 * gemm.cl: batched single-precision GEMM, row-major,
 *
 *   C_b = alpha * op(A_b) op(B_b) + beta * C_b (+ bias),   b = 0 .. batch-1,
 *
 * op(A) M x K, op(B) K x N, C M x N. A_b starts at A + offA + b*strideA; element (m, k) of op(A)
 * is A_b[m*lda + k], or A_b[k*lda + m] when transA. Likewise B_b (k, n) is B_b[k*ldb + n], or
 * B_b[n*ldb + k] when transB, and C_b (m, n) is C_b[m*ldc + n]. bias_mode 0 adds nothing, 1 adds
 * bias[offBias + n] (one value per column: a linear layer's bias), 2 adds bias[offBias + m] (one
 * per row: a convolution's bias when C holds (channels, pixels)). beta == 0 never reads C, so C
 * may hold anything (NaN included). C must not overlap A, B or bias.
 *
 * Launch geometry: 3-D. Local size (GEMM_TN/GEMM_WN, GEMM_TM/GEMM_WM, 1) = 16 x 16 x 1 by
 * default; global size (ceil(N/GEMM_TN)*16, ceil(M/GEMM_TM)*16, batch). Each work-group computes
 * one GEMM_TM x GEMM_TN tile of C, each work-item GEMM_WM x GEMM_WN elements of it, strided by
 * the work-group's extent (rows ty + i*16, columns tx + j*16) so that stores are coalesced.
 * The K loop stages GEMM_TK-deep slices of A and B in local memory (zero-filled outside the
 * matrices), so every M, N, K is correct; nothing assumes a tile divides a size.
 *
 * Limits: M, N, K < 2^31; leading dimensions, offsets and strides are i64. On CUDA the grid's
 * y extent (ceil(M/GEMM_TM)) and z extent (batch) are limited to 65535.
 * Accumulation: float32, one running sum per output element in k order.
 *
 * Device.matmul (kernels/common MatMul.java) runs on this kernel as a loop of launches over batch
 * offsets: one stride per operand covers one broadcast pattern, so a launch takes the output
 * matrices along the last batch dimension (stride 0 for an operand broadcast there) and the host
 * loops over the others; a gradient summed over broadcast batches accumulates with beta = 1 in
 * launch order. A gather of per-matrix offsets in the kernel was not worth a second code path.
 */
#ifndef GEMM_TM
#define GEMM_TM 64
#endif
#ifndef GEMM_TN
#define GEMM_TN 64
#endif
#ifndef GEMM_TK
#define GEMM_TK 16
#endif
#ifndef GEMM_WM
#define GEMM_WM 4
#endif
#ifndef GEMM_WN
#define GEMM_WN 4
#endif

#define GEMM_RY (GEMM_TM / GEMM_WM) /* work-items along M */
#define GEMM_RX (GEMM_TN / GEMM_WN) /* work-items along N */
#define GEMM_THREADS (GEMM_RX * GEMM_RY)
#define GEMM_AS_LD (GEMM_TM + 1)    /* +1: transposing stores hit distinct banks */
#define GEMM_BS_LD (GEMM_TN + 1)

KERNEL void gemm_f32(int M, int N, int K, int transA, int transB, float alpha,
                     GLOBAL const float *RESTRICT A, i64 offA, i64 lda, i64 strideA,
                     GLOBAL const float *RESTRICT B, i64 offB, i64 ldb, i64 strideB,
                     float beta, GLOBAL float *RESTRICT C, i64 offC, i64 ldc, i64 strideC,
                     int bias_mode, GLOBAL const float *RESTRICT bias, i64 offBias) {
    LOCAL_ARRAY(float, As, GEMM_TK * GEMM_AS_LD); /* As[k][m] */
    LOCAL_ARRAY(float, Bs, GEMM_TK * GEMM_BS_LD); /* Bs[k][n] */

    int tx = LOCAL_ID(0);
    int ty = LOCAL_ID(1);
    int tid = ty * GEMM_RX + tx;
    int n0 = (int)GROUP_ID(0) * GEMM_TN;
    int m0 = (int)GROUP_ID(1) * GEMM_TM;
    i64 batch = GROUP_ID(2);
    GLOBAL const float *Ab = A + offA + batch * strideA;
    GLOBAL const float *Bb = B + offB + batch * strideB;
    GLOBAL float *Cb = C + offC + batch * strideC;

    float acc[GEMM_WM][GEMM_WN];
    for (int i = 0; i < GEMM_WM; i++) {
        for (int j = 0; j < GEMM_WN; j++) {
            acc[i][j] = 0.0f;
        }
    }

    for (int k0 = 0; k0 < K; k0 += GEMM_TK) {
        /* Stage A's tile: consecutive work-items read consecutive addresses in either layout. */
        for (int e = tid; e < GEMM_TK * GEMM_TM; e += GEMM_THREADS) {
            int kk, mm;
            if (transA) {
                mm = e % GEMM_TM;
                kk = e / GEMM_TM;
            } else {
                kk = e % GEMM_TK;
                mm = e / GEMM_TK;
            }
            int m = m0 + mm;
            int k = k0 + kk;
            float v = 0.0f;
            if (m < M && k < K) {
                v = transA ? Ab[(i64)k * lda + m] : Ab[(i64)m * lda + k];
            }
            As[kk * GEMM_AS_LD + mm] = v;
        }
        for (int e = tid; e < GEMM_TK * GEMM_TN; e += GEMM_THREADS) {
            int kk, nn;
            if (transB) {
                kk = e % GEMM_TK;
                nn = e / GEMM_TK;
            } else {
                nn = e % GEMM_TN;
                kk = e / GEMM_TN;
            }
            int n = n0 + nn;
            int k = k0 + kk;
            float v = 0.0f;
            if (n < N && k < K) {
                v = transB ? Bb[(i64)n * ldb + k] : Bb[(i64)k * ldb + n];
            }
            Bs[kk * GEMM_BS_LD + nn] = v;
        }
        BARRIER();

        for (int kk = 0; kk < GEMM_TK; kk++) {
            float a[GEMM_WM];
            float b[GEMM_WN];
            for (int i = 0; i < GEMM_WM; i++) {
                a[i] = As[kk * GEMM_AS_LD + ty + i * GEMM_RY];
            }
            for (int j = 0; j < GEMM_WN; j++) {
                b[j] = Bs[kk * GEMM_BS_LD + tx + j * GEMM_RX];
            }
            for (int i = 0; i < GEMM_WM; i++) {
                for (int j = 0; j < GEMM_WN; j++) {
                    acc[i][j] += a[i] * b[j];
                }
            }
        }
        BARRIER();
    }

    for (int i = 0; i < GEMM_WM; i++) {
        int m = m0 + ty + i * GEMM_RY;
        if (m >= M) {
            continue;
        }
        for (int j = 0; j < GEMM_WN; j++) {
            int n = n0 + tx + j * GEMM_RX;
            if (n >= N) {
                continue;
            }
            i64 at = (i64)m * ldc + n;
            float v = alpha * acc[i][j];
            if (beta != 0.0f) {
                v += beta * Cb[at];
            }
            if (bias_mode == 1) {
                v += bias[offBias + n];
            } else if (bias_mode == 2) {
                v += bias[offBias + m];
            }
            Cb[at] = v;
        }
    }
}
