package io.jdnn.kernels;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;
import io.jdnn.spi.Buffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.jdnn.kernels.ConvAlgorithmSupport.MAX_GRID_YZ;
import static io.jdnn.kernels.ConvAlgorithmSupport.ceilDiv;

/**
 * IMPLICIT_GEMM: tiled GEMMs whose operand tiles are gathered from the tensors into local memory
 * on the fly, no column buffer ({@code conv_implicit_gemm.cl}): register-tiled (4x4 outputs per
 * work-item), double-buffered K slices.
 * <ul>
 *   <li>forward: M = N*P*Q output pixels, N = K/G channels, reduction C/G*R*S, per group;</li>
 *   <li>backward-data: the implicit GEMM of the transposed problem, per group and residue class
 *       of the pixels modulo the stride, each class reducing over only the taps that reach it
 *       (K/G * about R*S/(sh*sw) terms);</li>
 *   <li>backward-filter: M = C/G*R*S, N = K/G, reduction N*P*Q, cut into consecutive splits when
 *       the output has too few tiles to fill the device; the partial sums are added in split order
 *       by a second kernel (workspace "igemm.splits").</li>
 * </ul>
 * Deterministic: every sum has a fixed order. Error bound {@link ConvAlgorithm#IMPLICIT_GEMM}:
 * float32 dot products of the reduction lengths above.
 */
public final class ImplicitGemmConvAlgorithm implements KernelConvAlgorithm {
    /** The kernel source. */
    public static final String SOURCE = "conv_implicit_gemm.cl";

    /** A tile shape: tm x tn outputs per work-group, (tm/wm) x (tn/wn) work-items, reduction slices of tk. */
    record Tiles(int tm, int tn, int tk, int wm, int wn) {
        int threadsM() {
            return tm / wm;
        }

        int threadsN() {
            return tn / wn;
        }

        int threads() {
            return threadsM() * threadsN();
        }

        /** Local memory the kernels declare: two slices of A and B, rows padded by one. */
        long localBytes() {
            return 2L * tk * ((tm + 1) + (tn + 1)) * Float.BYTES;
        }

        Map<String, Integer> defines() {
            return Map.of("IGEMM_TM", tm, "IGEMM_TN", tn, "IGEMM_TK", tk, "IGEMM_WM", wm, "IGEMM_WN", wn);
        }
    }

    /**
     * Tile shapes from the preferred down: the first whose work-group the device runs is used. The
     * first is the source's default, the one the CUDA build compiles.
     */
    static final List<Tiles> TILES = List.of(
            new Tiles(64, 64, 16, 4, 4),   // 256 work-items
            new Tiles(32, 32, 16, 4, 4),   // 64 work-items
            new Tiles(16, 16, 16, 4, 4));  // 16 work-items

    /** Reduction terms a backward-filter split takes at least (sixteen slices): fewer would not pay for its pass. */
    static final int MIN_SPLIT = 256;

    /** Work-groups per compute unit the backward-filter splits aim at. */
    static final int GROUPS_PER_COMPUTE_UNIT = 4;

    @Override
    public ConvAlgorithm id() {
        return ConvAlgorithm.IMPLICIT_GEMM;
    }

    @Override
    public boolean deterministic() {
        return true;
    }

    /**
     * Most grid layers (group x stride class) of a backward-data launch: each is a launch chunk's
     * layer even when its class holds no pixel, so a stride of 2^31 - 1 would take some 32,000
     * launches of empty work-groups (the fuzz test found it as a hang).
     */
    static final long MAX_STRIDE_CLASSES = 1L << 20;

