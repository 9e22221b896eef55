/*
 * cuda_sim.h: just enough of CUDA to run jdnn's CUDA-only kernels (conv_tc_tf32.cu) and the portable
 * kernels they work with as plain C++ on the CPU, so that CI, which has no GPU, checks their index
 * arithmetic, tails, fragment layouts and epilogues against the float64 reference
 * (io.jdnn.cuda.TensorCoreSimTest). Not a performance model; nothing here is built into the library.
 *
 * Compiled with: g++ -std=c++20 -pthread -DJDNN_CUDA_SIM -include cuda_sim.h (jdnn_portable.h then
 * takes its CUDA branch, and conv_tc_tf32.cu its JDNN_CUDA_SIM helpers instead of inline PTX).
 *
 * Model: jdnn_sim_launch runs the grid's blocks one after another; a block's threads are OS threads
 * (threadIdx, blockIdx thread-local), __syncthreads is a barrier over them, __shared__ arrays are
 * function statics (one block at a time, so one copy suffices). Warp-level mma.sync is emulated by
 * jdnn_sim_mma_m16n8k8_tf32: the 32 lanes of a warp publish their fragments, meet at a warp barrier,
 * each computes its own accumulators from the whole tiles rebuilt with the PTX ISA's fragment
 * layout for m16n8k8 .tf32 (A row-major 16x8: a0 (g, t), a1 (g+8, t), a2 (g, t+4), a3 (g+8, t+4);
 * B column-major 8x8: b0 (t, g), b1 (t+4, g); C/D: c0, c1 (g, 2t + {0, 1}), c2, c3 (g+8, 2t + {0, 1});
 * g = lane / 4, t = lane % 4). Products are exact
 * float64 of the TF32 operands, summed in float32 in k order: the hardware's internal order and
 * precision differ, within the algorithm's error bound either way.
 * cvt.rna.tf32.f32 is rounding to 10 explicit mantissa bits, nearest, ties away from zero.
 * jdnn_sim_mma_m16n8k16_bf16 likewise emulates mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32,
 * whose .b32 fragment registers each hold two bf16, the lower-indexed element in bits 0-15 (PTX ISA,
 * "Matrix Fragments for mma.m16n8k16 with floating point type"): A row-major 16x16: a0 (g, 2t..2t+1),
 * a1 (g+8, 2t..2t+1), a2 (g, 2t+8..2t+9), a3 (g+8, 2t+8..2t+9); B 16x8: b0 (k 2t..2t+1, n g),
 * b1 (k 2t+8..2t+9, n g); C/D as for m16n8k8. The kernel rounds to BF16 itself (plain C, tc_to_bf16),
 * so nothing here needs to: a bf16 is the float whose upper 16 bits it is.
 */
#ifndef JDNN_CUDA_SIM_H
#define JDNN_CUDA_SIM_H

#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

/* CUDA's isnan is a global function (jdnn_portable.h's ISNAN); C++ has std::isnan. */
using std::isnan;

struct jdnn_sim_dim3 {
    unsigned x = 1, y = 1, z = 1;
};

inline thread_local jdnn_sim_dim3 threadIdx;
inline thread_local jdnn_sim_dim3 blockIdx;
inline jdnn_sim_dim3 blockDim;
inline jdnn_sim_dim3 gridDim;

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static

/* A warp's fragment exchange: two slots used in turn, so one barrier per mma suffices (a lane can
 * write the other slot while a slower one still reads this one, but cannot come back to this one
 * before every lane has passed the next mma's barrier, that is, has finished reading it). */
struct jdnn_sim_warp {
    std::barrier<> meet{32};
    uint32_t a[2][32][4];
    uint32_t b[2][32][2];
};

inline thread_local int jdnn_sim_mma_parity;

inline std::barrier<> *jdnn_sim_block_barrier;
inline std::vector<std::unique_ptr<jdnn_sim_warp>> jdnn_sim_warps;

/* The CUDA intrinsics the portable kernels use (jdnn_portable.h's CUDA branch). */
inline unsigned __umulhi(unsigned a, unsigned b) {
    return (unsigned)(((uint64_t)a * b) >> 32);
}

inline void __syncthreads() {
    jdnn_sim_block_barrier->arrive_and_wait();
}

inline int jdnn_sim_linear_tid() {
    return (int)(threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z));
}

