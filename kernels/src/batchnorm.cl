/*
 * batchnorm.cl: spatial batch normalization over NCHW float32 (statistics per channel over N, H
 * and W; M = N*H*W values per channel), PyTorch's semantics (see io.jdnn.BatchNormProblem).
 *
 * Launch geometry:
 *   bn_train_forward, bn_backward, bn_inference_backward: 1-D, work-groups of exactly BN_WG
 *     work-items, any number of groups (the host launches min(C, cap)); group g handles channels
 *     g, g + NUM_GROUPS(0), ... one at a time. BN_WG is a power of two, the size of the local
 *     reduction array.
 *   bn_inference: 1-D, any local size and number of groups (grid-stride over N*C*HW).
 *
 * Reductions: each work-item sums its strided share of the channel in float32, then a tree in
 * local memory (jdnn_group_sum) adds the shares: the order depends only on BN_WG, so results are
 * deterministic. Mean and variance take two passes (the variance sums squared deviations from
 * the mean), which avoids the cancellation of E[x^2] - E[x]^2.
 */
#ifndef BN_WG
#define BN_WG 256
#endif

/*
 * Training forward, for each channel c:
 *   mean = sum x / M, var = sum (x - mean)^2 / M (biased), invstd = 1 / sqrt(var + eps),
 *   y = (x - mean) * invstd * gamma + beta,
 *   save_mean = mean, save_invstd = invstd,
 *   running_mean = keep * running_mean + momentum * mean,
 *   running_var  = keep * running_var + momentum * sum (x - mean)^2 / (M - 1)   (unbiased),
 * with keep = 1 - momentum rounded once on the host.
 */
KERNEL void bn_train_forward(int N, int C, i64 HW, float eps, float momentum, float keep,
                             GLOBAL const float *RESTRICT x, GLOBAL const float *RESTRICT gamma,
                             GLOBAL const float *RESTRICT beta, GLOBAL float *RESTRICT running_mean,
                             GLOBAL float *RESTRICT running_var, GLOBAL float *RESTRICT y,
                             GLOBAL float *RESTRICT save_mean, GLOBAL float *RESTRICT save_invstd) {
    LOCAL_ARRAY(float, red, BN_WG);
    for (int c = (int)GROUP_ID(0); c < C; c += (int)NUM_GROUPS(0)) {
        int lid = LOCAL_ID(0);
        float m = (float)((i64)N * HW);

        float part = 0.0f;
        jdnn_chan_walk it = jdnn_chan_begin(N, C, HW, c, lid, BN_WG);
        for (; jdnn_chan_more(&it); jdnn_chan_next(&it)) {
            part += x[it.at];
        }
        float mean = jdnn_group_sum(red, part) / m;

        part = 0.0f;
        it = jdnn_chan_begin(N, C, HW, c, lid, BN_WG);
        for (; jdnn_chan_more(&it); jdnn_chan_next(&it)) {
            float d = x[it.at] - mean;
            part += d * d;
        }
        float sq = jdnn_group_sum(red, part);
        float invstd = 1.0f / SQRTF(sq / m + eps);

        if (lid == 0) {
            save_mean[c] = mean;
            save_invstd[c] = invstd;
            running_mean[c] = keep * running_mean[c] + momentum * mean;
            running_var[c] = keep * running_var[c] + momentum * (sq / (m - 1.0f));
        }

        float scale = invstd * gamma[c];
        float shift = beta[c];
        it = jdnn_chan_begin(N, C, HW, c, lid, BN_WG);
        for (; jdnn_chan_more(&it); jdnn_chan_next(&it)) {
            y[it.at] = (x[it.at] - mean) * scale + shift;
        }
    }
}

/*
 * Inference forward: y = (x - running_mean) / sqrt(running_var + eps) * gamma + beta, per element;
 * total = N*C*HW. y may be x.
 */
KERNEL void bn_inference(i64 total, int C, i64 HW, float eps, GLOBAL const float *x, GLOBAL const float *gamma,
                         GLOBAL const float *beta, GLOBAL const float *running_mean,
                         GLOBAL const float *running_var, GLOBAL float *y) {
    GRID_STRIDE_LOOP(e, total) {
        int c = (int)((e / HW) % C);
        float invstd = 1.0f / SQRTF(running_var[c] + eps);
        y[e] = (x[e] - running_mean[c]) * (invstd * gamma[c]) + beta[c];
    }
}

