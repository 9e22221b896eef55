/*
 * resample.cl: resampling and padding of NCHW float32 tensors: interpolate (nearest, bilinear;
 * F.interpolate with size) and its backward, pixel shuffle and unshuffle, pad (constant, reflect,
 * replicate; F.pad of the last two dimensions) and pad's backward. See io.jdnn.Device#interpolate,
 * io.jdnn.Device#pixelShuffle and io.jdnn.Device#pad.
 *
 * Launch geometry, every kernel here: 1-D, any local size, any number of groups; each work-item
 * walks its share of the range with GRID_STRIDE_LOOP. Element counts are i64; extents (planes
 * N*C, heights, widths) are int and below 2^31 (the problem records check them).
 *
 * Pad's backward is a gather, not a scatter: each input cell sums dy over the output cells that
 * read it (rs_reader), rows then columns in ascending output order; no atomics, deterministic.
 * Interpolate's backward is a gather the same way (rs_interp_readers).
 */

/* Splits flat index i of a (planes, H, W) tensor into its row *h and column *w; returns the plane. */
DEVICE_FN i64 rs_split(i64 i, int H, int W, int *h, int *w) {
    *w = (int)(i % W);
    i64 rest = i / W;
    *h = (int)(rest % H);
    return rest / H;
}

/* Interpolation modes; the host maps io.jdnn.InterpolateProblem.Mode onto this numbering. */
#define RS_NEAREST 0
#define RS_BILINEAR 1

/*
 * Output index o's sources along a dimension of `in` cells: i0 and i1 with weights w0 and w1
 * (nearest: i1 = i0, w1 = 0), in float32 as PyTorch computes them. scale comes from the host
 * (correctly rounded): nearest in/out; bilinear in/out, or with ac (align_corners)
 * (in-1)/(out-1) (0 for out = 1). Nearest: min((int)(o * scale), in - 1); bilinear: source
 * o * scale (ac) or max((o + 0.5) * scale - 0.5, 0), i0 its floor, i1 = min(i0 + 1, in - 1).
 */
DEVICE_FN void rs_interp_tap(int mode, int ac, float scale, int o, int in, int *i0, int *i1, float *w0, float *w1) {
    if (mode == RS_NEAREST) {
        int s = (int)((float)o * scale);
        *i0 = s < in - 1 ? s : in - 1;
        *i1 = *i0;
        *w0 = 1.0f;
        *w1 = 0.0f;
        return;
    }
    float real = ac ? (float)o * scale : ((float)o + 0.5f) * scale - 0.5f;
    if (real < 0.0f) {
        real = 0.0f;
    }
    int s = (int)real;
    *i0 = s;
    *i1 = s < in - 1 ? s + 1 : s;
    *w1 = real - (float)s;
    *w0 = 1.0f - *w1;
}

/*
 * y (planes, OH, OW) = x (planes, H, W) resized: y[p][oh][ow] = wr0 * (wc0 * x[r0][c0] + wc1 *
 * x[r0][c1]) + wr1 * (wc0 * x[r1][c0] + wc1 * x[r1][c1]) with the taps of oh and ow (nearest:
 * x[r0][c0]). n = planes * OH * OW. y must not be x.
 */
KERNEL void rs_interp_forward(i64 n, int mode, int ac, int H, int W, int OH, int OW, float scaleH, float scaleW,
                              GLOBAL const float *RESTRICT x, GLOBAL float *RESTRICT y) {
    GRID_STRIDE_LOOP(i, n) {
        int ow, oh;
        i64 plane = rs_split(i, OH, OW, &oh, &ow);
        int r0, r1, c0, c1;
        float wr0, wr1, wc0, wc1;
        rs_interp_tap(mode, ac, scaleH, oh, H, &r0, &r1, &wr0, &wr1);
        rs_interp_tap(mode, ac, scaleW, ow, W, &c0, &c1, &wc0, &wc1);
        GLOBAL const float *a = x + (plane * H + r0) * W;
        if (mode == RS_NEAREST) {
            y[i] = a[c0];
        } else {
            GLOBAL const float *b = x + (plane * H + r1) * W;
            float top = wc0 * a[c0] + wc1 * a[c1];
            float bottom = wc0 * b[c0] + wc1 * b[c1];
            y[i] = wr0 * top + wr1 * bottom;
        }
    }
}

