/*
 * conv_implicit_gemm.cl: the IMPLICIT_GEMM convolution algorithm, all three directions of
 * io.jdnn.DirectConv as tiled GEMMs whose operand tiles are gathered from the tensors on the fly
 * into local memory (no column buffer). NCHW float32, groups G, stride (sh, sw), padding (ph, pw),
 * dilation (dh, dw); image side x/dx (N, C, H, W), response side y/dy (N, K, P, Q) with P, Q as
 * given, weight w/dw (K, C/G, R, S); image row ih = p*sh - ph + r*dh, column iw = q*sw - pw + s*dw.
 * Every kernel here takes that shape first (CONV_SHAPE_PARAMS of jdnn_portable.h).
 *
 *   forward          per group g: Y (N*P*Q x K/G) = A (N*P*Q x C/G*R*S, gathered from x) B (w^T)
 *   backward-data    per group g and residue class (rho, sigma) of (ih + ph) mod sh, (iw + pw) mod sw:
 *                    dX (pixels of the class x C/G) = A (gathered from dy) B (w, the class's taps only)
 *   backward-filter  per group g and split of the reduction: dW^T (C/G*R*S x K/G) = A (gathered
 *                    from x) B (dy), reduced over l = (n, p, q) < N*P*Q
 *
 * Tiling (every kernel here): a work-group computes an IGEMM_TM x IGEMM_TN tile of its GEMM's
 * output with (IGEMM_TM/IGEMM_WM) x (IGEMM_TN/IGEMM_WN) work-items, each IGEMM_WM x IGEMM_WN
 * outputs in registers (rows tx + i*RX, columns ty + j*RY: the M index, which runs along the
 * output tensor's contiguous dimension, is LOCAL_ID(0), so stores coalesce). The reduction runs
 * in IGEMM_TK-deep slices, double-buffered in local memory: while a slice is multiplied out of
 * one buffer, the next slice's gathered values wait in registers and go to the other buffer, so
 * one barrier per slice suffices and the global loads overlap the arithmetic. Operands outside
 * the tensors (padding, tile edges, reduction tails) are staged as zeros: every size is correct,
 * no tile needs to divide anything.
 *
 * Launch geometry: 3-D, local (IGEMM_TM/IGEMM_WM, IGEMM_TN/IGEMM_WN, 1); global
 * (ceil(M/IGEMM_TM) * local0, ceil(Ngemm/IGEMM_TN) * local1, Z) with M, Ngemm and the layer index
 * z = z0 + GROUP_ID(2) as stated at each kernel (the host issues the layers in launches of at most
 * 65535, CUDA's limit for the grid's z extent). Limits: every GEMM extent (M, Ngemm, the
 * reduction) below 2^31 (the host checks); tensors of any size (i64 offsets); ceil(Ngemm/IGEMM_TN)
 * at most 65535 on CUDA.
 *
 * Tile shapes (the host, io.jdnn.kernels.ImplicitGemmConvAlgorithm, chooses one per problem and
 * direction; IGEMM_TK is 16 in all):
 *
 *   variant   IGEMM_TM x TN  WM x WN  local size  local memory  kernel names on CUDA
 *   defaults  64 x 64        4 x 4    16 x 16     16,640 bytes  igemm_forward, ...
 *   t128x128  128 x 128      8 x 8    16 x 16     33,024 bytes  igemm_forward_t128x128, ...
 *   t128x64   128 x 64       8 x 4    16 x 16     24,832 bytes  igemm_forward_t128x64, ...
 *   t32x32    32 x 32        4 x 4     8 x 8       8,448 bytes  igemm_forward_t32x32, ...
 *   16 x 16 (4 x 4, local 4 x 4, 4,352 bytes): OpenCL only, for work-groups of fewer than 64
 *
 * The "@variant NAME X=value ..." lines below are the one list of the define sets besides the
 * defaults that the CUDA build compiles ahead of time: kernels/cuda/build-fatbin.sh compiles this
 * source once more for each (the X=value defined, every kernel renamed kernel_NAME), and the host
 * maps a launch's define set to that name (KernelSources.precompiledName, which reads the same
 * lines). On OpenCL they are ordinary -D sets. CUDA refuses a define set that is neither.
 *
 * @variant t128x128 IGEMM_TM=128 IGEMM_TN=128 IGEMM_WM=8 IGEMM_WN=8
 * @variant t128x64 IGEMM_TM=128 IGEMM_TN=64 IGEMM_WM=8 IGEMM_WN=4
 * @variant t32x32 IGEMM_TM=32 IGEMM_TN=32
 *
 * Accumulation: float32, one running sum per output in the order of the reduction index stated at
 * each kernel; no atomics, so results are bitwise repeatable.
 */
