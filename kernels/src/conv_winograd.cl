/*
 * conv_winograd.cl: the WINOGRAD convolution algorithm (Lavin and Gray, 2016) for 3x3 kernels with
 * stride 1 and dilation 1: F(4x4, 3x3) for the forward and backward-data passes (second half of this
 * file), F(2x2, 3x3) for backward-filter (first half); the transforms here, the GEMMs of the
 * transformed domain (batched, one per element xi of the transformed tile, per group) are gemm.cl's
 * gemm_f32.
 *
 *   Y = A^T [ (G g G^T) .* (B^T d B) ] A      per m x m output tile, d its (m+2) x (m+2) input patch
 *
 * F(2x2, 3x3), m = 2, 16 tile elements:
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
 * these kernels handle like any offset). Output tiles: TH = ceil(Hout/m) x TW = ceil(Wout/m) per
 * image, tile t = (n*TH + th)*TW + tw of a chunk of nb images, T = nb*TH*TW; tile (th, tw) reads
 * the input patch at (m*th - pad_h, m*tw - pad_w).
 *
 * Transformed tensors, xi = (m+2)*i + j the element of the transformed tile:
 *   V[xi][c][t]   input transform (Cin x T per xi)
 *   U[xi][o][c']  filter transform (Cout x Cin/G per xi)
 *   M[xi][o][t]   = sum over c' of U[xi][o][c'] V[xi][g*Cin/G + c'][t], o in group g (the GEMMs)
 * Backward-filter (F(2x2)): dU[xi][k][c'] = sum over t of Z[xi][k][t] V[xi][g*C/G + c'][t], Z = A dY A^T
 * the tiles of dy, then dw = G^T dU G (the chain rule through the forward formula).
 *
 * The kernels that read the convolution's own extents (wino_grad_output_transform,
 * wino4_filter_transform) take its shape, CONV_SHAPE_PARAMS of jdnn_portable.h; the input and
 * output transforms take the transformed convolution's (Cin, Hin, Win, pad: the forward pass's or
 * backward-data's).
 *
 * Launch geometry, every kernel here: 1-D, any local size and number of groups, grid-stride over
 * the elements stated at each kernel. Limits: extents < 2^31, tensors of any size (i64 offsets).
 * Deterministic: no atomics.
 */

/* The parameters both input transforms take: images n0 .. n0+nb-1 of the transformed convolution's
 * input (N, Cin, Hin, Win), TH x TW output tiles per image, padding (pad_h, pad_w). */
#define WINO_INPUT_PARAMS int n0, int nb, int Cin, int Hin, int Win, int TH, int TW, int pad_h, int pad_w

/* Element e of a (channel, tile) walk, tile fastest (T tiles of TH x TW per image): returns the
 * channel and sets the tile's image n (within the chunk) and position (th, tw). */
DEVICE_FN int wino_tile_of(i64 e, i64 T, int TH, int TW, int *n, int *th, int *tw) {
    i64 t = e % T;
    *tw = (int)(t % TW);
    *th = (int)((t / TW) % TH);
    *n = (int)(t / ((i64)TW * TH));
    return (int)(e / T);
}

