package io.jdnn.kernels;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;
import io.jdnn.spi.Buffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.jdnn.kernels.CudaLimits.MAX_GRID_YZ;

/**
 * IM2COL_GEMM: unfold the image into a column matrix ({@code conv_im2col.cl}), then
 * {@code gemm.cl}'s tiled SGEMM, one batched call per group. Images go in chunks of as many as
 * the workspace budget holds ({@link ConvAlgorithmSupport#workspaceBudgetFloats}).
 * <ul>
 *   <li>forward: columns of each image (C*R*S x P*Q), then per group
 *       y_n,g (K/G x P*Q) = w_g (K/G x C/G*R*S) col_n,g + bias, batched over the chunk's images;</li>
 *   <li>backward-data: col_n,g = w_g^T dy_n,g (batched over images, or over groups when there are
 *       more groups than images), then col2im as a gather ({@code im2col_fold}: each dx element
 *       sums its own column entries, no atomics);</li>
 *   <li>backward-filter: the chunk's columns side by side (C*R*S x nb*P*Q) and dy regrouped by
 *       channel (K x nb*P*Q), then dw_g (+)= dy_g col_g^T, batched over groups, the chunks
 *       accumulated in order with beta = 1.</li>
 * </ul>
 * Deterministic: every sum has a fixed order. Error bound {@link ConvAlgorithm#IM2COL_GEMM}: float32
 * dot products of length C/G*R*S (K/G for backward-data, then at most R*S column entries; N*P*Q
 * for backward-filter, one rounding more per chunk).
 */
public final class Im2colGemmConvAlgorithm implements KernelConvAlgorithm {
    /** The kernel source of the unfold, fold and regrouping kernels. */
    public static final String SOURCE = "conv_im2col.cl";

    private final long budgetBytes;

    /** With the default workspace budget: min(512 MiB, device memory / 8). */
    public Im2colGemmConvAlgorithm() {
        this(0);
    }

    /**
     * With a workspace budget of {@code budgetBytes} (0: the default): chunks of images are sized to
     * fit it, and a problem one image of which does not fit is refused.
     */
    public Im2colGemmConvAlgorithm(long budgetBytes) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("budgetBytes: expected >= 0 (0 for the default), got " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
    }

    @Override
    public ConvAlgorithm id() {
        return ConvAlgorithm.IM2COL_GEMM;
    }

    @Override
    public boolean deterministic() {
        return true;
    }

    @Override
    public Optional<String> whyNot(KernelDevice device, DirectConv conv, ConvDirection direction) {
        long pq = (long) conv.p() * conv.q();
        long rows = (long) conv.c() * conv.r() * conv.s();
        long crs = (long) conv.gemmK();
        List<String> why = new ArrayList<>();
        ConvAlgorithmSupport.int31("the output plane P*Q", pq).ifPresent(why::add);
        ConvAlgorithmSupport.int31("the columns per group C/G*R*S", crs).ifPresent(why::add);
        if (!why.isEmpty()) {
            return ConvAlgorithmSupport.all(why);
        }
        long gemmRows = direction == ConvDirection.BACKWARD_DATA ? crs : conv.kPerGroup();
        if (ConvAlgorithmSupport.ceilDiv(gemmRows, 64) > MAX_GRID_YZ) {
            return Optional.of("its GEMMs have " + gemmRows + " rows, more than " + MAX_GRID_YZ
                    + " row tiles of 64 (the grid's y extent on CUDA)");
        }
        long perImage = rows * pq + (direction == ConvDirection.BACKWARD_FILTER ? (long) conv.k() * pq : 0);
        String what = direction == ConvDirection.BACKWARD_FILTER
                ? "the im2col columns (C*R*S*P*Q floats) and the regrouped dy (K*P*Q)"
                : "the im2col columns (C*R*S*P*Q floats)";
        return ConvAlgorithmSupport.workspaceFits(device, budgetBytes, what, 0, perImage);
    }

    @Override
    public void forward(KernelDevice device, DirectConv conv, Buffer x, Buffer w, Buffer bias, Buffer y) {
        String op = "convForward";
        String problem = conv.toString();
        int pq = conv.p() * conv.q();
        int crs = conv.gemmK();
        int kpg = conv.kPerGroup();
        long imgStride = (long) conv.c() * conv.r() * conv.s() * pq;
        int nbMax = ConvAlgorithmSupport.imagesPerChunk(device, budgetBytes, conv, 0, imgStride, MAX_GRID_YZ);
        Buffer col = device.workspace("im2col.columns", nbMax * imgStride);
        for (int n0 = 0; n0 < conv.n(); n0 += nbMax) {
            int nb = Math.min(nbMax, conv.n() - n0);
            unfold(device, op, problem, conv, n0, nb, pq, imgStride, x, col);
            for (int g = 0; g < conv.groups(); g++) {
                Gemm.of(kpg, pq, crs)
                        .a(w, (long) g * kpg * crs, crs, false)
                        .b(col, (long) g * crs * pq, pq, false)
                        .c(y, ((long) n0 * conv.k() + (long) g * kpg) * pq, pq)
                        .biasPerRow(bias, (long) g * kpg)
                        .batch(nb, 0, imgStride, (long) conv.k() * pq)
                        .run(device, op, problem);
            }
        }
    }