#ifndef IGEMM_TM
#define IGEMM_TM 64
#endif
#ifndef IGEMM_TN
#define IGEMM_TN 64
#endif
#ifndef IGEMM_TK
#define IGEMM_TK 16
#endif
#ifndef IGEMM_WM
#define IGEMM_WM 4
#endif
#ifndef IGEMM_WN
#define IGEMM_WN 4
#endif

#define IGEMM_RX (IGEMM_TM / IGEMM_WM) /* work-items along M (LOCAL_ID(0)) */
#define IGEMM_RY (IGEMM_TN / IGEMM_WN) /* work-items along N (LOCAL_ID(1)) */
#define IGEMM_THREADS (IGEMM_RX * IGEMM_RY)
#define IGEMM_LA (IGEMM_TM * IGEMM_TK / IGEMM_THREADS) /* A elements one work-item stages per slice */
#define IGEMM_LB (IGEMM_TN * IGEMM_TK / IGEMM_THREADS) /* B elements one work-item stages per slice */
#define IGEMM_AS_LD (IGEMM_TM + 1)                     /* +1: K-major stores hit distinct banks */
#define IGEMM_BS_LD (IGEMM_TN + 1)
#define IGEMM_AS_SIZE (IGEMM_TK * IGEMM_AS_LD)
#define IGEMM_BS_SIZE (IGEMM_TK * IGEMM_BS_LD)

/* The staging patterns below give each work-item a fixed M row (M-major) or a fixed K index
 * (K-major) for the whole kernel, which needs these divisibilities. */
#if (IGEMM_TM % IGEMM_WM) != 0 || (IGEMM_TN % IGEMM_WN) != 0 || (IGEMM_THREADS % IGEMM_TM) != 0 \
    || (IGEMM_THREADS % IGEMM_TN) != 0 || (IGEMM_THREADS % IGEMM_TK) != 0 \
    || ((IGEMM_TM * IGEMM_TK) % IGEMM_THREADS) != 0 || ((IGEMM_TN * IGEMM_TK) % IGEMM_THREADS) != 0
#error "conv_implicit_gemm.cl: the work-item count must be a multiple of IGEMM_TM, IGEMM_TN and IGEMM_TK, and divide IGEMM_TM*IGEMM_TK and IGEMM_TN*IGEMM_TK"
#endif

/* Division by a run-time constant d in [1, 2^31) of a numerator in [0, 2^31) without a divide
 * instruction: mul = ceil(2^32 / d) makes mul_hi(a, mul) equal floor(a/d) or one more (the excess
 * a*(mul - 2^32/d)/2^32 is below 1/2), and one comparison corrects it. */
typedef struct {
    u32 mul;
    u32 d;
} igemm_divisor;

DEVICE_FN igemm_divisor igemm_divisor_of(int d) {
    igemm_divisor v;
    v.d = (u32)(d > 1 ? d : 1);
    v.mul = v.d == 1u ? 0u : 0xFFFFFFFFu / v.d + 1u;
    return v;
}

DEVICE_FN int igemm_div(igemm_divisor v, int a) {
    if (v.d == 1u) {
        return a;
    }
    u32 q = MUL_HI_U32((u32)a, v.mul);
    if (q * v.d > (u32)a) {
        q--;
    }
    return (int)q;
}

DEVICE_FN int igemm_gcd(int a, int b) {
    while (b != 0) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a;
}


/* acc += As * Bs over one slice (the register-tiled inner product of the staged tiles). */
#define IGEMM_MULTIPLY_SLICE(As_, Bs_)                                               \
    for (int kk = 0; kk < IGEMM_TK; kk++) {                                          \
        float av[IGEMM_WM];                                                          \
        float bv[IGEMM_WN];                                                          \
        UNROLL for (int i = 0; i < IGEMM_WM; i++) {                                  \
            av[i] = (As_)[kk * IGEMM_AS_LD + tx + i * IGEMM_RX];                      \
        }                                                                            \
        UNROLL for (int j = 0; j < IGEMM_WN; j++) {                                  \
            bv[j] = (Bs_)[kk * IGEMM_BS_LD + ty + j * IGEMM_RY];                      \
        }                                                                            \
        UNROLL for (int i = 0; i < IGEMM_WM; i++) {                                  \
            UNROLL for (int j = 0; j < IGEMM_WN; j++) {                              \
                acc[i][j] += av[i] * bv[j];                                          \
            }                                                                        \
        }                                                                            \
    }