inline float jdnn_sim_float(uint32_t bits) {
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

/* __float_as_uint. */
inline unsigned jdnn_sim_float_bits(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    return bits;
}

/* cvt.rna.tf32.f32: the float's bit pattern rounded to 10 explicit mantissa bits (nearest, ties away
 * from zero: add half an ulp of the result to the magnitude, then truncate). */
inline unsigned jdnn_sim_cvt_rna_tf32(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    if ((bits & 0x7f800000u) == 0x7f800000u) {
        return bits; /* inf, NaN: as they are */
    }
    return (bits + 0x1000u) & 0xffffe000u;
}

/* The calling lane's part of a warp-level mma: publishes its A (4 registers) and B (2) fragments and
 * waits for the whole warp; returns the slot that now holds every lane's fragments. */
inline int jdnn_sim_mma_exchange(jdnn_sim_warp &w, int lane, const unsigned *a, const unsigned *b) {
    int slot = jdnn_sim_mma_parity;
    jdnn_sim_mma_parity ^= 1;
    std::memcpy(w.a[slot][lane], a, sizeof w.a[slot][lane]);
    std::memcpy(w.b[slot][lane], b, sizeof w.b[slot][lane]);
    w.meet.arrive_and_wait();
    return slot;
}

/* mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 d, a, b, d on the calling thread's warp. */
inline void jdnn_sim_mma_m16n8k8_tf32(float *d, const unsigned *a, const unsigned *b) {
    int tid = jdnn_sim_linear_tid();
    jdnn_sim_warp &w = *jdnn_sim_warps[tid / 32];
    int lane = tid % 32;
    int slot = jdnn_sim_mma_exchange(w, lane, a, b);
    float A[16][8];
    float B[8][8];
    for (int l = 0; l < 32; l++) {
        int g = l / 4, t = l % 4;
        A[g][t] = jdnn_sim_float(w.a[slot][l][0]);
        A[g + 8][t] = jdnn_sim_float(w.a[slot][l][1]);
        A[g][t + 4] = jdnn_sim_float(w.a[slot][l][2]);
        A[g + 8][t + 4] = jdnn_sim_float(w.a[slot][l][3]);
        B[t][g] = jdnn_sim_float(w.b[slot][l][0]);
        B[t + 4][g] = jdnn_sim_float(w.b[slot][l][1]);
    }
    int g = lane / 4, t = lane % 4;
    for (int e = 0; e < 4; e++) {
        int row = g + 8 * (e / 2);
        int col = 2 * t + e % 2;
        float sum = d[e];
        for (int k = 0; k < 8; k++) {
            sum += (float)((double)A[row][k] * (double)B[k][col]);
        }
        d[e] = sum;
    }
}

/* A bf16 (the low or high half of a fragment register) as the float it stands for. */
inline float jdnn_sim_bf16(uint32_t reg, int high) {
    return jdnn_sim_float(high ? (reg & 0xffff0000u) : (reg << 16));
}

/* mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 d, a, b, d on the calling thread's warp. */
inline void jdnn_sim_mma_m16n8k16_bf16(float *d, const unsigned *a, const unsigned *b) {
    int tid = jdnn_sim_linear_tid();
    jdnn_sim_warp &w = *jdnn_sim_warps[tid / 32];
    int lane = tid % 32;
    int slot = jdnn_sim_mma_exchange(w, lane, a, b);
    float A[16][16];
    float B[16][8];
    for (int l = 0; l < 32; l++) {
        int g = l / 4, t = l % 4;
        for (int h = 0; h < 2; h++) { /* the register's two elements: columns (A) or rows (B) 2t + h */
            A[g][2 * t + h] = jdnn_sim_bf16(w.a[slot][l][0], h);
            A[g + 8][2 * t + h] = jdnn_sim_bf16(w.a[slot][l][1], h);
            A[g][2 * t + 8 + h] = jdnn_sim_bf16(w.a[slot][l][2], h);
            A[g + 8][2 * t + 8 + h] = jdnn_sim_bf16(w.a[slot][l][3], h);
            B[2 * t + h][g] = jdnn_sim_bf16(w.b[slot][l][0], h);
            B[2 * t + 8 + h][g] = jdnn_sim_bf16(w.b[slot][l][1], h);
        }
    }
    int g = lane / 4, t = lane % 4;
    for (int e = 0; e < 4; e++) {
        int row = g + 8 * (e / 2);
        int col = 2 * t + e % 2;
        float sum = d[e];
        for (int k = 0; k < 16; k++) {
            sum += (float)((double)A[row][k] * (double)B[k][col]);
        }
        d[e] = sum;
    }
}

/* Runs kernel() (a callable that calls the kernel with its arguments) on a grid x block launch. */
template <class Kernel>
void jdnn_sim_launch(jdnn_sim_dim3 grid, jdnn_sim_dim3 block, Kernel kernel) {
    gridDim = grid;
    blockDim = block;
    unsigned n = block.x * block.y * block.z;
    for (unsigned bz = 0; bz < grid.z; bz++) {
        for (unsigned by = 0; by < grid.y; by++) {
            for (unsigned bx = 0; bx < grid.x; bx++) {
                std::barrier<> bar((std::ptrdiff_t)n);
                jdnn_sim_block_barrier = &bar;
                jdnn_sim_warps.clear();
                for (unsigned wi = 0; wi < (n + 31) / 32; wi++) {
                    jdnn_sim_warps.push_back(std::make_unique<jdnn_sim_warp>());
                }
                std::vector<std::thread> threads;
                for (unsigned t = 0; t < n; t++) {
                    threads.emplace_back([&, t, bx, by, bz] {
                        threadIdx = {t % block.x, (t / block.x) % block.y, t / (block.x * block.y)};
                        blockIdx = {bx, by, bz};
                        kernel();
                    });
                }
                for (std::thread &th : threads) {
                    th.join();
                }
            }
        }
    }
}

#endif /* JDNN_CUDA_SIM_H */
