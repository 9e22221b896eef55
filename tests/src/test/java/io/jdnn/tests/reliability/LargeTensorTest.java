package io.jdnn.tests.reliability;

import io.jdnn.Activation;
import io.jdnn.Device;
import io.jdnn.DeviceOutOfMemoryException;
import io.jdnn.ErrorBounds;
import io.jdnn.MemoryStats;
import io.jdnn.OptimizerState;
import io.jdnn.Philox;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.optim.Sgd;
import io.jdnn.tests.support.DevicesUnderTest.Target;
import io.jdnn.tests.support.Scope;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Tensors of more than 2^31 elements: the kernels index with 64 bits, so the elements past 2^31
 * are computed like the first ones. Fill, axpby, the Philox normal fill (its counter past 2^32
 * blocks' worth of offsets stays exact), relu, dropout and an SGD step run over a tensor of
 * {@link #SHAPE} ({@value #ELEMENTS} elements, 8 GiB of float32); the elements around index 2^31
 * and at the end are read back and compared with values computed here in float64 from their index
 * ({@link Philox}).
 *
 * <p>Runs where the device says it has room for three such tensors (the H100). Skipped, with the
 * reason, on the reference and cpu (a Java array holds at most 2^31 - 1 elements: their
 * allocation fails with DeviceOutOfMemoryException, which OutOfMemoryTest checks), on OpenCL
 * devices that run on the host's CPU (PoCL: they would take the CI machine's memory), and where
 * the device's free memory is short or unknown.
 */
class LargeTensorTest {
    /** 2 x (2^30 + 2051) = 2^31 + 4102 elements: past 2^31, with a tail no work-group size divides. */
    static final Shape SHAPE = Shape.of(2, (1 << 30) + 2051);
    static final long ELEMENTS = 2L * ((1 << 30) + 2051);
    static final long SEED = 20261123L;
    /** Dropout probability; the mask of element i is Philox.keep(P, SEED, DROPOUT_OFFSET, i). */
    static final double P = 0.25;
    static final long DROPOUT_OFFSET = 7;
    /** Indices read back: the start, both sides of 2^31, and the end. */
    static final long[] PROBES = {0, (1L << 31) - 3, 1L << 31, ELEMENTS - 5};
    static final int PROBE_LEN = 5;

    @TestFactory
    List<DynamicTest> tensorsOfMoreThan2To31ElementsAreComputedEverywhere() {
        return Targets.each("a tensor of " + ELEMENTS + " elements", LargeTensorTest::large);
    }

    private static void large(Target t) {
        Device d = Targets.shared(t);
        Assumptions.assumeFalse(d.backend().equals("reference") || d.backend().equals("cpu"),
                d.spec() + ": a Java array holds at most 2^31 - 1 elements (OutOfMemoryTest checks the refusal)");
        Assumptions.assumeFalse(Targets.onHostCpu(d),
                d.spec() + " computes on the host's CPU: three 8 GiB tensors would take this machine's memory");
        MemoryStats m = d.memory();
        long need = 3 * SHAPE.bytes() + (1L << 30);
        Assumptions.assumeTrue(m.deviceFreeBytes() >= need, d.spec() + ": " + need + " bytes needed, the device "
                + (m.deviceFreeBytes() < 0 ? "does not report its free memory" : "has " + m.deviceFreeBytes() + " free"));
        try (Scope s = new Scope(d)) {
            Tensor x;
            try {
                x = s.track(d.full(SHAPE, 1.5f));
            } catch (DeviceOutOfMemoryException e) {
                Assumptions.abort(d.spec() + ": " + e.getMessage());
                return;
            }
            // fill, then axpby in place: 2 * 1.5 + 0.5 * 1.5 = 3.75 everywhere
            d.axpby(2, x, 0.5, x, x);
            for (long at : PROBES) {
                float[] row = read(x, at);
                for (int k = 0; k < PROBE_LEN; k++) {
                    assertEquals(3.75f, row[k], d.spec() + ": axpby (exact) at " + (at + k));
                }
            }
            // Philox normal fill: element i from the counter of its index
            d.randomNormal(x, 0, 1, SEED, 0);
            float[][] normals = new float[PROBES.length][];
            double[] got = new double[PROBES.length * PROBE_LEN];
            double[] expected = new double[got.length];
            for (int p = 0; p < PROBES.length; p++) {
                normals[p] = read(x, PROBES[p]);
                for (int k = 0; k < PROBE_LEN; k++) {
                    got[p * PROBE_LEN + k] = normals[p][k];
                    expected[p * PROBE_LEN + k] = Philox.normal(SEED, 0, PROBES[p] + k);
                }
            }
            // float32 Box-Muller against float64: the bound of every random fill
            check(d, "normal fill", got, expected, ErrorBounds.RANDOM);
            // relu into a second tensor
            Tensor y = s.track(d.activation(Activation.relu(), x));
            for (int p = 0; p < PROBES.length; p++) {
                float[] row = read(y, PROBES[p]);
                for (int k = 0; k < PROBE_LEN; k++) {
                    assertEquals(Math.max(normals[p][k], 0f), row[k], d.spec() + ": relu (exact) at " + (PROBES[p] + k));
                }
            }
            // dropout of x into y: the mask of element i is Philox's draw for i
            d.dropout(P, SEED, DROPOUT_OFFSET, x, y);
            for (int p = 0; p < PROBES.length; p++) {
                float[] row = read(y, PROBES[p]);
                for (int k = 0; k < PROBE_LEN; k++) {
                    long i = PROBES[p] + k;
                    got[p * PROBE_LEN + k] = row[k];
                    expected[p * PROBE_LEN + k] = Philox.keep(P, SEED, DROPOUT_OFFSET, i) ? normals[p][k] / (1 - P) : 0;
                }
            }
            // one float32 multiplication by 1 / (1 - p): the element-wise bound
            check(d, "dropout", got, expected, ErrorBounds.ELEMENTWISE);
            // an SGD step on x with gradient y: x - 0.5 * y
            Sgd sgd = Sgd.of(0.5);
            OptimizerState st = s.track(d.optimizerState(sgd, SHAPE));
            float[][] grads = new float[PROBES.length][];
            for (int p = 0; p < PROBES.length; p++) {
                grads[p] = read(y, PROBES[p]);
            }
            d.step(sgd, st, x, y);
            for (int p = 0; p < PROBES.length; p++) {
                float[] row = read(x, PROBES[p]);
                for (int k = 0; k < PROBE_LEN; k++) {
                    got[p * PROBE_LEN + k] = row[k];
                    expected[p * PROBE_LEN + k] = (double) normals[p][k] - 0.5 * grads[p][k];
                }
            }
            check(d, "sgd step", got, expected, ErrorBounds.OPTIMIZER);
            System.out.println("[jdnn-tests] large tensor: " + d.spec() + ": fill, axpby, normal fill, relu, dropout, "
                    + "sgd over " + ELEMENTS + " elements, checked around 2^31 and at the end");
        }
    }

    /** The probes' {@link ErrorBounds#maxNormalizedError} within {@code bound}, naming the first element outside it. */
    private static void check(Device d, String op, double[] got, double[] expected, double bound) {
        double err = ErrorBounds.maxNormalizedError(got, expected);
        if (!(err <= bound)) {
            StringBuilder b = new StringBuilder(d.spec() + ": " + op + ": max normalized error " + err + " > " + bound);
            for (int j = 0; j < got.length; j++) {
                b.append(String.format(java.util.Locale.ROOT, "%n  [%d] = %s expected %s",
                        PROBES[j / PROBE_LEN] + j % PROBE_LEN, got[j], expected[j]));
            }
            fail(b.toString());
        }
    }

    private static float[] read(Tensor t, long at) {
        float[] out = new float[PROBE_LEN];
        t.read(at, out, 0, PROBE_LEN);
        return out;
    }
}
