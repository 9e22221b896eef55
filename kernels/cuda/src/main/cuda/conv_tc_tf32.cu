/*
 * conv_tc_tf32.cu: the TENSOR_CORE_TF32 convolution algorithm (and, as its bf16 variant,
 * TENSOR_CORE_BF16): the forward pass (backward-data runs it over dy with the flipped filter, per
 * residue class of the stride: io.jdnn.kernels.FlippedBackwardData); CUDA only
 * (sm_80 and newer). Compiled with the portable kernels into the backend's one fatbin, after
 * jdnn_portable.h (for KERNEL, DEVICE_FN, i64).
 *
 * An implicit GEMM on tensor cores. Per group g of G, with cpg = C/G, kpg = K/G:
 *
 *   Y_g (M x kpg) = A_g (M x Kd) * B_g (Kd x kpg),   M = N*P*Q, Kd = cpg*R*S,
 *   A_g[m][kk] = x[n][g*cpg + c][p*sh - ph + r*dh][q*sw - pw + s*dw]   (0 outside the image),
 *   B_g[kk][j] = w[g*kpg + j][c][r][s] = w[(g*kpg + j)*Kd + kk],
 *   y[n][g*kpg + j][p][q] = Y_g[m][j] (+ bias[g*kpg + j]),
 *
 * with m = (n*P + p)*Q + q and kk = (c*R + r)*S + s. Neither A nor the column matrix is ever
 * stored: each block gathers its A tile straight from x.
 *
 * Arithmetic: every element of A and B is rounded to TF32 with cvt.rna.tf32.f32 (round to
 * nearest, ties away from zero: 10 explicit mantissa bits, unit roundoff 2^-11) when it is
 * staged in shared memory; mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 multiplies and
 * accumulates in float32, one accumulator per output element across the whole Kd loop, in a
 * fixed order (no atomics, no split-K): deterministic. The bias is added in float32 at the end.
 * Error against the float64 reference: see ConvAlgorithm.TENSOR_CORE_TF32.errorBound() (5e-3 of
 * max|y|; about 1e-3 expected on inputs of magnitude 1).
 *
 * BF16 (TENSOR_CORE_BF16, tuning constant TC_BF16 = 1, compiled as the variant below: kernels
 * conv_tc_tf32_forward_bf16 and conv_tc_tf32_backward_filter_bf16): the tensors stay float32;
 * each element is rounded to BF16 when staged (tc_to_bf16: nearest, ties to even, 8 significant
 * bits, unit roundoff 2^-8; NaN stays NaN), kept in shared memory as the float's 32-bit pattern
 * with the low 16 bits zero, and packed two to a register when the fragments are loaded; a slice
 * of 16 is one mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 per 16 x 8 tile instead of two
 * m16n8k8 .tf32, with the same float32 accumulators, order and epilogue. Known cost: the
 * fragment loads read 32-bit words, two per register (twice the shared-memory loads of a packed
 * BF16 layout, and the k-pairs of a fragment meet 2-way bank conflicts). Error bound:
 * ConvAlgorithm.TENSOR_CORE_BF16.errorBound().
 *
 * @variant bf16 TC_BF16=1
 *
 * Launch geometry: 3-D grid (ceil(M/64), ceil(kpg/64), G) of 128-thread blocks, block (128,1,1);
 * i.e. global (ceil(M/64)*128, ceil(kpg/64), G), local (128, 1, 1). A block computes a 64 x 64
 * tile of Y_g (64 output pixels x 64 output channels); its 4 warps form a 2 x 2 grid of 32 x 32
 * warp tiles, each 2 x 4 mma tiles of 16 x 8. The Kd loop takes slices of 16: the next slice is
 * loaded from global memory into registers while the current one is multiplied from shared
 * memory (As[k][m] with a row pitch of 72 words and Bs[n][k] with 20: the fragment loads hit 32
 * distinct banks). Shared memory: 16*72*4 + 64*20*4 = 9,728 bytes, static.
 *
 * Limits: every extent guarded, so any N, C, H, W, K, P, Q, R, S, stride, padding, dilation and
 * groups work; G and ceil(kpg/64) at most 65535 (grid y and z), P*Q and cpg*R*S below 2^31
 * (the host's whyNot refuses the rest). Tensors of any size (i64 offsets).
 */
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
#error "conv_tc_tf32.cu: mma.sync m16n8k8 with TF32 operands (and m16n8k16 with BF16 ones) needs sm_80 or newer"
#endif