/* Register values to a slice buffer. M-major: the work-item holds row mm, slice rows k + i*THREADS/TM.
 * K-major: it holds slice row k, rows (or columns) m + i*THREADS/TK. */
DEVICE_FN void igemm_stage_mmajor(LOCAL float *dst, int ld, int mm, int k, const float *v, int count, int step) {
    for (int i = 0; i < count; i++) {
        dst[(k + i * step) * ld + mm] = v[i];
    }
}

DEVICE_FN void igemm_stage_kmajor(LOCAL float *dst, int ld, int k, int m, const float *v, int count, int step) {
    for (int i = 0; i < count; i++) {
        dst[k * ld + m + i * step] = v[i];
    }
}

/* ------------------------------------------------------------------ forward */

/* Slice kl of the forward GEMM into registers: A[m][kk] = x (M-major, this work-item's row fixed),
 * B[kk][j] = w (K-major). */
DEVICE_FN void igemm_fwd_gather(GLOBAL const float *RESTRICT x, GLOBAL const float *RESTRICT wg, int kl, int KG,
                                int kpg, int H, int W, int S, int RS, int dh, int dw, igemm_divisor dRS,
                                igemm_divisor dS, i64 a_base, int a_h0, int a_w0, int a_k, int b_k, int b_n,
                                int n0, float *ra, float *rb) {
    UNROLL
    for (int i = 0; i < IGEMM_LA; i++) {
        int kk = kl + a_k + i * (IGEMM_THREADS / IGEMM_TM);
        float v = 0.0f;
        if (kk < KG) {
            int c = igemm_div(dRS, kk);
            int rs = kk - c * RS;
            int r = igemm_div(dS, rs);
            int s = rs - r * S;
            int ih = a_h0 + r * dh;
            int iw = a_w0 + s * dw;
            if ((u32)ih < (u32)H && (u32)iw < (u32)W) {
                v = x[a_base + ((i64)c * H + ih) * W + iw];
            }
        }
        ra[i] = v;
    }
    int kk = kl + b_k;
    UNROLL
    for (int i = 0; i < IGEMM_LB; i++) {
        int j = n0 + b_n + i * (IGEMM_THREADS / IGEMM_TK);
        rb[i] = (j < kpg && kk < KG) ? wg[(i64)j * KG + kk] : 0.0f;
    }
}

/*
 * y[n][g*K/G + j][p][q] = bias[g*K/G + j] (if has_bias) + sum over kk = (c, r, s) < C/G*R*S, in
 * that order, of x[n][g*C/G + c][ih][iw] * w[g*K/G + j][c][r][s] (taps outside the image add 0),
 * then, where act_kind >= 0, the fused epilogue jdnn_activate(act_kind, act_alpha, act_threshold, .)
 * on the stored value (act_kind -1: none).
 * GEMM: M = N*P*Q (m = (n, p, q)), Ngemm = K/G (j), reduction C/G*R*S; g = z0 + GROUP_ID(2) (the
 * host launches groups z0 .. z0 + Z - 1, Z <= 65535 at a time).
 * A is staged M-major (consecutive work-items read consecutive output pixels' taps: coalesced for
 * stride 1), B K-major (consecutive work-items read consecutive weights).
 */
