/*
 * jdnn_portable.h: the small dialect every kernel under kernels/src is written in, so that one
 * source compiles as OpenCL C 1.2 (at run time, by the OpenCL driver; the host prepends
 * "#define JDNN_OPENCL 1" and tuning constants as -D defines; problem sizes are kernel arguments)
 * and as CUDA C++ (at build time, by nvcc, which defines __CUDACC__).
 *
 * Launch model, the same on both: a 1-, 2- or 3-D grid of work-groups (CUDA blocks) of
 * LOCAL_SIZE(d) work-items (threads). GLOBAL_ID(d) = GROUP_ID(d) * LOCAL_SIZE(d) + LOCAL_ID(d).
 * Host code gives the global size as a multiple of the local size on OpenCL, and as the
 * number of groups times the local size on CUDA; kernels guard every access against the
 * problem's real extents.
 *
 * Index with i64 wherever a tensor can exceed 2^31 elements. Element-wise kernels walk their
 * range with a grid-stride loop (GRID_STRIDE_LOOP), so the host may cap the number of groups.
 *
 * Rules for kernel sources (they must compile as both languages):
 *   - only the macros and types below, no vector types, no OpenCL-only built-ins (get_global_id,
 *     select, address-space casts) and no CUDA-only ones (threadIdx, __shfl*);
 *   - local (shared) arrays are declared at kernel scope with LOCAL_ARRAY; a helper that works on
 *     one takes a LOCAL pointer;
 *   - every kernel name and helper name is unique across all sources (prefix it by its family),
 *     so that the CUDA build may link them into one module;
 *   - tuning constants are "#ifndef X / #define X default" so OpenCL can override them with -D;
 *     CUDA runs the defaults and only the other sets a source declares, one a line inside a
 *     comment, as "@variant NAME X=value ..." (built into the fatbin with kernel names suffixed
 *     _NAME: kernels/cuda/build-fatbin.sh);
 *   - no OpenCL C keywords or type names as identifiers (half, image2d_t, sampler_t, ...);
 *   - parameters are int, u32, i64, u64, float or GLOBAL pointers, and the host names each
 *     argument as the kernel names the parameter (io.jdnn.kernels.KernelLaunch.arg(name, value):
 *     names, kinds and order are checked against the list io.jdnn.kernels.KernelSources reads
 *     from the source before every launch); a convolution kernel's list starts with
 *     CONV_SHAPE_PARAMS (below). A parameter-list macro is object-like and stands for whole
 *     parameters; KernelSources expands those of this header and of the kernel's own source;
 *   - UNROLL before a loop of a compile-time trip count whose index selects elements of a
 *     private array (a register tile acc[i][j]): unrolled, the array stays in registers; left to
 *     the compiler's heuristics, a large tile's loop may not be, and the array goes to (slow)
 *     local/stack memory.
 */
#ifndef JDNN_PORTABLE_H
#define JDNN_PORTABLE_H

#if defined(JDNN_OPENCL) || defined(__OPENCL_VERSION__) || defined(__OPENCL_C_VERSION__)
/* ------------------------------------------------------------------ OpenCL C */
#define KERNEL __kernel
#define GLOBAL __global
#define CONSTANT __constant
#define LOCAL __local
#define LOCAL_ARRAY(type, name, count) __local type name[count]
#define LOCAL_VAR(type, name) __local type name
#define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
#define GLOBAL_BARRIER() barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE)
#define GLOBAL_ID(d) ((i64)get_global_id(d))
#define GLOBAL_SIZE(d) ((i64)get_global_size(d))
#define LOCAL_ID(d) ((int)get_local_id(d))
#define GROUP_ID(d) ((i64)get_group_id(d))
#define LOCAL_SIZE(d) ((int)get_local_size(d))
#define NUM_GROUPS(d) ((i64)get_num_groups(d))
#define RESTRICT restrict
#define DEVICE_FN inline
#define UNROLL _Pragma("unroll")
typedef long i64;
typedef ulong u64;
typedef uint u32;
#define MUL_HI_U32(a, b) mul_hi((uint)(a), (uint)(b))
#define EXPF(x) exp(x)
#define EXPM1F(x) expm1(x)
#define LOG1PF(x) log1p(x)
#define LOGF(x) log(x)
#define SQRTF(x) sqrt(x)
#define TANHF(x) tanh(x)
#define ERFCF(x) erfc(x)
#define COSF(x) cos(x)
#define COSPIF(x) cospi(x)
#define FABSF(x) fabs(x)
#define FMAXF(a, b) fmax(a, b)
#define FMINF(a, b) fmin(a, b)
#define ISNAN(x) isnan(x)
#define INFINITY_F INFINITY