    @Override
    public Optional<String> whyNot(KernelDevice device, DirectConv conv, ConvDirection direction) {
        Tiles smallest = TILES.get(TILES.size() - 1);
        if (device.maxLocalSize() < smallest.threads()) {
            return Optional.of("needs work-groups of at least " + smallest.threads() + " work-items; the device runs "
                    + device.maxLocalSize());
        }
        if (device.localMemoryBytes() < smallest.localBytes()) {
            return Optional.of("needs " + smallest.localBytes() + " bytes of local memory per work-group; the device has "
                    + device.localMemoryBytes());
        }
        List<String> why = new ArrayList<>();
        long columns;
        switch (direction) {
            case FORWARD -> {
                ConvAlgorithmSupport.int31("the GEMM rows N*P*Q", conv.gemmM()).ifPresent(why::add);
                ConvAlgorithmSupport.int31("the reduction C/G*R*S", (long) conv.cPerGroup() * conv.r() * conv.s())
                        .ifPresent(why::add);
                columns = conv.kPerGroup();
            }
            case BACKWARD_DATA -> {
                long classRows = (long) conv.n() * ceilDiv(conv.h(), conv.strideH()) * ceilDiv(conv.w(), conv.strideW());
                ConvAlgorithmSupport.int31("the GEMM rows of a stride class N*ceil(H/sh)*ceil(W/sw)", classRows)
                        .ifPresent(why::add);
                ConvAlgorithmSupport.int31("the reduction K/G*R*S", (long) conv.kPerGroup() * conv.r() * conv.s())
                        .ifPresent(why::add);
                long layers = (long) conv.groups() * conv.strideH() * conv.strideW();
                if (layers > MAX_STRIDE_CLASSES) {
                    why.add("backward-data launches one grid layer per group and stride class, G*sh*sw = " + layers
                            + ", more than " + MAX_STRIDE_CLASSES + " (strides this large leave most classes empty: "
                            + "DIRECT or IM2COL_GEMM run them)");
                }
                columns = conv.cPerGroup();
            }
            default -> {
                ConvAlgorithmSupport.int31("the reduction N*P*Q", conv.gemmM()).ifPresent(why::add);
                ConvAlgorithmSupport.int31("the GEMM rows C/G*R*S", (long) conv.cPerGroup() * conv.r() * conv.s())
                        .ifPresent(why::add);
                columns = conv.kPerGroup();
            }
        }
        if (ceilDiv(columns, smallest.tn()) > MAX_GRID_YZ) {
            why.add("its GEMM has " + columns + " columns, more than " + MAX_GRID_YZ + " column tiles of "
                    + smallest.tn() + " (the grid's y extent on CUDA)");
        }
        return ConvAlgorithmSupport.all(why);
    }

    @Override
    public void forward(KernelDevice device, DirectConv conv, Buffer x, Buffer w, Buffer bias, Buffer y) {
        String op = "convForward";
        Chosen t = tiles(device, op, conv.toString(), "igemm_forward");
        long groupsM = ceilDiv(conv.gemmM(), t.tiles.tm());
        long groupsN = ceilDiv(conv.kPerGroup(), t.tiles.tn());
        for (int z0 = 0; z0 < conv.groups(); z0 += MAX_GRID_YZ) {
            int layers = Math.min(MAX_GRID_YZ, conv.groups() - z0);
            ConvAlgorithmSupport.shape(t.launch(device, op, conv, "igemm_forward"), conv).arg(z0).arg(bias != null)
                    .arg(x).arg(w).arg(device.orPlaceholder(bias)).arg(y)
                    .run(t.global(groupsM, groupsN, layers), t.local());
        }
    }

    @Override
    public void backwardData(KernelDevice device, DirectConv conv, Buffer dy, Buffer w, Buffer bias, Buffer dx) {
        String op = "convBackwardData";
        Chosen t = tiles(device, op, conv.toString(), "igemm_backward_data");
        long classRows = (long) conv.n() * ceilDiv(conv.h(), conv.strideH()) * ceilDiv(conv.w(), conv.strideW());
        long groupsM = ceilDiv(classRows, t.tiles.tm());
        long groupsN = ceilDiv(conv.cPerGroup(), t.tiles.tn());
        int total = conv.groups() * conv.strideH() * conv.strideW();
        for (int z0 = 0; z0 < total; z0 += MAX_GRID_YZ) {
            int layers = Math.min(MAX_GRID_YZ, total - z0);
            ConvAlgorithmSupport.shape(t.launch(device, op, conv, "igemm_backward_data"), conv).arg(z0)
                    .arg(bias != null).arg(dy).arg(w).arg(device.orPlaceholder(bias)).arg(dx)
                    .run(t.global(groupsM, groupsN, layers), t.local());
        }
    }

