/*
 * tc_sim_main.cpp: runs conv_tc_tf32_forward (optionally after conv_flip_filter), or
 * conv_tc_tf32_backward_filter (and reduce_sum_splits), TF32 or their bf16 variant, on the CPU under cuda_sim.h, for
 * io.jdnn.cuda.TensorCoreSimTest. Built by that test:
 *
 *   g++ -std=c++20 -O1 -pthread -DJDNN_CUDA_SIM -include cuda_sim.h -I kernels/src -I kernels/cuda/src/main/cuda \
 *       -o tc_sim tc_sim_main.cpp
 *
 * Usage: tc_sim IN OUT. IN (little-endian): int32 op (0 forward, 1 flip then forward, 2
 * backward-filter; plus 4: the bf16 variant's kernels, conv_tc_tf32_*_bf16); for op 1, int32 the 16 shape arguments of the
 * convolution whose backward-data this is (conv_flip_filter's: the weights are flipped first and the forward kernel reads
 * the flipped copy); int32 the kernels' 16 shape arguments (CONV_SHAPE_PARAMS: N, C, H, W, K, P, Q, R, S, sh, sw, ph,
 * pw, dh, dw, G); for op 2, int32 splits and chunk; int32 has_bias;
 * int64 the element counts of in, w, bias, out (op 2: x, dy, 0, dw); then in, w, bias as float32.
 * OUT: out as float32. The launches are the host's: forward grid (ceil(N*P*Q/64), ceil((K/G)/64), G),
 * backward-filter grid (ceil(Kd/64), ceil((K/G)/64), G*splits), of 128-thread blocks.
 *
 * Op 3 replays a launch sequence the host issued on a RecordingDevice (strided backward-data: per
 * residue class conv_flip_class_filter or conv_flip_filter, conv_tc_tf32_forward or its _bf16 copy,
 * conv_scatter_class), exactly as recorded: IN: int32 3; int32 buffers, int64 the elements of each;
 * int32 inputs, each int32 buffer index then its elements as float32 (every other buffer starts as
 * NaN); int32 the output's index; int32 launches, each int32 name length, the name, int32 arguments,
 * each int32 kind (0 int, 1 i64, 2 float as its bits, 3 buffer index) and int64 value, then int64
 * global[3] and local[3]. OUT: the output buffer as float32.
 */
#include "jdnn_portable.h"
#include "conv_direct.cl"
#include "reduce.cl"
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

#include <string>

/* One recorded argument: kind 0 int, 1 i64, 2 float (bits), 3 buffer index. */
struct sim_arg {
    int32_t kind;
    int64_t v;
};