/* Float atomic add through compare-and-swap (OpenCL 1.2 has none). Not deterministic in order. */
DEVICE_FN void atomic_add_f(volatile GLOBAL float *p, float v) {
    union { uint u; float f; } oldv, newv;
    do {
        oldv.f = *p;
        newv.f = oldv.f + v;
    } while (atomic_cmpxchg((volatile GLOBAL uint *)p, oldv.u, newv.u) != oldv.u);
}
#define ATOMIC_ADD_F(p, v) atomic_add_f((p), (v))
/* Integer atomic maximum on a GLOBAL int (OpenCL 1.1 core): its result does not depend on the order. */
#define ATOMIC_MAX_I(p, v) atomic_max((p), (v))

#elif defined(__CUDACC__) || defined(JDNN_CUDA_SIM)
/* ------------------------------------------------------------------ CUDA C++ (or, for tests, its CPU
 * emulation: kernels/cuda/src/test/sim/cuda_sim.h) */
#define KERNEL extern "C" __global__
#define GLOBAL
#define CONSTANT
#define LOCAL
#define LOCAL_ARRAY(type, name, count) __shared__ type name[count]
#define LOCAL_VAR(type, name) __shared__ type name
#define BARRIER() __syncthreads()
#define GLOBAL_BARRIER() __syncthreads()
#define GLOBAL_ID(d) ((i64)jdnn_group_id(d) * jdnn_local_size(d) + jdnn_local_id(d))
#define GLOBAL_SIZE(d) ((i64)jdnn_num_groups(d) * jdnn_local_size(d))
#define LOCAL_ID(d) ((int)jdnn_local_id(d))
#define GROUP_ID(d) ((i64)jdnn_group_id(d))
#define LOCAL_SIZE(d) ((int)jdnn_local_size(d))
#define NUM_GROUPS(d) ((i64)jdnn_num_groups(d))
#define RESTRICT __restrict__
#define DEVICE_FN __device__ __forceinline__
#define UNROLL _Pragma("unroll")
typedef long long i64;
typedef unsigned long long u64;
typedef unsigned int u32;
__device__ __forceinline__ unsigned jdnn_local_id(int d) { return d == 0 ? threadIdx.x : d == 1 ? threadIdx.y : threadIdx.z; }
__device__ __forceinline__ unsigned jdnn_group_id(int d) { return d == 0 ? blockIdx.x : d == 1 ? blockIdx.y : blockIdx.z; }
__device__ __forceinline__ unsigned jdnn_local_size(int d) { return d == 0 ? blockDim.x : d == 1 ? blockDim.y : blockDim.z; }
__device__ __forceinline__ unsigned jdnn_num_groups(int d) { return d == 0 ? gridDim.x : d == 1 ? gridDim.y : gridDim.z; }
#define MUL_HI_U32(a, b) __umulhi((unsigned)(a), (unsigned)(b))
#define EXPF(x) expf(x)
#define EXPM1F(x) expm1f(x)
#define LOG1PF(x) log1pf(x)
#define LOGF(x) logf(x)
#define SQRTF(x) sqrtf(x)
#define TANHF(x) tanhf(x)
#define ERFCF(x) erfcf(x)
#define COSF(x) cosf(x)
#define COSPIF(x) cospif(x)
#define FABSF(x) fabsf(x)
#define FMAXF(a, b) fmaxf(a, b)
#define FMINF(a, b) fminf(a, b)
#define ISNAN(x) isnan(x)
#define INFINITY_F __int_as_float(0x7f800000)
#define ATOMIC_ADD_F(p, v) atomicAdd((p), (v))
#define ATOMIC_MAX_I(p, v) atomicMax((p), (v))

#else
#error "jdnn_portable.h: compile as OpenCL C (JDNN_OPENCL or __OPENCL_VERSION__ defined) or with nvcc (__CUDACC__)"
#endif

/* ------------------------------------------------------------------ shared helpers (both languages) */

/* A loop over [0, n) that each work-item enters at GLOBAL_ID(0) and leaves in steps of the grid's
 * total size: correct for any number of groups, so the host may cap it. */
#define GRID_STRIDE_LOOP(i, n) for (i64 i = GLOBAL_ID(0); i < (n); i += GLOBAL_SIZE(0))

