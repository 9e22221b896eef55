package io.jdnn.cuda;

import io.jdnn.Activation;
import io.jdnn.AlgorithmNotSupportedException;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;
import io.jdnn.kernels.EpilogueConvAlgorithm;
import io.jdnn.kernels.FlippedBackwardData;
import io.jdnn.kernels.KernelDevice;
import io.jdnn.kernels.KernelLaunch;
import io.jdnn.kernels.SplitSums;
import io.jdnn.spi.Buffer;

import java.util.Map;
import java.util.Optional;

import static io.jdnn.kernels.CudaLimits.MAX_GRID_YZ;

/**
 * TENSOR_CORE_TF32 and TENSOR_CORE_BF16, CUDA only, one class for both {@link Precision}s: the
 * forward pass as an implicit GEMM on tensor cores ({@code conv_tc_tf32.cu}: mma.sync m16n8k8 with
 * inputs rounded to TF32, or, in its {@code bf16} variant (TC_BF16=1, kernels {@code NAME_bf16}),
 * m16n8k16 with inputs rounded to BF16; float32 accumulation either way), backward-data of any
 * stride as the same kernel's forward pass over dy with the flipped filter, once per residue class
 * of dx's pixels ({@link FlippedBackwardData}), and backward-filter as the implicit GEMM dW = dY^T A with its
 * reduction over pixels split across blocks.
 * Its error bound is its id's ({@link ConvAlgorithm#TENSOR_CORE_TF32},
 * {@link ConvAlgorithm#TENSOR_CORE_BF16}). Deterministic (a fixed reduction order, no atomics);
 * AUTO considers the TF32 instance only on a device opened with
 * {@link io.jdnn.DeviceOptions#allowTf32()} ({@link ConvAlgorithm#usesTf32()}), the BF16 one only with
 * {@link io.jdnn.DeviceOptions#allowBf16()} ({@link ConvAlgorithm#usesBf16()}); an explicit request runs either
 * regardless. Backward-data of more than {@link FlippedBackwardData#MAX_CLASSES} stride classes is
 * refused with a reason: it runs on the other algorithms.
 */
final class TensorCoreConvAlgorithm implements EpilogueConvAlgorithm {
    static final String SOURCE = "conv_tc_tf32.cu";
    static final String KERNEL = "conv_tc_tf32_forward";
    static final String FILTER_KERNEL = "conv_tc_tf32_backward_filter";
    /** Output pixels and output channels per block, and threads per block (conv_tc_tf32.cu's TC_BM, TC_BN, TC_THREADS). */
    static final int TILE_M = 64;
    static final int TILE_N = 64;
    static final int THREADS = 128;
    /** Backward-filter's partial sums (one workspace for both precisions: they never run at once). */
    static final String SPLITS_WORKSPACE = "tc.splits";

    /** The operand type the tensor cores multiply; the tensors and the accumulators stay float32. */
    enum Precision {
        /** Inputs rounded to TF32 (cvt.rna.tf32.f32), mma m16n8k8: conv_tc_tf32.cu's defaults. */
        TF32(ConvAlgorithm.TENSOR_CORE_TF32, Map.of()),
        /** Inputs rounded to BF16, mma m16n8k16: the source's variant {@code bf16} (TC_BF16=1). */
        BF16(ConvAlgorithm.TENSOR_CORE_BF16, Map.of("TC_BF16", 1));

        final ConvAlgorithm id;
        /** The define set the kernels are launched with (CudaDevice maps it to the variant's kernel names). */
        final Map<String, Integer> defines;

        Precision(ConvAlgorithm id, Map<String, Integer> defines) {
            this.id = id;
            this.defines = defines;
        }
    }

    private final Precision precision;

    TensorCoreConvAlgorithm(Precision precision) {
        this.precision = precision;
    }

    Precision precision() {
        return precision;
    }

    @Override
    public ConvAlgorithm id() {
        return precision.id;
    }

    @Override
    public boolean deterministic() {
        return true;
    }

