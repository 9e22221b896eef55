package io.jdnn.kernels;

import io.jdnn.Activation;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;
import io.jdnn.spi.Buffer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import static io.jdnn.kernels.CudaLimits.MAX_GRID_YZ;
import static io.jdnn.kernels.ConvAlgorithmSupport.ceilDiv;

/**
 * IMPLICIT_GEMM: tiled GEMMs whose operand tiles are gathered from the tensors into local memory
 * on the fly, no column buffer ({@code conv_implicit_gemm.cl}): register-tiled, double-buffered K
 * slices, with the tile shape chosen per problem and direction ({@link #choose}).
 * <ul>
 *   <li>forward: M = N*P*Q output pixels, N = K/G channels, reduction C/G*R*S, per group;</li>
 *   <li>backward-data: the implicit GEMM of the transposed problem, per group and residue class
 *       of the pixels modulo the stride, each class reducing over only the taps that reach it
 *       (K/G * about R*S/(sh*sw) terms);</li>
 *   <li>backward-filter: M = C/G*R*S, N = K/G, reduction N*P*Q, cut into consecutive splits when
 *       the output has too few tiles to fill the device; the partial sums are added in split order
 *       by a second kernel ({@link SplitSums}, workspace "igemm.splits").</li>
 * </ul>
 * Deterministic: every sum has a fixed order, one running sum per output over the reduction in
 * slices of IGEMM_TK (16 in every tile shape); backward-filter's splits, and so where its partial
 * sums break, depend on the tile shape and the device's compute units. Error bound
 * {@link ConvAlgorithm#IMPLICIT_GEMM}: float32 dot products of the reduction lengths above.
 */
public final class ImplicitGemmConvAlgorithm implements EpilogueConvAlgorithm {
    /** The kernel source. */
    public static final String SOURCE = "conv_implicit_gemm.cl";

    /**
     * A tile shape: tm x tn outputs per work-group, (tm/wm) x (tn/wn) work-items of wm x wn
     * outputs each, reduction slices of tk (the source's IGEMM_TM, TN, TK, WM, WN).
     *
     * @param tm outputs per work-group along M (IGEMM_TM)
     * @param tn outputs per work-group along N (IGEMM_TN)
     * @param tk depth of each reduction slice (IGEMM_TK)
     * @param wm outputs per work-item along M (IGEMM_WM)
     * @param wn outputs per work-item along N (IGEMM_WN)
     */
    public record Tiles(int tm, int tn, int tk, int wm, int wn) {
        /** The shape a define set of the source gives (every IGEMM_* named). */
        static Tiles of(Map<String, String> defines) {
            return new Tiles(Integer.parseInt(defines.get("IGEMM_TM")), Integer.parseInt(defines.get("IGEMM_TN")),
                    Integer.parseInt(defines.get("IGEMM_TK")), Integer.parseInt(defines.get("IGEMM_WM")),
                    Integer.parseInt(defines.get("IGEMM_WN")));
        }

        /** Work-items along M (local size 0). */
        public int threadsM() {
            return tm / wm;
        }

        /** Work-items along N (local size 1). */
        public int threadsN() {
            return tn / wn;
        }

        /** Work-items per work-group. */
        public int threads() {
            return threadsM() * threadsN();
        }

        /** Local memory the kernels declare: two slices of A and B, rows padded by one. */
        public long localBytes() {
            return 2L * tk * ((tm + 1) + (tn + 1)) * Float.BYTES;
        }

        /** The source's defines for this shape. */
        public Map<String, Integer> defines() {
            return Map.of("IGEMM_TM", tm, "IGEMM_TN", tn, "IGEMM_TK", tk, "IGEMM_WM", wm, "IGEMM_WN", wn);
        }

        @Override
        public String toString() {
            return tm + "x" + tn + " (" + wm + "x" + wn + " per work-item, " + threads() + " work-items)";
        }
    }