KERNEL void igemm_forward(CONV_SHAPE_PARAMS, int z0, int has_bias, int act_kind, float act_alpha,
                          float act_threshold, GLOBAL const float *RESTRICT x,
                          GLOBAL const float *RESTRICT w, GLOBAL const float *RESTRICT bias,
                          GLOBAL float *RESTRICT y) {
    LOCAL_ARRAY(float, As, 2 * IGEMM_AS_SIZE);
    LOCAL_ARRAY(float, Bs, 2 * IGEMM_BS_SIZE);
    int tx = LOCAL_ID(0);
    int ty = LOCAL_ID(1);
    int tid = ty * IGEMM_RX + tx;
    int cpg = C / G;
    int kpg = K / G;
    int RS = R * S;
    int KG = cpg * RS;
    int PQ = P * Q;
    int M = N * PQ;
    int m0 = (int)GROUP_ID(0) * IGEMM_TM;
    int n0 = (int)GROUP_ID(1) * IGEMM_TN;
    int g = z0 + (int)GROUP_ID(2);
    igemm_divisor dRS = igemm_divisor_of(RS);
    igemm_divisor dS = igemm_divisor_of(S);
    igemm_divisor dPQ = igemm_divisor_of(PQ);
    igemm_divisor dQ = igemm_divisor_of(Q);

    int a_mm = tid % IGEMM_TM;
    int a_k = tid / IGEMM_TM;
    i64 a_base = 0;
    int a_h0 = H; /* a row past M reads nothing: ih = H + r*dh is never inside the image */
    int a_w0 = 0;
    if (m0 + a_mm < M) {
        int m = m0 + a_mm;
        int nimg = igemm_div(dPQ, m);
        int pq = m - nimg * PQ;
        int p = igemm_div(dQ, pq);
        a_base = ((i64)nimg * C + (i64)g * cpg) * H * W;
        a_h0 = p * sh - ph;
        a_w0 = (pq - p * Q) * sw - pw;
    }
    int b_k = tid % IGEMM_TK;
    int b_n = tid / IGEMM_TK;
    GLOBAL const float *wg = w + (i64)g * kpg * KG;

    float ra[IGEMM_LA];
    float rb[IGEMM_LB];
    float acc[IGEMM_WM][IGEMM_WN];
    UNROLL
    for (int i = 0; i < IGEMM_WM; i++) {
        UNROLL
        for (int j = 0; j < IGEMM_WN; j++) {
            acc[i][j] = 0.0f;
        }
    }

    igemm_fwd_gather(x, wg, 0, KG, kpg, H, W, S, RS, dh, dw, dRS, dS, a_base, a_h0, a_w0, a_k, b_k, b_n, n0, ra, rb);
    igemm_stage_mmajor(As, IGEMM_AS_LD, a_mm, a_k, ra, IGEMM_LA, IGEMM_THREADS / IGEMM_TM);
    igemm_stage_kmajor(Bs, IGEMM_BS_LD, b_k, b_n, rb, IGEMM_LB, IGEMM_THREADS / IGEMM_TK);
    BARRIER();
    for (int k0 = 0; k0 < KG; k0 += IGEMM_TK) {
        int cur = (k0 / IGEMM_TK) & 1;
        int more = k0 + IGEMM_TK < KG;
        if (more) {
            igemm_fwd_gather(x, wg, k0 + IGEMM_TK, KG, kpg, H, W, S, RS, dh, dw, dRS, dS, a_base, a_h0, a_w0, a_k,
                             b_k, b_n, n0, ra, rb);
        }
        IGEMM_MULTIPLY_SLICE(As + cur * IGEMM_AS_SIZE, Bs + cur * IGEMM_BS_SIZE)
        if (more) {
            igemm_stage_mmajor(As + (cur ^ 1) * IGEMM_AS_SIZE, IGEMM_AS_LD, a_mm, a_k, ra, IGEMM_LA,
                               IGEMM_THREADS / IGEMM_TM);
            igemm_stage_kmajor(Bs + (cur ^ 1) * IGEMM_BS_SIZE, IGEMM_BS_LD, b_k, b_n, rb, IGEMM_LB,
                               IGEMM_THREADS / IGEMM_TK);
        }
        BARRIER();
    }

    UNROLL
    for (int i = 0; i < IGEMM_WM; i++) {
        int m = m0 + tx + i * IGEMM_RX;
        if (m >= M) {
            continue;
        }
        int nimg = igemm_div(dPQ, m);
        int pq = m - nimg * PQ;
        UNROLL
        for (int j = 0; j < IGEMM_WN; j++) {
            int jj = n0 + ty + j * IGEMM_RY;
            if (jj < kpg) {
                int k = g * kpg + jj;
                float v = has_bias ? acc[i][j] + bias[k] : acc[i][j];
                y[((i64)nimg * K + k) * PQ + pq] = act_kind >= 0 ? jdnn_activate(act_kind, act_alpha, act_threshold, v) : v;
            }
        }
    }
}

/* ------------------------------------------------------------------ backward-data */

/* Slice kl of one residue class's backward-data GEMM: A[m][kk] = dy (M-major, row fixed), kk =
 * (k, tr, ts) over the class's TC = Rc*Sc taps; B[kk][j] = w (K-major: the tap is fixed per slice). */
