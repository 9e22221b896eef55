/*
 * elementwise.cl: fill, axpby, activations forward and backward, dropout and the Philox random
 * fills.
 *
 * Launch geometry, every kernel here: 1-D, any local size, any number of groups; each work-item
 * walks its share of the range with GRID_STRIDE_LOOP (the Philox kernels walk blocks of four
 * elements, see each kernel). Sizes are i64: no limit but memory.
 *
 * In-place use: outputs may alias inputs (y == x, out == a or b, dx == dy or x), so no pointer
 * here is RESTRICT and each element is read before it is written by the same work-item.
 */

/* ------------------------------------------------------------------ fill, axpby */

/* out[i] = value for i < n. */
KERNEL void ew_fill(i64 n, float value, GLOBAL float *out) {
    GRID_STRIDE_LOOP(i, n) {
        out[i] = value;
    }
}

/* out[i] = alpha * a[i] + beta * b[i] for i < n; out may be a or b. */
KERNEL void ew_axpby(i64 n, float alpha, GLOBAL const float *a, float beta, GLOBAL const float *b,
                     GLOBAL float *out) {
    GRID_STRIDE_LOOP(i, n) {
        out[i] = alpha * a[i] + beta * b[i];
    }
}

/* ------------------------------------------------------------------ activations */

/* The activation kinds (EW_RELU ...), ew_softplus, ew_sigmoid2, ew_clamp and jdnn_activate, the forward
 * formulas, live in jdnn_portable.h: the convolutions apply them in their output store too. */

/*
 * y[i] = f(x[i]) for i < n, PyTorch's definitions (io.jdnn.Activation): relu max(x, 0) (NaN stays
 * NaN), leaky relu x > 0 ? x : alpha*x, elu x <= 0 ? alpha*expm1(x) : x, sigmoid 1/(1+exp(-x)),
 * tanh, relu6 clamp(x, 0, 6), hardsigmoid clamp(x+3, 0, 6)/6, hardswish x*clamp(x+3, 0, 6)/6,
 * silu x/(1+exp(-x)), mish x*tanh(softplus(x)), gelu x/2*(1+erf(x/sqrt 2)) evaluated as
 * x/2*erfc(-x/sqrt 2) (no cancellation for x < 0), gelu tanh x/2*(1+tanh(u)) with
 * u = sqrt(2/pi)*(x+0.044715x^3), evaluated as x*ew_sigmoid2(u), softplus (z = alpha*x) x where z > threshold, else
 * softplus(z)/alpha. alpha is the slope (leaky relu), alpha (elu) or beta (softplus), threshold
 * softplus's; unused otherwise. Softplus is evaluated without overflow (ew_softplus). y may be x.
 * Launch: 1-D grid-stride, any geometry.
 */
KERNEL void ew_activation_forward(i64 n, int kind, float alpha, float threshold, GLOBAL const float *x,
                                  GLOBAL float *y) {
    GRID_STRIDE_LOOP(i, n) {
        y[i] = jdnn_activate(kind, alpha, threshold, x[i]);
    }
}

/*
 * dx[i] = f'(x[i]) * dy[i] for i < n, from the input x (not the output): relu and leaky relu take
 * the negative branch at 0 (gradient 0 and slope), elu alpha*exp(x) for x <= 0, sigmoid s*(1-s),
 * tanh 1-t^2. The last two are evaluated as e/(1+e)^2 with e = exp(-|x|) and 4e/(1+e)^2 with
 * e = exp(-2|x|): the same values without the cancellation of 1-s or 1-t^2 where the function
 * saturates, so the tiny gradient there keeps its relative accuracy. The second set at PyTorch's
 * kinks: relu6 1 strictly inside (0, 6) else 0; hardsigmoid 1/6 strictly inside (-3, 3) else 0;
 * hardswish 0 below -3, x/3 + 1/2 on [-3, 3), 1 from 3 on; silu s*(1 + x*(1-s)); mish
 * t + x*s*(1-t^2) with t = tanh(softplus(x)); gelu Phi(x) + x*phi(x) (Phi through erfc); gelu tanh
 * (1+t)/2 + x/2*(1-t^2)*sqrt(2/pi)*(1+3*0.044715x^2) with t = tanh(u), through ew_sigmoid2; softplus sigmoid(alpha*x), 1 where
 * alpha*x > threshold (s = sigmoid(x)). dx may be x or dy. Launch: 1-D grid-stride, any geometry.
 */
