/*
 * tensor.cl: the tensor ops: copies of row blocks (cat and its backward, split), permute, and
 * the broadcasting binary arithmetic (add, sub, mul, div, maximum, minimum) with its gradients.
 *
 * Launch geometry, every kernel here: 1-D, any local size, any number of groups; each work-item
 * walks its share of the range with GRID_STRIDE_LOOP. Sizes are i64.
 *
 * Shapes of any rank up to TN_MAX_RANK (the host checks it: BroadcastProblem.MAX_RANK) arrive as
 * an int array `meta` the host writes before the launch (layouts at each kernel); element strides
 * are computed here in i64, so no tensor size limit but memory.
 */

#define TN_MAX_RANK 8

/* Binary op codes; the host maps io.jdnn.BinaryOp onto this numbering. */
#define TN_ADD 0
#define TN_SUB 1
#define TN_MUL 2
#define TN_DIV 3
#define TN_MAXIMUM 4
#define TN_MINIMUM 5

/* ------------------------------------------------------------------ cat and split */

/*
 * dst[o * dst_row + dst_off + k] = src[o * src_row + src_off + k] for o < outer, k < run: one
 * input of cat (src the input, dst the output) or one output of split (the other way round).
 * Launch: n = outer * run work items' worth of elements.
 */
KERNEL void tn_copy_rows(i64 outer, i64 run, i64 src_row, i64 src_off, i64 dst_row, i64 dst_off,
                         GLOBAL const float *RESTRICT src, GLOBAL float *RESTRICT dst) {
    GRID_STRIDE_LOOP(i, outer * run) {
        i64 o = i / run;
        i64 k = i - o * run;
        dst[o * dst_row + dst_off + k] = src[o * src_row + src_off + k];
    }
}

/* ------------------------------------------------------------------ permute */

/* Row-major element strides of extents dims[0..rank) into stride[]. */
DEVICE_FN void tn_strides(int rank, GLOBAL const int *dims, i64 *stride) {
    i64 s = 1;
    for (int d = rank - 1; d >= 0; d--) {
        stride[d] = s;
        s *= dims[d];
    }
}

/*
 * y[i] = x[the input element whose dimension perm[d] has the output's coordinate d], for
 * i < n (output elements, row-major). meta: in_dims[rank], perm[rank]; output extent d is
 * in_dims[perm[d]]. y must not be x.
 */
KERNEL void tn_permute(i64 n, int rank, GLOBAL const int *RESTRICT meta, GLOBAL const float *RESTRICT x,
                       GLOBAL float *RESTRICT y) {
    i64 in_stride[TN_MAX_RANK];
    tn_strides(rank, meta, in_stride);
    GRID_STRIDE_LOOP(i, n) {
        i64 rest = i;
        i64 src = 0;
        for (int d = rank - 1; d >= 0; d--) {
            int p = meta[rank + d];
            i64 extent = meta[p];
            i64 c = rest % extent;
            rest /= extent;
            src += c * in_stride[p];
        }
        y[i] = x[src];
    }
}

/* ------------------------------------------------------------------ broadcasting arithmetic */

/* Strides of an input of padded extents dims[0..rank) seen from the output: 0 where the extent is 1. */
DEVICE_FN void tn_broadcast_strides(int rank, GLOBAL const int *dims, i64 *stride) {
    i64 s = 1;
    for (int d = rank - 1; d >= 0; d--) {
        stride[d] = dims[d] == 1 ? 0 : s;
        s *= dims[d];
    }
}

/* op(a, b); maximum and minimum return NaN when either input is NaN. */
DEVICE_FN float tn_apply(int op, float a, float b) {
    if (op == TN_ADD) {
        return a + b;
    } else if (op == TN_SUB) {
        return a - b;
    } else if (op == TN_MUL) {
        return a * b;
    } else if (op == TN_DIV) {
        return a / b;
    } else if (ISNAN(a) || ISNAN(b)) {
        return a + b;
    } else if (op == TN_MAXIMUM) {
        return FMAXF(a, b);
    }
    return FMINF(a, b);
}

/*
 * g times the derivative of op(a, b) by a (of_a != 0) or by b; maximum and minimum split a tie
 * evenly and pass g to both inputs where one is NaN (torch 1.13's maximum/minimum backward).
 */
