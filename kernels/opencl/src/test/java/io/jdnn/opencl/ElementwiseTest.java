package io.jdnn.opencl;

import io.jdnn.kernels.KernelTestSupport;
import io.jdnn.Activation;
import io.jdnn.ErrorBounds;
import io.jdnn.Philox;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jdnn.kernels.KernelTestSupport.assertBitwiseEqual;
import static io.jdnn.kernels.KernelTestSupport.assertClose;
import static io.jdnn.kernels.KernelTestSupport.poisoned;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Activations, axpby, dropout and the Philox fills against the reference (and Philox itself). */
class ElementwiseTest extends ClDeviceTest {
    /** Larger than the grid-stride cap on a 2-core PoCL device (2 * 64 groups * 256), odd. */
    private static final int N = 100_003;

    /** Inputs in [-4, 4) with exact zeros, a NaN and infinities among them. */
    private static float[] activationInput() {
        float[] x = KernelTestSupport.random(11, N, -4, 4);
        x[0] = 0f;
        x[1] = -0f;
        x[7] = Float.NaN;
        x[8] = Float.POSITIVE_INFINITY;
        x[9] = Float.NEGATIVE_INFINITY;
        x[N - 1] = 0f;
        return x;
    }

    @Test
    void activationsForwardAndBackwardMatchTheReference() {
        float[] xs = activationInput();
        float[] dys = KernelTestSupport.random(12, N, -1, 1);
        Shape s = Shape.of(N);
        for (Activation a : List.of(Activation.relu(), Activation.leakyRelu(0.1), Activation.elu(1.3),
                Activation.sigmoid(), Activation.tanh(), Activation.relu6(), Activation.hardswish(),
                Activation.hardsigmoid(), Activation.silu(), Activation.mish(), Activation.gelu(),
                Activation.geluTanh(), Activation.softplus(1, 20), Activation.softplus(2, 3))) {
            try (Tensor x = cl.upload(s, xs); Tensor dy = cl.upload(s, dys); Tensor rx = ref.upload(s, xs);
                 Tensor rdy = ref.upload(s, dys); Tensor y = poisoned(cl, s); Tensor dx = poisoned(cl, s)) {
                cl.activation(a, x, y);
                cl.activationBackward(a, x, dy, dx);
                try (Tensor ry = ref.activation(a, rx); Tensor rdx = ref.activationBackward(a, rx, rdy)) {
                    // one rounded operation, or exp/tanh within a few ulp, per element
                    assertClose(a + " forward", y, ry, ErrorBounds.ELEMENTWISE);
                    assertClose(a + " backward", dx, rdx, ErrorBounds.ELEMENTWISE);
                    // in place: y = f(x) into x, then dx = f'(x) dy into dy from a fresh x
                    try (Tensor x2 = cl.upload(s, xs)) {
                        cl.activationBackward(a, x2, dy, dy);
                        assertClose(a + " backward in place (dx = dy)", dy, rdx, ErrorBounds.ELEMENTWISE);
                        cl.activation(a, x2, x2);
                        assertClose(a + " forward in place", x2, ry, ErrorBounds.ELEMENTWISE);
                    }
                }
            }
        }
    }

    @Test
    void axpbyMatchesTheReferenceAlsoInPlace() {
        Shape s = Shape.of(N);
        float[] as = KernelTestSupport.random(21, N, -1, 1);
        float[] bs = KernelTestSupport.random(22, N, -1, 1);
        try (Tensor ra = ref.upload(s, as); Tensor rb = ref.upload(s, bs); Tensor rout = ref.allocate(s)) {
            ref.axpby(0.75, ra, -1.5, rb, rout);
            try (Tensor a = cl.upload(s, as); Tensor b = cl.upload(s, bs); Tensor out = poisoned(cl, s)) {
                cl.axpby(0.75, a, -1.5, b, out);
                // two products and a sum, each rounded once
                assertClose("axpby", out, rout, ErrorBounds.ELEMENTWISE);
                cl.axpby(0.75, a, -1.5, b, a);
                assertClose("axpby into a", a, rout, ErrorBounds.ELEMENTWISE);
            }
            try (Tensor a = cl.upload(s, as); Tensor b = cl.upload(s, bs)) {
                cl.axpby(0.75, a, -1.5, b, b);
                assertClose("axpby into b", b, rout, ErrorBounds.ELEMENTWISE);
            }
        }
    }