DEVICE_FN void igemm_bwd_gather(GLOBAL const float *RESTRICT dy, GLOBAL const float *RESTRICT wg, int kl, int KG,
                                int cpg, int P, int Q, int S, int RS, int TC, int Sc, int r0, int s0, int rstep,
                                int sstep, int ohstep, int owstep, igemm_divisor dTC, igemm_divisor dSc,
                                i64 a_base, int a_oh0, int a_ow0, int a_k, int b_k, int b_n, int n0, float *ra,
                                float *rb) {
    UNROLL
    for (int i = 0; i < IGEMM_LA; i++) {
        int kk = kl + a_k + i * (IGEMM_THREADS / IGEMM_TM);
        float v = 0.0f;
        if (kk < KG) {
            int k = igemm_div(dTC, kk);
            int t = kk - k * TC;
            int tr = igemm_div(dSc, t);
            int oh = a_oh0 - tr * ohstep;
            int ow = a_ow0 - (t - tr * Sc) * owstep;
            if ((u32)oh < (u32)P && (u32)ow < (u32)Q) {
                v = dy[a_base + ((i64)k * P + oh) * Q + ow];
            }
        }
        ra[i] = v;
    }
    int kk = kl + b_k;
    int k = 0;
    int tap = 0;
    if (kk < KG) {
        k = igemm_div(dTC, kk);
        int t = kk - k * TC;
        int tr = igemm_div(dSc, t);
        tap = (r0 + tr * rstep) * S + s0 + (t - tr * Sc) * sstep;
    }
    GLOBAL const float *wk = wg + (i64)k * cpg * RS + tap;
    UNROLL
    for (int i = 0; i < IGEMM_LB; i++) {
        int j = n0 + b_n + i * (IGEMM_THREADS / IGEMM_TK);
        rb[i] = (j < cpg && kk < KG) ? wk[(i64)j * RS] : 0.0f;
    }
}

/*
 * dx[n][g*C/G + j][ih][iw] = bias[g*C/G + j] (if has_bias) + sum over k < K/G and the taps (r, s)
 * with ih + ph - r*dh = oh*sh, iw + pw - s*dw = ow*sw, 0 <= oh < P, 0 <= ow < Q, of
 * dy[n][g*K/G + k][oh][ow] * w[g*K/G + k][j][r][s], in (k, r, s) order.
 *
 * The implicit GEMM of the transposed problem, split by residue class so that strides > 1 cost no
 * wasted taps: pixel ih receives tap r only when r*dh = ih + ph (mod sh), so for the pixels with
 * (ih + ph) mod sh = rho the contributing rows are r = r0 + t*(sh/gcd(sh, dh)) and oh steps by
 * dh/gcd(sh, dh); likewise columns. GEMM per (g, rho, sigma): M = N*Hc*Wc (the class's pixels),
 * Ngemm = C/G (j), reduction K/G * Rc*Sc. z = z0 + GROUP_ID(2) = (g*sh + rho)*sw + sigma < G*sh*sw;
 * global size 0 covers the largest class, N*ceil(H/sh)*ceil(W/sw) rows; groups past their class's
 * M leave at once. A pixel no tap reaches gets bias (or 0).
 */