/* Op 3: the recorded launches, replayed on buffers the input describes (see the header). */
static int replay(FILE *in, const char *outPath) {
    int32_t nbuf;
    read_or_die(in, &nbuf, 4);
    std::vector<int64_t> sizes(nbuf);
    read_or_die(in, sizes.data(), 8 * (size_t)nbuf);
    std::vector<std::vector<float>> bufs;
    for (int64_t n : sizes) {
        bufs.emplace_back((size_t)n, NAN);
    }
    int32_t ninputs;
    read_or_die(in, &ninputs, 4);
    for (int i = 0; i < ninputs; i++) {
        int32_t b;
        read_or_die(in, &b, 4);
        read_or_die(in, bufs.at(b).data(), 4 * bufs.at(b).size());
    }
    int32_t output, nlaunches;
    read_or_die(in, &output, 4);
    read_or_die(in, &nlaunches, 4);
    for (int li = 0; li < nlaunches; li++) {
        int32_t len;
        read_or_die(in, &len, 4);
        std::string name((size_t)len, ' ');
        read_or_die(in, name.data(), (size_t)len);
        int32_t nargs;
        read_or_die(in, &nargs, 4);
        std::vector<sim_arg> a((size_t)nargs);
        for (sim_arg &x : a) {
            read_or_die(in, &x.kind, 4);
            read_or_die(in, &x.v, 8);
        }
        int64_t global[3], local[3];
        read_or_die(in, global, sizeof global);
        read_or_die(in, local, sizeof local);
        auto I = [&](int i) { return (int)a.at(i).v; };
        auto B = [&](int i) { return bufs.at(a.at(i).v).data(); };
        auto F = [&](int i) {
            int32_t bits = (int32_t)a.at(i).v;
            float f;
            memcpy(&f, &bits, 4);
            return f;
        };
        jdnn_sim_dim3 grid{(unsigned)(global[0] / local[0]), (unsigned)(global[1] / local[1]),
                           (unsigned)(global[2] / local[2])};
        jdnn_sim_dim3 block{(unsigned)local[0], (unsigned)local[1], (unsigned)local[2]};
        if (name == "conv_flip_filter") {
            jdnn_sim_launch(grid, block, [&] {
                conv_flip_filter(I(0), I(1), I(2), I(3), I(4), I(5), I(6), I(7), I(8), I(9), I(10), I(11), I(12), I(13),
                                 I(14), I(15), B(16), B(17));
            });
        } else if (name == "conv_flip_class_filter") {
            jdnn_sim_launch(grid, block, [&] {
                conv_flip_class_filter(I(0), I(1), I(2), I(3), I(4), I(5), I(6), I(7), I(8), I(9), I(10), I(11), I(12),
                                       I(13), I(14), I(15), I(16), I(17), I(18), I(19), I(20), I(21), B(22), B(23));
            });
        } else if (name == "conv_scatter_class") {
            jdnn_sim_launch(grid, block, [&] {
                conv_scatter_class(I(0), I(1), I(2), I(3), I(4), I(5), I(6), I(7), I(8), I(9), I(10), I(11), I(12),
                                   I(13), I(14), I(15), I(16), I(17), I(18), I(19), I(20), I(21), B(22), B(23), B(24));
            });
        } else if (name == "conv_tc_tf32_forward" || name == "conv_tc_tf32_forward_bf16") {
            auto *k = name == "conv_tc_tf32_forward" ? conv_tc_tf32_forward : conv_tc_tf32_forward_bf16;
            jdnn_sim_launch(grid, block, [&] {
                k(I(0), I(1), I(2), I(3), I(4), I(5), I(6), I(7), I(8), I(9), I(10), I(11), I(12), I(13), I(14), I(15),
                  I(16), I(17), F(18), F(19), B(20), B(21), B(22), B(23)); /* has_bias, the epilogue, x, w, bias, y */
            });
        } else {
            fprintf(stderr, "tc_sim: cannot replay kernel %s\n", name.c_str());
            return 2;
        }
    }
    fclose(in);
    std::vector<float> &y = bufs.at(output);
    FILE *out = fopen(outPath, "wb");
    if (!out || fwrite(y.data(), 4, y.size(), out) != y.size() || fclose(out) != 0) {
        perror(outPath);
        return 2;
    }
    return 0;
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
    int32_t fa[16] = {0};
    int32_t a[16];
    int32_t split[2] = {1, 0};
    int32_t has_bias;
    int64_t n[4];
    read_or_die(in, &op, 4);
    if (op == 3) {
        return replay(in, argv[2]);
    }
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
            jdnn_sim_launch({8, 1, 1}, {128, 1, 1}, [&] { reduce_sum_splits(weights, splits, partial.data(), y.data()); });
        }
    } else {
    const float *weights = w.data();
    if (flip) {
        jdnn_sim_launch({8, 1, 1}, {128, 1, 1}, [&] {
            conv_flip_filter(fa[0], fa[1], fa[2], fa[3], fa[4], fa[5], fa[6], fa[7], fa[8], fa[9], fa[10], fa[11],
                             fa[12], fa[13], fa[14], fa[15], w.data(), wf.data());
        });
        weights = wf.data();
    }
    int N = a[0], K = a[4], P = a[5], Q = a[6], G = a[15];
    int64_t M = (int64_t)N * P * Q;
    jdnn_sim_dim3 grid{(unsigned)((M + 63) / 64), (unsigned)((K / G + 63) / 64), (unsigned)G};
    jdnn_sim_launch(grid, {128, 1, 1}, [&] {
        (bf16 ? conv_tc_tf32_forward_bf16 : conv_tc_tf32_forward)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7],
                a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], has_bias, -1, 0.0f, 0.0f, x.data(), weights,
                bias.data(), y.data()); /* act_kind -1: no epilogue */
    });
    }

    FILE *out = fopen(argv[2], "wb");
    if (!out || fwrite(y.data(), 4, y.size(), out) != y.size() || fclose(out) != 0) {
        perror(argv[2]);
        return 2;
    }
    return 0;
}
