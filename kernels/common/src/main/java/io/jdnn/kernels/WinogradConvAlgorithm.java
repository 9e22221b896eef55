package io.jdnn.kernels;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;
import io.jdnn.spi.Buffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.jdnn.kernels.CudaLimits.MAX_GRID_YZ;
import static io.jdnn.kernels.ConvAlgorithmSupport.ceilDiv;

/**
 * WINOGRAD: minimal filtering for 3x3 kernels with stride 1 and dilation 1, any padding, any groups
 * ({@code conv_winograd.cl} for the transforms, {@code gemm.cl} for the products of the transformed
 * domain, one batched call over (tile element, group)). Images go in chunks of as many as the
 * workspace budget holds.
 * <ul>
 *   <li>forward, F(4x4, 3x3): U = G g G^T, V = B^T d B per 6x6 input patch, M = U V per tile
 *       element (36) and group, y = A^T M A per 4x4 output tile (+ bias);</li>
 *   <li>backward-data: the same pipeline run on dy with the filter rotated by 180 degrees and its
 *       channel axes swapped, padding 2 - pad (a stride-1 3x3 backward-data is that convolution);</li>
 *   <li>backward-filter, F(2x2, 3x3) (its gradient transforms are better conditioned): the chain
 *       rule through the forward formula: V of x per 4x4 patch, Z = A dY A^T of each 2x2 dy tile,
 *       dU = Z V^T summed over tiles (the chunks accumulated in order, beta = 1), dw = G^T dU G.</li>
 * </ul>
 * Deterministic: every sum has a fixed order. Error bound {@link ConvAlgorithm#WINOGRAD}: the
 * transforms (halves in G, sums of up to 4 and 16 terms in B and A) cost about a digit over a direct
 * float32 dot product.
 */
public final class WinogradConvAlgorithm implements KernelConvAlgorithm {
    /** The kernel source of the transforms. */
    public static final String SOURCE = "conv_winograd.cl";

    /**
     * One minimal-filtering variant: m x m output tiles, xi = (m+2)^2 elements of a transformed tile
     * (the GEMMs per group), and its input transform kernel.
     */
    record Variant(int m, int xi, String inputKernel) {
    }

    /** F(2x2, 3x3): backward-filter (with wino_grad_output_transform and wino_filter_grad_transform). */
    static final Variant F2 = new Variant(2, 16, "wino_input_transform");
    /** F(4x4, 3x3): forward and backward-data (with wino4_filter_transform and wino4_output_transform). */
    static final Variant F4 = new Variant(4, 36, "wino4_input_transform");

    /** The variant of each direction. */
    static Variant variant(ConvDirection direction) {
        return direction == ConvDirection.BACKWARD_FILTER ? F2 : F4;
    }

    private final long budgetBytes;

    /** With the default workspace budget: min(512 MiB, device memory / 8). */
    public WinogradConvAlgorithm() {
        this(0);
    }

    /**
     * With a workspace budget of {@code budgetBytes} (0: the default): chunks of images are sized to
     * fit it, and a problem one image of which does not fit is refused.
     */
    public WinogradConvAlgorithm(long budgetBytes) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("budgetBytes: expected >= 0 (0 for the default), got " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
    }

    @Override
    public ConvAlgorithm id() {
        return ConvAlgorithm.WINOGRAD;
    }

    @Override
    public boolean deterministic() {
        return true;
    }

    @Override
    public Optional<String> whyNot(KernelDevice device, DirectConv conv, ConvDirection direction) {
        List<String> why = new ArrayList<>();
        if (conv.r() != 3 || conv.s() != 3) {
            why.add("needs a 3x3 kernel, got " + conv.r() + "x" + conv.s());
        }
        if (conv.strideH() != 1 || conv.strideW() != 1) {
            why.add("stride " + conv.strideH() + "x" + conv.strideW() + ": Winograd F(4x4,3x3) and F(2x2,3x3) need "
                    + "stride 1");
        }
        if (conv.dilationH() != 1 || conv.dilationW() != 1) {
            why.add("dilation " + conv.dilationH() + "x" + conv.dilationW() + ": Winograd F(4x4,3x3) and F(2x2,3x3) "
                    + "need dilation 1");
        }
        if (!why.isEmpty()) {
            return ConvAlgorithmSupport.all(why);
        }
        Plan p = plan(conv, direction);
        Optional<String> tiles = ConvAlgorithmSupport.int31("the " + p.variant().m() + "x" + p.variant().m()
                + " tiles of one image", p.tilesPerImage());
        if (tiles.isPresent()) {
            return tiles;
        }
        int xi = p.variant().xi();
        return ConvAlgorithmSupport.workspaceFits(device, budgetBytes, "the transformed filter (" + xi + "*K*C/G floats), "
                + "input and product tiles (" + xi + "*(C+K)*tiles)", p.fixed(), p.perImage());
    }

