package io.jdnn.cpu.fast;

import io.jdnn.Device;
import io.jdnn.PoolProblem;
import io.jdnn.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Max pooling's padded-row forward and vectorized backward search ({@link MaxPooling},
 * {@link VectorPooling}) give, bit for bit, what the scalar definition gives: each output the
 * {@link Math#max} chain over its window clipped to the image (any NaN gives NaN, +0 above -0;
 * with dilation, the generic path, the scan's pick),
 * and dx the gradients added in output order at each window's first maximum in row-major order,
 * or its last NaN. Shapes around the vector length and its multiples, padding (also asymmetric,
 * up to kernel - 1), ceil mode, strides 1 to 3, dilation; data full of NaN, -inf, ties and zeros
 * of both signs, and plain random data. The plain and the Vector API kernel sets both.
 */
class MaxPoolingTest {
    private static final List<Device> CPUS = new ArrayList<>();

    @BeforeAll
    static void open() {
        CPUS.addAll(CpuBackendTest.openKernelSets());
    }

    @AfterAll
    static void close() {
        CPUS.forEach(Device::close);
    }

    /** Kernel, stride, padding and ceil mode combinations on rows of several widths. */
    static List<PoolProblem> problems() {
        List<PoolProblem> out = new ArrayList<>();
        int[][] kernels = {{3, 3}, {2, 2}, {3, 2}, {1, 4}, {4, 3}};
        int[] widths = {5, 15, 16, 17, 33, 40, 61};
        for (int[] k : kernels) {
            for (int stride = 1; stride <= 3; stride++) {
                for (int pad = 0; pad < Math.min(k[0], k[1]); pad++) {
                    for (boolean ceil : new boolean[] {false, true}) {
                        for (int w : widths) {
                            int h = 4 + (w % 5);
                            out.add(PoolProblem.max().batch(1).channels(2).size(h, w).kernel(k[0], k[1])
                                    .stride(stride, stride).padding(pad, pad).ceilMode(ceil).build());
                        }
                    }
                }
            }
        }
        // asymmetric padding, unequal strides, dilation (the generic path), and ResNet's stem pool
        out.add(PoolProblem.max().batch(1).channels(2).size(9, 37).kernel(3, 3).stride(2, 2).padding(0, 2, 2, 1).build());
        out.add(PoolProblem.max().batch(1).channels(2).size(11, 50).kernel(3, 4).stride(1, 2).padding(2, 0, 1, 3)
                .ceilMode(true).build());
        out.add(PoolProblem.max().batch(1).channels(2).size(12, 45).kernel(3, 3).stride(2, 1).dilation(2, 2).padding(1, 1).build());
        out.add(PoolProblem.parse("maxpool_mb2ic3ih112iw112kh3kw3sh2sw2ph1pw1dh1dw1ceil0"));
        return out;
    }

    @TestFactory
    List<DynamicTest> maxPoolingGivesTheScalarDefinitionsBits() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Device cpu : CPUS) {
            for (boolean special : new boolean[] {true, false}) {
                String name = CpuBackendTest.name(cpu) + (special ? ", special values" : ", random values");
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    for (PoolProblem p : problems()) {
                        check(cpu, p, special);
                    }
                }));
            }
        }
        return tests;
    }

    private static void check(Device cpu, PoolProblem p, boolean special) {
        Random r = new Random(p.toString().hashCode() + (special ? 1 : 0));
        float[] x = new float[(int) p.inputShape().elements()];
        for (int i = 0; i < x.length; i++) {
            int k = r.nextInt(8);
            x[i] = !special ? r.nextFloat() * 2 - 1
                    : k == 0 ? Float.NaN : k == 1 ? Float.NEGATIVE_INFINITY : k == 2 ? (r.nextBoolean() ? -0f : 0f)
                    : (r.nextInt(9) - 4) / 4f;
        }
        // no -0 in dy: the disjoint 2x2/2 windows' backward writes dx = dy (-0 stays), the others add to a zeroed dx
        float[] dy = CpuBackendTest.random(p.outputShape().elements(), 14);
        float[][] expected = scalar(p, x, dy);
        try (Tensor cx = cpu.upload(p.inputShape(), x); Tensor cdy = cpu.upload(p.outputShape(), dy);
             Tensor y = cpu.pool(p, cx); Tensor dx = cpu.poolBackward(p, cx, cdy)) {
            assertSameBits(expected[0], y.toArray(), p + " forward");
            assertSameBits(expected[1], dx.toArray(), p + " backward");
        }
    }

    private static void assertSameBits(float[] expected, float[] got, String what) {
        for (int i = 0; i < expected.length; i++) {
            // floatToIntBits: every NaN alike (which NaN of a window wins is not defined)
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(got[i])) {
                assertEquals(expected[i], got[i], what + " at " + i + " (bits " + Integer.toHexString(Float.floatToRawIntBits(got[i]))
                        + ", expected " + Integer.toHexString(Float.floatToRawIntBits(expected[i])) + ")");
                assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(got[i]), what + " at " + i + ": the sign of a zero");
            }
        }
    }

    /** y and dx by the definition's loops. */
    private static float[][] scalar(PoolProblem p, float[] x, float[] dy) {
        int hh = p.height(), ww = p.width(), oh = p.outHeight(), ow = p.outWidth();
        float[] y = new float[(int) p.outputShape().elements()], dx = new float[x.length];
        for (int plane = 0; plane < p.batch() * p.channels(); plane++) {
            int xo = plane * hh * ww, yo = plane * oh * ow;
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    float m = Float.NaN;
                    int at = -1;
                    float kept = Float.NEGATIVE_INFINITY;
                    boolean first = true;
                    for (int a = 0; a < p.kernelH(); a++) {
                        int ih = i * p.strideH() - p.padH() + a * p.dilationH();
                        for (int b = 0; b < p.kernelW(); b++) {
                            int iw = j * p.strideW() - p.padW() + b * p.dilationW();
                            if (ih < 0 || ih >= hh || iw < 0 || iw >= ww) {
                                continue;
                            }
                            float v = x[xo + ih * ww + iw];
                            m = first ? v : Math.max(m, v);
                            if (first || v > kept || Float.isNaN(v)) {
                                at = xo + ih * ww + iw;
                                kept = v;
                            }
                            first = false;
                        }
                    }
                    // the dilated path returns the scan's pick: the first of +0 and -0 rather than +0
                    y[yo + i * ow + j] = p.dilationH() * p.dilationW() > 1 ? x[at] : m;
                    dx[at] += dy[yo + i * ow + j];
                }
            }
        }
        return new float[][] {y, dx};
    }
}