    /**
     * The tile shapes every backend runs, largest output tile first (equal areas in source order):
     * the source's defaults (64x64) and its {@code @variant} lines (128x128, 128x64, 32x32), the
     * define sets the CUDA build compiles ({@link KernelSources#variants}: one list for the build
     * and the host).
     */
    public static final List<Tiles> TILES = compiledTiles();

    /**
     * 16x16 (4x4 per work-item, 16 work-items): for OpenCL devices that run none of {@link #TILES}
     * (work-groups of fewer than 64 work-items); chosen only then, never on CUDA.
     */
    public static final Tiles SMALL = new Tiles(16, 16, 16, 4, 4);

    /**
     * Work-items per compute unit that make one full wave for {@link #choose}: one 256-work-item
     * group (8 warps on an SM). That is the occupancy the register-blocked tiles run at: ptxas
     * gives the 128x128 tile 155 to 168 registers, so one 256-thread group fits an SM's 64K
     * registers, the 128x64 tile two, the 64x64 three or four. Fewer work-items than this on a
     * compute unit leave it idle or latency-bound; more than a wave add nothing to the comparison.
     */
    static final int WAVE_ITEMS = 256;

    /** How close to the best a tile's efficiency and occupancy must come in {@link #choose} (7/8). */
    static final double SLACK = 0.875;

    /** Reduction terms a backward-filter split takes at least (sixteen slices): fewer would not pay for its pass. */
    static final int MIN_SPLIT = 256;

    /** Work-groups per compute unit the backward-filter splits aim at. */
    static final int GROUPS_PER_COMPUTE_UNIT = 4;

    /** The tile shape every launch uses, or null: chosen per problem and direction. */
    private final Tiles forced;

    /** Tiles chosen per problem and direction ({@link #choose}): the registry's instance. */
    public ImplicitGemmConvAlgorithm() {
        this.forced = null;
    }

    /**
     * Always {@code tiles} (tests, benchmarks): whyNot refuses a device that cannot run it; on CUDA
     * it must be one of {@link #TILES} (else the launch is refused).
     */
    public ImplicitGemmConvAlgorithm(Tiles tiles) {
        this.forced = Objects.requireNonNull(tiles, "tiles");
    }

    private static List<Tiles> compiledTiles() {
        List<Tiles> out = new ArrayList<>();
        out.add(Tiles.of(KernelSources.defaults(SOURCE)));
        for (KernelSources.Variant v : KernelSources.variants(SOURCE)) {
            out.add(Tiles.of(v.defines()));
        }
        out.sort(Comparator.comparingLong((Tiles t) -> (long) t.tm() * t.tn()).reversed());
        return List.copyOf(out);
    }

    /**
     * A direction's GEMM as the kernels run it, for {@link #choose}: rows (M) and columns (N) of one
     * grid layer, and the grid layers (groups; groups x stride classes in backward-data; groups x
     * the most splits backward-filter may cut its reduction into).
     */
    record GemmShape(long rows, long columns, long layers) {
    }

    static GemmShape shape(DirectConv conv, ConvDirection direction, long workspaceFloats) {
        return switch (direction) {
            case FORWARD -> new GemmShape(conv.gemmM(), conv.kPerGroup(), conv.groups());
            case BACKWARD_DATA -> new GemmShape(classRows(conv), conv.cPerGroup(),
                    (long) conv.groups() * conv.strideH() * conv.strideW());
            case BACKWARD_FILTER -> new GemmShape((long) conv.cPerGroup() * conv.r() * conv.s(), conv.kPerGroup(),
                    conv.groups() * maxSplits(conv, workspaceFloats));
        };
    }

    /** Rows of backward-data's largest stride class, N*ceil(H/sh)*ceil(W/sw). */
    private static long classRows(DirectConv conv) {
        return (long) conv.n() * ceilDiv(conv.h(), conv.strideH()) * ceilDiv(conv.w(), conv.strideW());
    }