    @Override
    public Optional<String> whyNot(KernelDevice device, DirectConv conv, ConvDirection direction) {
        if (!(device instanceof CudaDevice cuda)) {
            return Optional.of(id() + " needs the cuda backend");
        }
        if (cuda.entry().ccMajor() < 8) {
            return Optional.of(id() + " needs compute capability 8.0 or newer (mma.sync with " + precision + "), the "
                    + "device has " + cuda.entry().computeCapability());
        }
        if (direction == ConvDirection.FORWARD) {
            return limits(cuda, conv.groups(), conv.kPerGroup(), (long) conv.p() * conv.q(),
                    (long) conv.cPerGroup() * conv.r() * conv.s(), conv.gemmM()).map(w -> id() + w);
        }
        if (direction == ConvDirection.BACKWARD_FILTER) {
            return filterLimits(conv).map(w -> id() + w);
        }
        Optional<String> why = FlippedBackwardData.whyNot(conv);
        if (why.isPresent()) {
            return Optional.of(id() + ": " + why.get());
        }
        // every class a tap reaches runs the forward kernel: each within its limits
        for (FlippedBackwardData.ClassPlan c : FlippedBackwardData.plans(conv)) {
            if (!c.reached()) {
                continue;
            }
            DirectConv f = c.forward();
            Optional<String> limit = limits(cuda, f.groups(), f.kPerGroup(), (long) f.p() * f.q(),
                    (long) f.cPerGroup() * f.r() * f.s(), f.gemmM());
            if (limit.isPresent()) {
                return Optional.of(id() + limit.get() + " (backward-data runs as the forward pass over dy with the "
                        + "flipped filter, per residue class of stride " + conv.strideH() + "x" + conv.strideW()
                        + "; this one's is " + f.p() + "x" + f.q() + " pixels of taps " + f.r() + "x" + f.s() + ")");
            }
        }
        return Optional.empty();
    }

    /** The kernel's limits for a forward problem of these extents (kpg output channels, pq pixels, a reduction of kd). */
    private static Optional<String> limits(CudaDevice cuda, int groups, int kpg, long pq, long kd, long gemmM) {
        if (groups > MAX_GRID_YZ) {
            return Optional.of(" runs one grid slice per group, at most " + MAX_GRID_YZ + "; the problem "
                    + "has " + groups + " groups");
        }
        long channelTiles = (kpg + (long) TILE_N - 1) / TILE_N;
        if (channelTiles > MAX_GRID_YZ) {
            return Optional.of(" takes at most " + MAX_GRID_YZ * TILE_N + " output channels per group, "
                    + "the problem has " + kpg);
        }
        if (pq > Integer.MAX_VALUE || kd > Integer.MAX_VALUE) {
            return Optional.of(" needs P*Q and (C/groups)*R*S below 2^31");
        }
        long pixelTiles = (gemmM + TILE_M - 1) / TILE_M;
        if (pixelTiles > cuda.entry().maxGridX()) {
            return Optional.of(" needs N*P*Q/" + TILE_M + " blocks, more than the device's grid limit of "
                    + cuda.entry().maxGridX());
        }
        return Optional.empty();
    }

    @Override
    public void forward(KernelDevice device, DirectConv c, Buffer x, Buffer w, Buffer bias, Activation activation,
                        Buffer y) {
        run(device, device.launch("convForward", c.toString(), SOURCE, precision.defines, KERNEL), c, x, w, bias,
                activation, y);
    }

    /**
     * Any stride: per residue class of dx's pixels, its flipped sub-filter, the forward kernel over dy,
     * the scatter into dx (FlippedBackwardData); stride 1 is the flip and one forward pass into dx.
     */
    @Override
    public void backwardData(KernelDevice device, DirectConv conv, Buffer dy, Buffer w, Buffer bias, Buffer dx) {
        String op = "convBackwardData";
        if (FlippedBackwardData.whyNot(conv).isPresent()) {
            throw refused(device, conv, ConvDirection.BACKWARD_DATA);
        }
        FlippedBackwardData.backwardData(device, op, conv, dy, w, bias, dx, (f, in, wf, b, out) -> {
            run(device, device.launch(op, conv.toString(), SOURCE, precision.defines, KERNEL), f, in, wf, b, null, out);
        });
    }

    /**
     * The forward kernel's launch {@code l} for problem {@code c}: its arguments (activation null:
     * no epilogue) and the 3-D grid of 128-thread blocks.
     */
    private static void run(KernelDevice device, KernelLaunch l, DirectConv c, Buffer in, Buffer w, Buffer bias,
                            Activation activation, Buffer out) {
        long pixelTiles = (c.gemmM() + TILE_M - 1) / TILE_M;
        long channelTiles = (c.kPerGroup() + (long) TILE_N - 1) / TILE_N;
        l.convShape(c).arg("has_bias", bias != null).epilogue(activation).arg("x", in).arg("w", w).arg("bias", device.orPlaceholder(bias))
                .arg("y", out)
                .run(new long[] {pixelTiles * THREADS, channelTiles, c.groups()}, new long[] {THREADS, 1, 1});
    }