#ifndef TC_BF16
#define TC_BF16 0                             /* 1: BF16 operands, mma m16n8k16 (the bf16 variant) */
#endif

#define TC_BM 64                              /* output pixels (GEMM rows) per block */
#define TC_BN 64                              /* output channels (GEMM columns) per block */
#define TC_BK 16                              /* reduction slice */
#define TC_THREADS 128                        /* 4 warps */
#define TC_AS_LD (TC_BM + 8)                  /* As row pitch: (k*72 + m) % 32 distinct over a fragment */
#define TC_BS_LD (TC_BK + 4)                  /* Bs row pitch: (n*20 + k) % 32 distinct over a fragment */
#define TC_A_LOADS (TC_BM * TC_BK / TC_THREADS) /* A elements each thread stages per slice: 8 */
#define TC_B_LOADS (TC_BN * TC_BK / TC_THREADS) /* B elements each thread stages per slice: 8 */

/* f rounded to TF32 (nearest, ties away from zero), as the 32-bit pattern mma.sync reads. */
DEVICE_FN unsigned tc_to_tf32(float f) {
#ifdef JDNN_CUDA_SIM /* the CPU emulation of kernels/cuda/src/test/sim/cuda_sim.h (tests only) */
    return jdnn_sim_cvt_rna_tf32(f);
#else
    unsigned r;
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(f));
    return r;
#endif
}

/* f's 32-bit pattern. */
DEVICE_FN unsigned tc_float_bits(float f) {
#ifdef JDNN_CUDA_SIM
    return jdnn_sim_float_bits(f);
#else
    return __float_as_uint(f);
#endif
}

/* f rounded to BF16 (nearest, ties to even: 8 significant bits), as a float's 32-bit pattern with the
 * low 16 bits zero. Plain bit arithmetic, the same on the GPU and in the CPU emulation. A NaN stays a
 * NaN (quieted: truncating a payload held in the low 16 bits alone would make it an infinity);
 * infinities stay, finite values beyond BF16's largest round to infinity. */
DEVICE_FN unsigned tc_to_bf16(float f) {
    unsigned b = tc_float_bits(f);
    if ((b & 0x7fffffffu) > 0x7f800000u) {
        return (b | 0x00400000u) & 0xffff0000u;
    }
    return (b + 0x7fffu + ((b >> 16) & 1u)) & 0xffff0000u;
}

/* f rounded to the operand type the kernels are built for, as staged in shared memory. */
DEVICE_FN unsigned tc_round(float f) {
#if TC_BF16
    return tc_to_bf16(f);
#else
    return tc_to_tf32(f);
#endif
}

/* Two rounded values (low 16 bits zero) as one .b32 register of two bf16: lo, the lower-indexed
 * element, in bits 0-15, hi in bits 16-31. */
DEVICE_FN unsigned tc_pack_bf16(unsigned lo, unsigned hi) {
    return (lo >> 16) | (hi & 0xffff0000u);
}

/* d = a (16x16, row) * b (16x8, col) + d on one warp, BF16 operands (two per register), float32 accumulators. */
DEVICE_FN void tc_mma_16x8x16_bf16(float *d, const unsigned *a, const unsigned *b) {
#ifdef JDNN_CUDA_SIM
    jdnn_sim_mma_m16n8k16_bf16(d, a, b);
#else
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
                 "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#endif
}

/* d = a (16x8, row) * b (8x8, col) + d on one warp, float32 accumulators. */
DEVICE_FN void tc_mma_16x8x8(float *d, const unsigned *a, const unsigned *b) {
#ifdef JDNN_CUDA_SIM
    jdnn_sim_mma_m16n8k8_tf32(d, a, b);
#else
    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 "
                 "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#endif
}

/* This thread's share of the A slice starting at k0: pixel (ih0, iw0) of image plane base, reduction
 * rows k0 + a_k + 2i. Zero outside the image, beyond Kd, or when the pixel is past M. */