/*
 * The shape of a convolution (io.jdnn.DirectConv), the parameters every convolution kernel starts
 * with, declared once: batch N; image side x/dx (N, C, H, W); response side y/dy (N, K, P, Q),
 * P and Q as given (a transposed problem's output padding can make them differ from the formula);
 * weight (K, C/G, R, S); stride (sh, sw), padding (ph, pw), dilation (dh, dw), groups G. Image row
 * ih = p*sh - ph + r*dh, column iw = q*sw - pw + s*dw. The host fills them in one place
 * (io.jdnn.kernels.KernelLaunch.convShape, by name) and io.jdnn.kernels.KernelSources expands this
 * macro when it reads a kernel's parameters; a kernel that needs only some of them takes them all.
 */
#define CONV_SHAPE_PARAMS int N, int C, int H, int W, int K, int P, int Q, int R, int S, int sh, int sw, int ph, \
                          int pw, int dh, int dw, int G

DEVICE_FN int jdnn_imin(int a, int b) { return a < b ? a : b; }
DEVICE_FN int jdnn_imax(int a, int b) { return a > b ? a : b; }

/* floor(a / b) and ceil(a / b) for b > 0 and any sign of a (C division truncates toward zero);
 * no intermediate sum, so a stride of 2^31 - 1 does not overflow. */
DEVICE_FN int jdnn_div_floor(int a, int b) { int q = a / b; return (a % b != 0 && a < 0) ? q - 1 : q; }
DEVICE_FN int jdnn_div_ceil(int a, int b) { int q = a / b; return (a % b != 0 && a > 0) ? q + 1 : q; }

/*
 * A work-item's walk over the elements of one channel c of an (N, C, inner) tensor: the elements
 * j = first, first + step, ... < N*inner of the channel in (n, i) order, j = n*inner + i, at
 * offset (n*C + c)*inner + i. Division happens once, at the start; each step carries (n, i).
 *
 *   jdnn_chan_walk it = jdnn_chan_begin(N, C, inner, c, LOCAL_ID(0), LOCAL_SIZE(0));
 *   for (; jdnn_chan_more(&it); jdnn_chan_next(&it)) { ... x[it.at] ... }
 */
typedef struct {
    i64 j, count;        /* position in the channel, N*inner */
    i64 n, i;            /* j = n*inner + i */
    i64 dn, di;          /* step = dn*inner + di */
    i64 inner, C, c;
    i64 at;              /* (n*C + c)*inner + i */
} jdnn_chan_walk;

DEVICE_FN jdnn_chan_walk jdnn_chan_begin(int N, int C, i64 inner, int c, i64 first, i64 step) {
    jdnn_chan_walk it;
    it.j = first;
    it.count = (i64)N * inner;
    it.n = first / inner;
    it.i = first % inner;
    it.dn = step / inner;
    it.di = step % inner;
    it.inner = inner;
    it.C = C;
    it.c = c;
    it.at = (it.n * C + c) * inner + it.i;
    return it;
}

DEVICE_FN int jdnn_chan_more(const jdnn_chan_walk *it) {
    return it->j < it->count;
}

DEVICE_FN void jdnn_chan_next(jdnn_chan_walk *it) {
    it->j += it->dn * it->inner + it->di;
    it->i += it->di;
    it->n += it->dn;
    if (it->i >= it->inner) {
        it->i -= it->inner;
        it->n += 1;
    }
    it->at = (it->n * it->C + it->c) * it->inner + it->i;
}

/*
 * Tile b of a walk over planes cut into tilesR x tilesC tiles, column fastest (b = (plane*tilesR +
 * tr)*tilesC + tc): returns the plane and sets the tile's row *tr and column *tc.
 */
DEVICE_FN i64 jdnn_tile_of(i64 b, int tilesR, int tilesC, int *tr, int *tc) {
    *tc = (int)(b % tilesC);
    *tr = (int)((b / tilesC) % tilesR);
    return b / ((i64)tilesC * tilesR);
}

/*
 * Tree sum over one 1-D work-group: every work-item passes its value and receives the group's
 * total. s has LOCAL_SIZE(0) slots; LOCAL_SIZE(0) must be a power of two. Deterministic: the
 * pairing depends on the work-group size only. Every work-item of the group must call it.
 */
DEVICE_FN float jdnn_group_sum(LOCAL float *s, float v) {
    int lid = LOCAL_ID(0);
    s[lid] = v;
    BARRIER();
    for (int width = LOCAL_SIZE(0) / 2; width > 0; width >>= 1) {
        if (lid < width) {
            s[lid] += s[lid + width];
        }
        BARRIER();
    }
    float total = s[0];
    BARRIER(); /* s may be reused by the caller right after */
    return total;
}

