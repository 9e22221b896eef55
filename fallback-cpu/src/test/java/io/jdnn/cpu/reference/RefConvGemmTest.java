package io.jdnn.cpu.reference;

import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.DirectConv;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.IntToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The blocked products of {@link RefConvGemm} against the loops of {@link RefConv}, their
 * definition, bitwise, in every direction: on random direct convolutions (any sizes, groups,
 * stride, dilation, padding on each side up to beyond the filter, response sizes other than the
 * formula's), on random problems as users state them (transposed ones with output padding,
 * asymmetric padding), and on a few large enough to cross every block boundary of {@link RefGemm}.
 * Also every output alone ({@link ReferenceConvolution#output}) against the loops.
 *
 * <p>{@code -Djdnn.test.tries=N} sets the random problems per property (default 100);
 * {@code -Djdnn.test.seed=S} replays a run (the failure message names the seed and the case).
 */
class RefConvGemmTest {
    private static final int TRIES = Integer.getInteger("jdnn.test.tries", 100);
    private static final long SEED = Long.getLong("jdnn.test.seed", 20261123L);

    @Test
    void randomDirectConvolutionsGiveTheLoopsResultsBitwise() {
        Random rnd = new Random(SEED);
        for (int i = 0; i < TRIES; i++) {
            int groups = 1 + rnd.nextInt(3);
            int r = 1 + rnd.nextInt(4);
            int s = 1 + rnd.nextInt(4);
            int dh = 1 + rnd.nextInt(3);
            int dw = 1 + rnd.nextInt(3);
            DirectConv d = new DirectConv(ConvProblem.parse("conv_mb1ic1ih1oc1kh1"), 1 + rnd.nextInt(2),
                    groups * (1 + rnd.nextInt(3)), 1 + rnd.nextInt(9), 1 + rnd.nextInt(9), groups * (1 + rnd.nextInt(3)),
                    1 + rnd.nextInt(8), 1 + rnd.nextInt(8), r, s, 1 + rnd.nextInt(3), 1 + rnd.nextInt(3),
                    rnd.nextInt(r * dh + 1), rnd.nextInt(s * dw + 1), dh, dw, groups);
            assertSameBits(d, rnd, "seed " + SEED + " case " + i + " " + describe(d));
        }
    }

    @Test
    void randomProblemsWithTransposedAndAsymmetricOnesGiveTheLoopsResultsBitwise() {
        Random rnd = new Random(SEED + 1);
        forRandomProblems(rnd, (p, what) -> assertSameBits(p.direct(), rnd, what));
    }

    /** Runs {@code check} on {@link #TRIES} valid random problems, with a message naming the seed and the draw. */
    private static void forRandomProblems(Random rnd, BiConsumer<ConvProblem, String> check) {
        int done = 0;
        for (int i = 0; done < TRIES; i++) {
            ConvProblem p;
            try {
                p = randomProblem(rnd);
            } catch (IllegalArgumentException e) {
                continue; // an output size below 1: draw another
            }
            check.accept(p, "seed " + SEED + " draw " + i + " " + p);
            done++;
        }
    }

    @Test
    void problemsAcrossBlockBoundariesGiveTheLoopsResultsBitwise() {
        String[] problems = {
            "conv_mb2ic40ih13iw11oc70kh3ph1",               // rows, columns and terms beyond one block
            "conv_mb1ic300ih6oc5kh1",                       // terms over two panels
            "conv_mb1ic12ih20iw9oc36kh3kw2sh2sw1ph2pw0pb1pr3dh2dw1g3",
            "conv_mb1ic32ih10oc32kh3ph1g32",                // depthwise
            "deconv_mb2ic24ih7iw5oc36kh4sh2ph1g2oph1opw1",
            "conv_mb3ic8ih17oc66kh5sh3ph2pb0dh1",
        };
        Random rnd = new Random(SEED + 2);
        for (String text : problems) {
            assertSameBits(ConvProblem.parse(text).direct(), rnd, text);
        }
    }

    private static ConvProblem randomProblem(Random rnd) {
        int groups = 1 + rnd.nextInt(3);
        int kh = 1 + rnd.nextInt(4);
        int kw = 1 + rnd.nextInt(4);
        int sh = 1 + rnd.nextInt(3);
        int sw = 1 + rnd.nextInt(3);
        int dh = 1 + rnd.nextInt(2);
        int dw = 1 + rnd.nextInt(2);
        boolean transposed = rnd.nextBoolean();
        int ph = rnd.nextInt(kh);
        int pw = rnd.nextInt(kw);
        int pb = transposed ? ph : rnd.nextInt(kh + 1);
        int pr = transposed ? pw : rnd.nextInt(kw + 1);
        int oph = transposed ? rnd.nextInt(Math.max(sh, dh)) : 0;
        int opw = transposed ? rnd.nextInt(Math.max(sw, dw)) : 0;
        return new ConvProblem(1 + rnd.nextInt(2), groups * (1 + rnd.nextInt(3)), 1 + rnd.nextInt(9),
                1 + rnd.nextInt(9), groups * (1 + rnd.nextInt(3)), kh, kw, sh, sw, ph, pw, dh, dw, groups, transposed,
                oph, opw, pb, pr);
    }

    /** Every direction, with a bias and without, on normal random operands. */
    private static void assertSameBits(DirectConv d, Random rnd, String what) {
        double[] x = normal(rnd, d.imageElements());
        double[] w = normal(rnd, d.weightElements());
        double[] dy = normal(rnd, d.responseElements());
        double[] biasK = normal(rnd, d.k());
        double[] biasC = normal(rnd, d.c());
        for (double[] bias : new double[][] {null, biasK}) {
            double[] loops = poisoned(d.responseElements());
            double[] gemm = poisoned(d.responseElements());
            RefConv.forward(d, x, w, bias, loops);
            RefConvGemm.forward(d, x, w, bias, gemm);
            assertBitwise(loops, gemm, what + " forward" + (bias == null ? "" : " with bias"));
        }
        for (double[] bias : new double[][] {null, biasC}) {
            double[] loops = poisoned(d.imageElements());
            double[] gemm = poisoned(d.imageElements());
            RefConv.backwardData(d, dy, w, bias, loops);
            RefConvGemm.backwardData(d, dy, w, bias, gemm);
            assertBitwise(loops, gemm, what + " backward-data" + (bias == null ? "" : " with bias"));
        }
        double[] loops = poisoned(d.weightElements());
        double[] gemm = poisoned(d.weightElements());
        RefConv.backwardFilter(d, x, dy, loops);
        RefConvGemm.backwardFilter(d, x, dy, gemm);
        assertBitwise(loops, gemm, what + " backward-filter");
    }

    @Test
    void eachOutputAloneIsTheLoopsValueBitwise() {
        Random rnd = new Random(SEED + 3);
        forRandomProblems(rnd, (p, what) -> {
            DirectConv d = p.direct();
            double[] x = normal(rnd, d.imageElements());
            double[] w = normal(rnd, d.weightElements());
            double[] dy = normal(rnd, d.responseElements());
            double[] biasK = normal(rnd, d.k());
            double[] biasC = normal(rnd, d.c());
            double[] y = poisoned(d.responseElements());
            double[] dx = poisoned(d.imageElements());
            double[] dw = poisoned(d.weightElements());
            RefConv.forward(d, x, w, biasK, y);
            RefConv.backwardData(d, dy, w, biasC, dx);
            RefConv.backwardFilter(d, x, dy, dw);
            assertBitwise(y, alone(y.length, e -> ReferenceConvolution.output(d, ConvDirection.FORWARD, x, w, biasK, e)),
                    what + " forward");
            assertBitwise(dx, alone(dx.length,
                    e -> ReferenceConvolution.output(d, ConvDirection.BACKWARD_DATA, dy, w, biasC, e)), what + " backward-data");
            assertBitwise(dw, alone(dw.length,
                    e -> ReferenceConvolution.output(d, ConvDirection.BACKWARD_FILTER, x, dy, null, e)),
                    what + " backward-filter");
        });
    }

    private static double[] alone(int n, IntToDoubleFunction element) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = element.applyAsDouble(i);
        }
        return out;
    }

    private static void assertBitwise(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToRawLongBits(expected[i]) != Double.doubleToRawLongBits(actual[i])) {
                fail(what + ": element " + i + " is " + actual[i] + ", the loops give " + expected[i]);
            }
        }
    }

    private static double[] normal(Random rnd, long n) {
        double[] a = new double[(int) n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextGaussian();
        }
        return a;
    }

    /** NaN everywhere, as the reference device allocates: an element left unwritten fails. */
    private static double[] poisoned(long n) {
        double[] a = new double[(int) n];
        Arrays.fill(a, Double.NaN);
        return a;
    }

    private static String describe(DirectConv d) {
        return String.format("direct n%d c%d h%d w%d k%d p%d q%d r%d s%d stride %dx%d pad %dx%d dilation %dx%d g%d",
                d.n(), d.c(), d.h(), d.w(), d.k(), d.p(), d.q(), d.r(), d.s(), d.strideH(), d.strideW(), d.padH(),
                d.padW(), d.dilationH(), d.dilationW(), d.groups());
    }
}
