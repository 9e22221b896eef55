/*
 * conv_depthwise.cl: the DEPTHWISE convolution algorithm, for io.jdnn.DirectConv problems with
 * groups == C (one input channel per group, M = K/C output channels per input channel: the depth
 * multiplier, passed after the shape CONV_SHAPE_PARAMS: K / C computed in the kernels costs them up
 * to 8 registers; output channel k = c*M + m reads channel c only). NCHW float32, stride (sh, sw),
 * padding (ph, pw), dilation (dh, dw); x/dx (N, C, H, W), y/dy (N, K, P, Q) with P, Q as given,
 * w/dw (K, 1, R, S); image row ih = p*sh - ph + r*dh, column iw = q*sw - pw + s*dw.
 *
 * Memory-bound, so the kernels aim at moving each byte once: forward and backward-data stage one
 * tile of one channel plane, halo included, in local memory (DW_TILE floats) and compute every
 * output of the tile from there, for all M output channels of the plane (forward: the x tile is
 * read once for all of them); backward-filter walks dy once per (channel, tap chunk) and reduces
 * in a fixed order, no atomics.
 *
 * Launch geometry: forward and backward-data: 1-D, any local size, any number of groups; group b
 * takes tiles b, b + groups, ... of the N*C planes' tiles (the host picks the tile so that its halo
 * fits DW_TILE). Backward-filter: 1-D, a power-of-two local size of at most DWF_WG, any number of
 * groups; group b takes (k, split) pairs b, b + groups, ...
 * Limits: extents < 2^31, tensors of any size (i64 offsets); the halo of one tile at most DW_TILE
 * floats (host-checked); backward-data tiles at most LOCAL_SIZE(0) * DW_ITEMS pixels.
 */
#ifndef DW_TILE
#define DW_TILE 4096 /* floats of the local tile: 16 KiB */
#endif
#ifndef DW_ITEMS
#define DW_ITEMS 4 /* backward-data: pixels of the tile each work-item accumulates in registers */
#endif
#ifndef DWF_WG
#define DWF_WG 128 /* backward-filter: the largest work-group (the tree reduction's local array: DWF_TAPS*DWF_WG floats) */
#endif
#ifndef DWF_TAPS
#define DWF_TAPS 25 /* backward-filter: taps accumulated per pass over the data (5x5 in one pass) */
#endif

/*
 * y[n][k][p][q] = bias[k] (if has_bias) + sum over r, s, in that order, of x[n][c][ih][iw] * w[k][0][r][s],
 * k = c*M + m (taps outside the image add 0). Tiles: TP x TQ outputs of one (n, c) plane; the
 * group stages x rows p0*sh - ph .. (p0 + TP - 1)*sh - ph + (R-1)*dh (likewise columns), then
 * computes the tile for m = 0 .. M-1, work-items striding over its pixels.
 */
KERNEL void dw_forward(CONV_SHAPE_PARAMS, int M, int TP, int TQ, int has_bias, GLOBAL const float *RESTRICT x,
                       GLOBAL const float *RESTRICT w, GLOBAL const float *RESTRICT bias,
                       GLOBAL float *RESTRICT y) {
    LOCAL_ARRAY(float, tile, DW_TILE);
    int lid = LOCAL_ID(0);
    int wg = LOCAL_SIZE(0);
    int tilesP = (P + TP - 1) / TP;
    int tilesQ = (Q + TQ - 1) / TQ;
    i64 ntiles = (i64)N * C * tilesP * tilesQ;
    for (i64 b = GROUP_ID(0); b < ntiles; b += NUM_GROUPS(0)) {
        int tp, tq;
        i64 nc = jdnn_tile_of(b, tilesP, tilesQ, &tp, &tq); /* n*C + c */
        int c = (int)(nc % C);
        int n = (int)(nc / C);
        int p0 = tp * TP;
        int q0 = tq * TQ;
        int np = jdnn_imin(TP, P - p0);
        int nq = jdnn_imin(TQ, Q - q0);
        int rows = (np - 1) * sh + (R - 1) * dh + 1;
        int cols = (nq - 1) * sw + (S - 1) * dw + 1;
        int ih0 = p0 * sh - ph;
        int iw0 = q0 * sw - pw;
        GLOBAL const float *plane = x + nc * H * W;
        BARRIER(); /* the previous tile's readers are done */
        for (int e = lid; e < rows * cols; e += wg) {
            int i = e / cols;
            int ih = ih0 + i;
            int iw = iw0 + e - i * cols;
            tile[e] = ((u32)ih < (u32)H && (u32)iw < (u32)W) ? plane[(i64)ih * W + iw] : 0.0f;
        }
        BARRIER();
        for (int m = 0; m < M; m++) {
            int k = c * M + m;
            GLOBAL const float *wk = w + (i64)k * R * S;
            GLOBAL float *yp = y + ((i64)n * K + k) * P * Q;
            for (int o = lid; o < np * nq; o += wg) {
                int pp = o / nq;
                int qq = o - pp * nq;
                int base = pp * sh * cols + qq * sw;
                float acc = 0.0f;
                for (int r = 0; r < R; r++) {
                    for (int s = 0; s < S; s++) {
                        acc += tile[base + r * dh * cols + s * dw] * wk[r * S + s];
                    }
                }
                if (has_bias) {
                    acc += bias[k];
                }
                yp[(i64)(p0 + pp) * Q + q0 + qq] = acc;
            }
        }
    }
}