/*
 * Training backward for each channel c, from the saved mean and invstd:
 *   xhat = (x - mean) * invstd, dbeta = sum dy, dgamma = sum dy * xhat,
 *   dx = gamma * invstd * (dy - dbeta / M - xhat * dgamma / M).
 */
KERNEL void bn_backward(int N, int C, i64 HW, GLOBAL const float *RESTRICT x, GLOBAL const float *RESTRICT dy,
                        GLOBAL const float *RESTRICT gamma, GLOBAL const float *RESTRICT save_mean,
                        GLOBAL const float *RESTRICT save_invstd, GLOBAL float *RESTRICT dx,
                        GLOBAL float *RESTRICT dgamma, GLOBAL float *RESTRICT dbeta) {
    LOCAL_ARRAY(float, red, BN_WG);
    for (int c = (int)GROUP_ID(0); c < C; c += (int)NUM_GROUPS(0)) {
        int lid = LOCAL_ID(0);
        float m = (float)((i64)N * HW);
        float mean = save_mean[c];
        float invstd = save_invstd[c];

        float part_dy = 0.0f;
        float part_dyx = 0.0f;
        jdnn_chan_walk it = jdnn_chan_begin(N, C, HW, c, lid, BN_WG);
        for (; jdnn_chan_more(&it); jdnn_chan_next(&it)) {
            float g = dy[it.at];
            part_dy += g;
            part_dyx += g * (x[it.at] - mean);
        }
        float sum_dy = jdnn_group_sum(red, part_dy);
        float sum_dyxhat = jdnn_group_sum(red, part_dyx) * invstd;
        if (lid == 0) {
            dbeta[c] = sum_dy;
            dgamma[c] = sum_dyxhat;
        }

        float scale = gamma[c] * invstd;
        float mean_dy = sum_dy / m;
        float mean_dyxhat = sum_dyxhat / m;
        it = jdnn_chan_begin(N, C, HW, c, lid, BN_WG);
        for (; jdnn_chan_more(&it); jdnn_chan_next(&it)) {
            float xhat = (x[it.at] - mean) * invstd;
            dx[it.at] = scale * (dy[it.at] - mean_dy - xhat * mean_dyxhat);
        }
    }
}

/*
 * Inference backward for each channel c, the running statistics constant:
 *   invstd = 1 / sqrt(running_var + eps), dx = dy * gamma * invstd,
 *   dbeta = sum dy, dgamma = sum dy * (x - running_mean) * invstd.
 */
KERNEL void bn_inference_backward(int N, int C, i64 HW, float eps, GLOBAL const float *RESTRICT x,
                                  GLOBAL const float *RESTRICT dy, GLOBAL const float *RESTRICT gamma,
                                  GLOBAL const float *RESTRICT running_mean, GLOBAL const float *RESTRICT running_var,
                                  GLOBAL float *RESTRICT dx, GLOBAL float *RESTRICT dgamma,
                                  GLOBAL float *RESTRICT dbeta) {
    LOCAL_ARRAY(float, red, BN_WG);
    for (int c = (int)GROUP_ID(0); c < C; c += (int)NUM_GROUPS(0)) {
        int lid = LOCAL_ID(0);
        float mean = running_mean[c];
        float invstd = 1.0f / SQRTF(running_var[c] + eps);
        float scale = gamma[c] * invstd;

        float part_dy = 0.0f;
        float part_dyx = 0.0f;
        jdnn_chan_walk it = jdnn_chan_begin(N, C, HW, c, lid, BN_WG);
        for (; jdnn_chan_more(&it); jdnn_chan_next(&it)) {
            float g = dy[it.at];
            part_dy += g;
            part_dyx += g * (x[it.at] - mean);
            dx[it.at] = g * scale;
        }
        float sum_dy = jdnn_group_sum(red, part_dy);
        float sum_dyx = jdnn_group_sum(red, part_dyx);
        if (lid == 0) {
            dbeta[c] = sum_dy;
            dgamma[c] = sum_dyx * invstd;
        }
    }
}
