/*
 * conv_winograd.cl: the WINOGRAD convolution algorithm, F(2x2, 3x3) (Lavin and Gray, 2016), for
 * 3x3 kernels with stride 1 and dilation 1; the transforms here, the 16 GEMMs of the transformed
 * domain (batched, one per element xi of the 4x4 tile, per group) are gemm.cl's gemm_f32.
 *
 *   Y = A^T [ (G g G^T) .* (B^T d B) ] A      per 2x2 output tile, d its 4x4 input patch
 *
 *   B^T = | 1  0 -1  0 |    G = | 1    0    0  |    A^T = | 1  1  1  0 |
 *         | 0  1  1  0 |        | 1/2  1/2  1/2|          | 0  1 -1 -1 |
 *         | 0 -1  1  0 |        | 1/2 -1/2  1/2|
 *         | 0  1  0 -1 |        | 0    0    1  |
 *
 * A convolution "in -> out" here reads an input (N, Cin, Hin, Win) and writes (N, Cout, Hout, Wout)
 * with out[n][o][i][j] = sum over c, r, s < 3 of in[n][c][i - pad_h + r][j - pad_w + s] * g[o][c][r][s]
 * (outside the input: 0). The forward pass is in = x, out = y, pad = (ph, pw); backward-data is the
 * same with in = dy, out = dx, the filter rotated by 180 degrees with its two channel axes swapped,
 * and pad = (2 - ph, 2 - pw) (negative when ph > 2: the window then starts inside the input, which
 * these kernels handle like any offset). Output tiles: TH = ceil(Hout/2) x TW = ceil(Wout/2) per
 * image, tile t = (n*TH + th)*TW + tw of a chunk of nb images, T = nb*TH*TW; tile (th, tw) reads
 * the input patch at (2*th - pad_h, 2*tw - pad_w).
 *
 * Transformed tensors, xi = 4*i + j < 16 the element of the 4x4 tile:
 *   V[xi][c][t]   input transform (Cin x T per xi)
 *   U[xi][o][c']  filter transform (Cout x Cin/G per xi)
 *   M[xi][o][t]   = sum over c' of U[xi][o][c'] V[xi][g*Cin/G + c'][t], o in group g (the GEMMs)
 * Backward-filter: dU[xi][k][c'] = sum over t of Z[xi][k][t] V[xi][g*C/G + c'][t], Z = A dY A^T the
 * tiles of dy, then dw = G^T dU G (the chain rule through the forward formula).
 *
 * Launch geometry, every kernel here: 1-D, any local size and number of groups, grid-stride over
 * the elements stated at each kernel. Limits: extents < 2^31, tensors of any size (i64 offsets).
 * Deterministic: no atomics.
 */

/* The 1-D transforms, one line of a tile at a time. */
#define WINO_BT(d0, d1, d2, d3, t0, t1, t2, t3) \
    do {                                        \
        t0 = (d0) - (d2);                       \
        t1 = (d1) + (d2);                       \
        t2 = (d2) - (d1);                       \
        t3 = (d1) - (d3);                       \
    } while (0)

#define WINO_G(g0, g1, g2, u0, u1, u2, u3)      \
    do {                                        \
        float h_ = 0.5f * ((g0) + (g2));        \
        u0 = (g0);                              \
        u1 = h_ + 0.5f * (g1);                  \
        u2 = h_ - 0.5f * (g1);                  \
        u3 = (g2);                              \
    } while (0)

#define WINO_AT(m0, m1, m2, m3, y0, y1)         \
    do {                                        \
        y0 = (m0) + (m1) + (m2);                \
        y1 = (m1) - (m2) - (m3);                \
    } while (0)

/* A (4x2) applied to a 2-vector: the transpose of A^T, for the gradient of the output transform. */
#define WINO_A(e0, e1, z0, z1, z2, z3)          \
    do {                                        \
        z0 = (e0);                              \
        z1 = (e0) + (e1);                       \
        z2 = (e0) - (e1);                       \
        z3 = -(e1);                             \
    } while (0)

/* G^T (3x4) applied to a 4-vector: the transpose of G, for the gradient of the filter transform. */
#define WINO_GT(u0, u1, u2, u3, g0, g1, g2)     \
    do {                                        \
        float p_ = 0.5f * ((u1) + (u2));        \
        g0 = (u0) + p_;                         \
        g1 = 0.5f * ((u1) - (u2));              \
        g2 = p_ + (u3);                         \
    } while (0)

/* V[xi][c][t] = (B^T d B)[xi] for the patch d of input channel c under tile t of images
 * n0 .. n0+nb-1 (reads outside the input are 0). Grid-stride over Cin*T, t fastest. */
