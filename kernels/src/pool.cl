/*
 * pool.cl: 2-D pooling over NCHW float32, forward and backward, PyTorch's semantics (see
 * io.jdnn.PoolProblem): MAX with dilation, padding and ceil mode; AVG with count_include_pad;
 * ADAPTIVE_AVG.
 *
 * Launch geometry, every kernel here: 1-D, any local size, any number of groups; grid-stride
 * over the elements written (forward: N*C*OH*OW outputs; backward: N*C*H*W input gradients).
 *
 * Backward passes are gathers: each dx element visits the windows that contain it and sums
 * their contributions in a fixed order, so no atomics are needed and results are deterministic.
 * dx is overwritten.
 *
 * Limits: H*W and OH*OW any size (i64 offsets); every int parameter as PoolProblem allows.
 */

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
    int h0 = oh * sh - ph;
    int w0 = ow * sw - pw;
    for (int r = 0; r < kh; r++) {
        int ih = h0 + r * dh;
        if (ih < 0 || ih >= H) {
            continue;
        }
        for (int s = 0; s < kw; s++) {
            int iw = w0 + s * dw;
            if (iw < 0 || iw >= W) {
                continue;
            }
            i64 at = (i64)ih * W + iw;
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
        int ow = (int)(o % OW);
        int oh = (int)((o / OW) % OH);
        i64 plane = o / ((i64)OW * OH);
        float v;
        pool_max_window(x + plane * H * W, H, W, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, &v);
        y[o] = v;
    }
}

/*
 * dx[n][c][ih][iw] = sum of dy over the windows whose winner (pool_max_window, re-found in x) is
 * this element; total = N*C*H*W. Windows are visited by kernel row r then column s.
 */
KERNEL void pool_max_backward(i64 total, int H, int W, int OH, int OW, int kh, int kw, int sh, int sw, int ph, int pw,
                              int dh, int dw, GLOBAL const float *RESTRICT x, GLOBAL const float *RESTRICT dy,
                              GLOBAL float *RESTRICT dx) {
    GRID_STRIDE_LOOP(e, total) {
        int iw = (int)(e % W);
        int ih = (int)((e / W) % H);
        i64 plane = e / ((i64)W * H);
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

/*
 * The in-image part [*hs, *he) x [*ws, *we) of average-pooling window (oh, ow), and its divisor:
 * PyTorch's avg_pool2d, where the window is first clipped at H + ph (W + pw), its size then is
 * the divisor with count_include_pad, and the clipped-to-the-image size the divisor without.
 */
DEVICE_FN int pool_avg_window(int H, int W, int oh, int ow, int kh, int kw, int sh, int sw, int ph, int pw, int cip,
                              int *hs, int *he, int *ws, int *we) {
    int h0 = oh * sh - ph;
    int w0 = ow * sw - pw;
    int h1 = jdnn_imin(h0 + kh, H + ph);
    int w1 = jdnn_imin(w0 + kw, W + pw);
    int padded = (h1 - h0) * (w1 - w0);
    *hs = jdnn_imax(h0, 0);
    *ws = jdnn_imax(w0, 0);
    *he = jdnn_imin(h1, H);
    *we = jdnn_imin(w1, W);
    return cip ? padded : (*he - *hs) * (*we - *ws);
}

/* y[n][c][oh][ow] = sum over the window's in-image part / divisor; total = N*C*OH*OW. */
KERNEL void pool_avg_forward(i64 total, int H, int W, int OH, int OW, int kh, int kw, int sh, int sw, int ph, int pw,
                             int count_include_pad, GLOBAL const float *RESTRICT x, GLOBAL float *RESTRICT y) {
    GRID_STRIDE_LOOP(o, total) {
        int ow = (int)(o % OW);
        int oh = (int)((o / OW) % OH);
        GLOBAL const float *xp = x + (o / ((i64)OW * OH)) * H * W;
        int hs, he, ws, we;
        int divisor = pool_avg_window(H, W, oh, ow, kh, kw, sh, sw, ph, pw, count_include_pad, &hs, &he, &ws, &we);
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
                              int count_include_pad, GLOBAL const float *RESTRICT dy, GLOBAL float *RESTRICT dx) {
    GRID_STRIDE_LOOP(e, total) {
        int iw = (int)(e % W);
        int ih = (int)((e / W) % H);
        GLOBAL const float *dyp = dy + (e / ((i64)W * H)) * OH * OW;
        int oh0 = jdnn_imax(jdnn_div_floor(ih + ph - kh, sh) + 1, 0);
        int oh1 = jdnn_imin(jdnn_div_floor(ih + ph, sh), OH - 1);
        int ow0 = jdnn_imax(jdnn_div_floor(iw + pw - kw, sw) + 1, 0);
        int ow1 = jdnn_imin(jdnn_div_floor(iw + pw, sw), OW - 1);
        float acc = 0.0f;
        for (int oh = oh0; oh <= oh1; oh++) {
            for (int ow = ow0; ow <= ow1; ow++) {
                int hs, he, ws, we;
                int divisor = pool_avg_window(H, W, oh, ow, kh, kw, sh, sw, ph, pw, count_include_pad, &hs, &he, &ws,
                                              &we);
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
        int ow = (int)(o % OW);
        int oh = (int)((o / OW) % OH);
        GLOBAL const float *xp = x + (o / ((i64)OW * OH)) * H * W;
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
        int iw = (int)(e % W);
        int ih = (int)((e / W) % H);
        GLOBAL const float *dyp = dy + (e / ((i64)W * H)) * OH * OW;
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
