/*
 * reduce.cl: per-channel sums (every bias gradient: convolution, linear).
 *
 * Launch geometry: 1-D, work-groups of exactly REDUCE_WG work-items, any number of groups (the
 * host launches min(C, cap)); group g handles channels g, g + NUM_GROUPS(0), ... REDUCE_WG is a
 * power of two, the size of the local reduction array.
 *
 * Deterministic: each work-item sums its strided share in float32, then a tree in local memory
 * adds the shares in an order that depends only on REDUCE_WG.
 */
#ifndef REDUCE_WG
#define REDUCE_WG 256
#endif

/* out[c] = sum over n < N and i < inner of x[(n*C + c)*inner + i], for each channel c. */
KERNEL void reduce_channel_sum(int N, int C, i64 inner, GLOBAL const float *RESTRICT x, GLOBAL float *RESTRICT out) {
    LOCAL_ARRAY(float, red, REDUCE_WG);
    for (int c = (int)GROUP_ID(0); c < C; c += (int)NUM_GROUPS(0)) {
        float part = 0.0f;
        jdnn_chan_walk it = jdnn_chan_begin(N, C, inner, c, LOCAL_ID(0), REDUCE_WG);
        for (; jdnn_chan_more(&it); jdnn_chan_next(&it)) {
            part += x[it.at];
        }
        float total = jdnn_group_sum(red, part);
        if (LOCAL_ID(0) == 0) {
            out[c] = total;
        }
    }
}
