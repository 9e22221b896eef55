package io.jdnn.kernels;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;
import io.jdnn.spi.Buffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.jdnn.kernels.ConvAlgorithmSupport.MAX_GRID_YZ;
import static io.jdnn.kernels.ConvAlgorithmSupport.ceilDiv;

/**
 * WINOGRAD: minimal filtering F(2x2, 3x3) for 3x3 kernels with stride 1 and dilation 1, any
 * padding, any groups ({@code conv_winograd.cl} for the transforms, {@code gemm.cl} for the 16
 * products of the transformed domain, one batched call over (tile element, group)). Images go in
 * chunks of as many as the workspace budget holds.
 * <ul>
 *   <li>forward: U = G g G^T, V = B^T d B per 4x4 input patch, M = U V per tile element and
 *       group, y = A^T M A per 2x2 output tile (+ bias);</li>
 *   <li>backward-data: the same pipeline run on dy with the filter rotated by 180 degrees and its
 *       channel axes swapped, padding 2 - pad (a stride-1 3x3 backward-data is that convolution);</li>
 *   <li>backward-filter: the chain rule through the forward formula: V of x, Z = A dY A^T of each
 *       2x2 dy tile, dU = Z V^T summed over tiles (the chunks accumulated in order, beta = 1),
 *       dw = G^T dU G.</li>
 * </ul>
 * Deterministic: every sum has a fixed order. Error bound {@link ConvAlgorithm#WINOGRAD}: the
 * transforms (halves in G, sums of up to 4 and 16 terms in B and A) cost about a digit over a direct
 * float32 dot product.
 */
public final class WinogradConvAlgorithm implements KernelConvAlgorithm {
    /** The kernel source of the transforms. */
    public static final String SOURCE = "conv_winograd.cl";

    /** Elements of a transformed 4x4 tile: the number of GEMMs per group. */
    private static final int XI = 16;

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
            why.add("stride " + conv.strideH() + "x" + conv.strideW() + ": Winograd F(2x2,3x3) needs stride 1");
        }
        if (conv.dilationH() != 1 || conv.dilationW() != 1) {
            why.add("dilation " + conv.dilationH() + "x" + conv.dilationW() + ": Winograd F(2x2,3x3) needs dilation 1");
        }
        if (!why.isEmpty()) {
            return ConvAlgorithmSupport.all(why);
        }
        Plan p = plan(conv, direction);
        Optional<String> tiles = ConvAlgorithmSupport.int31("the 2x2 tiles of one image", p.tilesPerImage());
        if (tiles.isPresent()) {
            return tiles;
        }
        return ConvAlgorithmSupport.workspaceFits(device, budgetBytes, "the transformed filter (16*K*C/G floats), input and "
                + "product tiles (16*(C+K)*tiles)", p.fixed(), p.perImage());
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
        Buffer dU = device.workspace("winograd.filter", p.fixed());
        Buffer v = device.workspace("winograd.input", XI * conv.c() * tMax);
        Buffer z = device.workspace("winograd.product", XI * conv.k() * tMax);
        for (int n0 = 0; n0 < conv.n(); n0 += nbMax) {
            int nb = Math.min(nbMax, conv.n() - n0);
            int t = (int) (nb * p.tilesPerImage());
            inputTransform(device, op, problem, n0, nb, conv.c(), conv.h(), conv.w(), p, conv.padH(), conv.padW(), x, v);
            device.launch(op, problem, SOURCE, "wino_grad_output_transform")
                    .arg(n0).arg(nb).arg(conv.k()).arg(conv.p()).arg(conv.q()).arg(p.th()).arg(p.tw()).arg(dy).arg(z)
                    .elements((long) conv.k() * t);
            int batches = XI * groups;
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
                .arg(conv.k()).arg(cpg).arg(dU).arg(dw)
                .elements((long) conv.k() * cpg);
    }

    /**
     * Tiles and workspace of one direction: th x tw output tiles per image, the transformed
     * filter ({@code fixed} floats) and, per image, the transformed input and product tiles.
     */
    private record Plan(int th, int tw, long fixed, long perImage) {
        long tilesPerImage() {
            return (long) th * tw;
        }
    }

    private static Plan plan(DirectConv conv, ConvDirection direction) {
        // the output of the transformed convolution: y for forward and backward-filter, dx for backward-data
        boolean data = direction == ConvDirection.BACKWARD_DATA;
        int th = (int) ceilDiv(data ? conv.h() : conv.p(), 2);
        int tw = (int) ceilDiv(data ? conv.w() : conv.q(), 2);
        long fixed = (long) XI * conv.k() * conv.cPerGroup(); // = 16*C*K/G
        long perImage = (long) XI * ((long) conv.c() + conv.k()) * th * tw;
        return new Plan(th, tw, fixed, perImage);
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
        Buffer u = device.workspace("winograd.filter", p.fixed());
        Buffer v = device.workspace("winograd.input", XI * cin * tMax);
        Buffer m = device.workspace("winograd.product", XI * cout * tMax);
        device.launch(op, problem, SOURCE, "wino_filter_transform")
                .arg(cout).arg(cinPg).arg(conv.cPerGroup()).arg(conv.kPerGroup()).arg(swap).arg(w).arg(u)
                .elements((long) cout * cinPg);
        for (int n0 = 0; n0 < conv.n(); n0 += nbMax) {
            int nb = Math.min(nbMax, conv.n() - n0);
            int t = (int) (nb * p.tilesPerImage());
            inputTransform(device, op, problem, n0, nb, cin, hin, win, p, padH, padW, in, v);
            int batches = XI * groups;
            for (int b0 = 0; b0 < batches; b0 += MAX_GRID_YZ) {
                int bc = Math.min(MAX_GRID_YZ, batches - b0);
                Gemm.of(coutPg, t, cinPg)
                        .a(u, (long) b0 * coutPg * cinPg, cinPg, false)
                        .b(v, (long) b0 * cinPg * t, t, false)
                        .c(m, (long) b0 * coutPg * t, t)
                        .batch(bc, (long) coutPg * cinPg, (long) cinPg * t, (long) coutPg * t)
                        .run(device, op, problem);
            }
            device.launch(op, problem, SOURCE, "wino_output_transform")
                    .arg(n0).arg(nb).arg(cout).arg(hout).arg(wout).arg(p.th()).arg(p.tw()).arg(bias != null)
                    .arg(m).arg(device.orPlaceholder(bias)).arg(out)
                    .elements((long) cout * t);
        }
    }

    private static void inputTransform(KernelDevice device, String op, String problem, int n0, int nb, int cin,
                                       int hin, int win, Plan p, int padH, int padW, Buffer in, Buffer v) {
        device.launch(op, problem, SOURCE, "wino_input_transform")
                .arg(n0).arg(nb).arg(cin).arg(hin).arg(win).arg(p.th()).arg(p.tw()).arg(padH).arg(padW).arg(in).arg(v)
                .elements((long) cin * nb * p.tilesPerImage());
    }
}
