package io.jdnn.kernels;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;
import io.jdnn.spi.Buffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.jdnn.kernels.ConvAlgorithmSupport.ceilDiv;

/**
 * GROUPED: grouped convolutions with 2 to {@code GRP_MAX_CPG} (8) image-side channels per group
 * and any number of response-side channels per group (ResNeXt's 32-group 3x3 layers), tiled per
 * (image, group) in local memory ({@code conv_grouped.cl}). One GEMM per group would waste most of
 * its tile on so few channels; these kernels move each byte about once instead: forward stages the
 * x tile of all C/G planes of a group with its halo and computes it for every output channel of the
 * group, a register tile of pixels x output channels per work-item; backward-data gathers dx for
 * all C/G channels of a pixel from staged dy windows; backward-filter walks the rows of a
 * (group, split) once per unit of output channels x taps and reduces in a fixed-order tree per
 * work-group, the splits then added in order ({@link SplitSums}, workspace "grouped.splits").
 * Depthwise problems (C/G = 1) are DEPTHWISE's. Deterministic.
 * Error bound {@link ConvAlgorithm#GROUPED}: float32 sums of C/G*R*S terms (forward), K/G*R*S
 * (backward-data), N*P*Q (backward-filter, blocked and tree-reduced).
 */
public final class GroupedConvAlgorithm implements KernelConvAlgorithm {
    /** The kernel source. */
    public static final String SOURCE = "conv_grouped.cl";

    /** Outputs a forward tile (pixels a backward-data tile) holds at most: DEPTHWISE's figure. */
    static final int TILE_TARGET = DepthwiseConvAlgorithm.TILE_TARGET;
    /** Work-items per group of the forward and backward-data kernels, at most: DEPTHWISE's. */
    static final int LOCAL = DepthwiseConvAlgorithm.LOCAL;
    /** Backward-filter: elements (n, p, q) a split covers at least: DEPTHWISE's. */
    static final int MIN_SPLIT = DepthwiseConvAlgorithm.MIN_SPLIT;
    /** Backward-filter: work-groups per compute unit the splits aim at: DEPTHWISE's. */
    static final int GROUPS_PER_COMPUTE_UNIT = DepthwiseConvAlgorithm.GROUPS_PER_COMPUTE_UNIT;

    @Override
    public ConvAlgorithm id() {
        return ConvAlgorithm.GROUPED;
    }

    @Override
    public boolean deterministic() {
        return true;
    }

    private static int tileFloats() {
        return KernelSources.defaultInt(SOURCE, "GRP_TILE");
    }

    /** The most image-side channels per group the kernels take (backward-data holds them all in registers). */
    static int maxChannelsPerGroup() {
        return KernelSources.defaultInt(SOURCE, "GRP_MAX_CPG");
    }

    @Override
    public Optional<String> whyNot(KernelDevice device, DirectConv conv, ConvDirection direction) {
        int cpg = conv.cPerGroup();
        int max = maxChannelsPerGroup();
        if (cpg < 2 || cpg > max) {
            return Optional.of("needs 2.." + max + " image-side channels per group, got C/G = " + conv.c() + "/"
                    + conv.groups() + " = " + cpg + (cpg == 1 ? " (a depthwise convolution: DEPTHWISE runs it)"
                    : " (the GEMM algorithms fill their tiles there)"));
        }
        int tile = tileFloats();
        long local = Math.max((long) tile, (long) KernelSources.defaultInt(SOURCE, "GRPF_KB")
                * KernelSources.defaultInt(SOURCE, "GRPF_TAPS") * KernelSources.defaultInt(SOURCE, "GRPF_WG"))
                * Float.BYTES;
        if (device.localMemoryBytes() < local) {
            return Optional.of("needs " + local + " bytes of local memory per work-group; the device has "
                    + device.localMemoryBytes());
        }
        List<String> why = new ArrayList<>();
        // the kernels compute image rows and columns, window bounds and tap indices in 32-bit ints
        ConvAlgorithmSupport.paddedExtents31(conv, why);
        ConvAlgorithmSupport.int31("the taps per output channel C/G*R*S", (long) cpg * conv.r() * conv.s())
                .ifPresent(why::add);
        switch (direction) {
            case FORWARD -> {
                long halo = cpg * forwardHalo(conv, 1, 1);
                if (halo > tile) {
                    why.add("the receptive field of one output over its " + cpg + " channels, " + cpg + "x"
                            + rows(conv, 1) + "x" + cols(conv, 1) + " = " + halo + " floats with dilation "
                            + conv.dilationH() + "x" + conv.dilationW() + ", exceeds the local tile of " + tile
                            + " floats");
                }
            }
            case BACKWARD_DATA -> {
                long halo = dataHalo(conv, 1, 1);
                if (halo > tile) {
                    why.add("the dy window one input pixel reads, " + halo + " floats with dilation "
                            + conv.dilationH() + "x" + conv.dilationW() + " and stride " + conv.strideH() + "x"
                            + conv.strideW() + ", exceeds the local tile of " + tile + " floats");
                }
            }
            default -> ConvAlgorithmSupport.int31("the rows N*P", (long) conv.n() * conv.p()).ifPresent(why::add);
        }
        return ConvAlgorithmSupport.all(why);
    }

