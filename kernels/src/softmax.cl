/*
 * softmax.cl: row-wise softmax and log-softmax of a (rows, cols) float32 matrix, their backward
 * passes, and the mean softmax cross-entropy with label smoothing.
 *
 * Launch geometry:
 *   softmax_forward, softmax_backward, softmax_log_forward, softmax_log_backward,
 *   softmax_xent_rows: 1-D, work-groups of exactly SOFTMAX_WG
 *     work-items, any number of groups (the host launches min(rows, cap)); group g handles rows
 *     g, g + NUM_GROUPS(0), ... one at a time. SOFTMAX_WG is a power of two, the size of the local
 *     reduction array.
 *   softmax_xent_mean: 1-D, one work-group of exactly SOFTMAX_WG work-items.
 *
 * Row reductions are a strided float32 sum per work-item and a tree in local memory: the result
 * depends only on SOFTMAX_WG, so it is deterministic. Every exponent is taken of x - max(row).
 */
#ifndef SOFTMAX_WG
#define SOFTMAX_WG 256
#endif

/*
 * The statistics of one row xr[0, cols) for the calling work-group (every work-item must call it):
 * returns m = max_k xr[k] and sets *sum_exp = sum_k exp(xr[k] - m).
 */
DEVICE_FN float softmax_row_stats(LOCAL float *red, GLOBAL const float *xr, int cols, float *sum_exp) {
    int lid = LOCAL_ID(0);
    float m = -INFINITY_F;
    for (int j = lid; j < cols; j += SOFTMAX_WG) {
        m = FMAXF(m, xr[j]);
    }
    m = jdnn_group_max(red, m);

    float s = 0.0f;
    for (int j = lid; j < cols; j += SOFTMAX_WG) {
        s += EXPF(xr[j] - m);
    }
    *sum_exp = jdnn_group_sum(red, s);
    return m;
}

/* y[r][j] = exp(x[r][j] - m) / sum_k exp(x[r][k] - m), m = max_k x[r][k], for each row r. */
KERNEL void softmax_forward(int rows, int cols, GLOBAL const float *RESTRICT x, GLOBAL float *RESTRICT y) {
    LOCAL_ARRAY(float, red, SOFTMAX_WG);
    int lid = LOCAL_ID(0);
    for (i64 row = GROUP_ID(0); row < rows; row += NUM_GROUPS(0)) {
        GLOBAL const float *xr = x + row * cols;
        GLOBAL float *yr = y + row * cols;
        float s;
        float m = softmax_row_stats(red, xr, cols, &s);
        for (int j = lid; j < cols; j += SOFTMAX_WG) {
            yr[j] = EXPF(xr[j] - m) / s;
        }
    }
}

/* Log-softmax: y[r][j] = (x[r][j] - m) - log(sum_k exp(x[r][k] - m)), m = max_k x[r][k], for each row r. */
KERNEL void softmax_log_forward(int rows, int cols, GLOBAL const float *RESTRICT x, GLOBAL float *RESTRICT y) {
    LOCAL_ARRAY(float, red, SOFTMAX_WG);
    int lid = LOCAL_ID(0);
    for (i64 row = GROUP_ID(0); row < rows; row += NUM_GROUPS(0)) {
        GLOBAL const float *xr = x + row * cols;
        GLOBAL float *yr = y + row * cols;
        float s;
        float m = softmax_row_stats(red, xr, cols, &s);
        float log_s = LOGF(s);
        for (int j = lid; j < cols; j += SOFTMAX_WG) {
            yr[j] = (xr[j] - m) - log_s;
        }
    }
}

/* Log-softmax backward from its output y: dx[r][j] = dy[r][j] - exp(y[r][j]) * sum_k dy[r][k], for each row r. */
KERNEL void softmax_log_backward(int rows, int cols, GLOBAL const float *RESTRICT y, GLOBAL const float *RESTRICT dy,
                                 GLOBAL float *RESTRICT dx) {
    LOCAL_ARRAY(float, red, SOFTMAX_WG);
    int lid = LOCAL_ID(0);
    for (i64 row = GROUP_ID(0); row < rows; row += NUM_GROUPS(0)) {
        i64 base = row * cols;
        float sum = 0.0f;
        for (int j = lid; j < cols; j += SOFTMAX_WG) {
            sum += dy[base + j];
        }
        sum = jdnn_group_sum(red, sum);
        for (int j = lid; j < cols; j += SOFTMAX_WG) {
            dx[base + j] = dy[base + j] - EXPF(y[base + j]) * sum;
        }
    }
}

/* dx[r][j] = y[r][j] * (dy[r][j] - sum_k dy[r][k] * y[r][k]) for each row r; dx may be dy (the row's
 * sum is complete before any of its elements is written). */
