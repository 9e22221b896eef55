/*
 * conv_grouped.cl: the GROUPED convolution algorithm, for io.jdnn.DirectConv problems with few
 * image-side channels per group, 2 <= CG = C/G <= GRP_MAX_CPG, and any number KG = K/G of
 * response-side channels per group (passed after the shape CONV_SHAPE_PARAMS: K / G computed in
 * grp_forward costs it 24 registers on sm_90; output channel k = g*KG + m reads input channels
 * g*CG .. g*CG + CG - 1). NCHW float32, stride (sh, sw), padding (ph, pw), dilation (dh, dw);
 * x/dx (N, C, H, W), y/dy (N, K, P, Q) with P, Q as given, w/dw (K, CG, R, S); image row
 * ih = p*sh - ph + r*dh, column iw = q*sw - pw + s*dw.
 *
 * One GEMM per group wastes most of its tile on so few channels; these kernels are close to
 * memory-bound instead and aim at moving each byte about once, with register tiles so that a
 * local-memory load feeds several multiply-adds:
 *   - forward stages one spatial tile of all CG input planes of one (n, g), halo included, in local
 *     memory (GRP_TILE floats) and computes the tile for all KG output channels, each work-item
 *     GRP_PIX pixels x GRP_KB output channels in registers: per (c, r, s) GRP_KB weights (uniform
 *     across the group, from global memory / cache) and GRP_PIX staged values feed GRP_PIX*GRP_KB
 *     multiply-adds; x is read once plus halo, y written once;
 *   - backward-data stages the dy windows of a tile of one (n, g) for as many output channels at
 *     a time as fit in GRP_TILE; each work-item accumulates GRP_DPIX pixels x all CG input
 *     channels in registers (a gather, no atomics); dy is read once plus halo, dx written once;
 *   - backward-filter: a work-group per (group, split of the rows (n, p), unit of GRPF_KB output
 *     channels x GRPF_TAPS of the CG*R*S taps) walks its rows, each work-item keeping
 *     GRPF_KB*GRPF_TAPS running sums, then one fixed-order tree in local memory; the splits are
 *     added in order by reduce.cl's reduce_sum_splits (total K*CG*R*S). The units of a
 *     (group, split) run next to each other so that they share its rows in cache.
 * Every sum runs in a fixed order: results are bitwise repeatable.
 *
 * Launch geometry: forward and backward-data: 1-D, any local size, any number of groups; group b
 * takes tiles b, b + groups, ... of the N*G (image, group) pairs' tiles (the host picks the tile so
 * that its halo fits GRP_TILE). Backward-filter: 1-D, a power-of-two local size of at most
 * GRPF_WG, any number of groups; group b takes (group, split, unit) triples b, b + groups, ...
 * Limits: CG <= GRP_MAX_CPG; extents, (P-1)*sh + (R-1)*dh + 1, H + ph (likewise columns), CG*R*S
 * and N*P below 2^31 (host-checked), tensors of any size (i64 offsets); forward: CG times one
 * tile's x window at most GRP_TILE floats; backward-data: one output channel's dy window at most
 * GRP_TILE floats and a tile of at most LOCAL_SIZE(0) * GRP_DPIX pixels (host-chosen).
 */
#ifndef GRP_TILE
#define GRP_TILE 4096 /* floats of the local tile: 16 KiB */
#endif
#ifndef GRP_MAX_CPG
#define GRP_MAX_CPG 8 /* most image-side channels per group (backward-data keeps them all in registers) */
#endif
#ifndef GRP_PIX
#define GRP_PIX 8 /* forward: pixels per work-item held in registers */
#endif
#ifndef GRP_KB
#define GRP_KB 4 /* forward: output channels per register block (4 divides ResNeXt's K/G, no idle accumulators) */
#endif
#ifndef GRP_DPIX
#define GRP_DPIX 4 /* backward-data: pixels per work-item, each with GRP_MAX_CPG accumulators */
#endif
#ifndef GRPF_WG
#define GRPF_WG 128 /* backward-filter: the largest work-group (the tree's local array: GRPF_KB*GRPF_TAPS*GRPF_WG floats) */
#endif
#ifndef GRPF_KB
#define GRPF_KB 4 /* backward-filter: output channels per unit */
#endif
#ifndef GRPF_TAPS
#define GRPF_TAPS 9 /* backward-filter: taps (c, r, s) per unit (a 3x3 channel in one) */
#endif