/*
 * The output indices that read input index i (tap i0 or i1 equal to i) are one range [lo, hi]
 * (empty: hi < lo), as i0 and i1 never decrease with o and differ by at most 1; found by binary
 * search over the taps.
 */
DEVICE_FN void rs_interp_readers(int mode, int ac, float scale, int i, int in, int out, int *lo, int *hi) {
    int i0, i1;
    float w0, w1;
    int a = 0;
    int b = out;
    while (a < b) { /* first o with i1(o) >= i */
        int m = a + (b - a) / 2;
        rs_interp_tap(mode, ac, scale, m, in, &i0, &i1, &w0, &w1);
        if (i1 >= i) {
            b = m;
        } else {
            a = m + 1;
        }
    }
    *lo = a;
    b = out;
    while (a < b) { /* first o with i0(o) > i */
        int m = a + (b - a) / 2;
        rs_interp_tap(mode, ac, scale, m, in, &i0, &i1, &w0, &w1);
        if (i0 > i) {
            b = m;
        } else {
            a = m + 1;
        }
    }
    *hi = a - 1;
}

/* The weight with which output index o reads input index i (the sum of its taps at i). */
DEVICE_FN float rs_interp_weight(int mode, int ac, float scale, int o, int in, int i) {
    int i0, i1;
    float w0, w1;
    rs_interp_tap(mode, ac, scale, o, in, &i0, &i1, &w0, &w1);
    return (i0 == i ? w0 : 0.0f) + (i1 == i ? w1 : 0.0f);
}

/*
 * dx[p][ih][iw] = sum over the reader rows oh of ih, ascending, of wr * (sum over the reader
 * columns ow of iw, ascending, of wc * dy[p][oh][ow]): the adjoint of rs_interp_forward as a
 * gather. n = planes * H * W. dx must not be dy.
 */
KERNEL void rs_interp_backward(i64 n, int mode, int ac, int H, int W, int OH, int OW, float scaleH, float scaleW,
                               GLOBAL const float *RESTRICT dy, GLOBAL float *RESTRICT dx) {
    GRID_STRIDE_LOOP(i, n) {
        int iw, ih;
        i64 plane = rs_split(i, H, W, &ih, &iw);
        int rlo, rhi, clo, chi;
        rs_interp_readers(mode, ac, scaleH, ih, H, OH, &rlo, &rhi);
        rs_interp_readers(mode, ac, scaleW, iw, W, OW, &clo, &chi);
        float sum = 0.0f;
        for (int oh = rlo; oh <= rhi; oh++) {
            GLOBAL const float *row = dy + (plane * OH + oh) * OW;
            float inner = 0.0f;
            for (int ow = clo; ow <= chi; ow++) {
                inner += rs_interp_weight(mode, ac, scaleW, ow, W, iw) * row[ow];
            }
            sum += rs_interp_weight(mode, ac, scaleH, oh, H, ih) * inner;
        }
        dx[i] = sum;
    }
}

/* Pad modes; the host maps io.jdnn.PadProblem.Mode onto this numbering. */
#define RS_CONSTANT 0
#define RS_REFLECT 1
#define RS_REPLICATE 2

/*
 * y[n][c][oh][ow] = x[n][c*r*r + (oh%r)*r + ow%r][oh/r][ow/r] (shuffle, unshuffle = 0) with
 * y (N, C/r², H*r, W*r), or the inverse map (unshuffle = 1) with y (N, C*r², H/r, W/r); C, H, W
 * are x's. n = elements of y. y must not be x.
 */
KERNEL void rs_pixel_shuffle(i64 n, int C, int H, int W, int r, int unshuffle, GLOBAL const float *RESTRICT x,
                             GLOBAL float *RESTRICT y) {
    int OC = unshuffle ? C * r * r : C / (r * r);
    int OH = unshuffle ? H / r : H * r;
    int OW = unshuffle ? W / r : W * r;
    GRID_STRIDE_LOOP(i, n) {
        int ow = (int)(i % OW);
        i64 rest = i / OW;
        int oh = (int)(rest % OH);
        rest /= OH;
        int oc = (int)(rest % OC);
        i64 nb = rest / OC;
        i64 src;
        if (unshuffle) {
            int k = oc % (r * r);
            src = ((nb * C + oc / (r * r)) * H + (i64)oh * r + k / r) * W + (i64)ow * r + k % r;
        } else {
            src = ((nb * C + (i64)oc * r * r + (oh % r) * r + ow % r) * H + oh / r) * W + ow / r;
        }
        y[i] = x[src];
    }
}