/*
 * dx[n][c][ih][iw] = bias[c] (if has_bias) + sum over m < M, r, s, in that order, of
 * dy[n][c*M + m][oh][ow] * w[c*M + m][0][r][s] over the taps with ih + ph - r*dh = oh*sh,
 * iw + pw - s*dw = ow*sw, 0 <= oh < P, 0 <= ow < Q (a gather). Tiles: TH x TW pixels of one (n, c)
 * plane, at most LOCAL_SIZE(0) * DW_ITEMS of them; for each m the group stages the dy rows
 * ceil((h0 + ph - (R-1)*dh)/sh) .. floor((h0 + TH - 1 + ph)/sh) (clamped to [0, P)), likewise
 * columns, and each work-item adds to its pixels' registers.
 */
KERNEL void dw_backward_data(CONV_SHAPE_PARAMS, int M, int TH, int TW, int has_bias,
                             GLOBAL const float *RESTRICT dy,
                             GLOBAL const float *RESTRICT w, GLOBAL const float *RESTRICT bias,
                             GLOBAL float *RESTRICT dx) {
    LOCAL_ARRAY(float, tile, DW_TILE);
    int lid = LOCAL_ID(0);
    int wg = LOCAL_SIZE(0);
    int tilesH = (H + TH - 1) / TH;
    int tilesW = (W + TW - 1) / TW;
    i64 ntiles = (i64)N * C * tilesH * tilesW;
    for (i64 b = GROUP_ID(0); b < ntiles; b += NUM_GROUPS(0)) {
        int th, tw;
        i64 nc = jdnn_tile_of(b, tilesH, tilesW, &th, &tw);
        int c = (int)(nc % C);
        int n = (int)(nc / C);
        int h0 = th * TH;
        int w0 = tw * TW;
        int nh = jdnn_imin(TH, H - h0);
        int nw = jdnn_imin(TW, W - w0);
        int ohLo = jdnn_imax(0, jdnn_div_ceil(h0 + ph - (R - 1) * dh, sh));
        int ohHi = jdnn_imin(P - 1, jdnn_div_floor(h0 + nh - 1 + ph, sh));
        int owLo = jdnn_imax(0, jdnn_div_ceil(w0 + pw - (S - 1) * dw, sw));
        int owHi = jdnn_imin(Q - 1, jdnn_div_floor(w0 + nw - 1 + pw, sw));
        int rows = jdnn_imax(0, ohHi - ohLo + 1);
        int cols = jdnn_imax(0, owHi - owLo + 1);
        float acc[DW_ITEMS];
        for (int it = 0; it < DW_ITEMS; it++) {
            acc[it] = 0.0f;
        }
        for (int m = 0; m < M; m++) {
            int k = c * M + m;
            GLOBAL const float *dyp = dy + ((i64)n * K + k) * P * Q + (i64)ohLo * Q + owLo;
            BARRIER(); /* the previous plane's readers are done */
            for (int e = lid; e < rows * cols; e += wg) {
                int i = e / cols;
                tile[e] = dyp[(i64)i * Q + e - i * cols];
            }
            BARRIER();
            GLOBAL const float *wk = w + (i64)k * R * S;
            for (int it = 0; it < DW_ITEMS; it++) {
                int o = lid + it * wg;
                if (o >= nh * nw) {
                    break;
                }
                int hh = o / nw;
                int ih = h0 + hh;
                int iw = w0 + o - hh * nw;
                float a = acc[it];
                for (int r = 0; r < R; r++) {
                    int t = ih + ph - r * dh; /* = oh * sh */
                    if (t < 0) {
                        break; /* t only decreases with r */
                    }
                    if (t % sh != 0 || t / sh >= P) {
                        continue;
                    }
                    int trow = (t / sh - ohLo) * cols - owLo;
                    for (int s = 0; s < S; s++) {
                        int u = iw + pw - s * dw;
                        if (u < 0) {
                            break;
                        }
                        if (u % sw != 0 || u / sw >= Q) {
                            continue;
                        }
                        a += tile[trow + u / sw] * wk[r * S + s];
                    }
                }
                acc[it] = a;
            }
        }
        GLOBAL float *dxp = dx + nc * H * W;
        float bc = has_bias ? bias[c] : 0.0f;
        for (int it = 0; it < DW_ITEMS; it++) {
            int o = lid + it * wg;
            if (o < nh * nw) {
                int hh = o / nw;
                dxp[(i64)(h0 + hh) * W + w0 + o - hh * nw] = has_bias ? acc[it] + bc : acc[it];
            }
        }
    }
}

