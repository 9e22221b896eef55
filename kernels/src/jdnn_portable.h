/*
 * jdnn_portable.h: the small dialect every kernel under kernels/src is written in, so that one
 * source compiles as OpenCL C 1.2 (at run time, by the OpenCL driver; the host prepends
 * "#define JDNN_OPENCL 1" and problem or tile constants as -D defines) and as CUDA C++ (at build
 * time, by nvcc, which defines __CUDACC__).
 *
 * Launch model, the same on both: a 1-, 2- or 3-D grid of work-groups (CUDA blocks) of
 * LOCAL_SIZE(d) work-items (threads). GLOBAL_ID(d) = GROUP_ID(d) * LOCAL_SIZE(d) + LOCAL_ID(d).
 * Host code gives the global size as a multiple of the local size on OpenCL, and as the
 * number of groups times the local size on CUDA; kernels guard every access against the
 * problem's real extents.
 *
 * Index with i64 wherever a tensor can exceed 2^31 elements.
 */
#ifndef JDNN_PORTABLE_H
#define JDNN_PORTABLE_H

#if defined(__OPENCL_VERSION__)
/* ------------------------------------------------------------------ OpenCL C */
#define KERNEL __kernel
#define GLOBAL __global
#define CONSTANT __constant
#define LOCAL_ARRAY(type, name, count) __local type name[count]
#define LOCAL_VAR(type, name) __local type name
#define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
#define GLOBAL_BARRIER() barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE)
#define GLOBAL_ID(d) ((i64)get_global_id(d))
#define LOCAL_ID(d) ((int)get_local_id(d))
#define GROUP_ID(d) ((i64)get_group_id(d))
#define LOCAL_SIZE(d) ((int)get_local_size(d))
#define NUM_GROUPS(d) ((i64)get_num_groups(d))
#define RESTRICT restrict
#define DEVICE_FN inline
typedef long i64;
typedef ulong u64;
typedef uint u32;
#define MUL_HI_U32(a, b) mul_hi((uint)(a), (uint)(b))
#define EXPF(x) exp(x)
#define LOGF(x) log(x)
#define SQRTF(x) sqrt(x)
#define TANHF(x) tanh(x)
#define COSF(x) cos(x)
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

#elif defined(__CUDACC__)
/* ------------------------------------------------------------------ CUDA C++ */
#define KERNEL extern "C" __global__
#define GLOBAL
#define CONSTANT
#define LOCAL_ARRAY(type, name, count) __shared__ type name[count]
#define LOCAL_VAR(type, name) __shared__ type name
#define BARRIER() __syncthreads()
#define GLOBAL_BARRIER() __syncthreads()
#define GLOBAL_ID(d) ((i64)jdnn_group_id(d) * jdnn_local_size(d) + jdnn_local_id(d))
#define LOCAL_ID(d) ((int)jdnn_local_id(d))
#define GROUP_ID(d) ((i64)jdnn_group_id(d))
#define LOCAL_SIZE(d) ((int)jdnn_local_size(d))
#define NUM_GROUPS(d) ((i64)jdnn_num_groups(d))
#define RESTRICT __restrict__
#define DEVICE_FN __device__ __forceinline__
typedef long long i64;
typedef unsigned long long u64;
typedef unsigned int u32;
__device__ __forceinline__ unsigned jdnn_local_id(int d) { return d == 0 ? threadIdx.x : d == 1 ? threadIdx.y : threadIdx.z; }
__device__ __forceinline__ unsigned jdnn_group_id(int d) { return d == 0 ? blockIdx.x : d == 1 ? blockIdx.y : blockIdx.z; }
__device__ __forceinline__ unsigned jdnn_local_size(int d) { return d == 0 ? blockDim.x : d == 1 ? blockDim.y : blockDim.z; }
__device__ __forceinline__ unsigned jdnn_num_groups(int d) { return d == 0 ? gridDim.x : d == 1 ? gridDim.y : gridDim.z; }
#define MUL_HI_U32(a, b) __umulhi((unsigned)(a), (unsigned)(b))
#define EXPF(x) expf(x)
#define LOGF(x) logf(x)
#define SQRTF(x) sqrtf(x)
#define TANHF(x) tanhf(x)
#define COSF(x) cosf(x)
#define FABSF(x) fabsf(x)
#define FMAXF(a, b) fmaxf(a, b)
#define FMINF(a, b) fminf(a, b)
#define ISNAN(x) isnan(x)
#define INFINITY_F __int_as_float(0x7f800000)
#define ATOMIC_ADD_F(p, v) atomicAdd((p), (v))

#else
#error "jdnn_portable.h: compile as OpenCL C (__OPENCL_VERSION__) or with nvcc (__CUDACC__)"
#endif

#endif /* JDNN_PORTABLE_H */
