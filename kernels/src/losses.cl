/*
 * losses.cl: the mean-reduced losses: the negative log-likelihood of log-probabilities against
 * class labels, and the element-wise losses of io.jdnn.Loss (MSE, L1, smooth L1, binary
 * cross-entropy with logits). Log-softmax is in softmax.cl, beside softmax.
 *
 * Launch geometry:
 *   loss_ew_chunks, loss_nll_chunks: 1-D, work-groups of exactly LOSS_WG work-items, any number
 *     of groups; the values (elements, or rows for nll) are cut into chunks of `chunk` values
 *     (chunk k holds [k*chunk, min((k+1)*chunk, n))), group g takes chunks g, g + NUM_GROUPS(0), ...
 *     and writes each chunk's sum of loss terms to partial[k].
 *   loss_mean: 1-D, one work-group of exactly LOSS_WG work-items: loss[0] = sum of the partials / n.
 *   loss_nll_grad: 1-D, any local size and number of groups (grid-stride over rows * cols).
 * LOSS_WG is a power of two, the size of the local reduction array.
 * Limits: any number of elements (i64 offsets); rows and cols below 2^31.
 *
 * Deterministic: each work-item sums its strided share of a chunk in float32 in index
 * order, then a tree in local memory (jdnn_group_sum) whose pairing depends only on LOSS_WG; the
 * chunk size is fixed per call and the partials are added by one group the same way.
 */
#ifndef LOSS_WG
#define LOSS_WG 256
#endif
#ifndef LOSS_ITEMS
#define LOSS_ITEMS 8 /* values per work-item and chunk: the host passes chunk = LOSS_WG * LOSS_ITEMS */
#endif

/* The element-wise loss kinds of loss_ew_chunks (the host maps io.jdnn.Loss.Kind to these: Losses.kindCode). */
#define LOSS_KIND_MSE 0
#define LOSS_KIND_L1 1
#define LOSS_KIND_SMOOTH_L1 2
#define LOSS_KIND_BCE_WITH_LOGITS 3

/*
 * One element of an element-wise loss: returns the loss term of x against t and stores its
 * derivative in *grad (see io.jdnn.Loss): MSE d^2, 2d; L1 |d|, sign(d) (0 at d == 0); SMOOTH_L1
 * 0.5 d^2 / beta, d / beta where |d| < beta, else |d| - 0.5 beta, sign(d); BCE_WITH_LOGITS
 * max(x, 0) - x t + log1p(exp(-|x|)), sigmoid(x) - t. d = x - t.
 */
DEVICE_FN float loss_term(int kind, float beta, float x, float t, float *grad) {
    float d = x - t;
    if (kind == LOSS_KIND_MSE) {
        *grad = 2.0f * d;
        return d * d;
    }
    if (kind == LOSS_KIND_BCE_WITH_LOGITS) {
        float e = EXPF(-FABSF(x));
        float sigmoid = x >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
        *grad = sigmoid - t;
        return FMAXF(x, 0.0f) - x * t + LOG1PF(e);
    }
    float a = FABSF(d);
    if (kind == LOSS_KIND_SMOOTH_L1 && a < beta) {
        *grad = d / beta;
        return 0.5f * d * d / beta;
    }
    *grad = d > 0.0f ? 1.0f : (d < 0.0f ? -1.0f : 0.0f);
    return kind == LOSS_KIND_SMOOTH_L1 ? a - 0.5f * beta : a;
}

/*
 * Element-wise loss `kind` (LOSS_KIND_*) over n elements: dx[i] = loss'(x[i], t[i]) / n and
 * partial[k] = sum of the loss terms of chunk k.
 */
KERNEL void loss_ew_chunks(int kind, i64 n, i64 chunk, float beta, float inv_n, GLOBAL const float *RESTRICT x,
                           GLOBAL const float *RESTRICT target, GLOBAL float *RESTRICT dx,
                           GLOBAL float *RESTRICT partial) {
    LOCAL_ARRAY(float, red, LOSS_WG);
    i64 chunks = (n + chunk - 1) / chunk;
    for (i64 k = GROUP_ID(0); k < chunks; k += NUM_GROUPS(0)) {
        i64 end = (k + 1) * chunk < n ? (k + 1) * chunk : n;
        float part = 0.0f;
        for (i64 i = k * chunk + LOCAL_ID(0); i < end; i += LOSS_WG) {
            float grad;
            part += loss_term(kind, beta, x[i], target[i], &grad);
            dx[i] = grad * inv_n;
        }
        float total = jdnn_group_sum(red, part);
        if (LOCAL_ID(0) == 0) {
            partial[k] = total;
        }
    }
}

/* partial[k] = -sum of x[r][labels[r]] over the rows r of chunk k. */
KERNEL void loss_nll_chunks(int rows, int cols, i64 chunk, GLOBAL const int *RESTRICT labels,
                            GLOBAL const float *RESTRICT x, GLOBAL float *RESTRICT partial) {
    LOCAL_ARRAY(float, red, LOSS_WG);
    i64 chunks = ((i64)rows + chunk - 1) / chunk;
    for (i64 k = GROUP_ID(0); k < chunks; k += NUM_GROUPS(0)) {
        i64 end = (k + 1) * chunk < rows ? (k + 1) * chunk : rows;
        float part = 0.0f;
        for (i64 r = k * chunk + LOCAL_ID(0); r < end; r += LOSS_WG) {
            part -= x[r * cols + labels[r]];
        }
        float total = jdnn_group_sum(red, part);
        if (LOCAL_ID(0) == 0) {
            partial[k] = total;
        }
    }
}

/* dx[r][j] = g (= -1/rows) where j == labels[r], else 0. */
KERNEL void loss_nll_grad(int rows, int cols, float g, GLOBAL const int *RESTRICT labels, GLOBAL float *RESTRICT dx) {
    GRID_STRIDE_LOOP(e, (i64)rows * cols) {
        i64 r = e / cols;
        dx[e] = (int)(e - r * cols) == labels[r] ? g : 0.0f;
    }
}

/* loss[0] = sum over k < parts of partial[k], divided by n, by one work-group. */
KERNEL void loss_mean(i64 parts, i64 n, GLOBAL const float *RESTRICT partial, GLOBAL float *RESTRICT loss) {
    LOCAL_ARRAY(float, red, LOSS_WG);
    float part = 0.0f;
    for (i64 k = LOCAL_ID(0); k < parts; k += LOSS_WG) {
        part += partial[k];
    }
    float total = jdnn_group_sum(red, part);
    if (LOCAL_ID(0) == 0) {
        loss[0] = total / (float)n;
    }
}