DEVICE_FN float tn_grad(int op, int of_a, float a, float b, float g) {
    if (op == TN_ADD) {
        return g;
    } else if (op == TN_SUB) {
        return of_a ? g : -g;
    } else if (op == TN_MUL) {
        return of_a ? g * b : g * a;
    } else if (op == TN_DIV) {
        return of_a ? g / b : -g * (a / b) / b;
    } else if (a == b) {
        return 0.5f * g;
    }
    /* maximum: a gets g unless a < b; minimum: unless a > b (and b the other way round) */
    int a_loses = op == TN_MAXIMUM ? a < b : a > b;
    int b_loses = op == TN_MAXIMUM ? a > b : a < b;
    return (of_a ? a_loses : b_loses) ? 0.0f : g;
}

/*
 * y[i] = op(a[i's coordinates, 0 where a is broadcast], b[likewise]) for i < n (output
 * elements). meta: out_dims[rank], a_dims[rank], b_dims[rank] (a and b padded with leading 1s).
 * y may be a or b where that input has the output's shape.
 */
KERNEL void tn_binary_forward(i64 n, int rank, int op, GLOBAL const int *RESTRICT meta, GLOBAL const float *a,
                              GLOBAL const float *b, GLOBAL float *y) {
    i64 sa[TN_MAX_RANK];
    i64 sb[TN_MAX_RANK];
    tn_broadcast_strides(rank, meta + rank, sa);
    tn_broadcast_strides(rank, meta + 2 * rank, sb);
    GRID_STRIDE_LOOP(i, n) {
        i64 rest = i;
        i64 ia = 0;
        i64 ib = 0;
        for (int d = rank - 1; d >= 0; d--) {
            i64 extent = meta[d];
            i64 c = rest % extent;
            rest /= extent;
            ia += c * sa[d];
            ib += c * sb[d];
        }
        y[i] = tn_apply(op, a[ia], b[ib]);
    }
}

/*
 * One input's gradient (a's when of_a != 0, else b's), cut into chunks: element j of the input is
 * read by `count` output positions (j's coordinates in the dimensions the input keeps, every
 * coordinate in those where it is broadcast, taken row-major among them: ascending output order);
 * work item i = c * n + j sums tn_grad over positions [c * chunk, min((c + 1) * chunk, count)) of
 * element j into partial[i], in order. With chunks == 1 partial is the gradient itself; otherwise
 * the host adds each element's chunks in chunk order (reduce.cl's reduce_sum_splits): deterministic.
 * n = the input's elements; meta as tn_binary_forward. partial must not be a, b or dy.
 */
KERNEL void tn_binary_grad(i64 n, int rank, int op, int of_a, i64 chunk, i64 chunks, GLOBAL const int *RESTRICT meta,
                           GLOBAL const float *RESTRICT a, GLOBAL const float *RESTRICT b,
                           GLOBAL const float *RESTRICT dy, GLOBAL float *RESTRICT partial) {
    i64 so[TN_MAX_RANK];
    i64 sa[TN_MAX_RANK];
    i64 sb[TN_MAX_RANK];
    tn_strides(rank, meta, so);
    tn_broadcast_strides(rank, meta + rank, sa);
    tn_broadcast_strides(rank, meta + 2 * rank, sb);
    GLOBAL const int *own = meta + (of_a ? rank : 2 * rank);
    i64 count = 1; /* output positions per gradient element */
    for (int d = 0; d < rank; d++) {
        if (own[d] == 1) {
            count *= meta[d];
        }
    }
    GRID_STRIDE_LOOP(i, n * chunks) {
        i64 c = i / n;
        i64 j = i - c * n;
        /* the offsets of j's own coordinates */
        i64 rest = j;
        i64 base_o = 0;
        i64 base_a = 0;
        i64 base_b = 0;
        for (int d = rank - 1; d >= 0; d--) {
            i64 extent = own[d];
            i64 coord = rest % extent;
            rest /= extent;
            base_o += coord * so[d];
            base_a += coord * sa[d];
            base_b += coord * sb[d];
        }
        i64 end = (c + 1) * chunk < count ? (c + 1) * chunk : count;
        float sum = 0.0f;
        for (i64 k = c * chunk; k < end; k++) {
            /* k's coordinates in the broadcast dimensions */
            i64 r = k;
            i64 io = base_o;
            i64 ia = base_a;
            i64 ib = base_b;
            for (int d = rank - 1; d >= 0; d--) {
                if (own[d] == 1) {
                    i64 extent = meta[d];
                    i64 coord = r % extent;
                    r /= extent;
                    io += coord * so[d];
                    ia += coord * sa[d];
                    ib += coord * sb[d];
                }
            }
            sum += tn_grad(op, of_a, a[ia], b[ib], dy[io]);
        }
        partial[i] = sum;
    }
}