    /** Backward-filter's limits: one grid slice per group, 64 output channels per block row, 32-bit m and kk. */
    private static Optional<String> filterLimits(DirectConv conv) {
        if (conv.groups() > MAX_GRID_YZ) {
            return Optional.of(" backward-filter runs at least one grid slice per group, at most "
                    + MAX_GRID_YZ + "; the problem has " + conv.groups() + " groups");
        }
        if ((conv.kPerGroup() + (long) TILE_M - 1) / TILE_M > MAX_GRID_YZ) {
            return Optional.of(" backward-filter takes at most " + MAX_GRID_YZ * TILE_M
                    + " output channels per group, the problem has " + conv.kPerGroup());
        }
        if (conv.gemmM() > Integer.MAX_VALUE || (long) conv.cPerGroup() * conv.r() * conv.s() > Integer.MAX_VALUE) {
            return Optional.of(" backward-filter needs N*P*Q and (C/groups)*R*S below 2^31");
        }
        return Optional.empty();
    }

    /** Reduction rows (pixels) a backward-filter split takes at least: 16 slices of 16. */
    static final int MIN_SPLIT = 256;
    /** Blocks per SM backward-filter's splits aim at (3 fit by registers, the 4th waits for the first to end). */
    static final int BLOCKS_PER_SM = 4;

    /**
     * Backward-filter's splits of its reduction over N*P*Q pixels: enough that the blocks fill
     * {@code sms} SMs {@link #BLOCKS_PER_SM} deep, each split at least {@link #MIN_SPLIT} rows, and
     * groups * splits within the grid's z limit; returned as {splits, chunk} (chunk = rows per split).
     */
    static int[] splits(DirectConv conv, int sms) {
        long tiles = ((long) conv.cPerGroup() * conv.r() * conv.s() + TILE_N - 1) / TILE_N
                * ((conv.kPerGroup() + TILE_M - 1) / TILE_M) * conv.groups();
        long target = (long) Math.max(1, sms) * BLOCKS_PER_SM;
        long rows = conv.gemmM();
        long splits = Math.max(1, Math.min(Math.min((target + tiles - 1) / tiles, (rows + MIN_SPLIT - 1) / MIN_SPLIT),
                MAX_GRID_YZ / conv.groups()));
        long chunk = (rows + splits - 1) / splits;
        splits = (rows + chunk - 1) / chunk; // no empty split
        return new int[] {(int) splits, (int) chunk};
    }

    /**
     * dw through the tensor cores ({@code conv_tc_tf32_backward_filter}, or its {@code _bf16} copy), the
     * reduction cut into {@link #splits} whose partial sums {@link SplitSums} adds in split order
     * (workspace {@value #SPLITS_WORKSPACE}); with one split the kernel writes dw itself.
     */
    @Override
    public void backwardFilter(KernelDevice device, DirectConv conv, Buffer x, Buffer dy, Buffer dw) {
        String op = "convBackwardFilter";
        String problem = conv.toString();
        if (filterLimits(conv).isPresent()) {
            throw refused(device, conv, ConvDirection.BACKWARD_FILTER);
        }
        int[] sc = splits(conv, device.info().computeUnits());
        int splits = sc[0];
        long weights = conv.weightElements();
        Buffer out = splits == 1 ? dw : device.workspace(SPLITS_WORKSPACE, splits * weights);
        long tapTiles = ((long) conv.cPerGroup() * conv.r() * conv.s() + TILE_N - 1) / TILE_N;
        long channelTiles = (conv.kPerGroup() + (long) TILE_M - 1) / TILE_M;
        device.launch(op, problem, SOURCE, precision.defines, FILTER_KERNEL).convShape(conv)
                .arg("splits", splits).arg("chunk", sc[1]).arg("split_stride", splits == 1 ? 0L : weights)
                .arg("x", x).arg("dy", dy).arg("out", out)
                .run(new long[] {tapTiles * THREADS, channelTiles, (long) conv.groups() * splits},
                        new long[] {THREADS, 1, 1});
        if (splits > 1) {
            SplitSums.add(device, op, problem, weights, splits, out, dw);
        }
    }

    private AlgorithmNotSupportedException refused(KernelDevice device, DirectConv conv, ConvDirection direction) {
        return new AlgorithmNotSupportedException(id(), direction, device.info().spec(), conv.toString(),
                whyNot(device, conv, direction).orElse("forward only"));
    }
}