DEVICE_FN void tc_load_a(float *reg, const float *RESTRICT base, int valid, int ih0, int iw0, int k0, int a_k,
                         int Kd, int RS, int S, int H, int W, int dh, int dw) {
#pragma unroll
    for (int i = 0; i < TC_A_LOADS; i++) {
        int kk = k0 + a_k + 2 * i;
        float v = 0.0f;
        if (valid && kk < Kd) {
            int c = kk / RS;
            int rs = kk - c * RS;
            int r = rs / S;
            int s = rs - r * S;
            int ih = ih0 + r * dh;
            int iw = iw0 + s * dw;
            if (ih >= 0 && ih < H && iw >= 0 && iw < W) {
                v = base[((i64)c * H + ih) * W + iw];
            }
        }
        reg[i] = v;
    }
}

/* This thread's share of the B slice starting at k0: reduction row k0 + b_k of output channels
 * n0 + b_n + 8i of group weights wg. Zero beyond kpg or Kd. */
DEVICE_FN void tc_load_b(float *reg, const float *RESTRICT wg, int n0, int b_n, int k0, int b_k, int kpg, int Kd) {
    int kk = k0 + b_k;
#pragma unroll
    for (int i = 0; i < TC_B_LOADS; i++) {
        int n = n0 + b_n + 8 * i;
        reg[i] = (n < kpg && kk < Kd) ? wg[(i64)n * Kd + kk] : 0.0f;
    }
}

/* A warp tile's accumulators (2 x 4 mma tiles of 4 per thread), zeroed. */
DEVICE_FN void tc_zero_tile(float (*acc)[4][4]) {
#pragma unroll
    for (int mi = 0; mi < 2; mi++) {
#pragma unroll
        for (int ni = 0; ni < 4; ni++) {
#pragma unroll
            for (int e = 0; e < 4; e++) {
                acc[mi][ni][e] = 0.0f;
            }
        }
    }
}

/*
 * acc (this warp's 32 x 32 tile: 2 x 4 mma tiles of 16 x 8) += As^T-slice * Bs-slice over one
 * reduction slice of TC_BK: As[k][row] (pitch TC_AS_LD) holds the slice's rows of the GEMM's left
 * operand, Bs[col][k] (pitch TC_BS_LD) its columns of the right one, as TF32 bit patterns (TC_BF16:
 * BF16 values as floats); the warp's tile starts at row wm, column wn. Fragments as the PTX ISA lays out m16n8k8 .tf32: a0 (gid, tig),
 * a1 (gid+8, tig), a2 (gid, tig+4), a3 (gid+8, tig+4); b0 (k tig, col gid), b1 (k tig+4, col gid).
 */
DEVICE_FN void tc_multiply_slice(const unsigned *As, const unsigned *Bs, int wm, int wn, int gid, int tig,
                                 float (*acc)[4][4]) {
#if TC_BF16
    /* One m16n8k16 .bf16 per tile: the PTX ISA's fragments, each register two bf16 (lower index in
     * the low half): a0 (gid, 2tig..2tig+1), a1 (gid+8, 2tig..), a2 (gid, 2tig+8..2tig+9),
     * a3 (gid+8, 2tig+8..); b0 (k 2tig..2tig+1, col gid), b1 (k 2tig+8..2tig+9, col gid). */
    unsigned af[2][4];
    unsigned bf[4][2];
    const int k0 = 2 * tig;
#pragma unroll
    for (int mi = 0; mi < 2; mi++) {
        int row = wm + mi * 16 + gid;
#pragma unroll
        for (int h = 0; h < 2; h++) { /* h = 1: k + 8 */
            const unsigned *lo = As + (k0 + 8 * h) * TC_AS_LD + row;
            af[mi][2 * h] = tc_pack_bf16(lo[0], lo[TC_AS_LD]);
            af[mi][2 * h + 1] = tc_pack_bf16(lo[8], lo[TC_AS_LD + 8]);
        }
    }
#pragma unroll
    for (int ni = 0; ni < 4; ni++) {
        const unsigned *b = Bs + (wn + ni * 8 + gid) * TC_BS_LD + k0;
        bf[ni][0] = tc_pack_bf16(b[0], b[1]);
        bf[ni][1] = tc_pack_bf16(b[8], b[9]);
    }
#pragma unroll
    for (int mi = 0; mi < 2; mi++) {
#pragma unroll
        for (int ni = 0; ni < 4; ni++) {
            tc_mma_16x8x16_bf16(acc[mi][ni], af[mi], bf[ni]);
        }
    }
#else
#pragma unroll
    for (int kb = 0; kb < TC_BK; kb += 8) {
        unsigned af[2][4];
        unsigned bf[4][2];
#pragma unroll
        for (int mi = 0; mi < 2; mi++) {
            int row = wm + mi * 16 + gid;
            af[mi][0] = As[(kb + tig) * TC_AS_LD + row];
            af[mi][1] = As[(kb + tig) * TC_AS_LD + row + 8];
            af[mi][2] = As[(kb + tig + 4) * TC_AS_LD + row];
            af[mi][3] = As[(kb + tig + 4) * TC_AS_LD + row + 8];
        }
#pragma unroll
        for (int ni = 0; ni < 4; ni++) {
            int col = wn + ni * 8 + gid;
            bf[ni][0] = Bs[col * TC_BS_LD + kb + tig];
            bf[ni][1] = Bs[col * TC_BS_LD + kb + tig + 4];
        }
#pragma unroll
        for (int mi = 0; mi < 2; mi++) {
#pragma unroll
            for (int ni = 0; ni < 4; ni++) {
                tc_mma_16x8x8(acc[mi][ni], af[mi], bf[ni]);
            }
        }
    }
#endif
}

