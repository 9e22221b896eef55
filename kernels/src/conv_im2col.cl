/*
 * conv_im2col.cl: the data movement of the IM2COL_GEMM convolution algorithm (its GEMMs are
 * gemm.cl's gemm_f32). NCHW float32, groups G, stride (sh, sw), padding (ph, pw), dilation
 * (dh, dw); image side x/dx (N, C, H, W), response side y/dy (N, K, P, Q) with P, Q as given,
 * weight (K, C/G, R, S); image row ih = p*sh - ph + r*dh, column iw = q*sw - pw + s*dw. Every
 * kernel here takes that shape first (CONV_SHAPE_PARAMS of jdnn_portable.h), then the chunk of
 * images n0, nb.
 *
 * The column matrix of images n0 .. n0+nb-1: row (c, r, s) = (c*R + r)*S + s < C*R*S (so group g's
 * rows are the contiguous block [g*C/G*R*S, (g+1)*C/G*R*S)), column (n, p, q). Element
 * (row, n, p*Q + q) lives at col[n*img_stride + row*row_stride + p*Q + q]: with
 * row_stride = P*Q, img_stride = C*R*S*P*Q each image's columns form its own matrix (forward,
 * backward-data: GEMMs batched over the images); with row_stride = nb*P*Q, img_stride = P*Q the
 * images sit side by side in one matrix (backward-filter: one GEMM reduces over n, p, q).
 *
 * Launch geometry, every kernel here: 1-D, any local size and number of groups; grid-stride over
 * the elements written (stated at each kernel). Limits: extents < 2^31, tensors of any size.
 * Deterministic: gathers only, no atomics.
 */

/* col(row, n, p, q) = x[n0 + n][c][ih][iw], 0 where the tap falls outside the image.
 * Grid-stride over nb*C*R*S*P*Q, q fastest (consecutive work-items write consecutive columns). */
KERNEL void im2col_unfold(CONV_SHAPE_PARAMS, int n0, int nb, i64 row_stride, i64 img_stride,
                          GLOBAL const float *RESTRICT x, GLOBAL float *RESTRICT col) {
    i64 PQ = (i64)P * Q;
    i64 rows = (i64)C * R * S;
    i64 total = (i64)nb * rows * PQ;
    GRID_STRIDE_LOOP(e, total) {
        i64 pq = e % PQ;
        i64 t = e / PQ;
        i64 row = t % rows;
        int n = (int)(t / rows);
        int p = (int)(pq / Q);
        int q = (int)(pq - (i64)p * Q);
        int s = (int)(row % S);
        int r = (int)((row / S) % R);
        int c = (int)(row / ((i64)R * S));
        int ih = p * sh - ph + r * dh;
        int iw = q * sw - pw + s * dw;
        float v = 0.0f;
        if ((u32)ih < (u32)H && (u32)iw < (u32)W) {
            v = x[(((i64)(n0 + n) * C + c) * H + ih) * W + iw];
        }
        col[(i64)n * img_stride + row * row_stride + pq] = v;
    }
}

/* col2im as a gather: dx[n0 + n][c][ih][iw] = bias[c] (if has_bias) + sum, in (r, s) order, over the
 * taps with ih + ph - r*dh = oh*sh, iw + pw - s*dw = ow*sw, 0 <= oh < P, 0 <= ow < Q, of
 * col(row (c, r, s), n, oh, ow). Grid-stride over nb*C*H*W (consecutive work-items, consecutive iw). */
KERNEL void im2col_fold(CONV_SHAPE_PARAMS, int n0, int nb, i64 row_stride, i64 img_stride, int has_bias,
                        GLOBAL const float *RESTRICT col, GLOBAL const float *RESTRICT bias,
                        GLOBAL float *RESTRICT dx) {
    i64 total = (i64)nb * C * H * W;
    GRID_STRIDE_LOOP(e, total) {
        int iw = (int)(e % W);
        int ih = (int)((e / W) % H);
        int c = (int)((e / ((i64)W * H)) % C);
        int n = (int)(e / ((i64)W * H * C));
        GLOBAL const float *cn = col + (i64)n * img_stride;
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
                i64 row = ((i64)c * R + r) * S + s;
                acc += cn[row * row_stride + (i64)oh * Q + u / sw];
            }
        }
        if (has_bias) {
            acc += bias[c];
        }
        dx[(i64)n0 * C * H * W + e] = acc;
    }
}

/* The response of images n0 .. n0+nb-1 regrouped by channel, the backward-filter GEMM's A operand:
 * out[k*nb*P*Q + n*P*Q + pq] = dy[n0 + n][k][pq]. Grid-stride over nb*K*P*Q, pq fastest. */
KERNEL void im2col_pack_response(CONV_SHAPE_PARAMS, int n0, int nb, GLOBAL const float *RESTRICT dy,
                                 GLOBAL float *RESTRICT out) {
    i64 PQ = (i64)P * Q;
    i64 total = (i64)nb * K * PQ;
    GRID_STRIDE_LOOP(e, total) {
        i64 pq = e % PQ;
        i64 t = e / PQ;
        int k = (int)(t % K);
        int n = (int)(t / K);
        out[((i64)k * nb + n) * PQ + pq] = dy[(i64)n0 * K * PQ + e];
    }
}
