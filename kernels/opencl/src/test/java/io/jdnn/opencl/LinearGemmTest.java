package io.jdnn.opencl;

import io.jdnn.kernels.KernelTestSupport;
import io.jdnn.ConvAlgorithm;
import io.jdnn.DeviceOptions;
import io.jdnn.ErrorBounds;
import io.jdnn.LinearProblem;
import io.jdnn.Tensor;
import io.jdnn.spi.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static io.jdnn.kernels.KernelTestSupport.assertClose;
import static io.jdnn.kernels.KernelTestSupport.poisoned;

/** The linear layer against the reference, and gemm.cl's full interface against a float64 loop. */
class LinearGemmTest extends ClDeviceTest {
    /**
     * A linear layer and a bare GEMM are float32 dot products accumulated in k order, the same
     * arithmetic as the IM2COL_GEMM convolution; ErrorBounds has no separate GEMM constant, so
     * the tests use that algorithm's bound.
     */
    static final double GEMM_BOUND = ConvAlgorithm.IM2COL_GEMM.errorBound();

    private OpenClDevice raw;

    @BeforeAll
    void openRawDevice() {
        raw = OpenClBackendTest.openRaw(DeviceOptions.DEFAULT);
    }

    @AfterAll
    void closeRawDevice() {
        if (raw != null) {
            raw.close();
        }
    }

    static final List<LinearProblem> PROBLEMS = List.of(
            new LinearProblem(1, 1, 1),
            new LinearProblem(3, 70, 65),     // no tile divides 65 or 70
            new LinearProblem(67, 130, 5),    // batch past one 64-row tile, K past several 16-deep slices
            new LinearProblem(2, 1000, 3),    // long reductions
            new LinearProblem(300, 3, 2),     // bias gradient over more rows than a work-group has work-items
            new LinearProblem(5000, 3, 2),    // bias gradient in three chunks of 2048 rows, then their sum
            new LinearProblem(2, 3, 300));    // more bias channels than groups are launched on a small device

    @Test
    void linearForwardAndBackwardMatchTheReference() {
        for (LinearProblem p : PROBLEMS) {
            float[] xs = KernelTestSupport.random(1, Math.toIntExact(p.inputShape().elements()), -1, 1);
            float[] ws = KernelTestSupport.random(2, Math.toIntExact(p.weightShape().elements()), -1, 1);
            float[] bs = KernelTestSupport.random(3, p.outFeatures(), -1, 1);
            float[] dys = KernelTestSupport.random(4, Math.toIntExact(p.outputShape().elements()), -1, 1);
            try (Tensor x = cl.upload(p.inputShape(), xs); Tensor w = cl.upload(p.weightShape(), ws);
                 Tensor b = cl.upload(p.biasShape(), bs); Tensor dy = cl.upload(p.outputShape(), dys);
                 Tensor y = poisoned(cl, p.outputShape()); Tensor y0 = poisoned(cl, p.outputShape());
                 Tensor dx = poisoned(cl, p.inputShape()); Tensor dw = poisoned(cl, p.weightShape());
                 Tensor db = poisoned(cl, p.biasShape());
                 Tensor rx = ref.upload(p.inputShape(), xs); Tensor rw = ref.upload(p.weightShape(), ws);
                 Tensor rb = ref.upload(p.biasShape(), bs); Tensor rdy = ref.upload(p.outputShape(), dys);
                 Tensor ry = ref.allocate(p.outputShape()); Tensor ry0 = ref.allocate(p.outputShape());
                 Tensor rdx = ref.allocate(p.inputShape()); Tensor rdw = ref.allocate(p.weightShape());
                 Tensor rdb = ref.allocate(p.biasShape())) {
                cl.linear(p, x, w, b, y);
                cl.linear(p, x, w, null, y0);
                cl.linearBackwardData(p, dy, w, dx);
                cl.linearBackwardWeight(p, x, dy, dw);
                cl.linearBackwardBias(p, dy, db);
                ref.linear(p, rx, rw, rb, ry);
                ref.linear(p, rx, rw, null, ry0);
                ref.linearBackwardData(p, rdy, rw, rdx);
                ref.linearBackwardWeight(p, rx, rdy, rdw);
                ref.linearBackwardBias(p, rdy, rdb);
                assertClose(p + " y", y, ry, GEMM_BOUND);
                assertClose(p + " y without bias", y0, ry0, GEMM_BOUND);
                assertClose(p + " dx", dx, rdx, GEMM_BOUND);
                assertClose(p + " dw", dw, rdw, GEMM_BOUND);
                // a sum over the batch, tree-reduced (ErrorBounds.REDUCTION)
                assertClose(p + " db", db, rdb, ErrorBounds.REDUCTION);
            }
        }
    }

    /** One GEMM configuration of gemm.cl, checked against {@link #gemmRef}. */
    private record Case(int m, int n, int k, boolean ta, boolean tb, float alpha, float beta, int biasMode, int batch) {
    }