    /**
     * The most splits of backward-filter's reduction: each at least {@link #MIN_SPLIT} terms,
     * their partial sums within the workspace, the grid layers below 2^31.
     */
    static long maxSplits(DirectConv conv, long workspaceFloats) {
        long splits = ceilDiv(conv.gemmM(), MIN_SPLIT);
        splits = Math.min(splits, workspaceFloats / Math.max(1, conv.weightElements()));
        splits = Math.min(splits, Integer.MAX_VALUE / conv.groups());
        return Math.max(1, splits);
    }

    /**
     * The tile shape for {@code direction} of {@code conv} on a device of {@code computeUnits},
     * work-groups of at most {@code maxLocalSize} work-items, {@code localMemoryBytes} of local
     * memory a group, and {@code workspaceFloats} of workspace (backward-filter's splits):
     * <ol>
     *   <li>candidates: the {@link #TILES} the device runs (work-items and local memory within its
     *       limits); {@link #SMALL} only when none does;</li>
     *   <li>efficiency of a tile: the share of the outputs its grid computes that exist,
     *       M*N / (ceil(M/tm)*tm * ceil(N/tn)*tn); tiles below {@link #SLACK} (7/8) of the best
     *       candidate's are dropped (a 128-wide tile on a GEMM of 64 columns computes twice the
     *       outputs);</li>
     *   <li>occupancy of a tile: its work-groups (ceil(M/tm) * ceil(N/tn) * layers) times its
     *       work-items, counted up to one full wave, computeUnits x {@link #WAVE_ITEMS};</li>
     *   <li>the largest remaining tile whose occupancy is at least 7/8 of the best remaining: the
     *       largest tile that fills a wave when one does, else the one that keeps the most work-items
     *       busy, larger on (near) ties.</li>
     * </ol>
     * The reduction (C/G*R*S, about K/G*R*S/(sh*sw), N*P*Q) enters through backward-filter's
     * layers: the splits it may be cut into fill the device as well as tiles do. Otherwise every
     * tile slices it by the same IGEMM_TK, so its length costs each tile alike.
     *
     * @throws IllegalArgumentException when the device runs no tile shape at all (whyNot refuses
     *                                  such a device)
     */
    static Tiles choose(DirectConv conv, ConvDirection direction, int computeUnits, long maxLocalSize,
                        long localMemoryBytes, long workspaceFloats) {
        return pick(shape(conv, direction, workspaceFloats), computeUnits,
                candidates(maxLocalSize, localMemoryBytes, Set.of()))
                .orElseThrow(() -> new IllegalArgumentException("no implicit-GEMM tile shape of " + TILES + " or "
                        + SMALL + " fits work-groups of " + maxLocalSize + " work-items and " + localMemoryBytes
                        + " bytes of local memory"));
    }

    /** The tiles a device of these limits runs, largest first, less {@code excluded}; SMALL only when none. */
    private static List<Tiles> candidates(long maxLocalSize, long localMemoryBytes, Set<Tiles> excluded) {
        List<Tiles> out = new ArrayList<>();
        for (Tiles t : TILES) {
            if (fits(t, maxLocalSize, localMemoryBytes) && !excluded.contains(t)) {
                out.add(t);
            }
        }
        if (out.isEmpty() && fits(SMALL, maxLocalSize, localMemoryBytes) && !excluded.contains(SMALL)) {
            out.add(SMALL);
        }
        return out;
    }

    private static boolean fits(Tiles t, long maxLocalSize, long localMemoryBytes) {
        return t.threads() <= maxLocalSize && t.localBytes() <= localMemoryBytes;
    }