    @Test
    void dropoutMasksAreBitwiseTheReferencesAndPhiloxs() {
        int n = 1003; // not a multiple of the four elements a Philox block covers
        Shape s = Shape.of(n);
        float[] xs = KernelTestSupport.random(31, n, 0.5, 1.5); // never zero, so a zero output means dropped
        long seed = 0x1234_5678_9ABC_DEF0L;
        long offset = 0xFEDC_BA98_7654_3210L;
        for (double p : new double[] {0, 0.3, 0.5, 0.999, 1}) {
            try (Tensor x = cl.upload(s, xs); Tensor y = poisoned(cl, s); Tensor rx = ref.upload(s, xs);
                 Tensor ry = ref.allocate(s)) {
                cl.dropout(p, seed, offset, x, y);
                ref.dropout(p, seed, offset, rx, ry);
                float[] got = y.toArray();
                float[] want = ry.toArray();
                for (int i = 0; i < n; i++) {
                    boolean kept = got[i] != 0;
                    if (kept != (want[i] != 0) || kept != Philox.keep(p, seed, offset, i)) {
                        fail("dropout p=" + p + ": element " + i + " kept=" + kept + ", reference kept="
                                + (want[i] != 0) + ", Philox.keep=" + Philox.keep(p, seed, offset, i));
                    }
                }
                // x / (1 - p) against x * (1 / (1 - p)) rounded to float: within a unit or two of the last place
                assertClose("dropout p=" + p, y, ry, ErrorBounds.ELEMENTWISE);

                // backward with the same seed and offset, in place on dy
                cl.dropoutBackward(p, seed, offset, x, x);
                assertClose("dropout backward in place p=" + p, x, ry, ErrorBounds.ELEMENTWISE);
            }
        }
    }

    @Test
    void uniformFillIsExactlyPhilox() {
        int n = 1001;
        long seed = -7L;
        long offset = (5L << 32) | 3;
        try (Tensor t = poisoned(cl, Shape.of(n))) {
            cl.randomUniform(t, 0, 1, seed, offset);
            float[] got = t.toArray();
            for (int i = 0; i < n; i++) {
                // multiples of 2^-24 in [0, 1): float32 holds them exactly
                assertEquals((float) Philox.uniform(seed, offset, i), got[i], 0f, "element " + i);
            }
        }
    }

    @Test
    void randomFillsMatchTheReference() {
        int n = 4099;
        Shape s = Shape.of(n);
        long seed = 0xDEAD_BEEF_0000_0001L;
        long offset = 1L << 40;
        try (Tensor u = poisoned(cl, s); Tensor g = poisoned(cl, s); Tensor ru = ref.allocate(s);
             Tensor rg = ref.allocate(s)) {
            cl.randomUniform(u, -2, 3, seed, offset);
            ref.randomUniform(ru, -2, 3, seed, offset);
            cl.randomNormal(g, 0.5, 2, seed, offset + 1);
            ref.randomNormal(rg, 0.5, 2, seed, offset + 1);
            // uniform: lo + range * u rounded twice in float32
            assertClose("randomUniform", u, ru, ErrorBounds.RANDOM);
            // normal: float32 log, sqrt and cospi (see ErrorBounds.RANDOM)
            assertClose("randomNormal", g, rg, ErrorBounds.RANDOM);
        }
    }

    @Test
    void fillAndCopyOverwriteEveryElement() {
        Shape s = Shape.of(N);
        try (Tensor t = poisoned(cl, s); Tensor u = poisoned(cl, s); Tensor r = ref.full(s, -3.25f)) {
            cl.fill(t, -3.25f);
            assertBitwiseEqual("fill", t, r);
            cl.copy(t, u);
            assertBitwiseEqual("copy", u, r);
        }
    }
}