/* y = conv(x, w) (+ bias), then the fused epilogue jdnn_activate where act_kind >= 0, through TF32
 * (TC_BF16: BF16) tensor cores; the arguments are conv_direct_forward's. */
KERNEL void conv_tc_tf32_forward(CONV_SHAPE_PARAMS, int has_bias, int act_kind, float act_alpha, float act_threshold,
                                 GLOBAL const float *RESTRICT x, GLOBAL const float *RESTRICT w,
                                 GLOBAL const float *RESTRICT bias, GLOBAL float *RESTRICT y) {
    __shared__ unsigned As[TC_BK * TC_AS_LD]; /* As[k][m], TF32 bit patterns (or BF16 values as floats) */
    __shared__ unsigned Bs[TC_BN * TC_BS_LD]; /* Bs[n][k] */

    const int cpg = C / G;
    const int kpg = K / G;
    const int RS = R * S;
    const int Kd = cpg * RS;
    const int PQ = P * Q;
    const i64 M = (i64)N * PQ;
    const int g = (int)blockIdx.z;
    const i64 m0 = (i64)blockIdx.x * TC_BM;
    const int n0 = (int)blockIdx.y * TC_BN;
    const int tid = (int)threadIdx.x;
    const int lane = tid & 31;
    const int warp = tid >> 5;
    const int gid = lane >> 2;           /* mma "groupID" */
    const int tig = lane & 3;            /* mma "threadID_in_group" */
    const int wm = (warp & 1) * 32;      /* the warp's first row (pixel) in the block tile */
    const int wn = (warp >> 1) * 32;     /* the warp's first column (channel) in the block tile */

    /* A loader: one pixel per thread (tid % 64), reduction rows tid / 64 + 2i of each slice. */
    const int a_m = tid & (TC_BM - 1);
    const int a_k = tid >> 6;
    const i64 am = m0 + a_m;
    const int a_valid = am < M;
    int a_ih0 = 0;
    int a_iw0 = 0;
    const float *a_base = x;
    if (a_valid) {
        int n = (int)(am / PQ);
        int pq = (int)(am - (i64)n * PQ);
        int p = pq / Q;
        int q = pq - p * Q;
        a_ih0 = p * sh - ph;
        a_iw0 = q * sw - pw;
        a_base = x + ((i64)n * C + (i64)g * cpg) * H * W;
    }
    /* B loader: one reduction row per thread (tid % 16), channels tid / 16 + 8i of each slice. */
    const int b_k = tid & (TC_BK - 1);
    const int b_n = tid >> 4;
    const float *wg = w + (i64)g * kpg * Kd;

    float acc[2][4][4];
    tc_zero_tile(acc);

    float a_reg[TC_A_LOADS];
    float b_reg[TC_B_LOADS];
    tc_load_a(a_reg, a_base, a_valid, a_ih0, a_iw0, 0, a_k, Kd, RS, S, H, W, dh, dw);
    tc_load_b(b_reg, wg, n0, b_n, 0, b_k, kpg, Kd);

    const int slices = (Kd + TC_BK - 1) / TC_BK;
    for (int t = 0; t < slices; t++) {
#pragma unroll
        for (int i = 0; i < TC_A_LOADS; i++) {
            As[(a_k + 2 * i) * TC_AS_LD + a_m] = tc_round(a_reg[i]);
        }
#pragma unroll
        for (int i = 0; i < TC_B_LOADS; i++) {
            Bs[(b_n + 8 * i) * TC_BS_LD + b_k] = tc_round(b_reg[i]);
        }
        __syncthreads();
        if (t + 1 < slices) { /* the next slice's global loads overlap this slice's mma */
            int k1 = (t + 1) * TC_BK;
            tc_load_a(a_reg, a_base, a_valid, a_ih0, a_iw0, k1, a_k, Kd, RS, S, H, W, dh, dw);
            tc_load_b(b_reg, wg, n0, b_n, k1, b_k, kpg, Kd);
        }
        tc_multiply_slice(As, Bs, wm, wn, gid, tig, acc);
        __syncthreads();
    }

    /* Accumulator e of tile (mi, ni) holds row gid + 8*(e/2), column 2*tig + e%2 of that 16 x 8 tile. */
#pragma unroll
    for (int mi = 0; mi < 2; mi++) {
#pragma unroll
        for (int half = 0; half < 2; half++) {
            i64 m = m0 + wm + mi * 16 + gid + half * 8;
            if (m >= M) {
                continue;
            }
            int n = (int)(m / PQ);
            int pq = (int)(m - (i64)n * PQ);
            float *yp = y + ((i64)n * K + (i64)g * kpg) * PQ + pq;
#pragma unroll
            for (int ni = 0; ni < 4; ni++) {
#pragma unroll
                for (int j = 0; j < 2; j++) {
                    int oc = n0 + wn + ni * 8 + tig * 2 + j;
                    if (oc < kpg) {
                        float v = acc[mi][ni][half * 2 + j];
                        if (has_bias) {
                            v += bias[g * kpg + oc];
                        }
                        yp[(i64)oc * PQ] = act_kind >= 0 ? jdnn_activate(act_kind, act_alpha, act_threshold, v) : v;
                    }
                }
            }
        }
    }
}