/* The 1-D transforms, one line of a tile at a time. */
#define WINO_BT(d0, d1, d2, d3, t0, t1, t2, t3) \
    do {                                        \
        t0 = (d0) - (d2);                       \
        t1 = (d1) + (d2);                       \
        t2 = (d2) - (d1);                       \
        t3 = (d1) - (d3);                       \
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
KERNEL void wino_input_transform(WINO_INPUT_PARAMS, GLOBAL const float *RESTRICT in, GLOBAL float *RESTRICT V) {
    i64 T = (i64)nb * TH * TW;
    i64 total = (i64)Cin * T;
    GRID_STRIDE_LOOP(e, total) {
        int n, th, tw;
        int c = wino_tile_of(e, T, TH, TW, &n, &th, &tw);
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

/* Backward-filter, step 1: Z[xi][k][t] = (A e A^T)[xi] for the 2x2 tile e of dy[n0 + n][k] at
 * (2*th, 2*tw) (0 outside (P, Q)) of images n0 .. n0+nb-1, TH x TW tiles per image: the gradient
 * with respect to M of the output transform. Grid-stride over K*T, t fastest. */
KERNEL void wino_grad_output_transform(CONV_SHAPE_PARAMS, int n0, int nb, int TH, int TW,
                                       GLOBAL const float *RESTRICT dy, GLOBAL float *RESTRICT Z) {
    i64 T = (i64)nb * TH * TW;
    i64 total = (i64)K * T;
    GRID_STRIDE_LOOP(e, total) {
        int n, th, tw;
        int k = wino_tile_of(e, T, TH, TW, &n, &th, &tw);
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

/* Backward-filter, step 3: dw[k][c'][r][s] = (G^T dU G)[r][s], dU[xi][k][c'] (rows = K, cols = C/G:
 * passed, not CONV_SHAPE_PARAMS, whose C / G computed here costs 8 registers on sm_90).
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

/* ================================================================== F(4x4, 3x3)
 *
 * The forward and backward-data passes use F(4x4, 3x3) (6x6 input patches overlapping by 2, 4x4
 * output tiles: 36 multiplies per tile and channel pair instead of 144, and transformed tensors
 * 36/16 = 2.25 times the input and output instead of F(2x2)'s 4 times); backward-filter keeps
 * F(2x2, 3x3) above, whose gradient transforms are better conditioned. Same layout as above with
 * 36 tile elements xi = 6*i + j: V[xi][c][t], U[xi][o][c'], M[xi][o][t]; output tile (th, tw) reads
 * the patch at (4*th - pad_h, 4*tw - pad_w); TH = ceil(Hout/4), TW = ceil(Wout/4).
 *
 *   B^T = | 4  0 -5  0  1  0 |   G = |  1/4    0     0   |   A^T = | 1  1  1  1  1  0 |
 *         | 0 -4 -4  1  1  0 |       | -1/6  -1/6  -1/6  |         | 0  1 -1  2 -2  0 |
 *         | 0  4 -4 -1  1  0 |       | -1/6   1/6  -1/6  |         | 0  1  1  4  4  0 |
 *         | 0 -2 -1  2  1  0 |       |  1/24  1/12  1/6  |         | 0  1 -1  8 -8  1 |
 *         | 0  2 -1 -2  1  0 |       |  1/24 -1/12  1/6  |
 *         | 0  4  0 -5  0  1 |       |  0     0     1    |
 *
 * Launch geometry as above: 1-D, any local size and number of groups, grid-stride over the elements
 * stated at each kernel.
 */

/* r = B^T d for one line of 6 (the input transform). */
DEVICE_FN void wino4_bt(const float *d, float *r) {
    r[0] = 4.0f * d[0] - 5.0f * d[2] + d[4];
    r[1] = -4.0f * (d[1] + d[2]) + (d[3] + d[4]);
    r[2] = 4.0f * (d[1] - d[2]) + (d[4] - d[3]);
    r[3] = 2.0f * (d[3] - d[1]) + (d[4] - d[2]);
    r[4] = 2.0f * (d[1] - d[3]) + (d[4] - d[2]);
    r[5] = 4.0f * d[1] - 5.0f * d[3] + d[5];
}

/* u = G g for one line of 3 (the filter transform). */
DEVICE_FN void wino4_g(const float *g, float *u) {
    u[0] = 0.25f * g[0];
    u[1] = -(g[0] + g[1] + g[2]) / 6.0f;
    u[2] = (g[1] - g[0] - g[2]) / 6.0f;
    u[3] = g[0] / 24.0f + g[1] / 12.0f + g[2] / 6.0f;
    u[4] = g[0] / 24.0f - g[1] / 12.0f + g[2] / 6.0f;
    u[5] = g[2];
}

/* y = A^T m for one line of 6 (the output transform). */
DEVICE_FN void wino4_at(const float *m, float *y) {
    y[0] = m[0] + (m[1] + m[2]) + (m[3] + m[4]);
    y[1] = (m[1] - m[2]) + 2.0f * (m[3] - m[4]);
    y[2] = (m[1] + m[2]) + 4.0f * (m[3] + m[4]);
    y[3] = (m[1] - m[2]) + 8.0f * (m[3] - m[4]) + m[5];
}

/* V[xi][c][t] = (B^T d B)[xi] for the 6x6 patch d of input channel c under tile t of images
 * n0 .. n0+nb-1 (reads outside the input are 0). Grid-stride over Cin*T, t fastest. */
KERNEL void wino4_input_transform(WINO_INPUT_PARAMS, GLOBAL const float *RESTRICT in, GLOBAL float *RESTRICT V) {
    i64 T = (i64)nb * TH * TW;
    i64 total = (i64)Cin * T;
    GRID_STRIDE_LOOP(e, total) {
        int n, th, tw;
        int c = wino_tile_of(e, T, TH, TW, &n, &th, &tw);
        int h0 = 4 * th - pad_h;
        int w0 = 4 * tw - pad_w;
        GLOBAL const float *plane = in + ((i64)(n0 + n) * Cin + c) * Hin * Win;
        float b[6][6]; /* (B^T d)^T: b[j][i] = (B^T d)[i][j] */
        for (int j = 0; j < 6; j++) {
            int iw = w0 + j;
            float col[6];
            for (int i = 0; i < 6; i++) {
                int ih = h0 + i;
                col[i] = ((u32)ih < (u32)Hin && (u32)iw < (u32)Win) ? plane[(i64)ih * Win + iw] : 0.0f;
            }
            wino4_bt(col, b[j]);
        }
        for (int i = 0; i < 6; i++) {
            float row[6];
            float v[6];
            for (int j = 0; j < 6; j++) {
                row[j] = b[j][i];
            }
            wino4_bt(row, v); /* ((B^T d) B)[i][*] */
            for (int j = 0; j < 6; j++) {
                V[(6 * i + j) * total + e] = v[j];
            }
        }
    }
}

/* U[xi][o][c'] = (G g G^T)[xi], the 3x3 filter g of w (K, C/G, 3, 3) as is (swap = 0, forward:
 * o < K, c' < C/G) or rotated by 180 degrees with its channel axes swapped (swap = 1, backward-data:
 * o < C, c' < K/G). Grid-stride over rows*cols, the (o, c') pairs. */
KERNEL void wino4_filter_transform(CONV_SHAPE_PARAMS, int swap, GLOBAL const float *RESTRICT w,
                                   GLOBAL float *RESTRICT U) {
    int cpg = C / G;
    int kpg = K / G;
    int rows = swap ? C : K;
    int cols = swap ? kpg : cpg;
    i64 total = (i64)rows * cols;
    GRID_STRIDE_LOOP(e, total) {
        int o = (int)(e / cols);
        int ci = (int)(e - (i64)o * cols);
        GLOBAL const float *f;
        int flip;
        if (swap) {
            int grp = o / cpg;
            f = w + ((i64)(grp * kpg + ci) * cpg + (o - grp * cpg)) * 9;
            flip = 8;
        } else {
            f = w + e * 9;
            flip = 0;
        }
        float a[3][6]; /* (G g)^T: a[s][i] = (G g)[i][s] */
        for (int s = 0; s < 3; s++) {
            float col[3];
            for (int r = 0; r < 3; r++) {
                int tap = r * 3 + s;
                col[r] = f[flip ? flip - tap : tap];
            }
            wino4_g(col, a[s]);
        }
        for (int i = 0; i < 6; i++) {
            float row[3];
            float u[6];
            for (int s = 0; s < 3; s++) {
                row[s] = a[s][i];
            }
            wino4_g(row, u); /* ((G g) G^T)[i][*] */
            for (int j = 0; j < 6; j++) {
                U[(6 * i + j) * total + e] = u[j];
            }
        }
    }
}

/* out[n0 + n][o][4*th + i][4*tw + j] = bias[o] (if has_bias) + (A^T M A)[i][j] for the tile
 * t = (n, th, tw), i, j < 4, the rows and columns inside (Hout, Wout) only.
 * Grid-stride over Cout*T, t fastest. */
KERNEL void wino4_output_transform(int n0, int nb, int Cout, int Hout, int Wout, int TH, int TW, int has_bias,
                                   GLOBAL const float *RESTRICT M, GLOBAL const float *RESTRICT bias,
                                   GLOBAL float *RESTRICT out) {
    i64 T = (i64)nb * TH * TW;
    i64 total = (i64)Cout * T;
    GRID_STRIDE_LOOP(e, total) {
        int n, th, tw;
        int o = wino_tile_of(e, T, TH, TW, &n, &th, &tw);
        float a[6][4]; /* (A^T m)^T: a[j][i] = (A^T m)[i][j] */
        for (int j = 0; j < 6; j++) {
            float col[6];
            for (int i = 0; i < 6; i++) {
                col[i] = M[(6 * i + j) * total + e];
            }
            wino4_at(col, a[j]);
        }
        float b = has_bias ? bias[o] : 0.0f;
        GLOBAL float *plane = out + ((i64)(n0 + n) * Cout + o) * Hout * Wout;
        for (int i = 0; i < 4; i++) {
            int oh = 4 * th + i;
            if (oh >= Hout) {
                break;
            }
            float row[6];
            float y[4];
            for (int j = 0; j < 6; j++) {
                row[j] = a[j][i];
            }
            wino4_at(row, y); /* ((A^T m) A)[i][*] */
            for (int j = 0; j < 4; j++) {
                int ow = 4 * tw + j;
                if (ow < Wout) {
                    plane[(i64)oh * Wout + ow] = y[j] + b;
                }
            }
        }
    }
}