    @Override
    public void forward(KernelDevice device, DirectConv conv, Buffer x, Buffer w, Buffer bias, Buffer y) {
        transformedConv(device, "convForward", conv, plan(conv, ConvDirection.FORWARD), conv.c(), conv.h(), conv.w(),
                conv.k(), conv.p(), conv.q(), conv.padH(), conv.padW(), false, x, w, bias, y);
    }

    @Override
    public void backwardData(KernelDevice device, DirectConv conv, Buffer dy, Buffer w, Buffer bias, Buffer dx) {
        transformedConv(device, "convBackwardData", conv, plan(conv, ConvDirection.BACKWARD_DATA), conv.k(), conv.p(),
                conv.q(), conv.c(), conv.h(), conv.w(), 2 - conv.padH(), 2 - conv.padW(), true, dy, w, bias, dx);
    }

    @Override
    public void backwardFilter(KernelDevice device, DirectConv conv, Buffer x, Buffer dy, Buffer dw) {
        String op = "convBackwardFilter";
        String problem = conv.toString();
        Plan p = plan(conv, ConvDirection.BACKWARD_FILTER);
        int groups = conv.groups();
        int cpg = conv.cPerGroup();
        int kpg = conv.kPerGroup();
        int nbMax = ConvAlgorithmSupport.imagesPerChunk(device, budgetBytes, conv, p.fixed(), p.perImage(),
                (int) (Integer.MAX_VALUE / p.tilesPerImage()));
        long tMax = nbMax * p.tilesPerImage();
        int xi = p.variant().xi();
        Buffer dU = device.workspace("winograd.filter", p.fixed());
        Buffer v = device.workspace("winograd.input", xi * conv.c() * tMax);
        Buffer z = device.workspace("winograd.product", xi * conv.k() * tMax);
        for (int n0 = 0; n0 < conv.n(); n0 += nbMax) {
            int nb = Math.min(nbMax, conv.n() - n0);
            int t = (int) (nb * p.tilesPerImage());
            inputTransform(device, op, problem, n0, nb, conv.c(), conv.h(), conv.w(), p, conv.padH(), conv.padW(), x, v);
            device.launch(op, problem, SOURCE, "wino_grad_output_transform").convShape(conv)
                    .arg("n0", n0).arg("nb", nb).arg("TH", p.th()).arg("TW", p.tw()).arg("dy", dy).arg("Z", z)
                    .elements((long) conv.k() * t);
            int batches = xi * groups;
            for (int b0 = 0; b0 < batches; b0 += MAX_GRID_YZ) {
                int bc = Math.min(MAX_GRID_YZ, batches - b0);
                Gemm.of(kpg, cpg, t)
                        .a(z, (long) b0 * kpg * t, t, false)
                        .b(v, (long) b0 * cpg * t, t, true)
                        .c(dU, (long) b0 * kpg * cpg, cpg)
                        .beta(n0 == 0 ? 0f : 1f)
                        .batch(bc, (long) kpg * t, (long) cpg * t, (long) kpg * cpg)
                        .run(device, op, problem);
            }
        }
        device.launch(op, problem, SOURCE, "wino_filter_grad_transform")
                .arg("rows", conv.k()).arg("cols", cpg).arg("dU", dU).arg("dw_out", dw)
                .elements((long) conv.k() * cpg);
    }

    /**
     * Tiles and workspace of one direction: its variant, th x tw output tiles per image, the
     * transformed filter ({@code fixed} floats) and, per image, the transformed input and product tiles.
     */
    private record Plan(Variant variant, int th, int tw, long fixed, long perImage) {
        long tilesPerImage() {
            return (long) th * tw;
        }
    }

