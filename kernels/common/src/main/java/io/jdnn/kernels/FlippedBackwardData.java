package io.jdnn.kernels;

import io.jdnn.DirectConv;
import io.jdnn.spi.Buffer;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Backward-data of a convolution of any stride as forward convolutions of stride 1, one per residue
 * class of dx's pixels, for an algorithm whose fast kernel is a forward pass (TENSOR_CORE_TF32 and
 * _BF16). The derivation is IMPLICIT_GEMM's ({@code igemm_backward_data} in conv_implicit_gemm.cl).
 *
 * <p>dx[n][c][ih][iw] sums dy[n][k][oh][ow] w[k][c][r][s] over the taps with ih + ph - r*dh = oh*sh
 * (0 &lt;= oh &lt; P) and likewise columns. With gh = gcd(sh, dh), rstep = sh/gh and ohstep = dh/gh:
 *
 * <ul>
 *   <li><b>Classes.</b> Pixel row ih receives tap r only if r*dh = ih + ph (mod sh). Rows with
 *       (ih + ph) mod sh = rho form the class ih = hs + hi*sh, hi &lt; Hc, where
 *       hs = (rho - ph) mod sh and Hc = ceil((H - hs)/sh); only hs &lt; min(sh, H) hold rows.</li>
 *   <li><b>Taps.</b> The solutions of r*dh = rho (mod sh) are r = r0 + t*rstep, r0 the one in
 *       [0, rstep) (none when gh does not divide rho); those below R are the class's Rc =
 *       (R-1-r0)/rstep + 1 taps (Rc = 0 when r0 &gt;= R: no tap reaches the class).</li>
 *   <li><b>Rows of dy.</b> oh = (ih + ph - r*dh)/sh = hi + A - t*ohstep, with the exact quotient
 *       A = (hs + ph - r0*dh)/sh (hs + ph and r0*dh are both rho mod sh): consecutive taps step
 *       back by ohstep rows.</li>
 *   <li><b>The forward pass.</b> Number the taps backwards, t' = Rc-1-t: oh = hi - padF + t'*ohstep
 *       with <b>padF = (Rc-1)*ohstep - A</b>. That is the forward gather of stride 1 and
 *       <b>dilation ohstep</b> over dy (image P x Q, output Hc x Wc) at padding padF, with tap t' of
 *       the class's sub-filter in reverse order; padF is negative where the window starts inside dy,
 *       which the forward kernels' guarded gathers take like any offset.</li>
 * </ul>
 *
 * Columns likewise (sstep, owstep, padF_w). Channels as for stride 1: the forward problem has
 * K/G input and C/G output channels per group, its weights the class's sub-filter
 * wf[g*C/G + c][k][Rc-1-t][Sc-1-u] = w[g*K/G + k][c][r0 + t*rstep][s0 + u*sstep], shape
 * (C, K/G, Rc, Sc), written by {@code conv_flip_class_filter} into the workspace
 * {@value #FILTER_WORKSPACE}; the per-channel bias of a transposed convolution is the forward pass's
 * bias. The class's compact result (N, C, Hc, Wc), in the workspace {@value #CLASS_WORKSPACE}, is
 * copied into dx's strided positions by {@code conv_scatter_class}, which writes the bias (or 0)
 * into the pixels of a class no tap reaches: dx is overwritten whole.
 *
 * <p><b>Stride 1</b> is one class (hs = 0, Hc = H, r0 = 0, rstep = 1, Rc = R, ohstep = dh, A = ph):
 * padF = (R-1)*dh - ph, the filter rotated by 180 degrees ({@code conv_flip_filter}, into
 * {@value #FILTER_WORKSPACE}) and one forward pass straight into dx: two launches, as before
 * strides were mapped. In general a class whose pixels are all of dx (Hc = H, Wc = W) is computed
 * in place, and one whose sub-filter is the whole filter (sh divides dh and sw divides dw) flips it
 * with {@code conv_flip_filter}; the rest costs per class a sub-filter launch, a forward pass, and a
 * scatter: one pass over dx in all. At most {@value #MAX_CLASSES} classes holding pixels
 * (min(sh, H) * min(sw, W)); beyond that the launches would dominate ({@link #whyNot}).
 */
public final class FlippedBackwardData {
    /** The flip, sub-filter and scatter kernels' source. */
    public static final String SOURCE = "conv_direct.cl";
    /** The whole filter rotated by 180 degrees, (C, K/G, R, S): stride 1, or a class whose sub-filter is the whole filter. */
    public static final String KERNEL = "conv_flip_filter";
    /** A class's flipped sub-filter, (C, K/G, Rc, Sc). */
    public static final String CLASS_FILTER_KERNEL = "conv_flip_class_filter";
    /** A class's compact result into dx's strided positions (or the bias, or 0, where no tap reaches). */
    public static final String SCATTER_KERNEL = "conv_scatter_class";
    /** The workspace of the flipped (sub-)filter. */
    public static final String FILTER_WORKSPACE = "flipped.filter";
    /** The workspace of a class's compact result, (N, C, Hc, Wc). */
    public static final String CLASS_WORKSPACE = "flipped.class";
    /**
     * Residue classes holding pixels, min(sh, H) * min(sw, W), at most: up to three launches each
     * (stride 32x32 takes 1024 classes; IMPLICIT_GEMM, which runs every class in one grid, takes 2^20).
     */
    public static final long MAX_CLASSES = 1024;

    private FlippedBackwardData() {
    }

    /**
     * The stride-1 forward convolution that computes part of {@code conv}'s backward-data: image side
     * dy (n, k, p, q), response side the pixels of dx computed, weights the flipped (sub-)filter.
     * Its {@link DirectConv#problem()} (and toString) is {@code conv}'s, for messages.
     */
    private static DirectConv strideOne(DirectConv conv, int h, int w, int r, int s, int padH, int padW, int dilationH,
                                      int dilationW) {
        return new DirectConv(conv.problem(), conv.n(), conv.k(), conv.p(), conv.q(), conv.c(), h, w, r, s, 1, 1,
                padH, padW, dilationH, dilationW, conv.groups());
    }

    /**
     * One residue class of dx's pixels: rows hs + hi*sh (hi &lt; hc), columns ws + wi*sw (wi &lt; wc),
     * reached by the taps r0 + t*rstep (t &lt; rc) and s0 + u*sstep (u &lt; sc), computed as the
     * stride-1 convolution {@code forward} over dy (its response side the class's compact pixels;
     * meaningful only when {@link #reached}: with rc or sc 0 the class gets the bias or 0).
     *
     * @param forward the stride-1 forward convolution over dy that computes the class's compact pixels
     * @param hs      the class's first row of dx
     * @param ws      the class's first column of dx
     * @param hc      rows of dx in the class
     * @param wc      columns of dx in the class
     * @param r0      first filter row that reaches the class
     * @param rstep   step between the filter rows that reach it
     * @param rc      filter rows that reach it (0: none)
     * @param s0      first filter column that reaches the class
     * @param sstep   step between the filter columns that reach it
     * @param sc      filter columns that reach it (0: none)
     */
    public record ClassPlan(DirectConv forward, int hs, int ws, int hc, int wc, int r0, int rstep, int rc, int s0,
                            int sstep, int sc) {
        /** Whether any tap reaches the class's pixels. */
        public boolean reached() {
            return rc > 0 && sc > 0;
        }

        /** Whether the class's sub-filter is the whole filter (sh divides dh and sw divides dw): conv_flip_filter. */
        public boolean wholeFilter() {
            return reached() && rstep == 1 && sstep == 1;
        }

        /** Whether the class is all of dx's pixels (hs = ws = 0, Hc = H, Wc = W): computed in place, no scatter. */
        public boolean inPlace(DirectConv conv) {
            return hc == conv.h() && wc == conv.w();
        }

        /** Elements of the class's compact result, N*C*Hc*Wc. */
        public long elements(DirectConv conv) {
            return (long) conv.n() * conv.c() * hc * wc;
        }
    }

    /** One axis of a class: start, pixel count, first tap (-1: none), tap step, taps, dy step, forward padding. */
    private record Axis(int start, int count, int first, int step, int taps, int dilation, long pad) {
    }

    /** Residue classes holding pixels, min(sh, H) * min(sw, W). */
    public static long classes(DirectConv conv) {
        return (long) Math.min(conv.strideH(), conv.h()) * Math.min(conv.strideW(), conv.w());
    }

    /**
     * Why the mapping does not apply to {@code conv}, if it does not: more than {@value #MAX_CLASSES}
     * classes, R*S of 2^31 or more, or a class's forward padding or window rows out of int range.
     */
    public static Optional<String> whyNot(DirectConv conv) {
        long classes = classes(conv);
        if (classes > MAX_CLASSES) {
            return Optional.of("backward-data runs one forward pass per residue class of dx's pixels, min(sh, H) * "
                    + "min(sw, W) = " + classes + " classes for stride " + conv.strideH() + "x" + conv.strideW()
                    + ", more than " + MAX_CLASSES + " (per-class launches would dominate: IMPLICIT_GEMM, DIRECT or "
                    + "IM2COL_GEMM run it)");
        }
        Optional<String> taps = ConvAlgorithmSupport.int31("the filter taps R*S", (long) conv.r() * conv.s());
        if (taps.isPresent()) {
            return taps;
        }
        for (List<Axis> axes : List.of(rows(conv), columns(conv))) {
            for (Axis a : axes) {
                if (a.taps() == 0) {
                    continue;
                }
                // the forward kernel's window rows run from -padF to Hc-1 - padF + (Rc-1)*ohstep, in 32-bit ints
                long lo = -a.pad();
                long hi = a.count() - 1L - a.pad() + (long) (a.taps() - 1) * a.dilation();
                if (a.pad() != (int) a.pad() || lo != (int) lo || hi != (int) hi) {
                    return Optional.of("the forward padding (Rc-1)*ohstep - (hs + ph - r0*dh)/sh = " + a.pad()
                            + " of the residue class starting at " + a.start() + ", or its window " + lo + " .. "
                            + hi + ", is out of int range");
                }
            }
        }
        return Optional.empty();
    }

    /** The row classes (hs &lt; min(sh, H)) of {@code conv}. */
    private static List<Axis> rows(DirectConv conv) {
        return axes(conv.h(), conv.strideH(), conv.padH(), conv.r(), conv.dilationH());
    }

    private static List<Axis> columns(DirectConv conv) {
        return axes(conv.w(), conv.strideW(), conv.padW(), conv.s(), conv.dilationW());
    }

    private static List<Axis> axes(int extent, int stride, int pad, int taps, int dilation) {
        int gcd = BigInteger.valueOf(stride).gcd(BigInteger.valueOf(dilation)).intValueExact();
        int step = stride / gcd;      // rstep: taps of one class are step apart
        int dyStep = dilation / gcd;  // ohstep: and their rows of dy dyStep apart
        // r*dilation = rho (mod stride)  <=>  r*(dilation/gcd) = rho/gcd (mod step), when gcd divides rho
        long inverse = step == 1 ? 0 : BigInteger.valueOf(dyStep).modInverse(BigInteger.valueOf(step)).longValue();
        List<Axis> out = new ArrayList<>();
        for (int start = 0; start < Math.min(stride, extent); start++) {
            int count = (int) ((extent - (long) start + stride - 1) / stride);
            long rho = Math.floorMod((long) start + pad, (long) stride);
            int first = -1;
            if (rho % gcd == 0) {
                long r0 = (rho / gcd) % step * inverse % step;
                if (r0 < taps) {
                    first = (int) r0;
                }
            }
            if (first < 0) {
                out.add(new Axis(start, count, -1, step, 0, dyStep, 0));
                continue;
            }
            int classTaps = (taps - 1 - first) / step + 1;
            long a = ((long) start + pad - (long) first * dilation) / stride; // exact: both sides are rho mod stride
            out.add(new Axis(start, count, first, step, classTaps, dyStep, (long) (classTaps - 1) * dyStep - a));
        }
        return out;
    }

    /**
     * The classes of {@code conv} holding pixels, rows outer, each with hs ascending (check {@link #whyNot}
     * first); stride 1 gives one, whose forward shape is {@link #forwardShape}'s.
     */
    public static List<ClassPlan> plans(DirectConv conv) {
        List<ClassPlan> plans = new ArrayList<>();
        for (Axis row : rows(conv)) {
            for (Axis col : columns(conv)) {
                boolean reached = row.taps() > 0 && col.taps() > 0;
                DirectConv f = strideOne(conv, row.count(), col.count(), row.taps(), col.taps(),
                        reached ? (int) row.pad() : 0, reached ? (int) col.pad() : 0, row.dilation(), col.dilation());
                plans.add(new ClassPlan(f, row.start(), col.start(), row.count(), col.count(), row.first(), row.step(),
                        row.taps(), col.first(), col.step(), col.taps()));
            }
        }
        return plans;
    }

    /** The forward problem equal to a stride-1 {@code conv}'s backward-data: padding (R-1)*dh - ph and (S-1)*dw - pw. */
    public static DirectConv forwardShape(DirectConv conv) {
        if (conv.strideH() != 1 || conv.strideW() != 1) {
            throw new IllegalArgumentException("one forward pass is stride 1's mapping; " + conv + " has stride "
                    + conv.strideH() + "x" + conv.strideW() + ": see plans");
        }
        return strideOne(conv, conv.h(), conv.w(), conv.r(), conv.s(),
                (int) padding(conv.r(), conv.dilationH(), conv.padH()),
                (int) padding(conv.s(), conv.dilationW(), conv.padW()), conv.dilationH(), conv.dilationW());
    }

    private static long padding(int taps, int dilation, int pad) {
        return (long) (taps - 1) * dilation - pad;
    }

    /** A forward convolution of stride 1, the fast kernel the mapping runs per class. */
    @FunctionalInterface
    public interface ForwardPass {
        /** y = conv(in, w) (+ bias) for the stride-1 problem {@code f}, into {@code out} (f.responseElements()). */
        void run(DirectConv f, Buffer in, Buffer w, Buffer bias, Buffer out);
    }

    /**
     * dx = backward-data of {@code conv} (+ the per-channel bias, may be null) through {@code forward}:
     * per class, its flipped sub-filter, the forward pass, the scatter into dx (see the class comment);
     * check {@link #whyNot} first.
     */
    public static void backwardData(KernelDevice device, String op, DirectConv conv, Buffer dy, Buffer w, Buffer bias,
                                    Buffer dx, ForwardPass forward) {
        List<ClassPlan> plans = plans(conv);
        long filter = 0;
        long scratch = 0;
        for (ClassPlan c : plans) {
            if (c.reached()) {
                filter = Math.max(filter, c.forward().weightElements());
                if (!c.inPlace(conv)) {
                    scratch = Math.max(scratch, c.elements(conv));
                }
            }
        }
        // each workspace taken once at its largest: the classes reuse it in queue order
        Buffer wf = filter > 0 ? device.workspace(FILTER_WORKSPACE, filter) : null;
        Buffer part = scratch > 0 ? device.workspace(CLASS_WORKSPACE, scratch) : null;
        String problem = conv.toString();
        for (ClassPlan c : plans) {
            if (!c.reached()) {
                scatter(device, op, conv, c, null, bias, dx);
                continue;
            }
            if (c.wholeFilter()) {
                flipFilter(device, op, conv, w, wf);
            } else {
                device.launch(op, problem, SOURCE, CLASS_FILTER_KERNEL).convShape(conv)
                        .arg("r0", c.r0()).arg("rstep", c.rstep()).arg("Rc", c.rc())
                        .arg("s0", c.s0()).arg("sstep", c.sstep()).arg("Sc", c.sc()).arg("w", w).arg("wf", wf)
                        .elements(c.forward().weightElements());
            }
            if (c.inPlace(conv)) {
                forward.run(c.forward(), dy, wf, bias, dx);
            } else {
                forward.run(c.forward(), dy, wf, bias, part);
                scatter(device, op, conv, c, part, bias, dx);
            }
        }
    }

    /** Class c's compact result (null: none, the bias or 0) into dx's strided positions. */
    private static void scatter(KernelDevice device, String op, DirectConv conv, ClassPlan c, Buffer part, Buffer bias,
                                Buffer dx) {
        device.launch(op, conv.toString(), SOURCE, SCATTER_KERNEL)
                .convShape(conv).arg("Hc", c.hc()).arg("Wc", c.wc()).arg("hs", c.hs()).arg("ws", c.ws())
                .arg("has_src", part != null).arg("has_bias", bias != null)
                .arg("src", device.orPlaceholder(part)).arg("bias", device.orPlaceholder(bias)).arg("dx", dx)
                .elements(c.elements(conv));
    }

    /** Writes the flipped filter of {@code w} into a workspace and returns it. */
    public static Buffer flipFilter(KernelDevice device, String op, DirectConv conv, Buffer w) {
        Buffer wf = device.workspace(FILTER_WORKSPACE, conv.weightElements());
        flipFilter(device, op, conv, w, wf);
        return wf;
    }

    private static void flipFilter(KernelDevice device, String op, DirectConv conv, Buffer w, Buffer wf) {
        device.launch(op, conv.toString(), SOURCE, KERNEL)
                .convShape(conv).arg("w", w).arg("wf", wf)
                .elements(conv.weightElements());
    }
}