KERNEL void wino_input_transform(int n0, int nb, int Cin, int Hin, int Win, int TH, int TW, int pad_h, int pad_w,
                                 GLOBAL const float *RESTRICT in, GLOBAL float *RESTRICT V) {
    i64 T = (i64)nb * TH * TW;
    i64 total = (i64)Cin * T;
    GRID_STRIDE_LOOP(e, total) {
        i64 t = e % T;
        int c = (int)(e / T);
        int tw = (int)(t % TW);
        int th = (int)((t / TW) % TH);
        int n = (int)(t / ((i64)TW * TH));
        int h0 = 2 * th - pad_h;
        int w0 = 2 * tw - pad_w;
        GLOBAL const float *plane = in + ((i64)(n0 + n) * Cin + c) * Hin * Win;
        float d[4][4];
        for (int i = 0; i < 4; i++) {
            int ih = h0 + i;
            for (int j = 0; j < 4; j++) {
                int iw = w0 + j;
                d[i][j] = ((u32)ih < (u32)Hin && (u32)iw < (u32)Win) ? plane[(i64)ih * Win + iw] : 0.0f;
            }
        }
        float b[4][4]; /* B^T d */
        for (int j = 0; j < 4; j++) {
            WINO_BT(d[0][j], d[1][j], d[2][j], d[3][j], b[0][j], b[1][j], b[2][j], b[3][j]);
        }
        for (int i = 0; i < 4; i++) {
            float v0, v1, v2, v3; /* (B^T d) B, row i */
            WINO_BT(b[i][0], b[i][1], b[i][2], b[i][3], v0, v1, v2, v3);
            V[(4 * i + 0) * total + e] = v0;
            V[(4 * i + 1) * total + e] = v1;
            V[(4 * i + 2) * total + e] = v2;
            V[(4 * i + 3) * total + e] = v3;
        }
    }
}

/* U[xi][o][c'] = (G g G^T)[xi] for the 3x3 filter g of output channel o < rows and input channel
 * c' < cols of o's group. swap = 0 (forward): rows = K, cols = C/G, g = w[o][c'].
 * swap = 1 (backward-data): rows = C, cols = K/G, g(r, s) = w[grp*K/G + c'][o - grp*C/G][2-r][2-s],
 * grp = o / (C/G): the filter of the transposed problem. w is (K, C/G, 3, 3) either way.
 * Grid-stride over rows*cols. */
KERNEL void wino_filter_transform(int rows, int cols, int cpg, int kpg, int swap, GLOBAL const float *RESTRICT w,
                                  GLOBAL float *RESTRICT U) {
    i64 total = (i64)rows * cols;
    GRID_STRIDE_LOOP(e, total) {
        int o = (int)(e / cols);
        int ci = (int)(e - (i64)o * cols);
        float g[3][3];
        if (swap) {
            int grp = o / cpg;
            GLOBAL const float *f = w + ((i64)(grp * kpg + ci) * cpg + (o - grp * cpg)) * 9;
            for (int r = 0; r < 3; r++) {
                for (int s = 0; s < 3; s++) {
                    g[r][s] = f[(2 - r) * 3 + (2 - s)];
                }
            }
        } else {
            GLOBAL const float *f = w + e * 9;
            for (int r = 0; r < 3; r++) {
                for (int s = 0; s < 3; s++) {
                    g[r][s] = f[r * 3 + s];
                }
            }
        }
        float a[4][3]; /* G g */
        for (int s = 0; s < 3; s++) {
            WINO_G(g[0][s], g[1][s], g[2][s], a[0][s], a[1][s], a[2][s], a[3][s]);
        }
        for (int i = 0; i < 4; i++) {
            float u0, u1, u2, u3; /* (G g) G^T, row i */
            WINO_G(a[i][0], a[i][1], a[i][2], u0, u1, u2, u3);
            U[(4 * i + 0) * total + e] = u0;
            U[(4 * i + 1) * total + e] = u1;
            U[(4 * i + 2) * total + e] = u2;
            U[(4 * i + 3) * total + e] = u3;
        }
    }
}

/* out[n0 + n][o][2*th + i][2*tw + j] = bias[o] (if has_bias) + (A^T M A)[i][j] for the tile
 * t = (n, th, tw), i, j < 2, the rows and columns inside (Hout, Wout) only.
 * Grid-stride over Cout*T, t fastest. */