/* The input index that output index o reads (the dimension padded by `before` in front, `extent` long); -1: border. */
DEVICE_FN int rs_source(int mode, int o, int before, int extent) {
    int i = o - before;
    if (mode == RS_REFLECT) {
        return i < 0 ? -i : (i >= extent ? 2 * (extent - 1) - i : i);
    }
    if (mode == RS_REPLICATE) {
        return i < 0 ? 0 : (i >= extent ? extent - 1 : i);
    }
    return (i >= 0 && i < extent) ? i : -1;
}

/*
 * y (planes, OH, OW) = x (planes, H, W) padded: y[p][oh][ow] = x[p][rs_source(oh)][rs_source(ow)],
 * or value where either is -1. n = planes * OH * OW. y must not be x.
 */
KERNEL void rs_pad_forward(i64 n, int mode, int H, int W, int OH, int OW, int top, int left, float value,
                           GLOBAL const float *RESTRICT x, GLOBAL float *RESTRICT y) {
    GRID_STRIDE_LOOP(i, n) {
        int ow, oh;
        i64 plane = rs_split(i, OH, OW, &oh, &ow);
        int sr = rs_source(mode, oh, top, H);
        int sc = rs_source(mode, ow, left, W);
        y[i] = (sr < 0 || sc < 0) ? value : x[(plane * H + sr) * W + sc];
    }
}

/*
 * The output indices that read input index i, ascending, are a left mirror (reflect), a range
 * [lo, hi] (one index, or the replicated edge), and a right mirror (reflect); rs_reader_count
 * counts them and rs_reader returns the k-th.
 */
DEVICE_FN void rs_readers(int mode, int i, int before, int extent, int out, int *m1, int *lo, int *hi, int *m2) {
    *m1 = -1;
    *m2 = -1;
    *lo = i + before;
    *hi = i + before;
    if (mode == RS_CONSTANT) {
        if (*lo < 0 || *lo >= out) {
            *lo = 0;
            *hi = -1;
        }
    } else if (mode == RS_REPLICATE) {
        if (i == 0) {
            *lo = 0;
        }
        if (i == extent - 1) {
            *hi = out - 1;
        }
    } else {
        if (i >= 1 && i <= before) {
            *m1 = before - i;
        }
        if (i <= extent - 2 && before + 2 * (extent - 1) - i <= out - 1) {
            *m2 = before + 2 * (extent - 1) - i;
        }
    }
}

DEVICE_FN int rs_reader_count(int m1, int lo, int hi, int m2) {
    return (m1 >= 0 ? 1 : 0) + (hi >= lo ? hi - lo + 1 : 0) + (m2 >= 0 ? 1 : 0);
}

DEVICE_FN int rs_reader(int k, int m1, int lo, int hi, int m2) {
    if (m1 >= 0) {
        if (k == 0) {
            return m1;
        }
        k--;
    }
    int range = hi >= lo ? hi - lo + 1 : 0;
    return k < range ? lo + k : m2;
}

/*
 * dx[p][ih][iw] = sum of dy[p][oh][ow] over the output cells (oh, ow) that read (ih, iw), reader
 * rows then reader columns in ascending order (0 where none does). n = planes * H * W. dx must
 * not be dy.
 */
KERNEL void rs_pad_backward(i64 n, int mode, int H, int W, int OH, int OW, int top, int left,
                            GLOBAL const float *RESTRICT dy, GLOBAL float *RESTRICT dx) {
    GRID_STRIDE_LOOP(i, n) {
        int iw, ih;
        i64 plane = rs_split(i, H, W, &ih, &iw);
        int r1, rlo, rhi, r2;
        int c1, clo, chi, c2;
        rs_readers(mode, ih, top, H, OH, &r1, &rlo, &rhi, &r2);
        rs_readers(mode, iw, left, W, OW, &c1, &clo, &chi, &c2);
        int nr = rs_reader_count(r1, rlo, rhi, r2);
        int nc = rs_reader_count(c1, clo, chi, c2);
        float sum = 0.0f;
        for (int a = 0; a < nr; a++) {
            GLOBAL const float *row = dy + (plane * OH + rs_reader(a, r1, rlo, rhi, r2)) * OW;
            for (int b = 0; b < nc; b++) {
                sum += row[rs_reader(b, c1, clo, chi, c2)];
            }
        }
        dx[i] = sum;
    }
}
