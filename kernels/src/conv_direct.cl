/*
 * conv_direct.cl: the DIRECT convolution algorithm, all three directions of io.jdnn.DirectConv,
 * each as a gather (one work-item per element written, a straight loop over what it sums; no
 * atomics, deterministic). NCHW float32, groups G, stride (sh, sw), padding (ph, pw), dilation
 * (dh, dw). Image side x/dx (N, C, H, W); response side y/dy (N, K, P, Q) with P, Q as given
 * (a transposed problem's output padding can make them differ from the formula); weight w/dw
 * (K, C/G, R, S). Image row ih = p*sh - ph + r*dh, column iw = q*sw - pw + s*dw. Every kernel
 * here takes that shape first (CONV_SHAPE_PARAMS of jdnn_portable.h; the flips and the scatter
 * of the convolution whose backward-data is mapped, of which they use some).
 *
 * Launch geometry, every kernel here: 1-D, any local size and number of groups; grid-stride over
 * the elements written (forward N*K*P*Q, backward-data N*C*H*W, backward-filter K*(C/G)*R*S,
 * conv_flip_filter K*(C/G)*R*S, conv_flip_class_filter C*(K/G)*Rc*Sc, conv_scatter_class N*C*Hc*Wc).
 *
 * Accumulation: float32, one running sum per element in the loop order stated at each kernel.
 * Limits: every extent < 2^31, tensors of any size (i64 offsets).
 */

/* The taps t in [*t0, *t1) of a window starting at image row `start` (any sign), `taps` taps `dil`
 * apart, that land in [0, extent): start + t*dil in [0, extent). */
DEVICE_FN void conv_direct_taps(i64 start, int taps, int dil, int extent, int *t0, int *t1) {
    i64 lo = start >= 0 ? 0 : (-start + dil - 1) / dil;
    i64 hi = extent - start <= 0 ? 0 : (extent - start + dil - 1) / dil;
    *t0 = (int)(lo < taps ? lo : taps);
    *t1 = (int)(hi < taps ? hi : taps);
}

/* y[n][k][p][q] = bias[k] (if has_bias) + sum over c < C/G, r, s of x[n][g*C/G + c][ih][iw] * w[k][c][r][s],
 * g = k / (K/G), in (c, r, s) order; taps outside the image are skipped (zero padding); then, where
 * act_kind >= 0, the fused epilogue jdnn_activate(act_kind, act_alpha, act_threshold, .) (-1: none). */
KERNEL void conv_direct_forward(CONV_SHAPE_PARAMS, int has_bias, int act_kind, float act_alpha, float act_threshold,
                                GLOBAL const float *RESTRICT x,
                                GLOBAL const float *RESTRICT w, GLOBAL const float *RESTRICT bias,
                                GLOBAL float *RESTRICT y) {
    int cpg = C / G;
    int kpg = K / G;
    i64 total = (i64)N * K * P * Q;
    GRID_STRIDE_LOOP(o, total) {
        int q = (int)(o % Q);
        int p = (int)((o / Q) % P);
        int k = (int)((o / ((i64)Q * P)) % K);
        int n = (int)(o / ((i64)Q * P * K));
        int g = k / kpg;
        i64 h0 = (i64)p * sh - ph; /* i64: p*sh, and the padding of a flipped filter (any sign), may pass 2^31 */
        i64 w0 = (i64)q * sw - pw;
        /* in-image taps: 0 <= h0 + r*dh < H  <=>  r in [r0, r1) */
        int r0, r1, s0, s1;
        conv_direct_taps(h0, R, dh, H, &r0, &r1);
        conv_direct_taps(w0, S, dw, W, &s0, &s1);
        float acc = 0.0f;
        for (int c = 0; c < cpg; c++) {
            GLOBAL const float *xp = x + ((i64)n * C + (i64)g * cpg + c) * H * W;
            GLOBAL const float *wp = w + ((i64)k * cpg + c) * R * S;
            for (int r = r0; r < r1; r++) {
                GLOBAL const float *xrow = xp + (h0 + (i64)r * dh) * W;
                for (int s = s0; s < s1; s++) {
                    acc += xrow[w0 + (i64)s * dw] * wp[r * S + s];
                }
            }
        }
        if (has_bias) {
            acc += bias[k];
        }
        y[o] = act_kind >= 0 ? jdnn_activate(act_kind, act_alpha, act_threshold, acc) : acc;
    }
}

