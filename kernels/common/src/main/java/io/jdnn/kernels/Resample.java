package io.jdnn.kernels;

import io.jdnn.InterpolateProblem;
import io.jdnn.PadProblem;
import io.jdnn.PixelShuffleProblem;
import io.jdnn.spi.Buffer;

/**
 * The resampling-and-padding ops of a {@link KernelDevice} ({@code resample.cl}): interpolate and
 * its backward, pixel shuffle and unshuffle, pad and its backward (the backward passes gathers
 * over the output cells that read each input cell), one grid-stride launch each.
 */
final class Resample {
    private static final String SOURCE = "resample.cl";

    private Resample() {
    }

    /** The float32 source scale of a dimension as the kernels take it (rs_interp_tap). */
    private static float scale(InterpolateProblem p, int in, int out) {
        return p.mode() == InterpolateProblem.Mode.NEAREST ? (float) in / out : (float) p.bilinearScale(in, out);
    }

    static void interpolate(KernelDevice device, InterpolateProblem p, Buffer x, Buffer y) {
        long n = p.elements();
        device.launch("interpolate", p.toString(), SOURCE, "rs_interp_forward")
                .arg("n", n).arg("mode", p.mode() == InterpolateProblem.Mode.NEAREST ? 0 : 1)
                .arg("ac", p.alignCorners() ? 1 : 0).arg("H", p.height()).arg("W", p.width())
                .arg("OH", p.outHeight()).arg("OW", p.outWidth())
                .arg("scaleH", scale(p, p.height(), p.outHeight())).arg("scaleW", scale(p, p.width(), p.outWidth()))
                .arg("x", x).arg("y", y)
                .elements(n);
    }

    static void interpolateBackward(KernelDevice device, InterpolateProblem p, Buffer dy, Buffer dx) {
        long n = p.inputShape().elements();
        device.launch("interpolateBackward", p.toString(), SOURCE, "rs_interp_backward")
                .arg("n", n).arg("mode", p.mode() == InterpolateProblem.Mode.NEAREST ? 0 : 1)
                .arg("ac", p.alignCorners() ? 1 : 0).arg("H", p.height()).arg("W", p.width())
                .arg("OH", p.outHeight()).arg("OW", p.outWidth())
                .arg("scaleH", scale(p, p.height(), p.outHeight())).arg("scaleW", scale(p, p.width(), p.outWidth()))
                .arg("dy", dy).arg("dx", dx)
                .elements(n);
    }

    static void pixelShuffle(KernelDevice device, PixelShuffleProblem p, Buffer x, Buffer y) {
        long n = p.elements();
        device.launch(p.unshuffle() ? "pixelUnshuffle" : "pixelShuffle", p.toString(), SOURCE, "rs_pixel_shuffle")
                .arg("n", n).arg("C", p.channels()).arg("H", p.height()).arg("W", p.width()).arg("r", p.factor())
                .arg("unshuffle", p.unshuffle() ? 1 : 0)
                .arg("x", x).arg("y", y)
                .elements(n);
    }

    /** The kernels' numbering of the modes (RS_CONSTANT ... in resample.cl). */
    private static int code(PadProblem.Mode mode) {
        return switch (mode) {
            case CONSTANT -> 0;
            case REFLECT -> 1;
            case REPLICATE -> 2;
        };
    }

    static void pad(KernelDevice device, PadProblem p, Buffer x, Buffer y) {
        long n = p.outputShape().elements();
        device.launch("pad", p.toString(), SOURCE, "rs_pad_forward")
                .arg("n", n).arg("mode", code(p.mode())).arg("H", p.height()).arg("W", p.width())
                .arg("OH", p.outHeight()).arg("OW", p.outWidth()).arg("top", p.top()).arg("left", p.left())
                .arg("value", (float) p.value())
                .arg("x", x).arg("y", y)
                .elements(n);
    }

    static void padBackward(KernelDevice device, PadProblem p, Buffer dy, Buffer dx) {
        long n = p.inputShape().elements();
        device.launch("padBackward", p.toString(), SOURCE, "rs_pad_backward")
                .arg("n", n).arg("mode", code(p.mode())).arg("H", p.height()).arg("W", p.width())
                .arg("OH", p.outHeight()).arg("OW", p.outWidth()).arg("top", p.top()).arg("left", p.left())
                .arg("dy", dy).arg("dx", dx)
                .elements(n);
    }
}
