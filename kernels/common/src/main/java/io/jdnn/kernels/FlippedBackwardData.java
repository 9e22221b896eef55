package io.jdnn.kernels;

import io.jdnn.DirectConv;
import io.jdnn.spi.Buffer;

import java.util.Optional;

/**
 * Backward-data of a stride-1 convolution as a forward convolution, for an algorithm whose fast
 * kernel is a forward pass (TENSOR_CORE_TF32):
 *
 * <pre>
 *   dx = conv(dy, wf) (+ bias),   wf[g*C/G + c][k][R-1-r][S-1-s] = w[g*K/G + k][c][r][s]   (shape (C, K/G, R, S)),
 *   padding (R-1)*dh - ph and (S-1)*dw - pw, stride 1, the same dilation and groups.
 * </pre>
 *
 * Why: dx[n][c][ih][iw] sums dy[n][k][oh][ow] w[k][c][r][s] over oh = ih + ph - r*dh; with
 * r' = R-1-r that is oh = ih - ((R-1)*dh - ph) + r'*dh, the forward gather of input dy at padding
 * (R-1)*dh - ph with tap r' of the flipped filter; likewise columns. The padding is negative when
 * ph exceeds the filter's reach (R-1)*dh: the window then starts inside dy, which the forward
 * kernels' guarded gathers handle like any offset. The forward problem has C/G output and K/G input
 * channels per group, dy's extents P x Q as its image and H x W as its output. {@code wf} is
 * written by {@code conv_flip_filter} into the workspace {@code "flipped.filter"}.
 */
public final class FlippedBackwardData {
    /** The flip kernel's source and name. */
    public static final String SOURCE = "conv_direct.cl";
    public static final String KERNEL = "conv_flip_filter";

    private FlippedBackwardData() {
    }

    /**
     * The forward problem's integer arguments, in the order of {@code conv_direct_forward}'s (and
     * {@code conv_tc_tf32_forward}'s) parameters; stride 1.
     */
    public record ForwardShape(int n, int c, int h, int w, int k, int p, int q, int r, int s, int padH, int padW,
                               int dilationH, int dilationW, int groups) {
        /** GEMM rows of the forward pass, N*P*Q (here: dx's pixels). */
        public long gemmM() {
            return (long) n * p * q;
        }

        public int cPerGroup() {
            return c / groups;
        }

        public int kPerGroup() {
            return k / groups;
        }

        /** Appends N, C, H, W, K, P, Q, R, S, strides (1, 1), paddings, dilations and groups to {@code l}. */
        public KernelLaunch args(KernelLaunch l) {
            return l.arg(n).arg(c).arg(h).arg(w).arg(k).arg(p).arg(q).arg(r).arg(s).arg(1).arg(1)
                    .arg(padH).arg(padW).arg(dilationH).arg(dilationW).arg(groups);
        }
    }

    /** Why the mapping does not apply to {@code conv}, if it does not: a stride other than 1, a padding out of int range. */
    public static Optional<String> whyNot(DirectConv conv) {
        if (conv.strideH() != 1 || conv.strideW() != 1) {
            return Optional.of("backward-data runs as a forward pass over the flipped filter for stride 1 only, the "
                    + "problem has stride " + conv.strideH() + "x" + conv.strideW());
        }
        long padH = padding(conv.r(), conv.dilationH(), conv.padH());
        long padW = padding(conv.s(), conv.dilationW(), conv.padW());
        if (padH != (int) padH || padW != (int) padW) {
            return Optional.of("the flipped filter's padding (R-1)*dh - ph = " + padH + " or (S-1)*dw - pw = " + padW
                    + " is out of int range");
        }
        return ConvAlgorithmSupport.int31("the filter taps R*S", (long) conv.r() * conv.s());
    }

    private static long padding(int taps, int dilation, int pad) {
        return (long) (taps - 1) * dilation - pad;
    }

    /** The forward problem equal to {@code conv}'s backward-data (check {@link #whyNot} first). */
    public static ForwardShape forwardShape(DirectConv conv) {
        return new ForwardShape(conv.n(), conv.k(), conv.p(), conv.q(), conv.c(), conv.h(), conv.w(), conv.r(),
                conv.s(), (int) padding(conv.r(), conv.dilationH(), conv.padH()),
                (int) padding(conv.s(), conv.dilationW(), conv.padW()), conv.dilationH(), conv.dilationW(),
                conv.groups());
    }

    /** Writes the flipped filter of {@code w} into a workspace and returns it. */
    public static Buffer flipFilter(KernelDevice device, String op, DirectConv conv, Buffer w) {
        Buffer wf = device.workspace("flipped.filter", conv.weightElements());
        device.launch(op, conv.toString(), SOURCE, KERNEL)
                .arg(conv.k()).arg(conv.c()).arg(conv.r() * conv.s()).arg(conv.groups()).arg(w).arg(wf)
                .elements(conv.weightElements());
        return wf;
    }
}