KERNEL void igemm_backward_data(CONV_SHAPE_PARAMS, int z0, int has_bias,
                                GLOBAL const float *RESTRICT dy,
                                GLOBAL const float *RESTRICT w, GLOBAL const float *RESTRICT bias,
                                GLOBAL float *RESTRICT dx) {
    LOCAL_ARRAY(float, As, 2 * IGEMM_AS_SIZE);
    LOCAL_ARRAY(float, Bs, 2 * IGEMM_BS_SIZE);
    int tx = LOCAL_ID(0);
    int ty = LOCAL_ID(1);
    int tid = ty * IGEMM_RX + tx;
    int cpg = C / G;
    int kpg = K / G;
    int RS = R * S;
    int z = z0 + (int)GROUP_ID(2);
    int g = z / (sh * sw);
    int rho = (z / sw) % sh;
    int sigma = z % sw;
    /* the class's pixels: ih = hs + hi*sh, iw = ws + wi*sw */
    int hs = ((rho - ph) % sh + sh) % sh;
    int ws = ((sigma - pw) % sw + sw) % sw;
    int Hc = hs < H ? (H - hs + sh - 1) / sh : 0;
    int Wc = ws < W ? (W - ws + sw - 1) / sw : 0;
    int M = N * Hc * Wc;
    int m0 = (int)GROUP_ID(0) * IGEMM_TM;
    if (m0 >= M) {
        return; /* the whole group: no barrier is pending */
    }
    /* the class's taps: r = r0 + tr*rstep, tr < Rc; s = s0 + ts*sstep, ts < Sc */
    int gh = igemm_gcd(sh, dh);
    int gw = igemm_gcd(sw, dw);
    int rstep = sh / gh;
    int sstep = sw / gw;
    int ohstep = dh / gh;
    int owstep = dw / gw;
    int r0 = -1;
    for (int r = jdnn_imin(R, rstep) - 1; r >= 0; r--) {
        if ((r * dh) % sh == rho) {
            r0 = r;
        }
    }
    int s0 = -1;
    for (int s = jdnn_imin(S, sstep) - 1; s >= 0; s--) {
        if ((s * dw) % sw == sigma) {
            s0 = s;
        }
    }
    int Rc = r0 < 0 ? 0 : (R - 1 - r0) / rstep + 1;
    int Sc = s0 < 0 ? 0 : (S - 1 - s0) / sstep + 1;
    int TC = Rc * Sc;
    int KG = kpg * TC;
    int n0 = (int)GROUP_ID(1) * IGEMM_TN;
    int HWc = Hc * Wc;
    igemm_divisor dHWc = igemm_divisor_of(HWc);
    igemm_divisor dWc = igemm_divisor_of(Wc);
    igemm_divisor dTC = igemm_divisor_of(TC);
    igemm_divisor dSc = igemm_divisor_of(Sc);

    int a_mm = tid % IGEMM_TM;
    int a_k = tid / IGEMM_TM;
    i64 a_base = 0;
    int a_oh0 = -1; /* a row past M reads nothing: oh = -1 - tr*ohstep < 0 */
    int a_ow0 = -1;
    if (m0 + a_mm < M && TC > 0) {
        int m = m0 + a_mm;
        int nimg = igemm_div(dHWc, m);
        int rem = m - nimg * HWc;
        int hi = igemm_div(dWc, rem);
        int ih = hs + hi * sh;
        int iw = ws + (rem - hi * Wc) * sw;
        a_base = ((i64)nimg * K + (i64)g * kpg) * P * Q;
        a_oh0 = (ih + ph - r0 * dh) / sh; /* exact: r0*dh = ih + ph (mod sh) */
        a_ow0 = (iw + pw - s0 * dw) / sw;
    }
    int b_k = tid % IGEMM_TK;
    int b_n = tid / IGEMM_TK;
    GLOBAL const float *wg = w + (i64)g * kpg * cpg * RS;

    float ra[IGEMM_LA];
    float rb[IGEMM_LB];
    float acc[IGEMM_WM][IGEMM_WN];
    UNROLL
    for (int i = 0; i < IGEMM_WM; i++) {
        UNROLL
        for (int j = 0; j < IGEMM_WN; j++) {
            acc[i][j] = 0.0f;
        }
    }

    igemm_bwd_gather(dy, wg, 0, KG, cpg, P, Q, S, RS, TC, Sc, r0, s0, rstep, sstep, ohstep, owstep, dTC, dSc, a_base,
                     a_oh0, a_ow0, a_k, b_k, b_n, n0, ra, rb);
    igemm_stage_mmajor(As, IGEMM_AS_LD, a_mm, a_k, ra, IGEMM_LA, IGEMM_THREADS / IGEMM_TM);
    igemm_stage_kmajor(Bs, IGEMM_BS_LD, b_k, b_n, rb, IGEMM_LB, IGEMM_THREADS / IGEMM_TK);
    BARRIER();
    for (int k0 = 0; k0 < KG; k0 += IGEMM_TK) {
        int cur = (k0 / IGEMM_TK) & 1;
        int more = k0 + IGEMM_TK < KG;
        if (more) {
            igemm_bwd_gather(dy, wg, k0 + IGEMM_TK, KG, cpg, P, Q, S, RS, TC, Sc, r0, s0, rstep, sstep, ohstep,
                             owstep, dTC, dSc, a_base, a_oh0, a_ow0, a_k, b_k, b_n, n0, ra, rb);
        }
        IGEMM_MULTIPLY_SLICE(As + cur * IGEMM_AS_SIZE, Bs + cur * IGEMM_BS_SIZE)
        if (more) {
            igemm_stage_mmajor(As + (cur ^ 1) * IGEMM_AS_SIZE, IGEMM_AS_LD, a_mm, a_k, ra, IGEMM_LA,
                               IGEMM_THREADS / IGEMM_TM);
            igemm_stage_kmajor(Bs + (cur ^ 1) * IGEMM_BS_SIZE, IGEMM_BS_LD, b_k, b_n, rb, IGEMM_LB,
                               IGEMM_THREADS / IGEMM_TK);
        }
        BARRIER();
    }

    UNROLL
    for (int i = 0; i < IGEMM_WM; i++) {
        int m = m0 + tx + i * IGEMM_RX;
        if (m >= M) {
            continue;
        }
        int nimg = igemm_div(dHWc, m);
        int rem = m - nimg * HWc;
        int hi = igemm_div(dWc, rem);
        int ih = hs + hi * sh;
        int iw = ws + (rem - hi * Wc) * sw;
        UNROLL
        for (int j = 0; j < IGEMM_WN; j++) {
            int jj = n0 + ty + j * IGEMM_RY;
            if (jj < cpg) {
                int c = g * cpg + jj;
                dx[(((i64)nimg * C + c) * H + ih) * W + iw] = has_bias ? acc[i][j] + bias[c] : acc[i][j];
            }
        }
    }
}