/* As jdnn_group_sum, for the maximum (FMAXF: a NaN loses unless every value is NaN). */
DEVICE_FN float jdnn_group_max(LOCAL float *s, float v) {
    int lid = LOCAL_ID(0);
    s[lid] = v;
    BARRIER();
    for (int width = LOCAL_SIZE(0) / 2; width > 0; width >>= 1) {
        if (lid < width) {
            s[lid] = FMAXF(s[lid], s[lid + width]);
        }
        BARRIER();
    }
    float m = s[0];
    BARRIER();
    return m;
}

/* ------------------------------------------------------------------ activations */

/* Activation kinds; the host passes Activation.Kind through this numbering. */
#define EW_RELU 0
#define EW_LEAKY_RELU 1
#define EW_ELU 2
#define EW_SIGMOID 3
#define EW_TANH 4
#define EW_RELU6 5
#define EW_HARDSWISH 6
#define EW_HARDSIGMOID 7
#define EW_SILU 8
#define EW_MISH 9
#define EW_GELU 10
#define EW_GELU_TANH 11
#define EW_SOFTPLUS 12

#define EW_SQRT_HALF 0.70710678118654752f  /* 1/sqrt(2), GELU's erf argument scale */
#define EW_INV_SQRT_2PI 0.39894228040143268f /* 1/sqrt(2*pi), the normal density's scale */
#define EW_TANH_BETA 0.79788456080286536f  /* sqrt(2/pi), GELU_TANH's inner scale */
#define EW_TANH_KAPPA 0.044715f

/* log(1 + exp(z)) as max(z, 0) + log1p(exp(-|z|)): no overflow for large z. */
DEVICE_FN float ew_softplus(float z) {
    return FMAXF(z, 0.0f) + LOG1PF(EXPF(-FABSF(z)));
}

/*
 * (1 + tanh(u)) / 2 = 1 / (1 + exp(-2u)), or with `complement` (1 - tanh(u)) / 2, from e = exp(-2|u|):
 * no cancellation where tanh saturates, so (1 + t)/2 and (1 - t^2)/4 = ((1 + t)/2) * ((1 - t)/2)
 * keep their relative accuracy in GELU_TANH's tails.
 */
DEVICE_FN float ew_sigmoid2(float u, int complement) {
    float e = EXPF(-2.0f * FABSF(u));
    float big = 1.0f / (1.0f + e);
    float small = e / (1.0f + e);
    return (u >= 0.0f) != (complement != 0) ? big : small;
}

/* min(max(v, lo), hi), NaN stays NaN (fmin and fmax would drop it). */
DEVICE_FN float ew_clamp(float v, float lo, float hi) {
    return ISNAN(v) ? v : FMINF(FMAXF(v, lo), hi);
}


/*
 * f(v) of activation `kind` (the EW_ numbering), PyTorch's definitions as ew_activation_forward
 * documents them (elementwise.cl): the one float32 definition, used by the activation kernel and by
 * the convolutions' fused epilogues (conv_direct_forward, igemm_forward).
 */
DEVICE_FN float jdnn_activate(int kind, float alpha, float threshold, float v) {
    if (kind == EW_RELU) {
        return (v > 0.0f || ISNAN(v)) ? v : 0.0f;
    } else if (kind == EW_LEAKY_RELU) {
        return v > 0.0f ? v : alpha * v;
    } else if (kind == EW_ELU) {
        return v <= 0.0f ? alpha * EXPM1F(v) : v;
    } else if (kind == EW_SIGMOID) {
        return 1.0f / (1.0f + EXPF(-v));
    } else if (kind == EW_TANH) {
        return TANHF(v);
    } else if (kind == EW_RELU6) {
        return ew_clamp(v, 0.0f, 6.0f);
    } else if (kind == EW_HARDSIGMOID) {
        return ew_clamp(v + 3.0f, 0.0f, 6.0f) / 6.0f;
    } else if (kind == EW_HARDSWISH) {
        return v * ew_clamp(v + 3.0f, 0.0f, 6.0f) / 6.0f;
    } else if (kind == EW_SILU) {
        return v / (1.0f + EXPF(-v));
    } else if (kind == EW_MISH) {
        return v * TANHF(ew_softplus(v));
    } else if (kind == EW_GELU) {
        return 0.5f * v * ERFCF(-v * EW_SQRT_HALF);
    } else if (kind == EW_GELU_TANH) {
        return v * ew_sigmoid2(EW_TANH_BETA * (v + EW_TANH_KAPPA * v * v * v), 0);
    } else {
        float z = alpha * v;
        return z > threshold ? v : ew_softplus(z) / alpha;
    }
}

#endif /* JDNN_PORTABLE_H */