    @Override
    public void forward(KernelDevice device, DirectConv conv, Buffer x, Buffer w, Buffer bias, Buffer y) {
        int[] t = forwardTile(conv, tileFloats());
        int pix = KernelSources.defaultInt(SOURCE, "GRP_PIX");
        KernelLaunch l = device.launch("convForward", conv.toString(), SOURCE, "grp_forward");
        long local = Math.min(Math.min(LOCAL, l.maxLocalSize()), roundUp32(ceilDiv((long) t[0] * t[1], pix)));
        long tiles = (long) conv.n() * conv.groups() * ceilDiv(conv.p(), t[0]) * ceilDiv(conv.q(), t[1]);
        l.convShape(conv).arg("KG", conv.kPerGroup()).arg("TP", t[0]).arg("TQ", t[1])
                .arg("has_bias", bias != null).arg("x", x).arg("w", w).arg("bias", device.orPlaceholder(bias)).arg("y", y)
                .groups(device.cappedGroups(tiles), local);
    }

    @Override
    public void backwardData(KernelDevice device, DirectConv conv, Buffer dy, Buffer w, Buffer bias, Buffer dx) {
        int tile = tileFloats();
        int pix = KernelSources.defaultInt(SOURCE, "GRP_DPIX");
        KernelLaunch l = device.launch("convBackwardData", conv.toString(), SOURCE, "grp_backward_data");
        long localMax = Math.min(LOCAL, l.maxLocalSize());
        int[] t = dataTile(conv, tile, (int) Math.min(TILE_TARGET, localMax * pix));
        int staged = (int) Math.min(conv.kPerGroup(), tile / dataHalo(conv, t[0], t[1]));
        long local = Math.min(localMax, roundUp32(ceilDiv((long) t[0] * t[1], pix)));
        long tiles = (long) conv.n() * conv.groups() * ceilDiv(conv.h(), t[0]) * ceilDiv(conv.w(), t[1]);
        l.convShape(conv).arg("KG", conv.kPerGroup()).arg("TH", t[0]).arg("TW", t[1]).arg("KS", staged)
                .arg("has_bias", bias != null).arg("dy", dy).arg("w", w).arg("bias", device.orPlaceholder(bias)).arg("dx", dx)
                .groups(device.cappedGroups(tiles), local);
    }

    @Override
    public void backwardFilter(KernelDevice device, DirectConv conv, Buffer x, Buffer dy, Buffer dw) {
        String op = "convBackwardFilter";
        String problem = conv.toString();
        long rows = (long) conv.n() * conv.p();
        long units = units(conv);
        long target = (long) Math.max(1, device.info().computeUnits()) * GROUPS_PER_COMPUTE_UNIT;
        long minRows = ceilDiv(MIN_SPLIT, conv.q());
        long splits = Math.max(1, Math.min(ceilDiv(target, conv.groups() * units), ceilDiv(rows, minRows)));
        long rowsPerSplit = ceilDiv(rows, splits);
        splits = ceilDiv(rows, rowsPerSplit);
        long weights = conv.weightElements();
        Buffer out = splits == 1 ? dw : device.workspace("grouped.splits", splits * weights);
        KernelDevice.Reduction r = device.reduction(op, problem, SOURCE, "grp_backward_filter", "GRPF_WG");
        r.launch().convShape(conv).arg("KG", conv.kPerGroup()).arg("splits", (int) splits)
                .arg("rows_per_split", (int) rowsPerSplit).arg("x", x).arg("dy", dy).arg("out", out)
                .groups(device.cappedGroups(conv.groups() * splits * units), r.localSize());
        if (splits > 1) {
            SplitSums.add(device, op, problem, weights, (int) splits, out, dw);
        }
    }

