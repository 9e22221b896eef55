package io.jdnn.cpu.reference;

import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.InterpolateProblem;
import io.jdnn.PadProblem;
import io.jdnn.PixelShuffleProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interpolate, pixel shuffle and unshuffle and pad on the reference backend, through the public API: known
 * values, backward passes against numerical differentiation, problem strings, clear errors.
 */
class ResampleTest {
    static Device dev;

    @BeforeAll
    static void open() {
        dev = Devices.open("reference");
    }

    @AfterAll
    static void close() {
        dev.close();
    }

    @Test
    void pixelShuffleInterleavesChannelsAndUnshuffleUndoesIt() {
        PixelShuffleProblem p = PixelShuffleProblem.shuffle(1, 4, 1, 2, 2);
        // channel k holds k*10 + w
        try (Tensor x = dev.upload(p.inputShape(), new float[] {0, 1, 10, 11, 20, 21, 30, 31});
             Tensor y = dev.pixelShuffle(p, x);
             Tensor back = dev.pixelShuffle(p.inverse(), y)) {
            assertEquals(Shape.of(1, 1, 2, 4), y.shape());
            assertArrayEquals(Grad.widen(new float[] {0, 10, 1, 11, 20, 30, 21, 31}), y.toDoubleArray());
            assertArrayEquals(x.toDoubleArray(), back.toDoubleArray());
        }
    }