KERNEL void softmax_backward(int rows, int cols, GLOBAL const float *y, GLOBAL const float *dy, GLOBAL float *dx) {
    LOCAL_ARRAY(float, red, SOFTMAX_WG);
    int lid = LOCAL_ID(0);
    for (i64 row = GROUP_ID(0); row < rows; row += NUM_GROUPS(0)) {
        i64 base = row * cols;
        float dot = 0.0f;
        for (int j = lid; j < cols; j += SOFTMAX_WG) {
            dot += dy[base + j] * y[base + j];
        }
        dot = jdnn_group_sum(red, dot);

        for (int j = lid; j < cols; j += SOFTMAX_WG) {
            dx[base + j] = y[base + j] * (dy[base + j] - dot);
        }
    }
}

/*
 * The smoothed cross-entropy of each row r: with target t_k = on for k = labels[r] and off
 * elsewhere (on = 1 - s + s/cols, off = s/cols, rounded once on the host; on_comp = 1 - on =
 * s * (cols - 1) / cols, computed on the host in float64 and rounded, because 1 - (float) on
 * loses all digits of a small s), m = max_k x_k and
 * S = sum_k exp(x_k - m) = 1 + S' where S' = sum over x_k < m of exp(x_k - m) + (ties at m) - 1:
 *   lse - x_k = (m - x_k) + log1p(S')      (log1p keeps a confident row's tiny loss accurate),
 *   row_loss[r] = sum_k t_k * (lse - x_k)  (terms with t_k = 0 left out, so -inf logits are fine),
 *   dlogits[r][k] = (softmax_k - t_k) / rows, where for a single maximum holding more than half
 *   the mass (S' < 1) softmax_k - t_k is evaluated as (1 - t_k) - S'/S, free of the cancellation
 *   of 1/S - 1; a flatter row keeps exp(0)/S - t_k, since there S'/S is near 1 and 1 - S'/S
 *   would cancel instead.
 * Launch: SOFTMAX_WG work-items per group, groups loop over rows.
 */
KERNEL void softmax_xent_rows(int rows, int cols, GLOBAL const int *RESTRICT labels, float on, float off,
                              float on_comp, GLOBAL const float *RESTRICT logits, GLOBAL float *RESTRICT row_loss,
                              GLOBAL float *RESTRICT dlogits) {
    LOCAL_ARRAY(float, red, SOFTMAX_WG);
    int lid = LOCAL_ID(0);
    float n = (float)rows;
    for (i64 row = GROUP_ID(0); row < rows; row += NUM_GROUPS(0)) {
        int label = labels[row];
        GLOBAL const float *xr = logits + row * cols;
        GLOBAL float *dr = dlogits + row * cols;

        float m = -INFINITY_F;
        for (int j = lid; j < cols; j += SOFTMAX_WG) {
            m = FMAXF(m, xr[j]);
        }
        m = jdnn_group_max(red, m);

        float below = 0.0f; /* sum of exp(x_k - m) over x_k < m */
        float ties = 0.0f;  /* how many x_k equal m */
        for (int j = lid; j < cols; j += SOFTMAX_WG) {
            float v = xr[j];
            if (v < m) {
                below += EXPF(v - m);
            } else {
                ties += 1.0f;
            }
        }
        below = jdnn_group_sum(red, below);
        ties = jdnn_group_sum(red, ties);
        float sp = below + (ties - 1.0f); /* S' = S - 1 */
        float s = 1.0f + sp;
        float l1p = LOG1PF(sp);

        float loss = 0.0f;
        for (int j = lid; j < cols; j += SOFTMAX_WG) {
            float v = xr[j];
            float t = j == label ? on : off;
            if (t != 0.0f) {
                loss += t * ((m - v) + l1p);
            }
            float g = (ties == 1.0f && v == m && sp < 1.0f) ? (j == label ? on_comp : 1.0f - t) - sp / s
                                                            : EXPF(v - m) / s - t;
            dr[j] = g / n;
        }
        loss = jdnn_group_sum(red, loss);
        if (lid == 0) {
            row_loss[row] = loss;
        }
    }
}

/* loss[0] = sum_r row_loss[r] / rows, by one work-group. */
KERNEL void softmax_xent_mean(int rows, GLOBAL const float *RESTRICT row_loss, GLOBAL float *RESTRICT loss) {
    LOCAL_ARRAY(float, red, SOFTMAX_WG);
    float part = 0.0f;
    for (int r = LOCAL_ID(0); r < rows; r += SOFTMAX_WG) {
        part += row_loss[r];
    }
    float total = jdnn_group_sum(red, part);
    if (LOCAL_ID(0) == 0) {
        loss[0] = total / (float)rows;
    }
}