/* ------------------------------------------------------------------ backward-filter */

/* Slice kl of the backward-filter GEMM: one reduction index l = (n, p, q) per work-item (K-major
 * staging of both operands), A[j][l] = x gathered for this work-item's rows j = (c, r, s),
 * B[l][i] = dy. */
DEVICE_FN void igemm_wgrad_gather(GLOBAL const float *RESTRICT x, GLOBAL const float *RESTRICT dyg, int kl,
                                  int lend, int C, int H, int W, int K, int Q, int PQ, int kpg, int sh, int sw,
                                  igemm_divisor dPQ, igemm_divisor dQ, const i64 *a_off, const int *a_hr,
                                  const int *a_wr, int a_k, int b_n, int n0, float *ra, float *rb) {
    int l = kl + a_k;
    if (l < lend) {
        int nimg = igemm_div(dPQ, l);
        int pq = l - nimg * PQ;
        int p = igemm_div(dQ, pq);
        int hb = p * sh;
        int wb = (pq - p * Q) * sw;
        GLOBAL const float *xn = x + (i64)nimg * C * H * W;
        UNROLL
        for (int i = 0; i < IGEMM_LA; i++) {
            int ih = hb + a_hr[i];
            int iw = wb + a_wr[i];
            ra[i] = ((u32)ih < (u32)H && (u32)iw < (u32)W) ? xn[a_off[i] + (i64)ih * W + iw] : 0.0f;
        }
        GLOBAL const float *dyn = dyg + (i64)nimg * K * PQ + pq;
        UNROLL
        for (int i = 0; i < IGEMM_LB; i++) {
            int ii = n0 + b_n + i * (IGEMM_THREADS / IGEMM_TK);
            rb[i] = ii < kpg ? dyn[(i64)ii * PQ] : 0.0f;
        }
    } else {
        UNROLL
        for (int i = 0; i < IGEMM_LA; i++) {
            ra[i] = 0.0f;
        }
        UNROLL
        for (int i = 0; i < IGEMM_LB; i++) {
            rb[i] = 0.0f;
        }
    }
}

/*
 * dw[g*K/G + i][j] (j = (c, r, s)) = sum over l = (n, p, q) in [l_begin, l_end) of
 * dy[n][g*K/G + i][p][q] * x[n][g*C/G + c][ih][iw], in increasing l (taps outside the image add 0),
 * written to out[split * split_stride + (g*K/G + i)*C/G*R*S + j].
 *
 * GEMM per (g, split): M = C/G*R*S (j: rows of dw^T, contiguous in dw, so LOCAL_ID(0) runs along
 * them), Ngemm = K/G (i), reduction l < N*P*Q cut into `splits` consecutive chunks of `chunk`
 * (split sp takes [sp*chunk, min((sp+1)*chunk, N*P*Q))). z = z0 + GROUP_ID(2) = g*splits + sp.
 * With splits = 1, out is dw and split_stride 0; otherwise reduce.cl's reduce_sum_splits adds the
 * partial results in split order (total = split_stride). Either way the order of every sum is fixed: bitwise repeatable.
 */
