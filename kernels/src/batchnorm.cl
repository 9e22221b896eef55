/*
 * batchnorm.cl: spatial batch normalization over NCHW float32 (statistics per channel over N, H
 * and W; M = N*H*W values per channel), PyTorch's semantics (see io.jdnn.BatchNormProblem).
 *
 * Work is cut into (channel, chunk) pairs: chunk k of channel c is the values j in
 * [k*chunk, min((k+1)*chunk, M)) of the channel in (n, h, w) order, j = n*HW + i at offset
 * (n*C + c)*HW + i, and pair b = c*chunks + k, chunks = ceil(M / chunk). Every kernel below takes
 * pairs b = GROUP_ID(0), GROUP_ID(0) + NUM_GROUPS(0), ... (the host caps the groups), so a layer
 * with few channels still fills a GPU (one work-group per channel would run 64 groups on 132 SMs
 * for ResNet's first batch norm). Per op:
 *
 *   training forward   bn_chunk_stats (reads x) -> bn_stats_combine (per channel) -> bn_normalize
 *                      (reads x, writes y): 2 reads and 1 write of the tensor
 *   inference forward  bn_inference: 1 read, 1 write
 *   training backward  bn_chunk_grad_sums (reads x, dy) -> bn_grad_combine -> bn_backward_apply
 *                      (reads x, dy, writes dx)
 *   inference backward bn_chunk_grad_sums with write_dx (reads x, dy, writes dx) -> bn_grad_combine
 *
 * The second pass over the tensor (bn_normalize, bn_backward_apply) takes the pairs in reverse
 * order: its first groups read what the first pass read last, which may still sit in the last-level
 * cache (an H100 holds 50 MB of it).
 *
 * Launch geometry: 1-D, any number of groups. bn_chunk_stats, bn_chunk_grad_sums, bn_stats_combine
 * and bn_grad_combine: groups of exactly BN_WG work-items (a power of two, the size of their local
 * reduction array); bn_chunk_stats needs chunk == BN_WG * BN_ITEMS (each work-item holds its
 * BN_ITEMS values in registers between its two sums). bn_normalize, bn_backward_apply and
 * bn_inference: any local size, any chunk. The combine kernels take channels c = GROUP_ID(0),
 * GROUP_ID(0) + NUM_GROUPS(0), ...
 * Limits: tensors of any size (i64 offsets), C below 2^31, chunks * C below 2^63.
 *
 * Arithmetic: float32. A chunk's mean and sum of squared deviations come from two sums over its
 * values held in registers (no E[x^2] - E[x]^2 cancellation); the channel's statistics combine the
 * chunks exactly (Chan et al.): mean = sum n_k mean_k / M, M2 = sum (M2_k + n_k (mean_k - mean)^2).
 * Every sum is a per-work-item loop in a fixed order, then a tree over the group whose pairing
 * depends on BN_WG only (jdnn_group_sum): results are deterministic for a given chunk.
 */
#ifndef BN_WG
#define BN_WG 256
#endif
#ifndef BN_ITEMS
#define BN_ITEMS 8 /* values per work-item of bn_chunk_stats: chunk = BN_WG * BN_ITEMS = 2048 */
#endif

/* The number of values of chunk k (at most chunk) of a channel of M values. */
DEVICE_FN float bn_chunk_count(i64 M, i64 chunk, i64 k) {
    i64 left = M - k * chunk;
    return (float)(left < chunk ? left : chunk);
}

/* The channel c and value range [*j0, *jend) of pair b (b = c*chunks + k: chunk k of channel c). */
DEVICE_FN int bn_pair(i64 b, i64 chunks, i64 chunk, i64 M, i64 *j0, i64 *jend) {
    int c = (int)(b / chunks);
    *j0 = (b - (i64)c * chunks) * chunk;
    *jend = *j0 + chunk < M ? *j0 + chunk : M;
    return c;
}

