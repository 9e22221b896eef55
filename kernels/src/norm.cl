/*
 * norm.cl: group normalization (instance and layer norm arrive as group norm) and local response
 * normalization across channels over NCHW float32, PyTorch's semantics (see io.jdnn.GroupNormProblem
 * and io.jdnn.LrnProblem).
 *
 * Group norm: row r = n*G + g holds the M = cpg*HW contiguous values from r*M (cpg = C/G channels
 * per group); value j of a row belongs to channel c = g*cpg + j / HW. One work-group owns a row at
 * a time (rows r = GROUP_ID(0), GROUP_ID(0) + NUM_GROUPS(0), ...), so the row's sums need no
 * partial results and no atomics: per-work-item loops in a fixed order, then jdnn_group_sum's tree,
 * whose pairing depends on NORM_WG only. dweight and dbias reduce over the batch too: one
 * work-group per channel walks the channel's (n, i) values in a fixed order (gn_backward_params).
 *
 *   forward   gn_forward (reads x twice for the statistics, a third time to write y)
 *   backward  gn_backward_rows (reads x, dy twice, writes dx) and gn_backward_params (reads x, dy)
 *
 * Local response norm: one work-item per element (grid-stride), the window's squares summed in
 * channel order; D = k + alpha/size * sum, D^-beta = exp(-beta * log D) (D > 0: k > 0, alpha >= 0).
 *
 *   forward   lrn_forward
 *   backward  lrn_backward_weights (w = dy * x * D^(-beta-1) into a workspace), lrn_backward_apply
 *             (dx = dy * D^-beta - 2 alpha beta / size * x * sum of w over the channels whose
 *             window holds the element)
 *
 * Launch geometry: 1-D. gn_*: groups of exactly NORM_WG work-items (a power of two, the size of the
 * local reduction array), any number of groups (the host caps them). lrn_*: any local size, any
 * number of groups. Limits: tensors of any size (i64 offsets), C below 2^31.
 * Arithmetic: float32.
 */
#ifndef NORM_WG
#define NORM_WG 256
#endif

/*
 * Per row r = n*G + g of M values at r*M: mean (a first sum, then corrected by the mean deviation
 * from it) and invstd = 1/sqrt(biased variance + eps), saved; y = (x - mean) * invstd * weight[c] + bias[c].
 */
KERNEL void gn_forward(int rows, int G, int cpg, i64 HW, float eps, GLOBAL const float *RESTRICT x,
                       GLOBAL const float *RESTRICT weight, GLOBAL const float *RESTRICT bias,
                       GLOBAL float *RESTRICT y, GLOBAL float *RESTRICT save_mean, GLOBAL float *RESTRICT save_invstd) {
    LOCAL_ARRAY(float, red, NORM_WG);
    int lid = LOCAL_ID(0);
    i64 M = (i64)cpg * HW;
    for (i64 r = GROUP_ID(0); r < rows; r += NUM_GROUPS(0)) {
        GLOBAL const float *xr = x + r * M;
        GLOBAL float *yr = y + r * M;
        float part = 0.0f;
        for (i64 j = lid; j < M; j += NORM_WG) {
            part += xr[j];
        }
        float m0 = jdnn_group_sum(red, part) / (float)M;
        part = 0.0f;
        float part_sq = 0.0f;
        for (i64 j = lid; j < M; j += NORM_WG) {
            float d = xr[j] - m0;
            part += d;
            part_sq += d * d;
        }
        /* m0 carries the rounding of the first sum; delta = mean(x - m0) corrects it, so that a row
         * whose spread is small beside its mean still normalizes accurately */
        float delta = jdnn_group_sum(red, part) / (float)M;
        float var = FMAXF(jdnn_group_sum(red, part_sq) / (float)M - delta * delta, 0.0f);
        float invstd = 1.0f / SQRTF(var + eps);
        int c0 = (int)(r % G) * cpg;
        for (i64 j = lid; j < M; j += NORM_WG) {
            int c = c0 + (int)(j / HW);
            yr[j] = ((xr[j] - m0) - delta) * (invstd * weight[c]) + bias[c];
        }
        if (lid == 0) {
            save_mean[r] = m0 + delta;
            save_invstd[r] = invstd;
        }
    }
}

/*
 * dx of row r from the saved statistics: xhat = (x - mean) * invstd, g = dy * weight[c],
 * dx = invstd * (g - sum(g) / M - xhat * sum(g * xhat) / M).
 */
KERNEL void gn_backward_rows(int rows, int G, int cpg, i64 HW, GLOBAL const float *RESTRICT x,
                             GLOBAL const float *RESTRICT dy, GLOBAL const float *RESTRICT weight,
                             GLOBAL const float *RESTRICT save_mean, GLOBAL const float *RESTRICT save_invstd,
                             GLOBAL float *RESTRICT dx) {
    LOCAL_ARRAY(float, red, NORM_WG);
    int lid = LOCAL_ID(0);
    i64 M = (i64)cpg * HW;
    for (i64 r = GROUP_ID(0); r < rows; r += NUM_GROUPS(0)) {
        i64 base = r * M;
        int c0 = (int)(r % G) * cpg;
        float mean = save_mean[r];
        float invstd = save_invstd[r];
        float part_g = 0.0f;
        float part_gx = 0.0f;
        for (i64 j = lid; j < M; j += NORM_WG) {
            float g = dy[base + j] * weight[c0 + (int)(j / HW)];
            part_g += g;
            part_gx += g * ((x[base + j] - mean) * invstd);
        }
        float mean_g = jdnn_group_sum(red, part_g) / (float)M;
        float mean_gx = jdnn_group_sum(red, part_gx) / (float)M;
        for (i64 j = lid; j < M; j += NORM_WG) {
            float g = dy[base + j] * weight[c0 + (int)(j / HW)];
            float xhat = (x[base + j] - mean) * invstd;
            dx[base + j] = invstd * (g - mean_g - xhat * mean_gx);
        }
    }
}