    private static Plan plan(DirectConv conv, ConvDirection direction) {
        // the output of the transformed convolution: y for forward and backward-filter, dx for backward-data
        boolean data = direction == ConvDirection.BACKWARD_DATA;
        Variant v = variant(direction);
        int th = (int) ceilDiv(data ? conv.h() : conv.p(), v.m());
        int tw = (int) ceilDiv(data ? conv.w() : conv.q(), v.m());
        long fixed = (long) v.xi() * conv.k() * conv.cPerGroup(); // = xi*C*K/G
        long perImage = (long) v.xi() * ((long) conv.c() + conv.k()) * th * tw;
        return new Plan(v, th, tw, fixed, perImage);
    }

    /**
     * The transformed convolution "in (N, cin, hin, win) -> out (N, cout, hout, wout)" of the
     * source's header comment: filter transform once, then per chunk of images the input
     * transform, the 16*G GEMMs and the output transform.
     */
    private void transformedConv(KernelDevice device, String op, DirectConv conv, Plan p, int cin, int hin,
                                        int win, int cout, int hout, int wout, int padH, int padW, boolean swap,
                                        Buffer in, Buffer w, Buffer bias, Buffer out) {
        String problem = conv.toString();
        int groups = conv.groups();
        int cinPg = cin / groups;
        int coutPg = cout / groups;
        int nbMax = ConvAlgorithmSupport.imagesPerChunk(device, budgetBytes, conv, p.fixed(), p.perImage(),
                (int) (Integer.MAX_VALUE / p.tilesPerImage()));
        long tMax = nbMax * p.tilesPerImage();
        Variant variant = p.variant();
        int xi = variant.xi();
        Buffer u = device.workspace("winograd.filter", p.fixed());
        Buffer v = device.workspace("winograd.input", xi * cin * tMax);
        Buffer m = device.workspace("winograd.product", xi * cout * tMax);
        device.launch(op, problem, SOURCE, "wino4_filter_transform").convShape(conv)
                .arg("swap", swap).arg("w", w).arg("U", u)
                .elements((long) cout * cinPg);
        for (int n0 = 0; n0 < conv.n(); n0 += nbMax) {
            int nb = Math.min(nbMax, conv.n() - n0);
            int t = (int) (nb * p.tilesPerImage());
            inputTransform(device, op, problem, n0, nb, cin, hin, win, p, padH, padW, in, v);
            int batches = xi * groups;
            for (int b0 = 0; b0 < batches; b0 += MAX_GRID_YZ) {
                int bc = Math.min(MAX_GRID_YZ, batches - b0);
                Gemm.of(coutPg, t, cinPg)
                        .a(u, (long) b0 * coutPg * cinPg, cinPg, false)
                        .b(v, (long) b0 * cinPg * t, t, false)
                        .c(m, (long) b0 * coutPg * t, t)
                        .batch(bc, (long) coutPg * cinPg, (long) cinPg * t, (long) coutPg * t)
                        .run(device, op, problem);
            }
            device.launch(op, problem, SOURCE, "wino4_output_transform")
                    .arg("n0", n0).arg("nb", nb).arg("Cout", cout).arg("Hout", hout).arg("Wout", wout)
                    .arg("TH", p.th()).arg("TW", p.tw()).arg("has_bias", bias != null)
                    .arg("M", m).arg("bias", device.orPlaceholder(bias)).arg("out", out)
                    .elements((long) cout * t);
        }
    }

    private static void inputTransform(KernelDevice device, String op, String problem, int n0, int nb, int cin,
                                       int hin, int win, Plan p, int padH, int padW, Buffer in, Buffer v) {
        device.launch(op, problem, SOURCE, p.variant().inputKernel())
                .arg("n0", n0).arg("nb", nb).arg("Cin", cin).arg("Hin", hin).arg("Win", win)
                .arg("TH", p.th()).arg("TW", p.tw()).arg("pad_h", padH).arg("pad_w", padW).arg("in", in).arg("V", v)
                .elements((long) cin * nb * p.tilesPerImage());
    }
}
