/*
 * resample.cl: resampling and padding of NCHW float32 tensors: pixel shuffle and unshuffle, pad
 * (constant, reflect, replicate; F.pad of the last two dimensions) and pad's backward. See
 * io.jdnn.Device#pixelShuffle and io.jdnn.Device#pad.
 *
 * Launch geometry, every kernel here: 1-D, any local size, any number of groups; each work-item
 * walks its share of the range with GRID_STRIDE_LOOP. Element counts are i64; extents (planes
 * N*C, heights, widths) are int and below 2^31 (the problem records check them).
 *
 * Pad's backward is a gather, not a scatter: each input cell sums dy over the output cells that
 * read it (rs_reader), rows then columns in ascending output order; no atomics, deterministic.
 */

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
        int ow = (int)(i % OW);
        i64 rest = i / OW;
        int oh = (int)(rest % OH);
        i64 plane = rest / OH;
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
        int iw = (int)(i % W);
        i64 rest = i / W;
        int ih = (int)(rest % H);
        i64 plane = rest / H;
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