    @Test
    void padModesReadTheDocumentedCells() {
        try (Tensor x = dev.upload(Shape.of(1, 1, 1, 3), new float[] {1, 2, 3})) {
            int[] pad = {2, 1, 0, 0};
            try (Tensor c = dev.pad(PadProblem.of(1, 1, 1, 3, pad, PadProblem.Mode.CONSTANT, -1), x);
                 Tensor r = dev.pad(PadProblem.of(1, 1, 1, 3, pad, PadProblem.Mode.REFLECT, 0), x);
                 Tensor e = dev.pad(PadProblem.of(1, 1, 1, 3, pad, PadProblem.Mode.REPLICATE, 0), x);
                 Tensor crop = dev.pad(PadProblem.of(1, 1, 1, 3, new int[] {-1, 0, 0, 0}, PadProblem.Mode.CONSTANT, 0), x)) {
                assertArrayEquals(Grad.widen(new float[] {-1, -1, 1, 2, 3, -1}), c.toDoubleArray());
                assertArrayEquals(Grad.widen(new float[] {3, 2, 1, 2, 3, 2}), r.toDoubleArray());
                assertArrayEquals(Grad.widen(new float[] {1, 1, 1, 2, 3, 3}), e.toDoubleArray());
                assertArrayEquals(Grad.widen(new float[] {2, 3}), crop.toDoubleArray());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(PadProblem.Mode.class)
    void padBackwardIsTheGradientOfPad(PadProblem.Mode mode) {
        int[] pad = mode == PadProblem.Mode.CONSTANT ? new int[] {2, -1, -1, 3} : new int[] {2, 3, 1, 2};
        PadProblem p = PadProblem.of(2, 1, 4, 5, pad, mode, mode == PadProblem.Mode.CONSTANT ? 0.5 : 0);
        gradientCheck(p.inputShape(), p.outputShape(), x -> dev.pad(p, x), dy -> dev.padBackward(p, dy));
    }

    @Test
    void interpolateReadsPyTorchsSourceCells() {
        // F.interpolate(torch.tensor([[[[1., 2., 4.]]]]), size=(1, 5), ...) in PyTorch 1.13
        try (Tensor x = dev.upload(Shape.of(1, 1, 1, 3), new float[] {1, 2, 4});
             Tensor near = dev.interpolate(new InterpolateProblem(1, 1, 1, 3, 1, 5, InterpolateProblem.Mode.NEAREST, false), x);
             Tensor lin = dev.interpolate(new InterpolateProblem(1, 1, 1, 3, 1, 5, InterpolateProblem.Mode.BILINEAR, false), x);
             Tensor ac = dev.interpolate(new InterpolateProblem(1, 1, 1, 3, 1, 5, InterpolateProblem.Mode.BILINEAR, true), x)) {
            assertArrayEquals(new double[] {1, 1, 2, 2, 4}, near.toDoubleArray());
            assertArrayEquals(new double[] {1, 1.4, 2, 3.2, 4}, lin.toDoubleArray(), 1e-12);
            assertArrayEquals(new double[] {1, 1.5, 2, 3, 4}, ac.toDoubleArray(), 1e-12);
        }
    }

    @ParameterizedTest
    @EnumSource(InterpolateProblem.Mode.class)
    void interpolateBackwardIsTheGradientOfInterpolate(InterpolateProblem.Mode mode) {
        for (int[] size : new int[][] {{7, 3}, {2, 9}, {1, 1}}) {
            for (boolean ac : mode == InterpolateProblem.Mode.BILINEAR ? new boolean[] {false, true} : new boolean[] {false}) {
                InterpolateProblem p = new InterpolateProblem(2, 1, 4, 5, size[0], size[1], mode, ac);
                gradientCheck(p.inputShape(), p.outputShape(), x -> dev.interpolate(p, x),
                        dy -> dev.interpolateBackward(p, dy));
            }
        }
    }

    @Test
    void pixelShuffleBackwardIsTheGradientOfPixelShuffle() {
        for (PixelShuffleProblem p : new PixelShuffleProblem[] {PixelShuffleProblem.shuffle(2, 9, 2, 3, 3),
                PixelShuffleProblem.unshuffle(1, 2, 4, 6, 2)}) {
            gradientCheck(p.inputShape(), p.outputShape(), x -> dev.pixelShuffle(p, x),
                    dy -> dev.pixelShuffleBackward(p, dy));
        }
    }

    private static void gradientCheck(Shape in, Shape out, java.util.function.Function<Tensor, Tensor> forward,
                                      java.util.function.Function<Tensor, Tensor> backward) {
        Random rnd = new Random(5);
        float[] r = Grad.uniform(rnd, (int) out.elements(), -1, 1);
        try (Tensor x = dev.upload(in, Grad.uniform(rnd, (int) in.elements(), -1, 1));
             Tensor dy = dev.upload(out, r);
             Tensor dx = backward.apply(dy)) {
            DoubleSupplier loss = () -> {
                try (Tensor y = forward.apply(x)) {
                    return Grad.dot(y.toDoubleArray(), r);
                }
            };
            Grad.assertGradient("dx", dx.toDoubleArray(), Grad.numeric(x, loss));
        }
    }

    @Test
    void problemStringsRoundTrip() {
        PadProblem pad = PadProblem.of(2, 3, 5, 7, new int[] {1, -2, 0, 3}, PadProblem.Mode.CONSTANT, 0.5);
        assertEquals("constpad_mb2ic3ih5iw7_pad=1x-2x0x3_value=0.5", pad.toString());
        assertEquals(pad, PadProblem.parse(pad.toString()));
        PadProblem refl = PadProblem.of(1, 1, 4, 4, new int[] {1, 2, 3, 0}, PadProblem.Mode.REFLECT, 0);
        assertEquals(refl, PadProblem.parse(refl.toString()));
        InterpolateProblem bl = new InterpolateProblem(1, 3, 8, 8, 16, 12, InterpolateProblem.Mode.BILINEAR, true);
        assertEquals("resizebilinear_mb1ic3ih8iw8oh16ow12_ac=1", bl.toString());
        assertEquals(bl, InterpolateProblem.parse(bl.toString()));
        InterpolateProblem nn = new InterpolateProblem(2, 1, 5, 7, 3, 9, InterpolateProblem.Mode.NEAREST, false);
        assertEquals(nn, InterpolateProblem.parse(nn.toString()));
        assertEquals(Shape.of(2, 1, 3, 9), nn.outputShape());
        PixelShuffleProblem ps = PixelShuffleProblem.unshuffle(1, 3, 8, 6, 2);
        assertEquals("pixelunshuffle_mb1ic3ih8iw6r2", ps.toString());
        assertEquals(ps, PixelShuffleProblem.parse(ps.toString()));
        assertEquals(Shape.of(1, 12, 4, 3), ps.outputShape());
    }

    @Test
    void invalidProblemsNameTheArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PadProblem.of(1, 1, 3, 3, new int[] {3, 0, 0, 0}, PadProblem.Mode.REFLECT, 0));
        assertTrue(e.getMessage().contains("pad"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PadProblem.of(1, 1, 3, 3, new int[] {-2, -1, 0, 0}, PadProblem.Mode.CONSTANT, 0));
        assertTrue(e.getMessage().contains("output width"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new InterpolateProblem(1, 1, 3, 3, 6, 6, InterpolateProblem.Mode.NEAREST, true));
        assertTrue(e.getMessage().contains("alignCorners"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new InterpolateProblem(1, 1, 3, 3, 0, 6, InterpolateProblem.Mode.BILINEAR, false));
        assertTrue(e.getMessage().contains("outHeight"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PixelShuffleProblem.shuffle(1, 6, 2, 2, 2));
        assertTrue(e.getMessage().contains("channels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PixelShuffleProblem.unshuffle(1, 1, 5, 4, 2));
        assertTrue(e.getMessage().contains("height"), e.getMessage());
    }
}
