/*
 * prelu.cl: PReLU (PyTorch's F.prelu) over float32 x viewed as (N, C, inner), element (n, c, i) at
 * (n*C + c)*inner + i, with one slope per channel (a shared slope arrives as C = 1 over
 * inner = all but the batch dimension). See io.jdnn.Device#prelu.
 *
 *   forward   prelu_forward                                           (reads x, writes y)
 *   backward  prelu_chunk_wsum -> reduce.cl's reduce_combine -> prelu_backward_data
 *             (dweight first: dx may be x or dy)
 *
 * The weight gradient cuts each channel's M = N*inner values (in (n, i) order, as batchnorm.cl and
 * reduce.cl) into chunks of `chunk` values: pair b = c*chunks + k is chunk k of channel c.
 * prelu_chunk_wsum sums each pair (a per-work-item loop in a fixed order, then jdnn_group_sum's
 * tree), and reduce_combine adds a channel's pairs the same way (with one chunk per channel the
 * host passes dweight as the partial array and skips it): deterministic for a given chunk and
 * work-group size, with no atomics.
 *
 * Launch geometry: prelu_forward and prelu_backward_data: 1-D grid-stride, any geometry.
 * prelu_chunk_wsum: 1-D, groups of exactly PRELU_WG work-items (a power of two, the size of its
 * local reduction array), any number of groups (pairs b = GROUP_ID(0), GROUP_ID(0) + NUM_GROUPS(0), ...).
 * Limits: tensors of any size (i64 offsets), N and C below 2^31.
 */
#ifndef PRELU_WG
#define PRELU_WG 256
#endif
#ifndef PRELU_ITEMS
#define PRELU_ITEMS 8 /* values per work-item and pair: chunk = PRELU_WG * PRELU_ITEMS (the host reads it) */
#endif

/* y[j] = x > 0 ? x : weight[c] * x for j < n, c = (j / inner) % C (NaN stays NaN). y may be x. */
KERNEL void prelu_forward(i64 n, int C, i64 inner, GLOBAL const float *x, GLOBAL const float *weight,
                          GLOBAL float *y) {
    GRID_STRIDE_LOOP(j, n) {
        float v = x[j];
        y[j] = v > 0.0f ? v : weight[(j / inner) % C] * v;
    }
}

/*
 * partial[b] = the sum over pair b's values of (x > 0 ? 0 : x * dy): the pair's share of
 * dweight[c].
 */
KERNEL void prelu_chunk_wsum(int N, int C, i64 inner, i64 chunks, i64 chunk, GLOBAL const float *RESTRICT x,
                             GLOBAL const float *RESTRICT dy, GLOBAL float *RESTRICT partial) {
    LOCAL_ARRAY(float, red, PRELU_WG);
    int lid = LOCAL_ID(0);
    i64 M = (i64)N * inner;
    i64 pairs = (i64)C * chunks;
    for (i64 b = GROUP_ID(0); b < pairs; b += NUM_GROUPS(0)) {
        int c = (int)(b / chunks);
        i64 j0 = (b - (i64)c * chunks) * chunk;
        i64 jend = j0 + chunk < M ? j0 + chunk : M;
        float part = 0.0f;
        jdnn_chan_walk it = jdnn_chan_begin(N, C, inner, c, j0 + lid, PRELU_WG);
        for (; it.j < jend; jdnn_chan_next(&it)) {
            float v = x[it.at];
            part += v > 0.0f ? 0.0f : v * dy[it.at];
        }
        float sum = jdnn_group_sum(red, part);
        if (lid == 0) {
            partial[b] = sum;
        }
    }
}

/* dx[j] = x > 0 ? dy : weight[c] * dy for j < n, c = (j / inner) % C. dx may be x or dy. */
KERNEL void prelu_backward_data(i64 n, int C, i64 inner, GLOBAL const float *x, GLOBAL const float *weight,
                                GLOBAL const float *dy, GLOBAL float *dx) {
    GRID_STRIDE_LOOP(j, n) {
        float g = dy[j];
        dx[j] = x[j] > 0.0f ? g : weight[(j / inner) % C] * g;
    }
}
