/*
 * tc_sim_main.cpp: runs conv_tc_tf32_forward (optionally after conv_flip_filter), or
 * conv_tc_tf32_backward_filter (and igemm_sum_splits), TF32 or their bf16 variant, on the CPU under cuda_sim.h, for
 * io.jdnn.cuda.TensorCoreSimTest. Built by that test:
 *
 *   g++ -std=c++20 -O1 -pthread -DJDNN_CUDA_SIM -include cuda_sim.h -I kernels/src -I kernels/cuda/src/main/cuda \
 *       -o tc_sim tc_sim_main.cpp
 *
 * Usage: tc_sim IN OUT. IN (little-endian): int32 op (0 forward, 1 flip then forward, 2
 * backward-filter; plus 4: the bf16 variant's kernels, conv_tc_tf32_*_bf16); for op 1, int32 K, C, RS, G (conv_flip_filter's arguments: the weights are flipped
 * first and the forward kernel reads the flipped copy); int32 the kernels' 16 shape arguments (N, C,
 * H, W, K, P, Q, R, S, sh, sw, ph, pw, dh, dw, G); for op 2, int32 splits and chunk; int32 has_bias;
 * int64 the element counts of in, w, bias, out (op 2: x, dy, 0, dw); then in, w, bias as float32.
 * OUT: out as float32. The launches are the host's: forward grid (ceil(N*P*Q/64), ceil((K/G)/64), G),
 * backward-filter grid (ceil(Kd/64), ceil((K/G)/64), G*splits), of 128-thread blocks.
 */
#include "jdnn_portable.h"
#include "conv_direct.cl"
#include "conv_implicit_gemm.cl"
#include "conv_tc_tf32.cu"

/* The bf16 variant (@variant bf16 TC_BF16=1) as build-fatbin.sh compiles it: the source's macros
 * undefined, TC_BF16 set, the kernels renamed NAME_bf16, the source again inside a namespace. */
#undef TC_BF16
#undef TC_BM
#undef TC_BN
#undef TC_BK
#undef TC_THREADS
#undef TC_AS_LD
#undef TC_BS_LD
#undef TC_A_LOADS
#undef TC_B_LOADS
#define TC_BF16 1
#define conv_tc_tf32_forward conv_tc_tf32_forward_bf16
#define conv_tc_tf32_backward_filter conv_tc_tf32_backward_filter_bf16
namespace jdnn_variant_conv_tc_tf32_cu_bf16 {
#include "conv_tc_tf32.cu"
}
#undef conv_tc_tf32_forward
#undef conv_tc_tf32_backward_filter
using jdnn_variant_conv_tc_tf32_cu_bf16::conv_tc_tf32_backward_filter_bf16;
using jdnn_variant_conv_tc_tf32_cu_bf16::conv_tc_tf32_forward_bf16;

#include <cstdio>
#include <cstdlib>

static void read_or_die(FILE *f, void *p, size_t bytes) {
    if (bytes > 0 && fread(p, 1, bytes, f) != bytes) {
        fprintf(stderr, "tc_sim: short input\n");
        exit(2);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: tc_sim IN OUT\n");
        return 2;
    }
    FILE *in = fopen(argv[1], "rb");
    if (!in) {
        perror(argv[1]);
        return 2;
    }
    int32_t op;
    int32_t fa[4] = {0, 0, 0, 0};
    int32_t a[16];
    int32_t split[2] = {1, 0};
    int32_t has_bias;
    int64_t n[4];
    read_or_die(in, &op, 4);
    bool bf16 = (op & 4) != 0;
    op &= 3;
    bool flip = op == 1;
    if (flip) {
        read_or_die(in, fa, sizeof fa);
    }
    read_or_die(in, a, sizeof a);
    if (op == 2) {
        read_or_die(in, split, sizeof split);
    }
    read_or_die(in, &has_bias, 4);
    read_or_die(in, n, sizeof n);
    std::vector<float> x(n[0]), w(n[1]), bias(n[2] > 0 ? n[2] : 1), y(n[3], NAN), wf(flip ? n[1] : 0);
    read_or_die(in, x.data(), 4 * n[0]);
    read_or_die(in, w.data(), 4 * n[1]);
    read_or_die(in, bias.data(), 4 * n[2]);
    fclose(in);

    if (op == 2) { /* backward-filter: in = x, w = dy, out = dw */
        int C = a[1], K = a[4], R = a[7], S = a[8], G = a[15];
        int64_t Kd = (int64_t)(C / G) * R * S;
        int splits = split[0];
        int64_t weights = (int64_t)K * Kd;
        std::vector<float> partial(splits > 1 ? (size_t)(splits * weights) : 0, NAN);
        float *dst = splits > 1 ? partial.data() : y.data();
        jdnn_sim_dim3 grid{(unsigned)((Kd + 63) / 64), (unsigned)((K / G + 63) / 64), (unsigned)(G * splits)};
        jdnn_sim_launch(grid, {128, 1, 1}, [&] {
            (bf16 ? conv_tc_tf32_backward_filter_bf16 : conv_tc_tf32_backward_filter)(
                    a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14],
                    a[15], splits, split[1], splits > 1 ? weights : 0, x.data(), w.data(), dst);
        });
        if (splits > 1) {
            jdnn_sim_launch({8, 1, 1}, {128, 1, 1}, [&] { igemm_sum_splits(weights, splits, partial.data(), y.data()); });
        }
    } else {
    const float *weights = w.data();
    if (flip) {
        jdnn_sim_launch({8, 1, 1}, {128, 1, 1}, [&] { conv_flip_filter(fa[0], fa[1], fa[2], fa[3], w.data(), wf.data()); });
        weights = wf.data();
    }
    int N = a[0], K = a[4], P = a[5], Q = a[6], G = a[15];
    int64_t M = (int64_t)N * P * Q;
    jdnn_sim_dim3 grid{(unsigned)((M + 63) / 64), (unsigned)((K / G + 63) / 64), (unsigned)G};
    jdnn_sim_launch(grid, {128, 1, 1}, [&] {
        (bf16 ? conv_tc_tf32_forward_bf16 : conv_tc_tf32_forward)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7],
                a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], has_bias, x.data(), weights, bias.data(),
                y.data());
    });
    }

    FILE *out = fopen(argv[2], "wb");
    if (!out || fwrite(y.data(), 4, y.size(), out) != y.size() || fclose(out) != 0) {
        perror(argv[2]);
        return 2;
    }
    return 0;
}