KERNEL void ew_activation_backward(i64 n, int kind, float alpha, float threshold, GLOBAL const float *x,
                                   GLOBAL const float *dy, GLOBAL float *dx) {
    GRID_STRIDE_LOOP(i, n) {
        float v = x[i];
        float g = dy[i];
        float r;
        if (kind == EW_RELU) {
            r = v <= 0.0f ? 0.0f : g;
        } else if (kind == EW_LEAKY_RELU) {
            r = v > 0.0f ? g : g * alpha;
        } else if (kind == EW_ELU) {
            r = v <= 0.0f ? g * alpha * EXPF(v) : g;
        } else if (kind == EW_SIGMOID) {
            float e = EXPF(-FABSF(v));
            float d = 1.0f + e;
            r = g * (e / (d * d));
        } else if (kind == EW_TANH) {
            float e = EXPF(-2.0f * FABSF(v));
            float d = 1.0f + e;
            r = g * (4.0f * e / (d * d));
        } else if (kind == EW_RELU6) {
            r = (v > 0.0f && v < 6.0f) ? g : 0.0f;
        } else if (kind == EW_HARDSIGMOID) {
            r = (v > -3.0f && v < 3.0f) ? g * (1.0f / 6.0f) : 0.0f;
        } else if (kind == EW_HARDSWISH) {
            r = v >= 3.0f ? g : (v < -3.0f ? 0.0f : g * (v / 3.0f + 0.5f));
        } else if (kind == EW_SILU) {
            float s = 1.0f / (1.0f + EXPF(-v));
            r = g * s * (1.0f + v * (1.0f / (1.0f + EXPF(v)))); /* 1 - s, without its cancellation */
        } else if (kind == EW_MISH) {
            /* t = tanh(sp), sp = softplus(x) >= 0; for x >= 0 (sp >= log 2) t and 1 - t^2 come from
               e = exp(-2 sp) as (1 - e)/(1 + e) and 4e/(1 + e)^2, so x * (1 - t^2) keeps its accuracy
               where t rounds to 1 (and a few-ulp tanh would leave 1 - t^2 = 1e-7, times x) */
            float sp = ew_softplus(v);
            float t, omt2;
            if (v < 0.0f) {
                t = TANHF(sp);
                omt2 = 1.0f - t * t;
            } else {
                float e = EXPF(-2.0f * sp);
                float d = 1.0f + e;
                t = (1.0f - e) / d;
                omt2 = 4.0f * e / (d * d);
            }
            float s = 1.0f / (1.0f + EXPF(-v));
            r = g * (t + v * s * omt2);
        } else if (kind == EW_GELU) {
            float cdf = 0.5f * ERFCF(-v * EW_SQRT_HALF);
            r = g * (cdf + v * EW_INV_SQRT_2PI * EXPF(-0.5f * v * v));
        } else if (kind == EW_GELU_TANH) {
            float u = EW_TANH_BETA * (v + EW_TANH_KAPPA * v * v * v);
            float s = ew_sigmoid2(u, 0);
            float slope = EW_TANH_BETA * (1.0f + 3.0f * EW_TANH_KAPPA * v * v);
            r = g * (s + 2.0f * v * s * ew_sigmoid2(u, 1) * slope);
        } else {
            float z = alpha * v;
            r = z > threshold ? g : g / (1.0f + EXPF(-z));
        }
        dx[i] = r;
    }
}

/* ------------------------------------------------------------------ Philox4x32-10 */

typedef struct {
    u32 w0, w1, w2, w3;
} ew_philox_words;

/*
 * Philox4x32-10 (Random123's philox4x32_R with R = 10) of counter (c0, c1, c2, c3) under key
 * (k0, k1): the same rounds, constants and word order as io.jdnn.Philox.block.
 */