/* dx[n][c][h][w] = bias[c] (if has_bias) + sum over r, s, k in c's group of dy[n][k][oh][ow] * w[k][c - g*C/G][r][s]
 * for every (r, s) with h + ph - r*dh = oh*sh, w + pw - s*dw = ow*sw, 0 <= oh < P, 0 <= ow < Q;
 * in (r, s, k) order. */
KERNEL void conv_direct_backward_data(CONV_SHAPE_PARAMS, int has_bias,
                                      GLOBAL const float *RESTRICT dy, GLOBAL const float *RESTRICT w,
                                      GLOBAL const float *RESTRICT bias, GLOBAL float *RESTRICT dx) {
    int cpg = C / G;
    int kpg = K / G;
    i64 total = (i64)N * C * H * W;
    GRID_STRIDE_LOOP(e, total) {
        int iw = (int)(e % W);
        int ih = (int)((e / W) % H);
        int c = (int)((e / ((i64)W * H)) % C);
        int n = (int)(e / ((i64)W * H * C));
        int g = c / cpg;
        int cc = c - g * cpg;
        float acc = 0.0f;
        for (int r = 0; r < R; r++) {
            int t = ih + ph - r * dh; /* = oh * sh */
            if (t < 0) {
                break; /* t only decreases with r */
            }
            if (t % sh != 0 || t / sh >= P) {
                continue;
            }
            int oh = t / sh;
            for (int s = 0; s < S; s++) {
                int u = iw + pw - s * dw;
                if (u < 0) {
                    break;
                }
                if (u % sw != 0 || u / sw >= Q) {
                    continue;
                }
                int ow = u / sw;
                for (int kk = 0; kk < kpg; kk++) {
                    int k = g * kpg + kk;
                    acc += dy[(((i64)n * K + k) * P + oh) * Q + ow] * w[(((i64)k * cpg + cc) * R + r) * S + s];
                }
            }
        }
        if (has_bias) {
            acc += bias[c];
        }
        dx[e] = acc;
    }
}

/* dw[k][c][r][s] = sum over n, p, q of x[n][g*C/G + c][p*sh - ph + r*dh][q*sw - pw + s*dw] * dy[n][k][p][q]
 * over the (p, q) whose tap lies inside the image, in (n, p, q) order; overwritten. */
KERNEL void conv_direct_backward_filter(CONV_SHAPE_PARAMS, GLOBAL const float *RESTRICT x,
                                        GLOBAL const float *RESTRICT dy, GLOBAL float *RESTRICT dw_out) {
    int cpg = C / G;
    int kpg = K / G;
    i64 total = (i64)K * cpg * R * S;
    GRID_STRIDE_LOOP(e, total) {
        int s = (int)(e % S);
        int r = (int)((e / S) % R);
        int c = (int)((e / ((i64)S * R)) % cpg);
        int k = (int)(e / ((i64)S * R * cpg));
        int g = k / kpg;
        /* in-image output rows: 0 <= p*sh - ph + r*dh < H  <=>  p in [p0, p1) */
        int hr = r * dh - ph;
        int wr = s * dw - pw;
        int p0 = jdnn_imax(0, jdnn_div_ceil(-hr, sh));
        int p1 = jdnn_imin(P, jdnn_div_ceil(H - hr, sh));
        int q0 = jdnn_imax(0, jdnn_div_ceil(-wr, sw));
        int q1 = jdnn_imin(Q, jdnn_div_ceil(W - wr, sw));
        float acc = 0.0f;
        for (int n = 0; n < N; n++) {
            GLOBAL const float *xp = x + ((i64)n * C + (i64)g * cpg + c) * H * W;
            GLOBAL const float *dyp = dy + ((i64)n * K + k) * P * Q;
            for (int p = p0; p < p1; p++) {
                GLOBAL const float *xrow = xp + (i64)(p * sh + hr) * W;
                GLOBAL const float *dyrow = dyp + (i64)p * Q;
                for (int q = q0; q < q1; q++) {
                    acc += xrow[q * sw + wr] * dyrow[q];
                }
            }
        }
        dw_out[e] = acc;
    }
}