/*
 * Chunk statistics: partial[b] = mean of pair b's values, partial[C*chunks + b] = the sum of their
 * squared deviations from that mean (M2). Chunk = BN_WG * BN_ITEMS.
 */
KERNEL void bn_chunk_stats(int N, int C, i64 HW, i64 chunks, GLOBAL const float *RESTRICT x,
                           GLOBAL float *RESTRICT partial) {
    LOCAL_ARRAY(float, red, BN_WG);
    int lid = LOCAL_ID(0);
    i64 M = (i64)N * HW;
    i64 chunk = (i64)BN_WG * BN_ITEMS;
    i64 pairs = (i64)C * chunks;
    for (i64 b = GROUP_ID(0); b < pairs; b += NUM_GROUPS(0)) {
        i64 j0, jend;
        int c = bn_pair(b, chunks, chunk, M, &j0, &jend);
        float v[BN_ITEMS];
        float part = 0.0f;
        jdnn_chan_walk it = jdnn_chan_begin(N, C, HW, c, j0 + lid, BN_WG);
        for (int t = 0; t < BN_ITEMS; t++) {
            v[t] = 0.0f;
            if (it.j < jend) {
                v[t] = x[it.at];
                part += v[t];
                jdnn_chan_next(&it);
            }
        }
        float mean = jdnn_group_sum(red, part) / (float)(jend - j0);
        part = 0.0f;
        for (int t = 0; t < BN_ITEMS; t++) {
            if (j0 + lid + (i64)t * BN_WG < jend) {
                float d = v[t] - mean;
                part += d * d;
            }
        }
        float m2 = jdnn_group_sum(red, part);
        if (lid == 0) {
            partial[b] = mean;
            partial[pairs + b] = m2;
        }
    }
}

/*
 * Per channel c, from bn_chunk_stats' partial sums over chunks of `chunk` values:
 *   mean = sum n_k mean_k / M, sq = sum (M2_k + n_k (mean_k - mean)^2), var = sq / M (biased),
 *   invstd = 1 / sqrt(var + eps), save_mean = mean, save_invstd = invstd,
 *   running_mean = keep * running_mean + momentum * mean,
 *   running_var  = keep * running_var + momentum * sq / (M - 1)   (unbiased),
 * with keep = 1 - momentum rounded once on the host.
 */
KERNEL void bn_stats_combine(int N, int C, i64 HW, i64 chunks, i64 chunk, float eps, float momentum, float keep,
                             GLOBAL const float *RESTRICT partial, GLOBAL float *RESTRICT running_mean,
                             GLOBAL float *RESTRICT running_var, GLOBAL float *RESTRICT save_mean,
                             GLOBAL float *RESTRICT save_invstd) {
    LOCAL_ARRAY(float, red, BN_WG);
    int lid = LOCAL_ID(0);
    i64 M = (i64)N * HW;
    float m = (float)M;
    i64 pairs = (i64)C * chunks;
    for (int c = (int)GROUP_ID(0); c < C; c += (int)NUM_GROUPS(0)) {
        GLOBAL const float *means = partial + (i64)c * chunks;
        GLOBAL const float *m2s = partial + pairs + (i64)c * chunks;
        float part = 0.0f;
        for (i64 k = lid; k < chunks; k += BN_WG) {
            part += bn_chunk_count(M, chunk, k) * means[k];
        }
        float mean = jdnn_group_sum(red, part) / m;
        part = 0.0f;
        for (i64 k = lid; k < chunks; k += BN_WG) {
            float d = means[k] - mean;
            part += m2s[k] + bn_chunk_count(M, chunk, k) * d * d;
        }
        float sq = jdnn_group_sum(red, part);
        if (lid == 0) {
            float invstd = 1.0f / SQRTF(sq / m + eps);
            save_mean[c] = mean;
            save_invstd[c] = invstd;
            running_mean[c] = keep * running_mean[c] + momentum * mean;
            running_var[c] = keep * running_var[c] + momentum * (sq / (m - 1.0f));
        }
    }
}

