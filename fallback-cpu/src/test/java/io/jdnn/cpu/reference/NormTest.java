package io.jdnn.cpu.reference;

import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.GroupNormProblem;
import io.jdnn.InstanceNormProblem;
import io.jdnn.LayerNormProblem;
import io.jdnn.LrnProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The reference's local response, group, instance and layer norm: forward values worked by hand,
 * and every backward pass against numerical differentiation ({@link Grad}) of L = sum(y * r).
 */
class NormTest {
    private static Device dev;

    @BeforeAll
    static void open() {
        dev = Devices.open("reference");
    }

    @AfterAll
    static void close() {
        dev.close();
    }

    @Test
    void lrnDividesByThePaddedWindowAverage() {
        // C = 3, size 2: channel c's window is [c - 1, c]; alpha / size = 0.5, k = 1, beta = 1
        LrnProblem p = new LrnProblem(1, 3, 1, 1, 2, 1.0, 1.0, 1.0);
        try (Tensor x = dev.upload(p.inputShape(), new float[] {1, 2, 3}); Tensor y = dev.localResponseNorm(p, x)) {
            assertArrayEquals(new double[] {1 / 1.5, 2 / (1 + 0.5 * 5), 3 / (1 + 0.5 * 13)}, y.toDoubleArray(), 1e-15);
        }
    }

    @Test
    void groupNormOfOneGroupNormalizesTheWholeSample() {
        GroupNormProblem p = new GroupNormProblem(1, 2, 1, 1, 1, 1e-5);
        try (Tensor x = dev.upload(p.inputShape(), new float[] {1, 3});
             Tensor w = dev.upload(p.channelShape(), new float[] {2, 1});
             Tensor b = dev.upload(p.channelShape(), new float[] {0, 10});
             Tensor y = dev.groupNorm(p, x, w, b)) {
            double invstd = 1 / Math.sqrt(1 + 1e-5);
            assertArrayEquals(new double[] {-2 * invstd, invstd + 10}, y.toDoubleArray(), 1e-15);
        }
    }

    @Test
    void lrnBackwardMatchesNumericalDerivatives() {
        for (LrnProblem p : new LrnProblem[] {new LrnProblem(2, 5, 2, 3, 3, 0.5, 0.75, 1.0),
                new LrnProblem(1, 4, 1, 2, 2, 1.0, 1.5, 2.0), new LrnProblem(1, 3, 2, 1, 7, 0.1, 0.5, 0.5)}) {
            Random rnd = new Random(p.hashCode());
            float[] r = Grad.uniform(rnd, (int) p.inputShape().elements(), -1, 1);
            try (Tensor x = dev.upload(p.inputShape(), Grad.uniform(rnd, (int) p.inputShape().elements(), -2, 2));
                 Tensor dy = dev.upload(p.inputShape(), r);
                 Tensor dx = dev.localResponseNormBackward(p, x, dy)) {
                DoubleSupplier loss = () -> {
                    try (Tensor y = dev.localResponseNorm(p, x)) {
                        return Grad.dot(y.toDoubleArray(), r);
                    }
                };
                Grad.assertGradient(p + " dx", dx.toDoubleArray(), Grad.numeric(x, loss));
            }
        }
    }

    /** One group-style forward call: y from x, weight, bias (statistics into mean and invStd). */
    private interface Forward {
        void run(Tensor x, Tensor w, Tensor b, Tensor y, Tensor mean, Tensor invStd);
    }

    /** One group-style backward call. */
    private interface Backward {
        void run(Tensor x, Tensor dy, Tensor w, Tensor mean, Tensor invStd, Tensor dx, Tensor dw, Tensor db);
    }

