package io.jdnn.cuda;

import io.jdnn.AlgorithmNotSupportedException;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;
import io.jdnn.kernels.KernelConvAlgorithm;
import io.jdnn.kernels.KernelDevice;
import io.jdnn.spi.Buffer;

import java.util.Optional;

/**
 * TENSOR_CORE_TF32, CUDA only: the forward pass as an implicit GEMM on tensor cores
 * ({@code conv_tc_tf32.cu}: mma.sync m16n8k8 with inputs rounded to TF32, float32 accumulation).
 * Its error bound is {@link ConvAlgorithm#TENSOR_CORE_TF32}'s. Deterministic (a fixed reduction
 * order, no atomics); AUTO considers it only on a device opened with
 * {@link io.jdnn.DeviceOptions#allowTf32()} ({@link #usesTf32()}), an explicit request runs it
 * regardless. Backward passes are refused with a reason: they run on the other algorithms.
 */
final class TensorCoreTf32ConvAlgorithm implements KernelConvAlgorithm {
    static final String SOURCE = "conv_tc_tf32.cu";
    static final String KERNEL = "conv_tc_tf32_forward";
    /** Output pixels and output channels per block, and threads per block (conv_tc_tf32.cu's TC_BM, TC_BN, TC_THREADS). */
    static final int TILE_M = 64;
    static final int TILE_N = 64;
    static final int THREADS = 128;
    /** CUDA's limit on a grid's y and z extents. */
    static final long MAX_GRID_YZ = 65535;

    @Override
    public ConvAlgorithm id() {
        return ConvAlgorithm.TENSOR_CORE_TF32;
    }

    @Override
    public boolean deterministic() {
        return true;
    }

    @Override
    public boolean usesTf32() {
        return true;
    }

    @Override
    public Optional<String> whyNot(KernelDevice device, DirectConv conv, ConvDirection direction) {
        if (direction != ConvDirection.FORWARD) {
            return Optional.of("TENSOR_CORE_TF32 implements the forward pass only (of the direct convolution; a "
                    + "transposed problem's forward pass is a backward-data pass)");
        }
        if (!(device instanceof CudaDevice cuda)) {
            return Optional.of("TENSOR_CORE_TF32 needs the cuda backend");
        }
        if (cuda.entry().ccMajor() < 8) {
            return Optional.of("TENSOR_CORE_TF32 needs compute capability 8.0 or newer (mma.sync with TF32), the device "
                    + "has " + cuda.entry().computeCapability());
        }
        if (conv.groups() > MAX_GRID_YZ) {
            return Optional.of("TENSOR_CORE_TF32 runs one grid slice per group, at most " + MAX_GRID_YZ + "; the problem "
                    + "has " + conv.groups() + " groups");
        }
        long channelTiles = (conv.kPerGroup() + (long) TILE_N - 1) / TILE_N;
        if (channelTiles > MAX_GRID_YZ) {
            return Optional.of("TENSOR_CORE_TF32 takes at most " + MAX_GRID_YZ * TILE_N + " output channels per group, "
                    + "the problem has " + conv.kPerGroup());
        }
        if ((long) conv.p() * conv.q() > Integer.MAX_VALUE
                || (long) conv.cPerGroup() * conv.r() * conv.s() > Integer.MAX_VALUE) {
            return Optional.of("TENSOR_CORE_TF32 needs P*Q and (C/groups)*R*S below 2^31");
        }
        long pixelTiles = (conv.gemmM() + TILE_M - 1) / TILE_M;
        if (pixelTiles > cuda.entry().maxGridX()) {
            return Optional.of("TENSOR_CORE_TF32 needs N*P*Q/" + TILE_M + " blocks, more than the device's grid limit of "
                    + cuda.entry().maxGridX());
        }
        return Optional.empty();
    }

    @Override
    public void forward(KernelDevice device, DirectConv c, Buffer x, Buffer w, Buffer bias, Buffer y) {
        long pixelTiles = (c.gemmM() + TILE_M - 1) / TILE_M;
        long channelTiles = (c.kPerGroup() + (long) TILE_N - 1) / TILE_N;
        device.launch("convForward", c.toString(), SOURCE, KERNEL)
                .arg(c.n()).arg(c.c()).arg(c.h()).arg(c.w()).arg(c.k()).arg(c.p()).arg(c.q()).arg(c.r()).arg(c.s())
                .arg(c.strideH()).arg(c.strideW()).arg(c.padH()).arg(c.padW()).arg(c.dilationH()).arg(c.dilationW())
                .arg(c.groups()).arg(bias != null)
                .arg(x).arg(w).arg(device.orPlaceholder(bias)).arg(y)
                .run(new long[] {pixelTiles * THREADS, channelTiles, c.groups()}, new long[] {THREADS, 1, 1});
    }

    @Override
    public void backwardData(KernelDevice device, DirectConv conv, Buffer dy, Buffer w, Buffer bias, Buffer dx) {
        throw refused(device, conv, ConvDirection.BACKWARD_DATA);
    }

    @Override
    public void backwardFilter(KernelDevice device, DirectConv conv, Buffer x, Buffer dy, Buffer dw) {
        throw refused(device, conv, ConvDirection.BACKWARD_FILTER);
    }

    private AlgorithmNotSupportedException refused(KernelDevice device, DirectConv conv, ConvDirection direction) {
        return new AlgorithmNotSupportedException(id(), direction, device.info().spec(), conv.toString(),
                whyNot(device, conv, direction).orElse("forward only"));
    }
}