/*
 * y[n][k][p][q] = bias[k] (if has_bias) + sum over c < CG, r, s, in that order, of
 * x[n][g*CG + c][ih][iw] * w[k][c][r][s], g = k / KG (taps outside the image add 0). Tiles: TP x TQ
 * outputs of one (n, g); the group stages x rows p0*sh - ph .. (p0 + TP - 1)*sh - ph + (R-1)*dh
 * (likewise columns) of the CG planes, then each work-item computes its pixels
 * o = ob + lid + i*LOCAL_SIZE(0), i < GRP_PIX, for blocks of GRP_KB output channels.
 */
KERNEL void grp_forward(CONV_SHAPE_PARAMS, int KG, int TP, int TQ, int has_bias, GLOBAL const float *RESTRICT x,
                        GLOBAL const float *RESTRICT w, GLOBAL const float *RESTRICT bias,
                        GLOBAL float *RESTRICT y) {
    LOCAL_ARRAY(float, tile, GRP_TILE);
    int lid = LOCAL_ID(0);
    int wg = LOCAL_SIZE(0);
    int CG = C / G;
    int RS = R * S;
    int CRS = CG * RS;
    int tilesP = (P + TP - 1) / TP;
    int tilesQ = (Q + TQ - 1) / TQ;
    i64 ntiles = (i64)N * G * tilesP * tilesQ;
    for (i64 b = GROUP_ID(0); b < ntiles; b += NUM_GROUPS(0)) {
        int tp, tq;
        i64 ng = jdnn_tile_of(b, tilesP, tilesQ, &tp, &tq); /* n*G + g */
        int g = (int)(ng % G);
        int n = (int)(ng / G);
        int p0 = tp * TP;
        int q0 = tq * TQ;
        int np = jdnn_imin(TP, P - p0);
        int nq = jdnn_imin(TQ, Q - q0);
        int rows = (np - 1) * sh + (R - 1) * dh + 1;
        int cols = (nq - 1) * sw + (S - 1) * dw + 1;
        int plane = rows * cols;
        int ih0 = p0 * sh - ph;
        int iw0 = q0 * sw - pw;
        i64 HW = (i64)H * W;
        GLOBAL const float *xg = x + ((i64)n * C + (i64)g * CG) * HW;
        BARRIER(); /* the previous tile's readers are done */
        for (int e = lid; e < CG * plane; e += wg) {
            int c = e / plane;
            int t = e - c * plane;
            int i = t / cols;
            int ih = ih0 + i;
            int iw = iw0 + t - i * cols;
            tile[e] = ((u32)ih < (u32)H && (u32)iw < (u32)W) ? xg[c * HW + (i64)ih * W + iw] : 0.0f;
        }
        BARRIER();
        int npix = np * nq;
        GLOBAL float *yg = y + ((i64)n * K + (i64)g * KG) * P * Q;
        GLOBAL const float *wgrp = w + (i64)g * KG * CRS;
        for (int ob = 0; ob < npix; ob += wg * GRP_PIX) {
            int base[GRP_PIX]; /* each pixel's window corner in the tile */
            int npx = 0;       /* pixels of this work-item in this pass: a prefix of i < GRP_PIX */
            for (int i = 0; i < GRP_PIX; i++) {
                int o = ob + lid + i * wg;
                base[i] = 0;
                if (o < npix) {
                    int pp = o / nq;
                    base[i] = pp * sh * cols + (o - pp * nq) * sw;
                    npx = i + 1;
                }
            }
            for (int k0 = 0; k0 < KG; k0 += GRP_KB) {
                int kn = jdnn_imin(GRP_KB, KG - k0);
                float acc[GRP_PIX][GRP_KB];
                for (int i = 0; i < GRP_PIX; i++) {
                    for (int j = 0; j < GRP_KB; j++) {
                        acc[i][j] = 0.0f;
                    }
                }
                for (int c = 0; c < CG; c++) {
                    LOCAL const float *tc = tile + c * plane;
                    GLOBAL const float *wc = wgrp + ((i64)k0 * CG + c) * RS;
                    for (int r = 0; r < R; r++) {
                        for (int s = 0; s < S; s++) {
                            int off = r * dh * cols + s * dw;
                            float wv[GRP_KB];
                            for (int j = 0; j < GRP_KB; j++) {
                                wv[j] = j < kn ? wc[(i64)j * CRS + r * S + s] : 0.0f;
                            }
                            for (int i = 0; i < GRP_PIX; i++) {
                                if (i < npx) {
                                    float v = tc[base[i] + off];
                                    for (int j = 0; j < GRP_KB; j++) {
                                        if (j < kn) {
                                            acc[i][j] += v * wv[j];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                for (int i = 0; i < GRP_PIX; i++) {
                    int o = ob + lid + i * wg;
                    if (i < npx) {
                        int pp = o / nq;
                        i64 at = (i64)(p0 + pp) * Q + q0 + o - pp * nq;
                        for (int j = 0; j < GRP_KB; j++) {
                            if (j < kn) {
                                float v = acc[i][j];
                                if (has_bias) {
                                    v += bias[(i64)g * KG + k0 + j];
                                }
                                yg[(i64)(k0 + j) * P * Q + at] = v;
                            }
                        }
                    }
                }
            }
        }
    }
}

/*
 * dx[n][g*CG + c][ih][iw] = bias[g*CG + c] (if has_bias) + the sum of dy[n][g*KG + m][oh][ow] *
 * w[g*KG + m][c][r][s] over the taps with ih + ph - r*dh = oh*sh, iw + pw - s*dw = ow*sw,
 * 0 <= oh < P, 0 <= ow < Q (a gather), in the order: blocks of KS output channels m, then r, s,
 * then m within the block. Tiles: TH x TW pixels of one (n, g), at most LOCAL_SIZE(0) * GRP_DPIX of
 * them (pixel o = lid + i*LOCAL_SIZE(0)); for each block of KS channels the group stages their dy
 * windows rows ceil((h0 + ph - (R-1)*dh)/sh) .. floor((h0 + TH - 1 + ph)/sh) (clamped to [0, P)),
 * likewise columns (the host keeps KS windows within GRP_TILE). Each work-item walks the taps with
 * (ih + ph - r*dh) / sh and its remainder updated per step, no division in the loop.
 */
KERNEL void grp_backward_data(CONV_SHAPE_PARAMS, int KG, int TH, int TW, int KS, int has_bias,
                              GLOBAL const float *RESTRICT dy, GLOBAL const float *RESTRICT w,
                              GLOBAL const float *RESTRICT bias, GLOBAL float *RESTRICT dx) {
    LOCAL_ARRAY(float, tile, GRP_TILE);
    int lid = LOCAL_ID(0);
    int wg = LOCAL_SIZE(0);
    int CG = C / G;
    int RS = R * S;
    int CRS = CG * RS;
    int dhq = dh / sh; /* one step of r moves (ih + ph - r*dh) by dh = dhq*sh + dhr */
    int dhr = dh - dhq * sh;
    int dwq = dw / sw;
    int dwr = dw - dwq * sw;
    int tilesH = (H + TH - 1) / TH;
    int tilesW = (W + TW - 1) / TW;
    i64 ntiles = (i64)N * G * tilesH * tilesW;
    for (i64 b = GROUP_ID(0); b < ntiles; b += NUM_GROUPS(0)) {
        int th, tw;
        i64 ng = jdnn_tile_of(b, tilesH, tilesW, &th, &tw);
        int g = (int)(ng % G);
        int n = (int)(ng / G);
        int h0 = th * TH;
        int w0 = tw * TW;
        int nh = jdnn_imin(TH, H - h0);
        int nw = jdnn_imin(TW, W - w0);
        i64 loH = (i64)h0 + ph - (i64)(R - 1) * dh; /* (R-1)*dh may pass 2^31 when sh is as large */
        i64 loW = (i64)w0 + pw - (i64)(S - 1) * dw;
        int ohLo = loH <= 0 ? 0 : jdnn_div_ceil((int)loH, sh);
        int owLo = loW <= 0 ? 0 : jdnn_div_ceil((int)loW, sw);
        int ohHi = jdnn_imin(P - 1, jdnn_div_floor(h0 + nh - 1 + ph, sh));
        int owHi = jdnn_imin(Q - 1, jdnn_div_floor(w0 + nw - 1 + pw, sw));
        int rows = jdnn_imax(0, ohHi - ohLo + 1);
        int cols = jdnn_imax(0, owHi - owLo + 1);
        int plane = rows * cols;
        int npix = nh * nw;
        float acc[GRP_DPIX][GRP_MAX_CPG];
        for (int i = 0; i < GRP_DPIX; i++) {
            for (int c = 0; c < GRP_MAX_CPG; c++) {
                acc[i][c] = 0.0f;
            }
        }
        GLOBAL const float *dyg = dy + ((i64)n * K + (i64)g * KG) * P * Q + (i64)ohLo * Q + owLo;
        GLOBAL const float *wgrp = w + (i64)g * KG * CRS;
        for (int k0 = 0; k0 < KG; k0 += KS) {
            int kn = jdnn_imin(KS, KG - k0);
            BARRIER(); /* the previous block's readers are done */
            for (int e = lid; e < kn * plane; e += wg) {
                int m = e / plane;
                int t = e - m * plane;
                int i = t / cols;
                tile[e] = dyg[(i64)(k0 + m) * P * Q + (i64)i * Q + t - i * cols];
            }
            BARRIER();
            /* per pixel: oh = rq, with remainder rr of (ih + ph - r*dh) by sh (likewise columns);
             * a tap reaches dy when both remainders are 0 and 0 <= oh < P, 0 <= ow < Q */
            int rq[GRP_DPIX], rr[GRP_DPIX], cq0[GRP_DPIX], cr0[GRP_DPIX];
            for (int i = 0; i < GRP_DPIX; i++) {
                int o = lid + i * wg;
                rq[i] = -1; /* no pixel: never reaches */
                rr[i] = 0;
                cq0[i] = -1;
                cr0[i] = 0;
                if (o < npix) {
                    int hh = o / nw;
                    int th0 = h0 + hh + ph;
                    int tw0 = w0 + o - hh * nw + pw;
                    rq[i] = th0 / sh;
                    rr[i] = th0 - rq[i] * sh;
                    cq0[i] = tw0 / sw;
                    cr0[i] = tw0 - cq0[i] * sw;
                }
            }
            for (int r = 0; r < R; r++) {
                int roff[GRP_DPIX]; /* the dy row's offset in a staged window, or -1 when the row is not reached */
                int cq[GRP_DPIX], cr[GRP_DPIX];
                for (int i = 0; i < GRP_DPIX; i++) {
                    roff[i] = (rr[i] == 0 && rq[i] >= 0 && rq[i] < P) ? (rq[i] - ohLo) * cols : -1;
                    cq[i] = cq0[i];
                    cr[i] = cr0[i];
                }
                for (int s = 0; s < S; s++) {
                    int off[GRP_DPIX];
                    int any = 0;
                    for (int i = 0; i < GRP_DPIX; i++) {
                        off[i] = (roff[i] >= 0 && cr[i] == 0 && cq[i] >= 0 && cq[i] < Q) ? roff[i] + cq[i] - owLo : -1;
                        any |= off[i] >= 0;
                        cr[i] -= dwr;
                        cq[i] -= dwq;
                        if (cr[i] < 0) {
                            cr[i] += sw;
                            cq[i] -= 1;
                        }
                    }
                    if (!any) {
                        continue;
                    }
                    for (int m = 0; m < kn; m++) {
                        GLOBAL const float *wm = wgrp + (i64)(k0 + m) * CRS + r * S + s;
                        LOCAL const float *tm = tile + m * plane;
                        float wv[GRP_MAX_CPG];
                        for (int c = 0; c < GRP_MAX_CPG; c++) {
                            wv[c] = c < CG ? wm[c * RS] : 0.0f;
                        }
                        for (int i = 0; i < GRP_DPIX; i++) {
                            if (off[i] >= 0) {
                                float v = tm[off[i]];
                                for (int c = 0; c < GRP_MAX_CPG; c++) {
                                    if (c < CG) {
                                        acc[i][c] += v * wv[c];
                                    }
                                }
                            }
                        }
                    }
                }
                for (int i = 0; i < GRP_DPIX; i++) {
                    rr[i] -= dhr;
                    rq[i] -= dhq;
                    if (rr[i] < 0) {
                        rr[i] += sh;
                        rq[i] -= 1;
                    }
                }
            }
        }
        GLOBAL float *dxg = dx + ((i64)n * C + (i64)g * CG) * H * W;
        for (int i = 0; i < GRP_DPIX; i++) {
            int o = lid + i * wg;
            if (o < npix) {
                int hh = o / nw;
                i64 at = (i64)(h0 + hh) * W + w0 + o - hh * nw;
                for (int c = 0; c < GRP_MAX_CPG; c++) {
                    if (c < CG) {
                        float v = acc[i][c];
                        if (has_bias) {
                            v += bias[(i64)g * CG + c];
                        }
                        dxg[(i64)c * H * W + at] = v;
                    }
                }
            }
        }
    }
}

/*
 * dw[g*KG + m][c][r][s] = sum over n, p, q of dy[n][g*KG + m][p][q] * x[n][g*CG + c][ih][iw], split by
 * rows: split sp of group g covers the rows (n, p), n*P + p in [sp*rows_per_split,
 * (sp+1)*rows_per_split), and writes its sums to out[sp*K*CG*R*S + (g*KG + m)*CG*R*S + tap], tap =
 * (c*R + r)*S + s (with splits = 1, out is dw). A unit is GRPF_KB channels m and GRPF_TAPS
 * consecutive taps; unit u of a (g, split) holds channel block u / tap_chunks, tap chunk
 * u % tap_chunks. Each work-item walks its elements (n, p, q) of the split in steps of the
 * work-group size: per element GRPF_KB dy values and GRPF_TAPS x values feed GRPF_KB*GRPF_TAPS
 * running sums; then one tree in local memory adds the work-items' sums of every (m, tap) at once
 * (log2 of the group size levels, the pairing fixed by the group size, as jdnn_group_sum).
 */
KERNEL void grp_backward_filter(CONV_SHAPE_PARAMS, int KG, int splits, int rows_per_split,
                                GLOBAL const float *RESTRICT x, GLOBAL const float *RESTRICT dy,
                                GLOBAL float *RESTRICT out) {
    LOCAL_ARRAY(float, red, GRPF_KB * GRPF_TAPS * GRPF_WG); /* red[(j*GRPF_TAPS + t)*wg + i]: work-item i's sum */
    int lid = LOCAL_ID(0);
    int wg = LOCAL_SIZE(0);
    int CG = C / G;
    int RS = R * S;
    int CRS = CG * RS;
    int kBlocks = (KG + GRPF_KB - 1) / GRPF_KB;
    int tapChunks = (CRS + GRPF_TAPS - 1) / GRPF_TAPS;
    int units = kBlocks * tapChunks;
    int allRows = N * P;
    int dq = wg % Q;
    int drow = wg / Q;
    i64 HW = (i64)H * W;
    i64 PQ = (i64)P * Q;
    for (i64 b = GROUP_ID(0); b < (i64)G * splits * units; b += NUM_GROUPS(0)) {
        int u = (int)(b % units);
        i64 gs = b / units; /* g*splits + sp */
        int sp = (int)(gs % splits);
        int g = (int)(gs / splits);
        int kb = u / tapChunks;
        int k0 = kb * GRPF_KB;
        int kn = jdnn_imin(GRPF_KB, KG - k0);
        int t0 = (u - kb * tapChunks) * GRPF_TAPS;
        int tn = jdnn_imin(GRPF_TAPS, CRS - t0);
        int c0 = t0 / RS;
        int r0 = (t0 - c0 * RS) / S;
        int s0 = t0 - c0 * RS - r0 * S;
        int rbeg = sp * rows_per_split;
        int rend = jdnn_imin(allRows, rbeg + rows_per_split);
        float acc[GRPF_KB][GRPF_TAPS];
        for (int j = 0; j < GRPF_KB; j++) {
            for (int t = 0; t < GRPF_TAPS; t++) {
                acc[j][t] = 0.0f;
            }
        }
        int row = rbeg + lid / Q;
        int q = lid % Q;
        while (row < rend) {
            int n = row / P;
            int p = row - n * P;
            GLOBAL const float *dyp = dy + ((i64)n * K + (i64)g * KG + k0) * PQ + (i64)p * Q + q;
            float d[GRPF_KB];
            for (int j = 0; j < GRPF_KB; j++) {
                d[j] = j < kn ? dyp[(i64)j * PQ] : 0.0f;
            }
            GLOBAL const float *xn = x + ((i64)n * C + (i64)g * CG) * HW;
            int hb = p * sh - ph;
            int wb = q * sw - pw;
            int c = c0;
            int r = r0;
            int s = s0;
            for (int t = 0; t < GRPF_TAPS; t++) {
                if (t < tn) {
                    int ih = hb + r * dh;
                    int iw = wb + s * dw;
                    if ((u32)ih < (u32)H && (u32)iw < (u32)W) {
                        float v = xn[c * HW + (i64)ih * W + iw];
                        for (int j = 0; j < GRPF_KB; j++) {
                            if (j < kn) {
                                acc[j][t] += d[j] * v;
                            }
                        }
                    }
                    if (++s == S) {
                        s = 0;
                        if (++r == R) {
                            r = 0;
                            c++;
                        }
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
        for (int j = 0; j < GRPF_KB; j++) {
            for (int t = 0; t < GRPF_TAPS; t++) {
                red[(j * GRPF_TAPS + t) * wg + lid] = acc[j][t];
            }
        }
        BARRIER();
        int nv = kn * GRPF_TAPS; /* sums that are written: j < kn (t >= tn are reduced and dropped) */
        for (int width = wg / 2; width > 0; width >>= 1) {
            for (int e = lid; e < nv * width; e += wg) {
                int slot = e / width;
                int i = e - slot * width;
                red[slot * wg + i] += red[slot * wg + i + width];
            }
            BARRIER();
        }
        GLOBAL float *outg = out + ((i64)sp * K + (i64)g * KG + k0) * CRS + t0;
        for (int e = lid; e < kn * tn; e += wg) {
            int j = e / tn;
            int t = e - j * tn;
            outg[(i64)j * CRS + t] = red[(j * GRPF_TAPS + t) * wg];
        }
        BARRIER(); /* red is refilled by the next (group, split, unit) */
    }
}