    private static void checkGradients(String what, Shape input, Shape params, Shape stats, Forward f, Backward bw) {
        Random rnd = new Random(what.hashCode());
        int n = (int) input.elements();
        int c = (int) params.elements();
        float[] r = Grad.uniform(rnd, n, -1, 1);
        try (Tensor x = dev.upload(input, Grad.uniform(rnd, n, -2, 3));
             Tensor w = dev.upload(params, Grad.uniform(rnd, c, 0.5, 1.5));
             Tensor b = dev.upload(params, Grad.uniform(rnd, c, -1, 1));
             Tensor dy = dev.upload(input, r);
             Tensor y = dev.allocate(input); Tensor mean = dev.allocate(stats); Tensor invStd = dev.allocate(stats);
             Tensor dx = dev.allocate(input); Tensor dw = dev.allocate(params); Tensor db = dev.allocate(params)) {
            f.run(x, w, b, y, mean, invStd);
            bw.run(x, dy, w, mean, invStd, dx, dw, db);
            DoubleSupplier loss = () -> {
                try (Tensor y2 = dev.allocate(input); Tensor m2 = dev.allocate(stats); Tensor s2 = dev.allocate(stats)) {
                    f.run(x, w, b, y2, m2, s2);
                    return Grad.dot(y2.toDoubleArray(), r);
                }
            };
            Grad.assertGradient(what + " dx", dx.toDoubleArray(), Grad.numeric(x, loss));
            Grad.assertGradient(what + " dweight", dw.toDoubleArray(), Grad.numeric(w, loss));
            Grad.assertGradient(what + " dbias", db.toDoubleArray(), Grad.numeric(b, loss));
        }
    }

    @Test
    void groupNormBackwardMatchesNumericalDerivatives() {
        for (GroupNormProblem p : new GroupNormProblem[] {new GroupNormProblem(2, 6, 2, 3, 3, 1e-5),
                new GroupNormProblem(1, 4, 1, 1, 2, 0.1), new GroupNormProblem(3, 2, 3, 1, 1, 1e-3)}) {
            checkGradients(p.toString(), p.inputShape(), p.channelShape(), p.statsShape(),
                    (x, w, b, y, m, s) -> dev.groupNorm(p, x, w, b, y, m, s),
                    (x, dy, w, m, s, dx, dw, db) -> dev.groupNormBackward(p, x, dy, w, m, s, dx, dw, db));
        }
    }

    @Test
    void instanceNormBackwardMatchesNumericalDerivatives() {
        InstanceNormProblem p = new InstanceNormProblem(2, 3, 2, 2, 1e-5);
        checkGradients(p.toString(), p.inputShape(), p.channelShape(), p.statsShape(),
                (x, w, b, y, m, s) -> dev.instanceNorm(p, x, w, b, y, m, s),
                (x, dy, w, m, s, dx, dw, db) -> dev.instanceNormBackward(p, x, dy, w, m, s, dx, dw, db));
    }

    @Test
    void layerNormBackwardMatchesNumericalDerivatives() {
        LayerNormProblem p = new LayerNormProblem(3, 7, 1e-5);
        checkGradients(p.toString(), p.inputShape(), p.featureShape(), p.statsShape(),
                (x, w, b, y, m, s) -> dev.layerNorm(p, x, w, b, y, m, s),
                (x, dy, w, m, s, dx, dw, db) -> dev.layerNormBackward(p, x, dy, w, m, s, dx, dw, db));
    }

    @Test
    void problemsRoundTripAndRejectBadArguments() {
        for (Object p : new Object[] {new GroupNormProblem(2, 6, 3, 4, 3, 1e-3), new InstanceNormProblem(1, 3, 5, 5, 1e-5),
                new LayerNormProblem(8, 64, 0.1), new LrnProblem(2, 16, 8, 8, 5, 1e-4, 0.75, 2)}) {
            String text = p.toString();
            Object back = text.startsWith("gn_") ? GroupNormProblem.parse(text)
                    : text.startsWith("in_") ? InstanceNormProblem.parse(text)
                    : text.startsWith("ln_") ? LayerNormProblem.parse(text) : LrnProblem.parse(text);
            assertEquals(p, back);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GroupNormProblem(1, 6, 1, 1, 4, 1e-5));
        assertEquals("groups: expected a divisor of channels 6, got 4", e.getMessage());
        GroupNormProblem p = GroupNormProblem.of(1, 4, 2, 2, 2);
        try (Tensor x = dev.allocate(p.inputShape()); Tensor w = dev.allocate(Shape.of(3))) {
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> dev.groupNorm(p, x, w, w));
            assertEquals("groupNorm(" + p + "): argument 'weight': expected shape [4], got [3]", bad.getMessage());
        }
    }
}
