package io.jdnn.cuda;

import io.jdnn.AlgorithmNotSupportedException;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;
import io.jdnn.kernels.FlippedBackwardData;
import io.jdnn.kernels.KernelConvAlgorithm;
import io.jdnn.kernels.KernelDevice;
import io.jdnn.kernels.KernelLaunch;
import io.jdnn.spi.Buffer;

import java.util.Optional;

/**
 * TENSOR_CORE_TF32, CUDA only: the forward pass as an implicit GEMM on tensor cores
 * ({@code conv_tc_tf32.cu}: mma.sync m16n8k8 with inputs rounded to TF32, float32 accumulation),
 * and backward-data of stride-1 problems as the same kernel's forward pass over dy with the
 * flipped filter ({@link FlippedBackwardData}).
 * Its error bound is {@link ConvAlgorithm#TENSOR_CORE_TF32}'s. Deterministic (a fixed reduction
 * order, no atomics); AUTO considers it only on a device opened with
 * {@link io.jdnn.DeviceOptions#allowTf32()} ({@link #usesTf32()}), an explicit request runs it
 * regardless. Backward-filter and strided backward-data are refused with a reason: they run on the
 * other algorithms.
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
        if (direction == ConvDirection.BACKWARD_FILTER) {
            return Optional.of("TENSOR_CORE_TF32 implements the forward pass, and backward-data of stride-1 problems as "
                    + "a forward pass over the flipped filter; not backward-filter");
        }
        if (!(device instanceof CudaDevice cuda)) {
            return Optional.of("TENSOR_CORE_TF32 needs the cuda backend");
        }
        if (cuda.entry().ccMajor() < 8) {
            return Optional.of("TENSOR_CORE_TF32 needs compute capability 8.0 or newer (mma.sync with TF32), the device "
                    + "has " + cuda.entry().computeCapability());
        }
        if (direction == ConvDirection.FORWARD) {
            return limits(cuda, conv.groups(), conv.kPerGroup(), (long) conv.p() * conv.q(),
                    (long) conv.cPerGroup() * conv.r() * conv.s(), conv.gemmM());
        }
        Optional<String> why = FlippedBackwardData.whyNot(conv);
        if (why.isPresent()) {
            return Optional.of("TENSOR_CORE_TF32: " + why.get());
        }
        FlippedBackwardData.ForwardShape f = FlippedBackwardData.forwardShape(conv);
        return limits(cuda, f.groups(), f.kPerGroup(), (long) f.p() * f.q(), (long) f.cPerGroup() * f.r() * f.s(),
                f.gemmM()).map(w -> w + " (backward-data runs as the forward pass over dy with the flipped filter)");
    }

    /** The kernel's limits for a forward problem of these extents (kpg output channels, pq pixels, a reduction of kd). */
    private static Optional<String> limits(CudaDevice cuda, int groups, int kpg, long pq, long kd, long gemmM) {
        if (groups > MAX_GRID_YZ) {
            return Optional.of("TENSOR_CORE_TF32 runs one grid slice per group, at most " + MAX_GRID_YZ + "; the problem "
                    + "has " + groups + " groups");
        }
        long channelTiles = (kpg + (long) TILE_N - 1) / TILE_N;
        if (channelTiles > MAX_GRID_YZ) {
            return Optional.of("TENSOR_CORE_TF32 takes at most " + MAX_GRID_YZ * TILE_N + " output channels per group, "
                    + "the problem has " + kpg);
        }
        if (pq > Integer.MAX_VALUE || kd > Integer.MAX_VALUE) {
            return Optional.of("TENSOR_CORE_TF32 needs P*Q and (C/groups)*R*S below 2^31");
        }
        long pixelTiles = (gemmM + TILE_M - 1) / TILE_M;
        if (pixelTiles > cuda.entry().maxGridX()) {
            return Optional.of("TENSOR_CORE_TF32 needs N*P*Q/" + TILE_M + " blocks, more than the device's grid limit of "
                    + cuda.entry().maxGridX());
        }
        return Optional.empty();
    }

    @Override
    public void forward(KernelDevice device, DirectConv c, Buffer x, Buffer w, Buffer bias, Buffer y) {
        KernelLaunch l = device.launch("convForward", c.toString(), SOURCE, KERNEL)
                .arg(c.n()).arg(c.c()).arg(c.h()).arg(c.w()).arg(c.k()).arg(c.p()).arg(c.q()).arg(c.r()).arg(c.s())
                .arg(c.strideH()).arg(c.strideW()).arg(c.padH()).arg(c.padW()).arg(c.dilationH()).arg(c.dilationW())
                .arg(c.groups());
        run(device, l, c.gemmM(), c.kPerGroup(), c.groups(), x, w, bias, y);
    }

    /** Stride 1 only (whyNot): the forward kernel over dy with the flipped filter (FlippedBackwardData). */
    @Override
    public void backwardData(KernelDevice device, DirectConv conv, Buffer dy, Buffer w, Buffer bias, Buffer dx) {
        String op = "convBackwardData";
        if (FlippedBackwardData.whyNot(conv).isPresent()) {
            throw refused(device, conv, ConvDirection.BACKWARD_DATA);
        }
        Buffer wf = FlippedBackwardData.flipFilter(device, op, conv, w);
        FlippedBackwardData.ForwardShape f = FlippedBackwardData.forwardShape(conv);
        KernelLaunch l = f.args(device.launch(op, conv.toString(), SOURCE, KERNEL));
        run(device, l, f.gemmM(), f.kPerGroup(), f.groups(), dy, wf, bias, dx);
    }

    /** The rest of a launch whose shape arguments are set: bias flag, buffers, the 3-D grid of 128-thread blocks. */
    private static void run(KernelDevice device, KernelLaunch l, long gemmM, int kpg, int groups, Buffer in, Buffer w,
                            Buffer bias, Buffer out) {
        long pixelTiles = (gemmM + TILE_M - 1) / TILE_M;
        long channelTiles = (kpg + (long) TILE_N - 1) / TILE_N;
        l.arg(bias != null).arg(in).arg(w).arg(device.orPlaceholder(bias)).arg(out)
                .run(new long[] {pixelTiles * THREADS, channelTiles, groups}, new long[] {THREADS, 1, 1});
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