/*
 * dw = the weight gradient through TF32 (TC_BF16: BF16) tensor cores. Per group g of G and split sp of `splits`:
 *
 *   dW_g (kpg x Kd) = D_g^T (kpg x M) * A_g (M x Kd), over m in [sp*chunk, min((sp+1)*chunk, M)),
 *   D_g[m][j] = dy[n][g*kpg + j][p][q],  A_g[m][kk] = x gathered as in the forward pass,
 *
 * m = (n*P + p)*Q + q, kk = (c*R + r)*S + s, written to out[sp*split_stride + (g*kpg + j)*Kd + kk]
 * (splits = 1: out is dw, split_stride 0; otherwise reduce_sum_splits of reduce.cl adds
 * the splits in order). The same block tile and warp tiles as the forward kernel, with rows j
 * (output channels) and columns kk (filter taps), reduction over m in slices of 16: D^T's slice
 * staged as Ds[k][j] (the forward's As), A's as Bs[kk][k]; each thread keeps the (c, r, s) of its
 * 8 columns for the whole kernel and decodes its row m once per slice. Every sum in a fixed order:
 * deterministic.
 *
 * Launch geometry: grid (ceil(Kd/64), ceil(kpg/64), G*splits) of 128-thread blocks, block (128,1,1).
 * Limits: M = N*P*Q, Kd below 2^31; G*splits and ceil(kpg/64) at most 65535 (the host's whyNot and
 * split choice). Tensors of any size (i64 offsets).
 */