/*
 * Per channel c (c = GROUP_ID(0), GROUP_ID(0) + NUM_GROUPS(0), ...): dweight = sum over n and i of
 * dy * xhat, dbias = sum of dy, xhat from the statistics of row n*G + c / cpg.
 */
KERNEL void gn_backward_params(int N, int C, int G, int cpg, i64 HW, GLOBAL const float *RESTRICT x,
                               GLOBAL const float *RESTRICT dy, GLOBAL const float *RESTRICT save_mean,
                               GLOBAL const float *RESTRICT save_invstd, GLOBAL float *RESTRICT dweight,
                               GLOBAL float *RESTRICT dbias) {
    LOCAL_ARRAY(float, red, NORM_WG);
    int lid = LOCAL_ID(0);
    for (int c = (int)GROUP_ID(0); c < C; c += (int)NUM_GROUPS(0)) {
        int g = c / cpg;
        float part_w = 0.0f;
        float part_b = 0.0f;
        jdnn_chan_walk it = jdnn_chan_begin(N, C, HW, c, lid, NORM_WG);
        for (; jdnn_chan_more(&it); jdnn_chan_next(&it)) {
            i64 r = it.n * G + g;
            float d = dy[it.at];
            part_w += d * ((x[it.at] - save_mean[r]) * save_invstd[r]);
            part_b += d;
        }
        float sum_w = jdnn_group_sum(red, part_w);
        float sum_b = jdnn_group_sum(red, part_b);
        if (lid == 0) {
            dweight[c] = sum_w;
            dbias[c] = sum_b;
        }
    }
}

/* D = k + scale * sum of x^2 over the channels [c - lo, c + hi] of sample n that exist, at plane position i. */
DEVICE_FN float lrn_base(GLOBAL const float *x, i64 n, int c, i64 i, int C, i64 HW, int lo, int hi, float scale,
                         float k) {
    float sum = 0.0f;
    int last = jdnn_imin(C - 1, c + hi);
    for (int c2 = jdnn_imax(0, c - lo); c2 <= last; c2++) {
        float v = x[(n * C + c2) * HW + i];
        sum += v * v;
    }
    return k + scale * sum;
}

/* y = x * D^-beta per element e = (n*C + c)*HW + i; lo = size/2, hi = (size-1)/2, scale = alpha/size. */
KERNEL void lrn_forward(int N, int C, i64 HW, int lo, int hi, float scale, float beta, float k,
                        GLOBAL const float *RESTRICT x, GLOBAL float *RESTRICT y) {
    GRID_STRIDE_LOOP(e, (i64)N * C * HW) {
        i64 i = e % HW;
        i64 nc = e / HW;
        float d = lrn_base(x, nc / C, (int)(nc % C), i, C, HW, lo, hi, scale, k);
        y[e] = x[e] * EXPF(-beta * LOGF(d));
    }
}

/* w = dy * x * D^(-beta-1) per element (the terms every window holding a channel adds up in backward). */
KERNEL void lrn_backward_weights(int N, int C, i64 HW, int lo, int hi, float scale, float beta, float k,
                                 GLOBAL const float *RESTRICT x, GLOBAL const float *RESTRICT dy,
                                 GLOBAL float *RESTRICT w) {
    GRID_STRIDE_LOOP(e, (i64)N * C * HW) {
        i64 i = e % HW;
        i64 nc = e / HW;
        float d = lrn_base(x, nc / C, (int)(nc % C), i, C, HW, lo, hi, scale, k);
        w[e] = dy[e] * x[e] * (EXPF(-beta * LOGF(d)) / d);
    }
}

/*
 * dx = dy * D^-beta - factor * x * sum of w over the channels [c - hi, c + lo] that exist (those
 * whose window holds c), factor = 2 alpha beta / size.
 */
KERNEL void lrn_backward_apply(int N, int C, i64 HW, int lo, int hi, float scale, float beta, float k, float factor,
                               GLOBAL const float *RESTRICT x, GLOBAL const float *RESTRICT dy,
                               GLOBAL const float *RESTRICT w, GLOBAL float *RESTRICT dx) {
    GRID_STRIDE_LOOP(e, (i64)N * C * HW) {
        i64 i = e % HW;
        i64 nc = e / HW;
        i64 n = nc / C;
        int c = (int)(nc % C);
        float d = lrn_base(x, n, c, i, C, HW, lo, hi, scale, k);
        float sum = 0.0f;
        int last = jdnn_imin(C - 1, c + lo);
        for (int c2 = jdnn_imax(0, c - hi); c2 <= last; c2++) {
            sum += w[(n * C + c2) * HW + i];
        }
        dx[e] = dy[e] * EXPF(-beta * LOGF(d)) - factor * x[e] * sum;
    }
}
