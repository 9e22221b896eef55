/*
 * reduce.cl: per-channel sums (every bias gradient: convolution, linear), out[c] = sum over n < N
 * and i < inner of x[(n*C + c)*inner + i]; and the sum of split partial results
 * (reduce_sum_splits, the second pass of every backward-filter that splits its reduction).
 *
 * As batchnorm.cl, the work is cut into (channel, chunk) pairs, so that a layer with few channels
 * still fills the device: chunk k of channel c is the values j in [k*chunk, min((k+1)*chunk, N*inner))
 * of the channel in (n, i) order, pair b = c*chunks + k. reduce_chunk_sums writes one partial sum
 * per pair; reduce_combine adds a channel's partial sums. With chunks == 1 the host passes out as
 * the partial array and skips the second kernel.
 *
 * Launch geometry: 1-D, work-groups of exactly REDUCE_WG work-items (a power of two, the size of
 * the local reduction array), any number of groups: reduce_chunk_sums takes pairs GROUP_ID(0),
 * GROUP_ID(0) + NUM_GROUPS(0), ..., reduce_combine channels likewise. reduce_sum_splits: 1-D, any
 * local size and number of groups, grid-stride over the elements of out. Tensors of any size.
 *
 * Deterministic: each work-item sums its strided share in float32, then a tree in local memory
 * adds the shares in an order that depends only on REDUCE_WG; the chunk size is fixed per call;
 * reduce_sum_splits adds each element's splits one after another, in split order.
 */
#ifndef REDUCE_WG
#define REDUCE_WG 256
#endif
#ifndef REDUCE_CHUNK
#define REDUCE_CHUNK 2048 /* values per (channel, chunk) pair: the host reads this default */
#endif

/* partial[c*chunks + k] = sum of chunk k of channel c. */
KERNEL void reduce_chunk_sums(int N, int C, i64 inner, i64 chunks, i64 chunk, GLOBAL const float *RESTRICT x,
                              GLOBAL float *RESTRICT partial) {
    LOCAL_ARRAY(float, red, REDUCE_WG);
    i64 M = (i64)N * inner;
    i64 pairs = (i64)C * chunks;
    for (i64 b = GROUP_ID(0); b < pairs; b += NUM_GROUPS(0)) {
        int c = (int)(b / chunks);
        i64 j0 = (b - (i64)c * chunks) * chunk;
        i64 jend = j0 + chunk < M ? j0 + chunk : M;
        float part = 0.0f;
        jdnn_chan_walk it = jdnn_chan_begin(N, C, inner, c, j0 + LOCAL_ID(0), REDUCE_WG);
        for (; it.j < jend; jdnn_chan_next(&it)) {
            part += x[it.at];
        }
        float total = jdnn_group_sum(red, part);
        if (LOCAL_ID(0) == 0) {
            partial[b] = total;
        }
    }
}

/* out[c] = sum over k < chunks of partial[c*chunks + k]. */
KERNEL void reduce_combine(int C, i64 chunks, GLOBAL const float *RESTRICT partial, GLOBAL float *RESTRICT out) {
    LOCAL_ARRAY(float, red, REDUCE_WG);
    for (int c = (int)GROUP_ID(0); c < C; c += (int)NUM_GROUPS(0)) {
        float part = 0.0f;
        for (i64 k = LOCAL_ID(0); k < chunks; k += REDUCE_WG) {
            part += partial[(i64)c * chunks + k];
        }
        float total = jdnn_group_sum(red, part);
        if (LOCAL_ID(0) == 0) {
            out[c] = total;
        }
    }
}

/*
 * out[e] = sum over sp < splits, in split order, of partial[sp*total + e], e < total: the second pass
 * of a backward-filter whose reduction was cut into splits (IMPLICIT_GEMM, DEPTHWISE, GROUPED,
 * TENSOR_CORE_*), each split's result a whole dw of total = K*C/G*R*S elements, split after split.
 */
KERNEL void reduce_sum_splits(i64 total, int splits, GLOBAL const float *RESTRICT partial,
                              GLOBAL float *RESTRICT out) {
    GRID_STRIDE_LOOP(e, total) {
        float s = partial[e];
        for (int sp = 1; sp < splits; sp++) {
            s += partial[(i64)sp * total + e];
        }
        out[e] = s;
    }
}