/* y = (x - mean) * (invstd * gamma) + beta per element, from the saved statistics; pairs in reverse order. */
KERNEL void bn_normalize(int N, int C, i64 HW, i64 chunks, i64 chunk, GLOBAL const float *RESTRICT x,
                         GLOBAL const float *RESTRICT gamma, GLOBAL const float *RESTRICT beta,
                         GLOBAL const float *RESTRICT save_mean, GLOBAL const float *RESTRICT save_invstd,
                         GLOBAL float *RESTRICT y) {
    i64 M = (i64)N * HW;
    i64 pairs = (i64)C * chunks;
    for (i64 b = GROUP_ID(0); b < pairs; b += NUM_GROUPS(0)) {
        i64 j0, jend;
        int c = bn_pair(pairs - 1 - b, chunks, chunk, M, &j0, &jend); /* reverse order */
        float mean = save_mean[c];
        float scale = save_invstd[c] * gamma[c];
        float shift = beta[c];
        jdnn_chan_walk it = jdnn_chan_begin(N, C, HW, c, j0 + LOCAL_ID(0), LOCAL_SIZE(0));
        for (; it.j < jend; jdnn_chan_next(&it)) {
            y[it.at] = (x[it.at] - mean) * scale + shift;
        }
    }
}

/*
 * Inference forward: y = (x - running_mean) * (invstd * gamma) + beta, invstd = 1 / sqrt(running_var + eps),
 * per element, over (channel, chunk) pairs. y may be x.
 */
KERNEL void bn_inference(int N, int C, i64 HW, i64 chunks, i64 chunk, float eps, GLOBAL const float *x,
                         GLOBAL const float *gamma, GLOBAL const float *beta, GLOBAL const float *running_mean,
                         GLOBAL const float *running_var, GLOBAL float *y) {
    i64 M = (i64)N * HW;
    i64 pairs = (i64)C * chunks;
    for (i64 b = GROUP_ID(0); b < pairs; b += NUM_GROUPS(0)) {
        i64 j0, jend;
        int c = bn_pair(b, chunks, chunk, M, &j0, &jend);
        float mean = running_mean[c];
        float scale = (1.0f / SQRTF(running_var[c] + eps)) * gamma[c];
        float shift = beta[c];
        jdnn_chan_walk it = jdnn_chan_begin(N, C, HW, c, j0 + LOCAL_ID(0), LOCAL_SIZE(0));
        for (; it.j < jend; jdnn_chan_next(&it)) {
            y[it.at] = (x[it.at] - mean) * scale + shift;
        }
    }
}

/*
 * Gradient sums per pair: partial[b] = sum dy, partial[C*chunks + b] = sum dy * (x - mean[c]) over
 * the pair's values (mean: the saved mean in training, the running mean in inference). With
 * write_dx (inference backward) also dx = dy * gamma / sqrt(var[c] + eps) per element, var the
 * running variance; otherwise gamma, var and dx are placeholders never touched.
 */
KERNEL void bn_chunk_grad_sums(int N, int C, i64 HW, i64 chunks, i64 chunk, GLOBAL const float *RESTRICT x,
                               GLOBAL const float *RESTRICT dy, GLOBAL const float *RESTRICT mean_src,
                               int write_dx, float eps, GLOBAL const float *RESTRICT gamma,
                               GLOBAL const float *RESTRICT var, GLOBAL float *RESTRICT dx,
                               GLOBAL float *RESTRICT partial) {
    LOCAL_ARRAY(float, red, BN_WG);
    int lid = LOCAL_ID(0);
    i64 M = (i64)N * HW;
    i64 pairs = (i64)C * chunks;
    for (i64 b = GROUP_ID(0); b < pairs; b += NUM_GROUPS(0)) {
        i64 j0, jend;
        int c = bn_pair(b, chunks, chunk, M, &j0, &jend);
        float mean = mean_src[c];
        float scale = write_dx ? gamma[c] * (1.0f / SQRTF(var[c] + eps)) : 0.0f;
        float part_dy = 0.0f;
        float part_dyx = 0.0f;
        jdnn_chan_walk it = jdnn_chan_begin(N, C, HW, c, j0 + lid, BN_WG);
        for (; it.j < jend; jdnn_chan_next(&it)) {
            float g = dy[it.at];
            part_dy += g;
            part_dyx += g * (x[it.at] - mean);
            if (write_dx) {
                dx[it.at] = g * scale;
            }
        }
        float sum_dy = jdnn_group_sum(red, part_dy);
        float sum_dyx = jdnn_group_sum(red, part_dyx);
        if (lid == 0) {
            partial[b] = sum_dy;
            partial[pairs + b] = sum_dyx;
        }
    }
}