    @Override
    public void backwardData(KernelDevice device, DirectConv conv, Buffer dy, Buffer w, Buffer bias, Buffer dx) {
        String op = "convBackwardData";
        String problem = conv.toString();
        int pq = conv.p() * conv.q();
        int crs = conv.gemmK();
        int kpg = conv.kPerGroup();
        int groups = conv.groups();
        long imgStride = (long) conv.c() * conv.r() * conv.s() * pq;
        long kpq = (long) conv.k() * pq;
        int nbMax = ConvAlgorithmSupport.imagesPerChunk(device, budgetBytes, conv, 0, imgStride, MAX_GRID_YZ);
        Buffer col = device.workspace("im2col.columns", nbMax * imgStride);
        for (int n0 = 0; n0 < conv.n(); n0 += nbMax) {
            int nb = Math.min(nbMax, conv.n() - n0);
            if (groups <= nb) {
                // one call per group, batched over the chunk's images
                for (int g = 0; g < groups; g++) {
                    Gemm.of(crs, pq, kpg)
                            .a(w, (long) g * kpg * crs, crs, true)
                            .b(dy, ((long) n0 * conv.k() + (long) g * kpg) * pq, pq, false)
                            .c(col, (long) g * crs * pq, pq)
                            .batch(nb, 0, kpq, imgStride)
                            .run(device, op, problem);
                }
            } else {
                // one call per image, batched over groups (at most 65535 a call)
                for (int n = 0; n < nb; n++) {
                    for (int g0 = 0; g0 < groups; g0 += MAX_GRID_YZ) {
                        int gb = Math.min(MAX_GRID_YZ, groups - g0);
                        Gemm.of(crs, pq, kpg)
                                .a(w, (long) g0 * kpg * crs, crs, true)
                                .b(dy, (long) (n0 + n) * kpq + (long) g0 * kpg * pq, pq, false)
                                .c(col, n * imgStride + (long) g0 * crs * pq, pq)
                                .batch(gb, (long) kpg * crs, (long) kpg * pq, (long) crs * pq)
                                .run(device, op, problem);
                    }
                }
            }
            device.launch(op, problem, SOURCE, "im2col_fold").convShape(conv).arg("n0", n0).arg("nb", nb)
                    .arg("row_stride", (long) pq).arg("img_stride", imgStride).arg("has_bias", bias != null)
                    .arg("col", col).arg("bias", device.orPlaceholder(bias)).arg("dx", dx)
                    .elements((long) nb * conv.c() * conv.h() * conv.w());
        }
    }

    @Override
    public void backwardFilter(KernelDevice device, DirectConv conv, Buffer x, Buffer dy, Buffer dw) {
        String op = "convBackwardFilter";
        String problem = conv.toString();
        int pq = conv.p() * conv.q();
        int crs = conv.gemmK();
        int kpg = conv.kPerGroup();
        int groups = conv.groups();
        long rows = (long) conv.c() * conv.r() * conv.s();
        long perImage = (rows + conv.k()) * pq;
        int nbMax = ConvAlgorithmSupport.imagesPerChunk(device, budgetBytes, conv, 0, perImage, Integer.MAX_VALUE / pq);
        Buffer col = device.workspace("im2col.columns", nbMax * rows * pq);
        Buffer dyk = device.workspace("im2col.response", (long) nbMax * conv.k() * pq);
        for (int n0 = 0; n0 < conv.n(); n0 += nbMax) {
            int nb = Math.min(nbMax, conv.n() - n0);
            int len = nb * pq; // the reduction length of this chunk: (n, p, q)
            unfold(device, op, problem, conv, n0, nb, len, pq, x, col);
            device.launch(op, problem, SOURCE, "im2col_pack_response")
                    .convShape(conv).arg("n0", n0).arg("nb", nb).arg("dy", dy).arg("out", dyk)
                    .elements((long) nb * conv.k() * pq);
            for (int g0 = 0; g0 < groups; g0 += MAX_GRID_YZ) {
                int gb = Math.min(MAX_GRID_YZ, groups - g0);
                Gemm.of(kpg, crs, len)
                        .a(dyk, (long) g0 * kpg * len, len, false)
                        .b(col, (long) g0 * crs * len, len, true)
                        .c(dw, (long) g0 * kpg * crs, crs)
                        .beta(n0 == 0 ? 0f : 1f)
                        .batch(gb, (long) kpg * len, (long) crs * len, (long) kpg * crs)
                        .run(device, op, problem);
            }
        }
    }

    /** Unfolds images n0 .. n0+nb-1 into {@code col} with the given strides (see conv_im2col.cl). */
    private static void unfold(KernelDevice device, String op, String problem, DirectConv conv, int n0, int nb,
                               long rowStride, long imgStride, Buffer x, Buffer col) {
        device.launch(op, problem, SOURCE, "im2col_unfold").convShape(conv).arg("n0", n0).arg("nb", nb)
                .arg("row_stride", rowStride).arg("img_stride", imgStride).arg("x", x).arg("col", col)
                .elements((long) nb * conv.c() * conv.r() * conv.s() * conv.p() * conv.q());
    }
}
