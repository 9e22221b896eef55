/*
 * pool.cl: 2-D pooling over NCHW float32, forward and backward, PyTorch's semantics (see
 * io.jdnn.PoolProblem): MAX with dilation, padding and ceil mode; AVG with count_include_pad;
 * ADAPTIVE_AVG. Padding may be asymmetric: windows start at oh*sh - ph (ow*sw - pw) for the top
 * and left padding; only the average's divisor needs the bottom and right padding (pb, pr).
 *
 * Launch geometry: 1-D, any local size, any number of groups. Every kernel but one is
 * grid-stride over the elements written (forward: N*C*OH*OW outputs; backward: N*C*H*W input
 * gradients); pool_max_backward_tiled gives each group one tile of output windows of one plane
 * at a time (group b takes tiles b, b + groups, ...).
 *
 * Backward passes are gathers: each dx element visits the windows that contain it and sums
 * their contributions in a fixed order, so no atomics are needed and results are deterministic.
 * dx is overwritten. Max pooling's backward takes x, not the forward's indices: it finds each
 * window's argmax again. pool_max_backward_tiled finds it once per window (in local memory,
 * shared by a tile's dx elements); pool_max_backward, the variant the host keeps for windows too
 * far apart for a tile's halo to fit, once per window and dx element that window holds. Both
 * give bitwise the same dx.
 *
 * Max pooling with indices (pool_max_forward_indices) writes each winner's plane offset as a
 * float32. Max unpooling (pool_unpool_claim, then pool_unpool_fill, over a zero-filled y) and its
 * backward (pool_unpool_backward, a gather) check every index before using it: one that is not an
 * integer in [0, OH*OW) is skipped. Unpooling's forward resolves inputs that name one position by
 * an integer atomic maximum of their positions (the highest wins): deterministic, no float atomics.
 *
 * Limits: H*W and OH*OW any size (i64 offsets); every int parameter as PoolProblem allows;
 * unpooling: OH*OW <= 2^24 and H*W < 2^31 - 1 (io.jdnn.UnpoolProblem checks);
 * pool_max_backward_tiled: a tile with its halo at most POOL_TILE_WINDOWS windows (host-checked).
 */
#ifndef POOL_TILE_WINDOWS
#define POOL_TILE_WINDOWS 1024 /* pool_max_backward_tiled: argmaxes staged per tile (i64 each: 8 KiB) */
#endif

/*
 * Element e of a (planes, Hh, Ww) tensor: returns its plane and sets its row *h and column *w. One
 * 64-bit division, then 32-bit ones where a plane holds fewer than 2^31 elements (the usual case;
 * the branch is the same for every work-item of a launch).
 */
DEVICE_FN i64 pool_position(i64 e, int Hh, int Ww, int *h, int *w) {
    i64 hw = (i64)Hh * Ww;
    i64 plane = e / hw;
    i64 rem = e - plane * hw;
    if (hw <= 0x7fffffff) {
        int r = (int)rem;
        *h = r / Ww;
        *w = r - *h * Ww;
    } else {
        *h = (int)(rem / Ww);
        *w = (int)(rem - (i64)*h * Ww);
    }
    return plane;
}

/*
 * The winning element of max-pooling window (oh, ow) in one H x W plane, PyTorch's rule: in
 * row-major window order an element replaces the current winner when it is greater or NaN
 * (`v > best || isnan(v)`), so the first of equal maxima wins and a NaN beats any number (the
 * last NaN, as in PyTorch); the first in-image element starts as winner, so a window of -inf
 * yields its first element; padding never wins. Returns its offset ih*W + iw in the plane (and
 * its value in *value), or -1 for a window without an in-image element.
 */
DEVICE_FN i64 pool_max_window(GLOBAL const float *plane, int H, int W, int oh, int ow, int kh, int kw, int sh,
                              int sw, int ph, int pw, int dh, int dw, float *value) {
    i64 best_at = -1;
    float best = -INFINITY_F;
    i64 h0 = (i64)oh * sh - ph; /* i64: (kh-1)*dh and oh*sh may each pass 2^31 */
    i64 w0 = (i64)ow * sw - pw;
    for (int r = 0; r < kh; r++) {
        i64 ih = h0 + (i64)r * dh;
        if (ih < 0 || ih >= H) {
            continue;
        }
        for (int s = 0; s < kw; s++) {
            i64 iw = w0 + (i64)s * dw;
            if (iw < 0 || iw >= W) {
                continue;
            }
            i64 at = ih * W + iw;
            float v = plane[at];
            if (best_at < 0 || v > best || ISNAN(v)) {
                best = v;
                best_at = at;
            }
        }
    }
    *value = best;
    return best_at;
}