KERNEL void igemm_backward_filter(CONV_SHAPE_PARAMS, int z0, int splits, int chunk,
                                  i64 split_stride,
                                  GLOBAL const float *RESTRICT x, GLOBAL const float *RESTRICT dy,
                                  GLOBAL float *RESTRICT out) {
    LOCAL_ARRAY(float, As, 2 * IGEMM_AS_SIZE);
    LOCAL_ARRAY(float, Bs, 2 * IGEMM_BS_SIZE);
    int tx = LOCAL_ID(0);
    int ty = LOCAL_ID(1);
    int tid = ty * IGEMM_RX + tx;
    int cpg = C / G;
    int kpg = K / G;
    int RS = R * S;
    int KG = cpg * RS;
    int PQ = P * Q;
    int L = N * PQ;
    int m0 = (int)GROUP_ID(0) * IGEMM_TM;
    int n0 = (int)GROUP_ID(1) * IGEMM_TN;
    int z = z0 + (int)GROUP_ID(2);
    int g = z / splits;
    int sp = z - g * splits;
    int lbeg = sp * chunk;
    int lend = jdnn_imin(L, lbeg + chunk);
    igemm_divisor dPQ = igemm_divisor_of(PQ);
    igemm_divisor dQ = igemm_divisor_of(Q);

    /* K-major staging of both operands: reduction index tid % TK, rows/columns tid / TK + i*THREADS/TK */
    int a_k = tid % IGEMM_TK;
    int a_m = tid / IGEMM_TK;
    i64 a_off[IGEMM_LA];
    int a_hr[IGEMM_LA];
    int a_wr[IGEMM_LA];
    UNROLL
    for (int i = 0; i < IGEMM_LA; i++) {
        int j = m0 + a_m + i * (IGEMM_THREADS / IGEMM_TK);
        a_off[i] = 0;
        a_hr[i] = H; /* a row past C/G*R*S reads nothing: ih = p*sh + H >= H */
        a_wr[i] = 0;
        if (j < KG) {
            int c = j / RS;
            int rs = j - c * RS;
            int r = rs / S;
            a_off[i] = ((i64)g * cpg + c) * H * W;
            a_hr[i] = r * dh - ph;
            a_wr[i] = (rs - r * S) * dw - pw;
        }
    }
    GLOBAL const float *dyg = dy + (i64)g * kpg * PQ;

    float ra[IGEMM_LA];
    float rb[IGEMM_LB];
    float acc[IGEMM_WM][IGEMM_WN];
    UNROLL
    for (int i = 0; i < IGEMM_WM; i++) {
        UNROLL
        for (int j = 0; j < IGEMM_WN; j++) {
            acc[i][j] = 0.0f;
        }
    }

    igemm_wgrad_gather(x, dyg, lbeg, lend, C, H, W, K, Q, PQ, kpg, sh, sw, dPQ, dQ, a_off, a_hr, a_wr, a_k, a_m, n0,
                       ra, rb);
    igemm_stage_kmajor(As, IGEMM_AS_LD, a_k, a_m, ra, IGEMM_LA, IGEMM_THREADS / IGEMM_TK);
    igemm_stage_kmajor(Bs, IGEMM_BS_LD, a_k, a_m, rb, IGEMM_LB, IGEMM_THREADS / IGEMM_TK);
    BARRIER();
    for (int k0 = lbeg; k0 < lend; k0 += IGEMM_TK) {
        int cur = ((k0 - lbeg) / IGEMM_TK) & 1;
        int more = k0 + IGEMM_TK < lend;
        if (more) {
            igemm_wgrad_gather(x, dyg, k0 + IGEMM_TK, lend, C, H, W, K, Q, PQ, kpg, sh, sw, dPQ, dQ, a_off, a_hr,
                               a_wr, a_k, a_m, n0, ra, rb);
        }
        IGEMM_MULTIPLY_SLICE(As + cur * IGEMM_AS_SIZE, Bs + cur * IGEMM_BS_SIZE)
        if (more) {
            igemm_stage_kmajor(As + (cur ^ 1) * IGEMM_AS_SIZE, IGEMM_AS_LD, a_k, a_m, ra, IGEMM_LA,
                               IGEMM_THREADS / IGEMM_TK);
            igemm_stage_kmajor(Bs + (cur ^ 1) * IGEMM_BS_SIZE, IGEMM_BS_LD, a_k, a_m, rb, IGEMM_LB,
                               IGEMM_THREADS / IGEMM_TK);
        }
        BARRIER();
    }

    GLOBAL float *o = out + (i64)sp * split_stride + (i64)g * kpg * KG;
    UNROLL
    for (int i = 0; i < IGEMM_WM; i++) {
        int j = m0 + tx + i * IGEMM_RX;
        if (j >= KG) {
            continue;
        }
        UNROLL
        for (int jn = 0; jn < IGEMM_WN; jn++) {
            int ii = n0 + ty + jn * IGEMM_RY;
            if (ii < kpg) {
                o[(i64)ii * KG + j] = acc[i][jn];
            }
        }
    }
}