    @Test
    void gemmEveryTransposeOffsetStrideAndEpilogue() {
        List<Case> cases = List.of(
                new Case(1, 1, 1, false, false, 1, 0, 0, 1),
                new Case(65, 33, 17, false, false, 1, 0, 0, 1),
                new Case(65, 33, 17, true, false, 1, 0, 0, 1),
                new Case(65, 33, 17, false, true, 1, 0, 0, 1),
                new Case(65, 33, 17, true, true, 1, 0, 0, 1),
                new Case(7, 130, 40, false, true, -0.5f, 2, 1, 3),
                new Case(70, 9, 3, true, false, 2, -1, 2, 2),
                new Case(128, 64, 32, false, false, 1, 0, 0, 1));  // tiles divide: the easy case still works
        int seed = 0;
        for (Case c : cases) {
            seed++;
            // stored layouts with padded leading dimensions and leading offsets
            int aRows = c.ta() ? c.k() : c.m();
            int aCols = c.ta() ? c.m() : c.k();
            int bRows = c.tb() ? c.n() : c.k();
            int bCols = c.tb() ? c.k() : c.n();
            int lda = aCols + 3;
            int ldb = bCols + 1;
            int ldc = c.n() + 2;
            int offA = 5;
            int offB = 2;
            int offC = 7;
            int offBias = 1;
            long strideA = (long) aRows * lda + 4;
            long strideB = (long) bRows * ldb;
            long strideC = (long) c.m() * ldc + 1;
            float[] a = KernelTestSupport.random(seed * 10 + 1, Math.toIntExact(offA + strideA * c.batch()), -1, 1);
            float[] b = KernelTestSupport.random(seed * 10 + 2, Math.toIntExact(offB + strideB * c.batch()), -1, 1);
            float[] cIn = KernelTestSupport.random(seed * 10 + 3, Math.toIntExact(offC + strideC * c.batch()), -1, 1);
            if (c.beta() == 0) {
                Arrays.fill(cIn, Float.NaN); // beta 0 must not read C
            }
            float[] bias = KernelTestSupport.random(seed * 10 + 4, offBias + Math.max(c.m(), c.n()), -1, 1);
            double[] want = gemmRef(c, a, offA, lda, strideA, b, offB, ldb, strideB, cIn, offC, ldc, strideC, bias,
                    offBias);

            ClBuffer ba = upload(a);
            ClBuffer bb = upload(b);
            ClBuffer bc = upload(cIn);
            ClBuffer bbias = upload(bias);
            OpenClGemm g = OpenClGemm.of(c.m(), c.n(), c.k())
                    .a(ba, offA, lda, c.ta()).b(bb, offB, ldb, c.tb()).c(bc, offC, ldc)
                    .alpha(c.alpha()).beta(c.beta()).batch(c.batch(), strideA, strideB, strideC);
            if (c.biasMode() == 1) {
                g.biasPerColumn(bbias, offBias);
            } else if (c.biasMode() == 2) {
                g.biasPerRow(bbias, offBias);
            }
            g.run(raw, "test", c.toString());
            float[] got = new float[cIn.length];
            raw.read(bc, 0, got, 0, got.length);
            for (Buffer buf : List.of(ba, bb, bc, bbias)) {
                raw.free(buf);
            }
            double[] gotInC = new double[want.length];
            double[] wantInC = new double[want.length];
            int i = 0;
            for (int bi = 0; bi < c.batch(); bi++) {
                for (int r = 0; r < c.m(); r++) {
                    for (int col = 0; col < c.n(); col++) {
                        int at = Math.toIntExact(offC + bi * strideC + (long) r * ldc + col);
                        gotInC[i] = got[at];
                        wantInC[i] = want[i];
                        i++;
                    }
                }
            }
            assertClose("gemm " + c, gotInC, wantInC, GEMM_BOUND);
            // elements of C outside the matrices stay untouched
            for (int at = 0; at < cIn.length; at++) {
                long rel = at - offC;
                boolean inside = rel >= 0 && rel % strideC < (long) c.m() * ldc && (rel % strideC) % ldc < c.n()
                        && rel / strideC < c.batch();
                if (!inside && Float.floatToIntBits(got[at]) != Float.floatToIntBits(cIn[at])) {
                    org.junit.jupiter.api.Assertions.fail("gemm " + c + " wrote outside C at " + at);
                }
            }
        }
    }

    private ClBuffer upload(float[] data) {
        ClBuffer b = (ClBuffer) raw.allocate(data.length);
        raw.write(b, 0, data, 0, data.length);
        return b;
    }

    /** C_b = alpha op(A_b) op(B_b) + beta C_b + bias in float64, row-major, as gemm.cl's header states it. */
    private static double[] gemmRef(Case c, float[] a, int offA, int lda, long strideA, float[] b, int offB, int ldb,
                                    long strideB, float[] cIn, int offC, int ldc, long strideC, float[] bias,
                                    int offBias) {
        double[] out = new double[c.batch() * c.m() * c.n()];
        int i = 0;
        for (int bi = 0; bi < c.batch(); bi++) {
            for (int r = 0; r < c.m(); r++) {
                for (int col = 0; col < c.n(); col++) {
                    double acc = 0;
                    for (int l = 0; l < c.k(); l++) {
                        double av = c.ta() ? a[(int) (offA + bi * strideA + (long) l * lda + r)]
                                : a[(int) (offA + bi * strideA + (long) r * lda + l)];
                        double bv = c.tb() ? b[(int) (offB + bi * strideB + (long) col * ldb + l)]
                                : b[(int) (offB + bi * strideB + (long) l * ldb + col)];
                        acc += av * bv;
                    }
                    double v = c.alpha() * acc;
                    if (c.beta() != 0) {
                        v += c.beta() * cIn[(int) (offC + bi * strideC + (long) r * ldc + col)];
                    }
                    if (c.biasMode() == 1) {
                        v += bias[offBias + col];
                    } else if (c.biasMode() == 2) {
                        v += bias[offBias + r];
                    }
                    out[i++] = v;
                }
            }
        }
        return out;
    }
}