/*
 * Per channel c, from bn_chunk_grad_sums' partial sums: dbeta = sum dy, dgamma = sum dy * (x - mean) * invstd,
 * invstd = invstd_src[c] (the saved one) or, with invstd_from_var, 1 / sqrt(invstd_src[c] + eps) (the
 * running variance).
 */
KERNEL void bn_grad_combine(int C, i64 chunks, GLOBAL const float *RESTRICT partial,
                            GLOBAL const float *RESTRICT invstd_src, int invstd_from_var, float eps,
                            GLOBAL float *RESTRICT dgamma, GLOBAL float *RESTRICT dbeta) {
    LOCAL_ARRAY(float, red, BN_WG);
    int lid = LOCAL_ID(0);
    i64 pairs = (i64)C * chunks;
    for (int c = (int)GROUP_ID(0); c < C; c += (int)NUM_GROUPS(0)) {
        float part_dy = 0.0f;
        float part_dyx = 0.0f;
        for (i64 k = lid; k < chunks; k += BN_WG) {
            part_dy += partial[(i64)c * chunks + k];
            part_dyx += partial[pairs + (i64)c * chunks + k];
        }
        float sum_dy = jdnn_group_sum(red, part_dy);
        float sum_dyx = jdnn_group_sum(red, part_dyx);
        if (lid == 0) {
            float invstd = invstd_from_var ? 1.0f / SQRTF(invstd_src[c] + eps) : invstd_src[c];
            dbeta[c] = sum_dy;
            dgamma[c] = sum_dyx * invstd;
        }
    }
}

/*
 * Training backward, per element from the saved statistics and the channel sums:
 *   xhat = (x - mean) * invstd, dx = gamma * invstd * (dy - dbeta / M - xhat * dgamma / M);
 * pairs in reverse order.
 */
KERNEL void bn_backward_apply(int N, int C, i64 HW, i64 chunks, i64 chunk, GLOBAL const float *RESTRICT x,
                              GLOBAL const float *RESTRICT dy, GLOBAL const float *RESTRICT gamma,
                              GLOBAL const float *RESTRICT save_mean, GLOBAL const float *RESTRICT save_invstd,
                              GLOBAL const float *RESTRICT dgamma, GLOBAL const float *RESTRICT dbeta,
                              GLOBAL float *RESTRICT dx) {
    i64 M = (i64)N * HW;
    float m = (float)M;
    i64 pairs = (i64)C * chunks;
    for (i64 b = GROUP_ID(0); b < pairs; b += NUM_GROUPS(0)) {
        i64 j0, jend;
        int c = bn_pair(pairs - 1 - b, chunks, chunk, M, &j0, &jend); /* reverse order */
        float mean = save_mean[c];
        float invstd = save_invstd[c];
        float scale = gamma[c] * invstd;
        float mean_dy = dbeta[c] / m;
        float mean_dyxhat = dgamma[c] / m;
        jdnn_chan_walk it = jdnn_chan_begin(N, C, HW, c, j0 + LOCAL_ID(0), LOCAL_SIZE(0));
        for (; it.j < jend; jdnn_chan_next(&it)) {
            float xhat = (x[it.at] - mean) * invstd;
            dx[it.at] = scale * (dy[it.at] - mean_dy - xhat * mean_dyxhat);
        }
    }
}