KERNEL void conv_tc_tf32_backward_filter(CONV_SHAPE_PARAMS, int splits, int chunk,
                                         i64 split_stride, GLOBAL const float *RESTRICT x,
                                         GLOBAL const float *RESTRICT dy, GLOBAL float *RESTRICT out) {
    __shared__ unsigned Ds[TC_BK * TC_AS_LD]; /* Ds[k][j]: D^T's slice, TF32 (BF16) bit patterns */
    __shared__ unsigned Bs[TC_BN * TC_BS_LD]; /* Bs[kk][k]: A's slice */

    const int cpg = C / G;
    const int kpg = K / G;
    const int RS = R * S;
    const int Kd = cpg * RS;
    const int PQ = P * Q;
    const int M = N * PQ;
    const int g = (int)blockIdx.z / splits;
    const int sp = (int)blockIdx.z - g * splits;
    const int lbeg = sp * chunk;
    const int lend = M - lbeg < chunk ? M : lbeg + chunk;
    const int kk0 = (int)blockIdx.x * TC_BN;
    const int j0 = (int)blockIdx.y * TC_BM;
    const int tid = (int)threadIdx.x;
    const int lane = tid & 31;
    const int warp = tid >> 5;
    const int gid = lane >> 2;
    const int tig = lane & 3;
    const int wm = (warp & 1) * 32; /* the warp's first row (output channel) in the block tile */
    const int wn = (warp >> 1) * 32; /* the warp's first column (tap) in the block tile */

    /* both loaders: reduction row m = slice + (tid % 16), columns (tid / 16) + 8i */
    const int l_k = tid & (TC_BK - 1);
    const int l_c = tid >> 4;
    const float *dyg = dy + (i64)g * kpg * PQ;
    i64 a_off[8];
    int a_hr[8];
    int a_wr[8];
#pragma unroll
    for (int i = 0; i < 8; i++) {
        int kk = kk0 + l_c + 8 * i;
        a_off[i] = 0;
        a_hr[i] = H; /* a column past Kd reads nothing: ih = p*sh + H >= H */
        a_wr[i] = 0;
        if (kk < Kd) {
            int c = kk / RS;
            int rs = kk - c * RS;
            int r = rs / S;
            a_off[i] = ((i64)g * cpg + c) * H * W;
            a_hr[i] = r * dh - ph;
            a_wr[i] = (rs - r * S) * dw - pw;
        }
    }

    float acc[2][4][4];
    tc_zero_tile(acc);

    float d_reg[8];
    float a_reg[8];
    for (int m0 = lbeg; m0 < lend; m0 += TC_BK) {
        int m = m0 + l_k;
        if (m < lend) {
            int n = m / PQ;
            int pq = m - n * PQ;
            int p = pq / Q;
            int q = pq - p * Q;
            const float *dyn = dyg + (i64)n * K * PQ + pq;
            const float *xn = x + (i64)n * C * H * W;
#pragma unroll
            for (int i = 0; i < 8; i++) {
                int j = j0 + l_c + 8 * i;
                d_reg[i] = j < kpg ? dyn[(i64)j * PQ] : 0.0f;
                int ih = p * sh + a_hr[i];
                int iw = q * sw + a_wr[i];
                a_reg[i] = (ih >= 0 && ih < H && iw >= 0 && iw < W) ? xn[a_off[i] + (i64)ih * W + iw] : 0.0f;
            }
        } else {
#pragma unroll
            for (int i = 0; i < 8; i++) {
                d_reg[i] = 0.0f;
                a_reg[i] = 0.0f;
            }
        }
#pragma unroll
        for (int i = 0; i < 8; i++) {
            Ds[l_k * TC_AS_LD + l_c + 8 * i] = tc_round(d_reg[i]);
            Bs[(l_c + 8 * i) * TC_BS_LD + l_k] = tc_round(a_reg[i]);
        }
        __syncthreads();
        tc_multiply_slice(Ds, Bs, wm, wn, gid, tig, acc);
        __syncthreads();
    }

    float *o = out + (i64)sp * split_stride + (i64)g * kpg * Kd;
#pragma unroll
    for (int mi = 0; mi < 2; mi++) {
#pragma unroll
        for (int half = 0; half < 2; half++) {
            int j = j0 + wm + mi * 16 + gid + half * 8;
            if (j >= kpg) {
                continue;
            }
#pragma unroll
            for (int ni = 0; ni < 4; ni++) {
#pragma unroll
                for (int e = 0; e < 2; e++) {
                    int kk = kk0 + wn + ni * 8 + tig * 2 + e;
                    if (kk < Kd) {
                        o[(i64)j * Kd + kk] = acc[mi][ni][half * 2 + e];
                    }
                }
            }
        }
    }
}