    /** {@link #choose}'s rule over {@code candidates} (largest first). */
    static Optional<Tiles> pick(GemmShape g, int computeUnits, List<Tiles> candidates) {
        double wave = (double) Math.max(1, computeUnits) * WAVE_ITEMS;
        double bestEfficiency = 0;
        for (Tiles t : candidates) {
            bestEfficiency = Math.max(bestEfficiency, efficiency(g, t));
        }
        List<Tiles> kept = new ArrayList<>();
        double bestOccupancy = 0;
        for (Tiles t : candidates) {
            if (efficiency(g, t) >= SLACK * bestEfficiency) {
                kept.add(t);
                bestOccupancy = Math.max(bestOccupancy, occupancy(g, t, wave));
            }
        }
        for (Tiles t : kept) {
            if (occupancy(g, t, wave) >= SLACK * bestOccupancy) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    private static double efficiency(GemmShape g, Tiles t) {
        long m = Math.max(1, g.rows());
        long n = Math.max(1, g.columns());
        return (double) m / (ceilDiv(m, t.tm()) * t.tm()) * ((double) n / (ceilDiv(n, t.tn()) * t.tn()));
    }

    private static double occupancy(GemmShape g, Tiles t, double wave) {
        double groups = (double) ceilDiv(Math.max(1, g.rows()), t.tm()) * ceilDiv(Math.max(1, g.columns()), t.tn())
                * Math.max(1, g.layers());
        return Math.min(groups * t.threads(), wave);
    }

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
        Tiles smallest = forced != null ? forced : SMALL;
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
                ConvAlgorithmSupport.int31("the GEMM rows of a stride class N*ceil(H/sh)*ceil(W/sw)", classRows(conv))
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
    public void forward(KernelDevice device, DirectConv conv, Buffer x, Buffer w, Buffer bias, Activation activation,
                        Buffer y) {
        String op = "convForward";
        Chosen t = tiles(device, op, conv, ConvDirection.FORWARD, "igemm_forward");
        long groupsM = ceilDiv(conv.gemmM(), t.tiles.tm());
        long groupsN = ceilDiv(conv.kPerGroup(), t.tiles.tn());
        for (int z0 = 0; z0 < conv.groups(); z0 += MAX_GRID_YZ) {
            int layers = Math.min(MAX_GRID_YZ, conv.groups() - z0);
            t.launch(device, op, conv, "igemm_forward").convShape(conv).arg("z0", z0)
                    .arg("has_bias", bias != null).epilogue(activation)
                    .arg("x", x).arg("w", w).arg("bias", device.orPlaceholder(bias)).arg("y", y)
                    .run(t.global(groupsM, groupsN, layers), t.local());
        }
    }

    @Override
    public void backwardData(KernelDevice device, DirectConv conv, Buffer dy, Buffer w, Buffer bias, Buffer dx) {
        String op = "convBackwardData";
        Chosen t = tiles(device, op, conv, ConvDirection.BACKWARD_DATA, "igemm_backward_data");
        long groupsM = ceilDiv(classRows(conv), t.tiles.tm());
        long groupsN = ceilDiv(conv.cPerGroup(), t.tiles.tn());
        int total = conv.groups() * conv.strideH() * conv.strideW();
        for (int z0 = 0; z0 < total; z0 += MAX_GRID_YZ) {
            int layers = Math.min(MAX_GRID_YZ, total - z0);
            t.launch(device, op, conv, "igemm_backward_data").convShape(conv).arg("z0", z0)
                    .arg("has_bias", bias != null).arg("dy", dy).arg("w", w).arg("bias", device.orPlaceholder(bias))
                    .arg("dx", dx)
                    .run(t.global(groupsM, groupsN, layers), t.local());
        }
    }

    @Override
    public void backwardFilter(KernelDevice device, DirectConv conv, Buffer x, Buffer dy, Buffer dw) {
        String op = "convBackwardFilter";
        String problem = conv.toString();
        Chosen t = tiles(device, op, conv, ConvDirection.BACKWARD_FILTER, "igemm_backward_filter");
        long splits = splits(conv, t.tiles, device.info().computeUnits(),
                ConvAlgorithmSupport.workspaceBudgetFloats(device, 0));
        int rows = conv.cPerGroup() * conv.r() * conv.s();
        long groupsM = ceilDiv(rows, t.tiles.tm());
        long groupsN = ceilDiv(conv.kPerGroup(), t.tiles.tn());
        long reduction = conv.gemmM();
        long weights = conv.weightElements();
        long chunk = ceilDiv(ceilDiv(reduction, splits), t.tiles.tk()) * t.tiles.tk();
        splits = Math.max(1, ceilDiv(reduction, chunk));
        Buffer out = splits == 1 ? dw : device.workspace("igemm.splits", splits * weights);
        long total = conv.groups() * splits;
        for (long z0 = 0; z0 < total; z0 += MAX_GRID_YZ) {
            int layers = (int) Math.min(MAX_GRID_YZ, total - z0);
            t.launch(device, op, conv, "igemm_backward_filter").convShape(conv)
                    .arg("z0", (int) z0).arg("splits", (int) splits).arg("chunk", (int) chunk)
                    .arg("split_stride", splits == 1 ? 0L : weights)
                    .arg("x", x).arg("dy", dy).arg("out", out)
                    .run(t.global(groupsM, groupsN, layers), t.local());
        }
        if (splits > 1) {
            SplitSums.add(device, op, problem, weights, (int) splits, out, dw);
        }
    }

    /**
     * Backward-filter's splits of the reduction with tile shape {@code tiles}: enough to give the
     * device {@link #GROUPS_PER_COMPUTE_UNIT} work-groups per compute unit counting the tiles'
     * groups (ceil(C/G*R*S / tm) * ceil(K/G / tn) * G), at most {@link #maxSplits}. (The launch
     * then rounds each split to whole IGEMM_TK slices, which may leave fewer.)
     */
    static long splits(DirectConv conv, Tiles tiles, int computeUnits, long workspaceFloats) {
        long tileGroups = ceilDiv((long) conv.cPerGroup() * conv.r() * conv.s(), tiles.tm())
                * ceilDiv(conv.kPerGroup(), tiles.tn()) * conv.groups();
        long target = (long) Math.max(1, computeUnits) * GROUPS_PER_COMPUTE_UNIT;
        return Math.max(1, Math.min(ceilDiv(target, tileGroups), maxSplits(conv, workspaceFloats)));
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

    /**
     * The tile shape for {@code kernel}: the forced one, or {@link #choose}'s for the device, with
     * any shape whose kernel the device builds for smaller work-groups (registers, local memory)
     * left out and the choice made again.
     */
    private Chosen tiles(KernelDevice device, String op, DirectConv conv, ConvDirection direction, String kernel) {
        String problem = conv.toString();
        long maxLocal = device.maxLocalSize();
        long localMemory = device.localMemoryBytes();
        Set<Tiles> excluded = new HashSet<>();
        GemmShape shape = shape(conv, direction, ConvAlgorithmSupport.workspaceBudgetFloats(device, 0));
        while (true) {
            Optional<Tiles> t = forced != null
                    ? Optional.of(forced).filter(f -> fits(f, maxLocal, localMemory) && !excluded.contains(f))
                    : pick(shape, device.info().computeUnits(), candidates(maxLocal, localMemory, excluded));
            if (t.isEmpty()) {
                throw device.launchConfigurationError(op, kernel, problem, "no implicit-GEMM tile shape of "
                        + (forced != null ? List.of(forced) : TILES + " or " + SMALL) + " fits this device's work-group "
                        + "limit of " + maxLocal + " work-items and " + localMemory + " bytes of local memory"
                        + (excluded.isEmpty() ? "" : " (the kernels of " + excluded + " run smaller work-groups)"));
            }
            KernelLaunch l = device.launch(op, problem, SOURCE, t.get().defines(), kernel);
            if (l.maxLocalSize() >= t.get().threads()) {
                return new Chosen(t.get());
            }
            excluded.add(t.get());
        }
    }
}