/* y[n][c][oh][ow] = max over the window; total = N*C*OH*OW. */
KERNEL void pool_max_forward(i64 total, int H, int W, int OH, int OW, int kh, int kw, int sh, int sw, int ph, int pw,
                             int dh, int dw, GLOBAL const float *RESTRICT x, GLOBAL float *RESTRICT y) {
    GRID_STRIDE_LOOP(o, total) {
        int oh, ow;
        i64 plane = pool_position(o, OH, OW, &oh, &ow);
        float v;
        pool_max_window(x + plane * H * W, H, W, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, &v);
        y[o] = v;
    }
}

/*
 * Max pooling with indices: y as pool_max_forward, and indices[o] the winner's offset ih*W + iw
 * in its plane as a float32 (exact: the host allows planes of at most 2^24 positions, and every
 * window holds an input, so the offset is never -1); total = N*C*OH*OW.
 */
KERNEL void pool_max_forward_indices(i64 total, int H, int W, int OH, int OW, int kh, int kw, int sh, int sw, int ph,
                                     int pw, int dh, int dw, GLOBAL const float *RESTRICT x,
                                     GLOBAL float *RESTRICT y, GLOBAL float *RESTRICT indices) {
    GRID_STRIDE_LOOP(o, total) {
        int oh, ow;
        i64 plane = pool_position(o, OH, OW, &oh, &ow);
        float v;
        i64 at = pool_max_window(x + plane * H * W, H, W, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, &v);
        y[o] = v;
        indices[o] = (float)at;
    }
}

/*
 * dx[n][c][ih][iw] = sum of dy over the windows whose winner (pool_max_window, re-found in x) is
 * this element; total = N*C*H*W. Windows are visited by kernel row r then column s. Re-finds a
 * window's winner for every element it holds (kh*kw reads of x each); the host launches it only
 * when pool_max_backward_tiled's tile and halo do not fit (huge dilation with small stride).
 */
KERNEL void pool_max_backward(i64 total, int H, int W, int OH, int OW, int kh, int kw, int sh, int sw, int ph, int pw,
                              int dh, int dw, GLOBAL const float *RESTRICT x, GLOBAL const float *RESTRICT dy,
                              GLOBAL float *RESTRICT dx) {
    GRID_STRIDE_LOOP(e, total) {
        int ih, iw;
        i64 plane = pool_position(e, H, W, &ih, &iw);
        GLOBAL const float *xp = x + plane * H * W;
        GLOBAL const float *dyp = dy + plane * OH * OW;
        i64 self = (i64)ih * W + iw;
        float acc = 0.0f;
        for (int r = 0; r < kh; r++) {
            int t = ih + ph - r * dh; /* = oh * sh for the window row oh that holds ih at r */
            if (t < 0) {
                break; /* t only decreases with r */
            }
            if (t % sh != 0 || t / sh >= OH) {
                continue;
            }
            int oh = t / sh;
            for (int s = 0; s < kw; s++) {
                int u = iw + pw - s * dw;
                if (u < 0) {
                    break;
                }
                if (u % sw != 0 || u / sw >= OW) {
                    continue;
                }
                int ow = u / sw;
                float v;
                if (pool_max_window(xp, H, W, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, &v) == self) {
                    acc += dyp[(i64)oh * OW + ow];
                }
            }
        }
        dx[e] = acc;
    }
}