/*
 * wf[(g*C/G + c)*K/G + k][R-1-r][S-1-s] = w[g*K/G + k][c][r][s]: the filter rotated by 180 degrees with
 * its two channel axes swapped within each group, shape (C, K/G, R, S). A stride-1 backward-data pass
 * is the forward pass over dy with wf (io.jdnn.kernels.FlippedBackwardData; a strided one's, per
 * residue class, takes conv_flip_class_filter's sub-filter, or wf when sh | dh and sw | dw).
 * wf must not be w.
 */
KERNEL void conv_flip_filter(CONV_SHAPE_PARAMS, GLOBAL const float *RESTRICT w, GLOBAL float *RESTRICT wf) {
    int RS = R * S;
    int cpg = C / G;
    int kpg = K / G;
    i64 total = (i64)K * cpg * RS;
    GRID_STRIDE_LOOP(e, total) {
        int t = (int)(e % RS);
        i64 kc = e / RS; /* k_abs * cpg + c */
        int c = (int)(kc % cpg);
        int k = (int)(kc / cpg);
        int g = k / kpg;
        wf[(((i64)g * cpg + c) * kpg + (k - g * kpg)) * RS + (RS - 1 - t)] = w[e];
    }
}

/*
 * One residue class's sub-filter, flipped and channel-swapped (io.jdnn.kernels.FlippedBackwardData,
 * strided backward-data): wf[(g*C/G + c)*K/G + k][Rc-1-t][Sc-1-u] = w[g*K/G + k][c][r0 + t*rstep][s0 + u*sstep]
 * for t < Rc, u < Sc: the taps of the class in reverse order, shape (C, K/G, Rc, Sc). With r0 = s0 = 0,
 * rstep = sstep = 1, Rc = R, Sc = S it is conv_flip_filter's wf. One work-item per element of wf
 * (C*(K/G)*Rc*Sc, grid-stride; writes coalesced, reads strided). wf must not be w.
 */
KERNEL void conv_flip_class_filter(CONV_SHAPE_PARAMS, int r0, int rstep, int Rc, int s0, int sstep, int Sc,
                                   GLOBAL const float *RESTRICT w, GLOBAL float *RESTRICT wf) {
    int cpg = C / G;
    int kpg = K / G;
    i64 total = (i64)C * kpg * Rc * Sc;
    GRID_STRIDE_LOOP(e, total) {
        int u = Sc - 1 - (int)(e % Sc);
        int t = Rc - 1 - (int)((e / Sc) % Rc);
        i64 ck = e / ((i64)Sc * Rc); /* c_abs * kpg + k */
        int k = (int)(ck % kpg);
        int cabs = (int)(ck / kpg);
        int g = cabs / cpg;
        int c = cabs - g * cpg;
        wf[e] = w[((((i64)g * kpg + k) * cpg + c) * R + r0 + (i64)t * rstep) * S + s0 + (i64)u * sstep];
    }
}

/*
 * dx[n][c][hs + hi*sh][ws + wi*sw] = src[n][c][hi][wi] (has_src), else bias[c] (has_bias) or 0, for
 * hi < Hc, wi < Wc: one residue class's compact backward-data result (N, C, Hc, Wc), computed as a
 * forward pass, copied into its strided positions of dx (N, C, H, W); without src (a class no tap
 * reaches) the class's pixels get the bias or 0, so that dx is overwritten whole once every class
 * is written (io.jdnn.kernels.FlippedBackwardData). One work-item per class element
 * (N*C*Hc*Wc, grid-stride; reads coalesced, writes strided by sw).
 */
KERNEL void conv_scatter_class(CONV_SHAPE_PARAMS, int Hc, int Wc, int hs, int ws, int has_src, int has_bias,
                               GLOBAL const float *RESTRICT src, GLOBAL const float *RESTRICT bias,
                               GLOBAL float *RESTRICT dx) {
    i64 total = (i64)N * C * Hc * Wc;
    GRID_STRIDE_LOOP(e, total) {
        int wi = (int)(e % Wc);
        int hi = (int)((e / Wc) % Hc);
        i64 nc = e / ((i64)Wc * Hc); /* n*C + c */
        int c = (int)(nc % C);
        float v = has_src ? src[e] : (has_bias ? bias[c] : 0.0f);
        dx[(nc * H + hs + (i64)hi * sh) * W + ws + (i64)wi * sw] = v;
    }
}