/*
 * dw[k][0][r][s] = sum over n, p, q of dy[n][k][p][q] * x[n][c][ih][iw], c = k / M, split by rows:
 * split sp of channel k covers the rows (n, p), n*P + p in [sp*rows_per_split, (sp+1)*rows_per_split)
 * and writes its sums to out[sp*K*R*S + k*R*S + tap] (with splits = 1, out is dw; otherwise
 * reduce.cl's reduce_sum_splits adds the splits in order, total = K*R*S). Each
 * work-item walks its elements (n, p, q) of the split in steps of the work-group size and keeps
 * DWF_TAPS running sums (taps tap0 .. tap0 + DWF_TAPS - 1; passes over the data for R*S > DWF_TAPS),
 * then one tree in local memory adds the work-items' sums of every tap at once (log2 of the group
 * size levels, the pairing fixed by the group size, as jdnn_group_sum): bitwise repeatable.
 */
KERNEL void dw_backward_filter(CONV_SHAPE_PARAMS, int M, int splits, int rows_per_split,
                               GLOBAL const float *RESTRICT x, GLOBAL const float *RESTRICT dy,
                               GLOBAL float *RESTRICT out) {
    LOCAL_ARRAY(float, red, DWF_TAPS * DWF_WG); /* red[j*wg + i]: work-item i's sum of tap tap0 + j */
    int lid = LOCAL_ID(0);
    int wg = LOCAL_SIZE(0);
    int RS = R * S;
    int allRows = N * P;
    int dq = wg % Q;
    int drow = wg / Q;
    for (i64 b = GROUP_ID(0); b < (i64)K * splits; b += NUM_GROUPS(0)) {
        int k = (int)(b / splits);
        int sp = (int)(b - (i64)k * splits);
        int c = k / M;
        int rbeg = sp * rows_per_split;
        int rend = jdnn_imin(allRows, rbeg + rows_per_split);
        for (int tap0 = 0; tap0 < RS; tap0 += DWF_TAPS) {
            float acc[DWF_TAPS];
            for (int j = 0; j < DWF_TAPS; j++) {
                acc[j] = 0.0f;
            }
            int r0 = tap0 / S;
            int s0 = tap0 - r0 * S;
            int row = rbeg + lid / Q;
            int q = lid % Q;
            while (row < rend) {
                int n = row / P;
                int p = row - n * P;
                float d = dy[(((i64)n * K + k) * P + p) * Q + q];
                GLOBAL const float *xp = x + ((i64)n * C + c) * H * W;
                int hb = p * sh - ph;
                int wb = q * sw - pw;
                int r = r0;
                int s = s0;
                for (int j = 0; j < DWF_TAPS; j++) {
                    if (tap0 + j < RS) {
                        int ih = hb + r * dh;
                        int iw = wb + s * dw;
                        if ((u32)ih < (u32)H && (u32)iw < (u32)W) {
                            acc[j] += d * xp[(i64)ih * W + iw];
                        }
                        if (++s == S) {
                            s = 0;
                            r++;
                        }
                    }
                }
                q += dq;
                row += drow;
                if (q >= Q) {
                    q -= Q;
                    row++;
                }
            }
            int ntaps = jdnn_imin(DWF_TAPS, RS - tap0);
            for (int j = 0; j < DWF_TAPS; j++) {
                if (j < ntaps) {
                    red[j * wg + lid] = acc[j];
                }
            }
            BARRIER();
            for (int width = wg / 2; width > 0; width >>= 1) {
                for (int e = lid; e < ntaps * width; e += wg) {
                    int j = e / width;
                    int i = e - j * width;
                    red[j * wg + i] += red[j * wg + i + width];
                }
                BARRIER();
            }
            for (int j = lid; j < ntaps; j += wg) {
                out[((i64)sp * K + k) * RS + tap0 + j] = red[j * wg];
            }
            BARRIER(); /* red is refilled by the next pass or (k, split) */
        }
    }
}