KERNEL void wino_output_transform(int n0, int nb, int Cout, int Hout, int Wout, int TH, int TW, int has_bias,
                                  GLOBAL const float *RESTRICT M, GLOBAL const float *RESTRICT bias,
                                  GLOBAL float *RESTRICT out) {
    i64 T = (i64)nb * TH * TW;
    i64 total = (i64)Cout * T;
    GRID_STRIDE_LOOP(e, total) {
        i64 t = e % T;
        int o = (int)(e / T);
        int tw = (int)(t % TW);
        int th = (int)((t / TW) % TH);
        int n = (int)(t / ((i64)TW * TH));
        float m[4][4];
        for (int xi = 0; xi < 16; xi++) {
            m[xi / 4][xi % 4] = M[xi * total + e];
        }
        float a[2][4]; /* A^T m */
        for (int j = 0; j < 4; j++) {
            WINO_AT(m[0][j], m[1][j], m[2][j], m[3][j], a[0][j], a[1][j]);
        }
        float b = has_bias ? bias[o] : 0.0f;
        GLOBAL float *plane = out + ((i64)(n0 + n) * Cout + o) * Hout * Wout;
        for (int i = 0; i < 2; i++) {
            float y0, y1; /* (A^T m) A, row i */
            WINO_AT(a[i][0], a[i][1], a[i][2], a[i][3], y0, y1);
            int oh = 2 * th + i;
            int ow = 2 * tw;
            if (oh < Hout) {
                plane[(i64)oh * Wout + ow] = y0 + b;
                if (ow + 1 < Wout) {
                    plane[(i64)oh * Wout + ow + 1] = y1 + b;
                }
            }
        }
    }
}

/* Backward-filter, step 1: Z[xi][k][t] = (A e A^T)[xi] for the 2x2 tile e of dy[n0 + n][k] at
 * (2*th, 2*tw) (0 outside (P, Q)): the gradient with respect to M of the output transform.
 * Grid-stride over K*T, t fastest. */
KERNEL void wino_grad_output_transform(int n0, int nb, int K, int P, int Q, int TH, int TW,
                                       GLOBAL const float *RESTRICT dy, GLOBAL float *RESTRICT Z) {
    i64 T = (i64)nb * TH * TW;
    i64 total = (i64)K * T;
    GRID_STRIDE_LOOP(e, total) {
        i64 t = e % T;
        int k = (int)(e / T);
        int tw = (int)(t % TW);
        int th = (int)((t / TW) % TH);
        int n = (int)(t / ((i64)TW * TH));
        GLOBAL const float *plane = dy + ((i64)(n0 + n) * K + k) * P * Q;
        float d[2][2];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                int oh = 2 * th + i;
                int ow = 2 * tw + j;
                d[i][j] = (oh < P && ow < Q) ? plane[(i64)oh * Q + ow] : 0.0f;
            }
        }
        float a[4][2]; /* A d */
        for (int j = 0; j < 2; j++) {
            WINO_A(d[0][j], d[1][j], a[0][j], a[1][j], a[2][j], a[3][j]);
        }
        for (int i = 0; i < 4; i++) {
            float z0, z1, z2, z3; /* (A d) A^T, row i */
            WINO_A(a[i][0], a[i][1], z0, z1, z2, z3);
            Z[(4 * i + 0) * total + e] = z0;
            Z[(4 * i + 1) * total + e] = z1;
            Z[(4 * i + 2) * total + e] = z2;
            Z[(4 * i + 3) * total + e] = z3;
        }
    }
}

/* Backward-filter, step 3: dw[k][c'][r][s] = (G^T dU G)[r][s], dU[xi][k][c'] (rows = K, cols = C/G).
 * Grid-stride over rows*cols. */
KERNEL void wino_filter_grad_transform(int rows, int cols, GLOBAL const float *RESTRICT dU,
                                       GLOBAL float *RESTRICT dw_out) {
    i64 total = (i64)rows * cols;
    GRID_STRIDE_LOOP(e, total) {
        float u[4][4];
        for (int xi = 0; xi < 16; xi++) {
            u[xi / 4][xi % 4] = dU[xi * total + e];
        }
        float a[3][4]; /* G^T u */
        for (int j = 0; j < 4; j++) {
            WINO_GT(u[0][j], u[1][j], u[2][j], u[3][j], a[0][j], a[1][j], a[2][j]);
        }
        GLOBAL float *f = dw_out + e * 9;
        for (int r = 0; r < 3; r++) {
            float g0, g1, g2; /* (G^T u) G, row r */
            WINO_GT(a[r][0], a[r][1], a[r][2], a[r][3], g0, g1, g2);
            f[r * 3 + 0] = g0;
            f[r * 3 + 1] = g1;
            f[r * 3 + 2] = g2;
        }
    }
}