    /**
     * The forward tile (rows tp, columns tq of outputs of one (image, group)): among tiles of at most
     * {@value #TILE_TARGET} outputs whose x window over all C/G channels fits {@code tileFloats},
     * for column counts ceil(Q/d), the one that stages the fewest x floats over the whole output
     * plane (halo overhead), ties to the fewer tiles; rows are then evened out over the tiles.
     */
    static int[] forwardTile(DirectConv c, int tileFloats) {
        long budget = tileFloats / c.cPerGroup();
        int[] best = null;
        long bestCost = Long.MAX_VALUE;
        long bestTiles = Long.MAX_VALUE;
        for (int tq : widths(c.q())) {
            int tp = Math.min(c.p(), Math.max(1, TILE_TARGET / tq));
            while (tp > 1 && forwardHalo(c, tp, tq) > budget) {
                tp--;
            }
            if (forwardHalo(c, tp, tq) > budget) {
                continue;
            }
            tp = (int) ceilDiv(c.p(), ceilDiv(c.p(), tp));
            long tiles = ceilDiv(c.p(), tp) * ceilDiv(c.q(), tq);
            long cost = tiles * forwardHalo(c, tp, tq);
            if (cost < bestCost || (cost == bestCost && tiles < bestTiles)) {
                best = new int[] {tp, tq};
                bestCost = cost;
                bestTiles = tiles;
            }
        }
        if (best == null) {
            throw new IllegalStateException("GROUPED forward of " + c + ": no tile fits " + tileFloats
                    + " floats (whyNot should have refused it)");
        }
        return best;
    }

    /**
     * The backward-data tile (rows th, columns tw of dx pixels of one (image, group)): among tiles of
     * at most {@code maxPixels} pixels whose dy window of one output channel fits {@code tileFloats},
     * for column counts ceil(W/d), the one that stages the fewest dy floats over the whole plane,
     * ties to the fewer tiles; rows are then evened out over the tiles.
     */
    static int[] dataTile(DirectConv c, int tileFloats, int maxPixels) {
        int[] best = null;
        long bestCost = Long.MAX_VALUE;
        long bestTiles = Long.MAX_VALUE;
        for (int tw : widths(c.w())) {
            if (tw > maxPixels) {
                continue;
            }
            int th = Math.min(c.h(), Math.max(1, maxPixels / tw));
            while (th > 1 && dataHalo(c, th, tw) > tileFloats) {
                th--;
            }
            if (dataHalo(c, th, tw) > tileFloats) {
                continue;
            }
            th = (int) ceilDiv(c.h(), ceilDiv(c.h(), th));
            long tiles = ceilDiv(c.h(), th) * ceilDiv(c.w(), tw);
            long cost = tiles * dataHalo(c, th, tw);
            if (cost < bestCost || (cost == bestCost && tiles < bestTiles)) {
                best = new int[] {th, tw};
                bestCost = cost;
                bestTiles = tiles;
            }
        }
        if (best == null) {
            throw new IllegalStateException("GROUPED backward-data of " + c + ": no tile fits " + tileFloats
                    + " floats (whyNot should have refused it)");
        }
        return best;
    }

    /** Candidate tile widths for an extent: ceil(extent/d) for d = 1..64, and the powers of two below 64. */
    private static List<Integer> widths(int extent) {
        List<Integer> out = new ArrayList<>();
        for (int d = 1; d <= 64; d++) {
            int t = (int) ceilDiv(extent, d);
            if (!out.contains(t)) {
                out.add(t);
            }
        }
        for (int t = 64; t >= 1; t /= 2) {
            if (t < extent && !out.contains(t)) {
                out.add(t);
            }
        }
        return out;
    }

    /** Backward-filter work units per (group, split): blocks of GRPF_KB output channels x chunks of GRPF_TAPS taps. */
    private static long units(DirectConv c) {
        long kBlocks = ceilDiv(c.kPerGroup(), KernelSources.defaultInt(SOURCE, "GRPF_KB"));
        long tapChunks = ceilDiv((long) c.cPerGroup() * c.r() * c.s(), KernelSources.defaultInt(SOURCE, "GRPF_TAPS"));
        return kBlocks * tapChunks;
    }

    private static long rows(DirectConv c, int tp) {
        return (long) (tp - 1) * c.strideH() + (long) (c.r() - 1) * c.dilationH() + 1;
    }

    private static long cols(DirectConv c, int tq) {
        return (long) (tq - 1) * c.strideW() + (long) (c.s() - 1) * c.dilationW() + 1;
    }

    /** Floats of one channel's x window under tp x tq outputs. */
    private static long forwardHalo(DirectConv c, int tp, int tq) {
        return rows(c, tp) * cols(c, tq);
    }

    /** Floats of the dy window of one output channel that th x tw pixels of dx read, at most (see grp_backward_data). */
    private static long dataHalo(DirectConv c, int th, int tw) {
        long r = ((long) th - 1 + (long) (c.r() - 1) * c.dilationH()) / c.strideH() + 1;
        long s = ((long) tw - 1 + (long) (c.s() - 1) * c.dilationW()) / c.strideW() + 1;
        return r * s;
    }

    private static long roundUp32(long v) {
        return Math.max(32, ceilDiv(v, 32) * 32);
    }
}