    @Override
    public void backwardFilter(KernelDevice device, DirectConv conv, Buffer x, Buffer dy, Buffer dw) {
        String op = "convBackwardFilter";
        String problem = conv.toString();
        Chosen t = tiles(device, op, problem, "igemm_backward_filter");
        int rows = conv.cPerGroup() * conv.r() * conv.s();
        long groupsM = ceilDiv(rows, t.tiles.tm());
        long groupsN = ceilDiv(conv.kPerGroup(), t.tiles.tn());
        long reduction = conv.gemmM();
        long weights = conv.weightElements();
        // Enough splits to give the device GROUPS_PER_COMPUTE_UNIT groups per compute unit, each at
        // least MIN_SPLIT terms long, with their partial sums within the workspace budget.
        long tiles = groupsM * groupsN * conv.groups();
        long target = (long) Math.max(1, device.info().computeUnits()) * GROUPS_PER_COMPUTE_UNIT;
        long splits = Math.min(ceilDiv(target, tiles), ceilDiv(reduction, MIN_SPLIT));
        splits = Math.min(splits, ConvAlgorithmSupport.workspaceBudgetFloats(device, 0) / Math.max(1, weights));
        splits = Math.min(splits, Integer.MAX_VALUE / conv.groups());
        splits = Math.max(1, splits);
        long chunk = ceilDiv(ceilDiv(reduction, splits), t.tiles.tk()) * t.tiles.tk();
        splits = Math.max(1, ceilDiv(reduction, chunk));
        Buffer out = splits == 1 ? dw : device.workspace("igemm.splits", splits * weights);
        long total = conv.groups() * splits;
        for (long z0 = 0; z0 < total; z0 += MAX_GRID_YZ) {
            int layers = (int) Math.min(MAX_GRID_YZ, total - z0);
            ConvAlgorithmSupport.shape(t.launch(device, op, conv, "igemm_backward_filter"), conv)
                    .arg((int) z0).arg((int) splits).arg((int) chunk).arg(splits == 1 ? 0L : weights)
                    .arg(x).arg(dy).arg(out)
                    .run(t.global(groupsM, groupsN, layers), t.local());
        }
        if (splits > 1) {
            device.launch(op, problem, SOURCE, t.tiles.defines(), "igemm_sum_splits")
                    .arg(weights).arg((int) splits).arg(out).arg(dw)
                    .elements(weights);
        }
    }

    /** The tile shape chosen for a kernel on a device, and the launch geometry it implies. */
    private record Chosen(Tiles tiles) {
        KernelLaunch launch(KernelDevice device, String op, DirectConv conv, String kernel) {
            return device.launch(op, conv.toString(), SOURCE, tiles.defines(), kernel);
        }

        long[] global(long groupsM, long groupsN, int layers) {
            return new long[] {groupsM * tiles.threadsM(), groupsN * tiles.threadsN(), layers};
        }

        long[] local() {
            return new long[] {tiles.threadsM(), tiles.threadsN(), 1};
        }
    }

    /** The first tile shape whose work-group the device runs with {@code kernel}. */
    private static Chosen tiles(KernelDevice device, String op, String problem, String kernel) {
        for (Tiles t : TILES) {
            if (t.threads() > device.maxLocalSize() || t.localBytes() > device.localMemoryBytes()) {
                continue;
            }
            KernelLaunch l = device.launch(op, problem, SOURCE, t.defines(), kernel);
            if (l.maxLocalSize() >= t.threads()) {
                return new Chosen(t);
            }
        }
        throw device.launchConfigurationError(op, kernel, problem, "no implicit-GEMM tile shape of " + TILES
                + " fits this device's work-group limit of " + device.maxLocalSize() + " work-items and "
                + device.localMemoryBytes() + " bytes of local memory");
    }
}