/* v clamped to [lo, hi]. */
DEVICE_FN i64 pool_clamp_i64(i64 v, i64 lo, i64 hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

/*
 * dx[n][c][ih][iw] = sum of dy over the windows whose winner is this element, the same dx as
 * pool_max_backward, bitwise (the same winners, the same order of additions; 0 where no window
 * selects the element), with each window's winner found once per tile instead of once per dx
 * element it holds: about kh*kw*(1 + halo share)/(sh*sw) reads of x per dx element instead of up
 * to kh*kw per window holding it. planes = N*C.
 *
 * Launch geometry: 1-D, any local size, any number of groups. The OH x OW windows of a plane are
 * cut in tiles of TOH x TOW (tile (a, b): window rows [a*TOH, min((a+1)*TOH, OH)), columns
 * likewise); ntiles = planes * ceil(OH/TOH) * ceil(OW/TOW), tile index (plane, a, b) row-major;
 * group g takes tiles g, g + NUM_GROUPS(0), ... one at a time. Each tile:
 *   phase 1: the group writes to win[] the winner's offset (pool_max_window: ih*W + iw in the
 *     plane, i64 since a plane may hold 2^31 elements or more; -1 for a window without in-image
 *     element) of window rows [oh0 - haloH, oh0 + TOH) x columns [ow0 - haloW, ow0 + TOW),
 *     clipped to [0, OH) x [0, OW): the tile's windows and a halo above and left of it;
 *     haloH = floor((kh-1)*dh / sh), haloW likewise;
 *   phase 2: the group writes dx of the input rows and columns the tile owns. Tile row a owns rows
 *     [clamp(a*TOH*sh - ph, 0, H), clamp((a+1)*TOH*sh - ph, 0, H)), the last tile row up to H: a
 *     partition of [0, H) (the bounds never decrease with a; the first is 0); columns likewise.
 *     Each owned element sums, exactly as pool_max_backward (kernel row r, then column s), dy of
 *     the windows whose argmax it is, reading the argmaxes from win[].
 *
 * Why every window an owned element needs is in win[]: input row ih is tap r of window row oh iff
 * oh*sh = ih + ph - r*dh, 0 <= r < kh, so oh*sh lies in [ih + ph - (kh-1)*dh, ih + ph]. An owned
 * row satisfies ih >= oh0*sh - ph (the clamp only raises the bound; above H the tile owns none)
 * and, but for the last tile row, ih < (oh0 + TOH)*sh - ph (the clamp only lowers it). Hence
 * oh*sh <= ih + ph < (oh0 + TOH)*sh gives oh < oh0 + TOH (in the last tile row oh < OH <= oh0 + TOH
 * anyway), and oh*sh >= oh0*sh - (kh-1)*dh gives oh >= oh0 - (kh-1)*dh/sh, so, oh being an
 * integer, oh >= oh0 - floor((kh-1)*dh/sh) = oh0 - haloH; with 0 <= oh < OH that is the staged
 * range. Columns alike.
 *
 * Phase 2 walks t = ih + ph - r*dh as q*sh + m (0 <= m < sh), stepping by dh = dqh*sh + dmh, so
 * each element divides once per dimension: t >= 0 iff q >= 0; t % sh == 0 iff m == 0; t / sh = q
 * (columns: u = iw + pw - s*dw as qc*sw + mc). Its work-items walk the owned block row-major in
 * steps of the group size, also without division.
 *
 * Limits: (min(TOH, OH) + haloH) * (min(TOW, OW) + haloW) <= POOL_TILE_WINDOWS (the host checks it
 * and otherwise launches pool_max_backward); TOH, TOW >= 1; i64 offsets, and intermediate values
 * that may pass 2^31 (ih + ph, tile bounds, haloH) in u32 or i64.
 */
KERNEL void pool_max_backward_tiled(i64 planes, int H, int W, int OH, int OW, int kh, int kw, int sh, int sw, int ph,
                                    int pw, int dh, int dw, int TOH, int TOW, GLOBAL const float *RESTRICT x,
                                    GLOBAL const float *RESTRICT dy, GLOBAL float *RESTRICT dx) {
    LOCAL_ARRAY(i64, win, POOL_TILE_WINDOWS);
    int lid = LOCAL_ID(0);
    int wg = LOCAL_SIZE(0);
    int haloH = (int)(((i64)(kh - 1) * dh) / sh); /* < POOL_TILE_WINDOWS: host-checked */
    int haloW = (int)(((i64)(kw - 1) * dw) / sw);
    int tilesH = (OH - 1) / TOH + 1;
    int tilesW = (OW - 1) / TOW + 1;
    i64 ntiles = planes * tilesH * tilesW;
    int dqh = dh / sh, dmh = dh % sh; /* dh = dqh*sh + dmh */
    int dqw = dw / sw, dmw = dw % sw;
    for (i64 b = GROUP_ID(0); b < ntiles; b += NUM_GROUPS(0)) {
        int trow, tcol;
        i64 plane = jdnn_tile_of(b, tilesH, tilesW, &trow, &tcol);
        GLOBAL const float *xp = x + plane * H * W;
        GLOBAL const float *dyp = dy + plane * OH * OW;
        GLOBAL float *dxp = dx + plane * H * W;
        int oh0 = trow * TOH; /* < OH */
        int ow0 = tcol * TOW;
        /* phase 1: the staged windows [wh0, wh0 + rows) x [ww0, ww0 + cols) */
        int wh0 = jdnn_imax(oh0 - haloH, 0);
        int ww0 = jdnn_imax(ow0 - haloW, 0);
        int rows = oh0 + jdnn_imin(TOH, OH - oh0) - wh0;
        int cols = ow0 + jdnn_imin(TOW, OW - ow0) - ww0;
        BARRIER(); /* the previous tile's readers are done */
        for (int k = lid; k < rows * cols; k += wg) {
            int i = k / cols;
            float v;
            win[k] = pool_max_window(xp, H, W, wh0 + i, ww0 + k - i * cols, kh, kw, sh, sw, ph, pw, dh, dw, &v);
        }
        BARRIER();
        /* phase 2: the owned rows [hs, he) x columns [ws, we) */
        i64 hs = pool_clamp_i64((i64)oh0 * sh - ph, 0, H);
        i64 he = trow == tilesH - 1 ? H : pool_clamp_i64(((i64)oh0 + TOH) * sh - ph, 0, H);
        i64 ws = pool_clamp_i64((i64)ow0 * sw - pw, 0, W);
        i64 we = tcol == tilesW - 1 ? W : pool_clamp_i64(((i64)ow0 + TOW) * sw - pw, 0, W);
        int ncols = (int)(we - ws); /* <= W */
        if (he <= hs || ncols <= 0) {
            continue; /* a tile that owns nothing (the whole group skips: the barriers stay uniform) */
        }
        /* this work-item's elements, row-major in the owned block: (i, j) = (lid / ncols, lid % ncols),
           then steps of wg elements = dr rows and dc columns, without division */
        i64 i = lid / ncols;
        int j = lid % ncols;
        int dr = wg / ncols;
        int dc = wg % ncols;
        for (; i < he - hs; i += dr) {
            int ih = (int)(hs + i);
            int iw = (int)(ws + j);
            i64 self = (i64)ih * W + iw;
            u32 t0 = (u32)ih + (u32)ph; /* < 2^32 */
            u32 u0 = (u32)iw + (u32)pw;
            i64 q = (i64)(t0 / (u32)sh); /* t = ih + ph - r*dh = q*sh + m */
            int m = (int)(t0 % (u32)sh);
            i64 qc0 = (i64)(u0 / (u32)sw); /* u = iw + pw - s*dw = qc*sw + mc */
            int mc0 = (int)(u0 % (u32)sw);
            float acc = 0.0f;
            for (int r = 0; r < kh; r++) {
                if (r > 0) {
                    q -= dqh;
                    m -= dmh;
                    if (m < 0) {
                        m += sh;
                        q -= 1;
                    }
                }
                if (q < 0) {
                    break; /* t < 0, and t only decreases with r */
                }
                if (m != 0 || q >= OH) {
                    continue;
                }
                int oh = (int)q;
                int base = (oh - wh0) * cols - ww0; /* win[base + ow] is window (oh, ow) */
                i64 qc = qc0;
                int mc = mc0;
                for (int s = 0; s < kw; s++) {
                    if (s > 0) {
                        qc -= dqw;
                        mc -= dmw;
                        if (mc < 0) {
                            mc += sw;
                            qc -= 1;
                        }
                    }
                    if (qc < 0) {
                        break;
                    }
                    if (mc != 0 || qc >= OW) {
                        continue;
                    }
                    int ow = (int)qc;
                    if (win[base + ow] == self) {
                        acc += dyp[(i64)oh * OW + ow];
                    }
                }
            }
            dxp[self] = acc;
            j += dc;
            if (j >= ncols) {
                j -= ncols;
                i += 1;
            }
        }
    }
}

/*
 * The in-image part [*hs, *he) x [*ws, *we) of average-pooling window (oh, ow), and its divisor:
 * PyTorch's avg_pool2d, where the window is first clipped at H + pb (W + pr; the bottom and right
 * padding, equal to ph and pw unless the padding is asymmetric), its size then is the divisor
 * with count_include_pad, and the clipped-to-the-image size the divisor without.
 */
DEVICE_FN int pool_avg_window(int H, int W, int oh, int ow, int kh, int kw, int sh, int sw, int ph, int pw, int pb,
                              int pr, int cip, int *hs, int *he, int *ws, int *we) {
    int h0 = oh * sh - ph;
    int w0 = ow * sw - pw;
    int h1 = jdnn_imin(h0 + kh, H + pb);
    int w1 = jdnn_imin(w0 + kw, W + pr);
    int padded = (h1 - h0) * (w1 - w0);
    *hs = jdnn_imax(h0, 0);
    *ws = jdnn_imax(w0, 0);
    *he = jdnn_imin(h1, H);
    *we = jdnn_imin(w1, W);
    return cip ? padded : (*he - *hs) * (*we - *ws);
}

/* y[n][c][oh][ow] = sum over the window's in-image part / divisor; total = N*C*OH*OW. */
KERNEL void pool_avg_forward(i64 total, int H, int W, int OH, int OW, int kh, int kw, int sh, int sw, int ph, int pw,
                             int pb, int pr, int count_include_pad, GLOBAL const float *RESTRICT x, GLOBAL float *RESTRICT y) {
    GRID_STRIDE_LOOP(o, total) {
        int oh, ow;
        GLOBAL const float *xp = x + pool_position(o, OH, OW, &oh, &ow) * H * W;
        int hs, he, ws, we;
        int divisor = pool_avg_window(H, W, oh, ow, kh, kw, sh, sw, ph, pw, pb, pr, count_include_pad, &hs, &he, &ws,
                                      &we);
        float sum = 0.0f;
        for (int ih = hs; ih < he; ih++) {
            for (int iw = ws; iw < we; iw++) {
                sum += xp[(i64)ih * W + iw];
            }
        }
        y[o] = sum / (float)divisor;
    }
}

/*
 * dx[n][c][ih][iw] = sum over the windows holding (ih, iw) of dy / divisor; total = N*C*H*W.
 * Window rows holding ih: oh*sh - ph <= ih < oh*sh - ph + kh.
 */
KERNEL void pool_avg_backward(i64 total, int H, int W, int OH, int OW, int kh, int kw, int sh, int sw, int ph, int pw,
                              int pb, int pr, int count_include_pad, GLOBAL const float *RESTRICT dy, GLOBAL float *RESTRICT dx) {
    GRID_STRIDE_LOOP(e, total) {
        int ih, iw;
        GLOBAL const float *dyp = dy + pool_position(e, H, W, &ih, &iw) * OH * OW;
        int oh0 = jdnn_imax(jdnn_div_floor(ih + ph - kh, sh) + 1, 0);
        int oh1 = jdnn_imin(jdnn_div_floor(ih + ph, sh), OH - 1);
        int ow0 = jdnn_imax(jdnn_div_floor(iw + pw - kw, sw) + 1, 0);
        int ow1 = jdnn_imin(jdnn_div_floor(iw + pw, sw), OW - 1);
        float acc = 0.0f;
        for (int oh = oh0; oh <= oh1; oh++) {
            for (int ow = ow0; ow <= ow1; ow++) {
                int hs, he, ws, we;
                int divisor = pool_avg_window(H, W, oh, ow, kh, kw, sh, sw, ph, pw, pb, pr, count_include_pad, &hs,
                                              &he, &ws, &we);
                acc += dyp[(i64)oh * OW + ow] / (float)divisor;
            }
        }
        dx[e] = acc;
    }
}

/* Adaptive window o of an extent `in` cut into `out`: [floor(o*in/out), ceil((o+1)*in/out)). */
DEVICE_FN int pool_adaptive_start(int o, int in, int out) {
    return (int)(((i64)o * in) / out);
}

DEVICE_FN int pool_adaptive_end(int o, int in, int out) {
    return (int)(((i64)(o + 1) * in + out - 1) / out);
}

/* y[n][c][oh][ow] = mean over the adaptive window; total = N*C*OH*OW. */
KERNEL void pool_adaptive_avg_forward(i64 total, int H, int W, int OH, int OW, GLOBAL const float *RESTRICT x,
                                      GLOBAL float *RESTRICT y) {
    GRID_STRIDE_LOOP(o, total) {
        int oh, ow;
        GLOBAL const float *xp = x + pool_position(o, OH, OW, &oh, &ow) * H * W;
        int hs = pool_adaptive_start(oh, H, OH);
        int he = pool_adaptive_end(oh, H, OH);
        int ws = pool_adaptive_start(ow, W, OW);
        int we = pool_adaptive_end(ow, W, OW);
        float sum = 0.0f;
        for (int ih = hs; ih < he; ih++) {
            for (int iw = ws; iw < we; iw++) {
                sum += xp[(i64)ih * W + iw];
            }
        }
        y[o] = sum / (float)((he - hs) * (we - ws));
    }
}

/*
 * dx[n][c][ih][iw] = sum over the adaptive windows holding (ih, iw) of dy / window size;
 * total = N*C*H*W. Candidate rows oh in [floor(ih*OH/H), ceil((ih+1)*OH/H)), each checked.
 */
KERNEL void pool_adaptive_avg_backward(i64 total, int H, int W, int OH, int OW, GLOBAL const float *RESTRICT dy,
                                       GLOBAL float *RESTRICT dx) {
    GRID_STRIDE_LOOP(e, total) {
        int ih, iw;
        GLOBAL const float *dyp = dy + pool_position(e, H, W, &ih, &iw) * OH * OW;
        int oh0 = (int)(((i64)ih * OH) / H);
        int oh1 = jdnn_imin((int)(((i64)(ih + 1) * OH + H - 1) / H), OH);
        int ow0 = (int)(((i64)iw * OW) / W);
        int ow1 = jdnn_imin((int)(((i64)(iw + 1) * OW + W - 1) / W), OW);
        float acc = 0.0f;
        for (int oh = oh0; oh < oh1; oh++) {
            int hs = pool_adaptive_start(oh, H, OH);
            int he = pool_adaptive_end(oh, H, OH);
            if (ih < hs || ih >= he) {
                continue;
            }
            for (int ow = ow0; ow < ow1; ow++) {
                int ws = pool_adaptive_start(ow, W, OW);
                int we = pool_adaptive_end(ow, W, OW);
                if (iw < ws || iw >= we) {
                    continue;
                }
                acc += dyp[(i64)oh * OW + ow] / (float)((he - hs) * (we - ws));
            }
        }
        dx[e] = acc;
    }
}

/* ------------------------------------------------------------------ max unpooling (io.jdnn.UnpoolProblem) */

/*
 * The output position an unpooling index names in a plane of OHW positions, or -1 when the index
 * is skipped: not an integer in [0, OHW), or NaN (OHW <= 2^24, so (float)OHW is exact). The
 * kernels never touch memory an index names without this check.
 */
DEVICE_FN int pool_unpool_target(float v, int OHW) {
    if (!(v >= 0.0f && v < (float)OHW)) {
        return -1;
    }
    int t = (int)v;
    return (float)t == v ? t : -1;
}

/*
 * Max unpooling, first of two passes, after the host zero-fills y: each input e of a plane
 * (offset i = e mod HW in it) whose index names output position t claims it with an integer
 * atomic max of i + 1 on y's storage read as ints (0, the bits of +0.0f, is unclaimed), so of
 * inputs naming one position the highest wins, whatever the order work-items run in (an integer
 * maximum, no float atomics: deterministic). total = N*C*H*W; HW < 2^31 - 1 (host-checked).
 */
KERNEL void pool_unpool_claim(i64 total, int HW, int OHW, GLOBAL const float *RESTRICT indices, GLOBAL float *y) {
    GLOBAL int *claims = (GLOBAL int *)y;
    GRID_STRIDE_LOOP(e, total) {
        i64 plane = e / HW;
        int t = pool_unpool_target(indices[e], OHW);
        if (t >= 0) {
            ATOMIC_MAX_I(claims + plane * OHW + t, (int)(e - plane * HW) + 1);
        }
    }
}

/*
 * Max unpooling, second pass: y[o] = x at the position that claimed o (claim - 1 in its plane);
 * an unclaimed o keeps the zero bits (+0.0f). Each work-item reads and writes only its own o.
 * total = N*C*OH*OW.
 */
KERNEL void pool_unpool_fill(i64 total, int HW, int OHW, GLOBAL const float *RESTRICT x, GLOBAL float *y) {
    GLOBAL const int *claims = (GLOBAL const int *)y;
    GRID_STRIDE_LOOP(o, total) {
        int claim = claims[o];
        if (claim > 0) {
            y[o] = x[(o / OHW) * HW + claim - 1];
        }
    }
}

/* Max unpooling's backward, a gather: dx[e] = dy at the position e's index names, 0 for a skipped index; total = N*C*H*W. */
KERNEL void pool_unpool_backward(i64 total, int HW, int OHW, GLOBAL const float *RESTRICT indices,
                                 GLOBAL const float *RESTRICT dy, GLOBAL float *RESTRICT dx) {
    GRID_STRIDE_LOOP(e, total) {
        int t = pool_unpool_target(indices[e], OHW);
        dx[e] = t >= 0 ? dy[(e / HW) * OHW + t] : 0.0f;
    }
}