DEVICE_FN ew_philox_words ew_philox4x32_10(u32 c0, u32 c1, u32 c2, u32 c3, u32 k0, u32 k1) {
    for (int round = 0; round < 10; round++) {
        u32 hi0 = MUL_HI_U32(0xD2511F53u, c0);
        u32 lo0 = 0xD2511F53u * c0;
        u32 hi1 = MUL_HI_U32(0xCD9E8D57u, c2);
        u32 lo1 = 0xCD9E8D57u * c2;
        u32 n0 = hi1 ^ c1 ^ k0;
        u32 n2 = hi0 ^ c3 ^ k1;
        c0 = n0;
        c1 = lo1;
        c2 = n2;
        c3 = lo0;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    ew_philox_words r;
    r.w0 = c0;
    r.w1 = c1;
    r.w2 = c2;
    r.w3 = c3;
    return r;
}

/* Word j (0..3) of a block. */
DEVICE_FN u32 ew_philox_word(ew_philox_words b, int j) {
    return j == 0 ? b.w0 : j == 1 ? b.w1 : j == 2 ? b.w2 : b.w3;
}

/*
 * Dropout, either direction: out[i] = keep(i) ? in[i] * scale : 0 for i < n, where keep(i) is
 * top24(word i%4 of the uniform-stream block i/4) >= threshold (Philox.dropoutThreshold(p)) and
 * scale = 1/(1-p). The key is the seed (lo, hi), the counter's upper half the offset (lo, hi).
 * Each work-item handles whole blocks of four elements (grid-stride over ceil(n/4) blocks).
 * out may be in.
 */
KERNEL void ew_dropout(i64 n, u32 threshold, float scale, u32 seed_lo, u32 seed_hi, u32 offset_lo, u32 offset_hi,
                       GLOBAL const float *in, GLOBAL float *out) {
    i64 blocks = (n + 3) / 4;
    GRID_STRIDE_LOOP(b, blocks) {
        ew_philox_words words = ew_philox4x32_10((u32)b, (u32)((u64)b >> 32), offset_lo, offset_hi, seed_lo, seed_hi);
        for (int j = 0; j < 4; j++) {
            i64 i = 4 * b + j;
            if (i < n) {
                int keep = (ew_philox_word(words, j) >> 8) >= threshold;
                out[i] = keep ? in[i] * scale : 0.0f;
            }
        }
    }
}

/*
 * out[i] = lo + range * u_i, u_i = top24(word i%4 of block i/4) * 2^-24 (Philox.uniform), for
 * i < n; range = hi - lo rounded once on the host. Grid-stride over ceil(n/4) blocks.
 */
KERNEL void ew_random_uniform(i64 n, float lo, float range, u32 seed_lo, u32 seed_hi, u32 offset_lo, u32 offset_hi,
                              GLOBAL float *out) {
    i64 blocks = (n + 3) / 4;
    GRID_STRIDE_LOOP(b, blocks) {
        ew_philox_words words = ew_philox4x32_10((u32)b, (u32)((u64)b >> 32), offset_lo, offset_hi, seed_lo, seed_hi);
        for (int j = 0; j < 4; j++) {
            i64 i = 4 * b + j;
            if (i < n) {
                float u = (float)(ew_philox_word(words, j) >> 8) * (1.0f / 16777216.0f);
                out[i] = lo + range * u;
            }
        }
    }
}

/*
 * out[i] = mean + std * z_i for i < n, z_i the Box-Muller value of Philox.normal: words 0 and 1
 * of the block at counter (lo(i), hi(i), offset): u1 = (top24(w0) + 1) * 2^-24 in (0, 1],
 * u2 = top24(w1) * 2^-24, z = sqrt(-2 ln u1) cos(2 pi u2), the cosine as cospi(2 u2) so that
 * its argument is exact. One block per element, grid-stride over n.
 */
KERNEL void ew_random_normal(i64 n, float mean, float stddev, u32 seed_lo, u32 seed_hi, u32 offset_lo, u32 offset_hi,
                             GLOBAL float *out) {
    GRID_STRIDE_LOOP(i, n) {
        ew_philox_words words = ew_philox4x32_10((u32)i, (u32)((u64)i >> 32), offset_lo, offset_hi, seed_lo, seed_hi);
        float u1 = (float)((words.w0 >> 8) + 1u) * (1.0f / 16777216.0f);
        float u2 = (float)(words.w1 >> 8) * (1.0f / 16777216.0f);
        float z = SQRTF(-2.0f * LOGF(u1)) * COSPIF(2.0f * u2);
        out[i] = mean + stddev * z;
    }
}
