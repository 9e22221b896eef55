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
 * DEPTHWISE: convolutions with groups == C (one input channel per group, any depth multiplier
 * K/C), tiled per channel plane in local memory ({@code conv_depthwise.cl}). Memory-bound, so the
 * kernels move each byte about once: forward stages an x tile with its halo and computes it for
 * every output channel of the plane; backward-data gathers dx from staged dy tiles; backward-filter
 * walks dy once per channel and reduces every tap in one fixed-order tree per work-group, the
 * (channel, split) partial sums then added in split order ({@link SplitSums}, workspace
 * "depthwise.splits").
 * Deterministic. Error bound {@link ConvAlgorithm#DEPTHWISE}: float32 sums of R*S terms (forward),
 * K/C*R*S (backward-data), N*P*Q (backward-filter, blocked and tree-reduced).
 */
public final class DepthwiseConvAlgorithm implements KernelConvAlgorithm {
    /** The kernel source. */
    public static final String SOURCE = "conv_depthwise.cl";

    /** Outputs a forward tile (pixels a backward-data tile) aims at. */
    static final int TILE_TARGET = 1024;
    /** Widest tile: rows of 64 coalesce on every GPU. */
    static final int TILE_WIDTH = 64;
    /** Work-items per group of the forward and backward-data kernels, at most. */
    static final int LOCAL = 256;
    /** Backward-filter: elements (n, p, q) a split covers at least. */
    static final int MIN_SPLIT = 2048;
    /** Backward-filter: work-groups per compute unit the splits aim at. */
    static final int GROUPS_PER_COMPUTE_UNIT = 8;

    @Override
    public ConvAlgorithm id() {
        return ConvAlgorithm.DEPTHWISE;
    }

    @Override
    public boolean deterministic() {
        return true;
    }

    private static int tileFloats() {
        return KernelSources.defaultInt(SOURCE, "DW_TILE");
    }

    @Override
    public Optional<String> whyNot(KernelDevice device, DirectConv conv, ConvDirection direction) {
        if (!conv.isDepthwise()) {
            return Optional.of("needs groups == C, one image-side channel per group (a depthwise convolution), got groups="
                    + conv.groups() + " for C=" + conv.c());
        }
        int tile = tileFloats();
        long local = Math.max((long) tile, (long) KernelSources.defaultInt(SOURCE, "DWF_TAPS")
                * KernelSources.defaultInt(SOURCE, "DWF_WG")) * Float.BYTES;
        if (device.localMemoryBytes() < local) {
            return Optional.of("needs " + local + " bytes of local memory per work-group; the device has "
                    + device.localMemoryBytes());
        }
        // the kernels compute window rows and columns (p*sh - ph, ih + ph - r*dh, ...) in 32-bit ints
        List<String> extents = new ArrayList<>();
        ConvAlgorithmSupport.paddedExtents31(conv, extents);
        if (!extents.isEmpty()) {
            return ConvAlgorithmSupport.all(extents);
        }
        switch (direction) {
            case FORWARD -> {
                long halo = forwardHalo(conv, 1, 1);
                if (halo > tile) {
                    return Optional.of("the receptive field of one output, " + rows(conv, 1) + "x" + cols(conv, 1)
                            + " = " + halo + " floats with dilation " + conv.dilationH() + "x" + conv.dilationW()
                            + ", exceeds the local tile of " + tile + " floats");
                }
            }
            case BACKWARD_DATA -> {
                long halo = dataHalo(conv, 1, 1);
                if (halo > tile) {
                    return Optional.of("the dy window one input pixel reads, " + halo + " floats with dilation "
                            + conv.dilationH() + "x" + conv.dilationW() + " and stride " + conv.strideH() + "x"
                            + conv.strideW() + ", exceeds the local tile of " + tile + " floats");
                }
            }
            default -> {
                Optional<String> rows = ConvAlgorithmSupport.int31("the rows N*P", (long) conv.n() * conv.p());
                if (rows.isPresent()) {
                    return rows;
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public void forward(KernelDevice device, DirectConv conv, Buffer x, Buffer w, Buffer bias, Buffer y) {
        String op = "convForward";
        int tile = tileFloats();
        int tq = Math.min(conv.q(), TILE_WIDTH);
        int tp = Math.min(conv.p(), Math.max(1, TILE_TARGET / tq));
        while (forwardHalo(conv, tp, tq) > tile) {
            if (tp > 1) {
                tp = (tp + 1) / 2;
            } else {
                tq = (tq + 1) / 2;
            }
        }
        KernelLaunch l = device.launch(op, conv.toString(), SOURCE, "dw_forward");
        long local = Math.min(Math.min(LOCAL, l.maxLocalSize()), roundUp32((long) tp * tq));
        long tiles = (long) conv.n() * conv.c() * ceilDiv(conv.p(), tp) * ceilDiv(conv.q(), tq);
        l.convShape(conv).arg("M", conv.k() / conv.c()).arg("TP", tp).arg("TQ", tq)
                .arg("has_bias", bias != null).arg("x", x).arg("w", w).arg("bias", device.orPlaceholder(bias)).arg("y", y)
                .groups(device.cappedGroups(tiles), local);
    }

    @Override
    public void backwardData(KernelDevice device, DirectConv conv, Buffer dy, Buffer w, Buffer bias, Buffer dx) {
        String op = "convBackwardData";
        int tile = tileFloats();
        int items = KernelSources.defaultInt(SOURCE, "DW_ITEMS");
        KernelLaunch l = device.launch(op, conv.toString(), SOURCE, "dw_backward_data");
        long localMax = Math.min(LOCAL, l.maxLocalSize());
        int capacity = (int) Math.min(TILE_TARGET, localMax * items);
        int tw = Math.min(Math.min(conv.w(), TILE_WIDTH), capacity);
        int th = Math.min(conv.h(), Math.max(1, capacity / tw));
        while (dataHalo(conv, th, tw) > tile) {
            if (th > 1) {
                th = (th + 1) / 2;
            } else {
                tw = (tw + 1) / 2;
            }
        }
        long local = Math.min(localMax, roundUp32((long) th * tw));
        long tiles = (long) conv.n() * conv.c() * ceilDiv(conv.h(), th) * ceilDiv(conv.w(), tw);
        l.convShape(conv).arg("M", conv.k() / conv.c()).arg("TH", th).arg("TW", tw)
                .arg("has_bias", bias != null).arg("dy", dy).arg("w", w).arg("bias", device.orPlaceholder(bias)).arg("dx", dx)
                .groups(device.cappedGroups(tiles), local);
    }

    @Override
    public void backwardFilter(KernelDevice device, DirectConv conv, Buffer x, Buffer dy, Buffer dw) {
        String op = "convBackwardFilter";
        String problem = conv.toString();
        long rows = (long) conv.n() * conv.p();
        long target = (long) Math.max(1, device.info().computeUnits()) * GROUPS_PER_COMPUTE_UNIT;
        long minRows = ceilDiv(MIN_SPLIT, conv.q());
        long splits = Math.max(1, Math.min(ceilDiv(target, conv.k()), ceilDiv(rows, minRows)));
        long rowsPerSplit = ceilDiv(rows, splits);
        splits = ceilDiv(rows, rowsPerSplit);
        long weights = conv.weightElements();
        Buffer out = splits == 1 ? dw : device.workspace("depthwise.splits", splits * weights);
        KernelDevice.Reduction r = device.reduction(op, problem, SOURCE, "dw_backward_filter", "DWF_WG");
        r.launch().convShape(conv).arg("M", conv.k() / conv.c()).arg("splits", (int) splits)
                .arg("rows_per_split", (int) rowsPerSplit).arg("x", x).arg("dy", dy).arg("out", out)
                .groups(device.cappedGroups(conv.k() * splits), r.localSize());
        if (splits > 1) {
            SplitSums.add(device, op, problem, weights, (int) splits, out, dw);
        }
    }

    private static long rows(DirectConv c, int tp) {
        return (long) (tp - 1) * c.strideH() + (long) (c.r() - 1) * c.dilationH() + 1;
    }

    private static long cols(DirectConv c, int tq) {
        return (long) (tq - 1) * c.strideW() + (long) (c.s() - 1) * c.dilationW() + 1;
    }

    /** Floats of the x tile under tp x tq outputs. */
    private static long forwardHalo(DirectConv c, int tp, int tq) {
        return rows(c, tp) * cols(c, tq);
    }

    /** Floats of the dy tile th x tw pixels of dx read, at most (see dw_backward_data). */
    private static long dataHalo(DirectConv c, int th, int tw) {
        long r = ((long) th - 1 + (long) (c.r() - 1) * c.dilationH()) / c.strideH() + 1;
        long s = ((long) tw - 1 + (long) (c.s() - 1) * c.dilationW()) / c.strideW() + 1;
        return r * s;
    }

    private static long roundUp32(long v) {
        return Math.max(32, ceilDiv(v, 32) * 32);
    }
}
