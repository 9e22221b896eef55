package io.jdnn.golden;

import io.jdnn.ErrorBounds;
import io.jdnn.InterpolateProblem;
import io.jdnn.PadProblem;
import io.jdnn.PixelShuffleProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;

import java.util.List;
import java.util.Locale;

/**
 * Golden ops interpolate, pixel_shuffle, pixel_unshuffle and pad: Device.interpolate and
 * interpolateBackward, pixelShuffle and pixelShuffleBackward, pad and padBackward, on x of (N, C, H, W).
 */
final class ResampleHandler {
    private ResampleHandler() {
    }

    /** Runs an interpolate case (mode "nearest" or "bilinear", size [outHeight, outWidth], align_corners). */
    static void interpolate(CaseRun r) {
        r.declare(List.of("mode", "size"), List.of("align_corners"), List.of("x"), List.of("dy"), List.of("y", "dx"));
        r.requireIfAny("dy", "dx");
        Tensor x = r.upload("x");
        Shape s = x.shape();
        InterpolateProblem.Mode mode = InterpolateProblem.Mode.valueOf(r.params().string("mode").toUpperCase(Locale.ROOT));
        int[] size = r.params().intList("size");
        boolean alignCorners = r.params().has("align_corners") && r.params().bool("align_corners");
        InterpolateProblem p = new InterpolateProblem(s.dim(0), s.dim(1), s.dim(2), s.dim(3), size[0], size[1], mode,
                alignCorners);
        if (r.wants("y")) {
            r.compare("y", r.keep(r.device().interpolate(p, x)), p.outputShape(), ErrorBounds.INTERPOLATE,
                    "blends of up to four cells");
        }
        if (r.wants("dx")) {
            r.compare("dx", r.keep(r.device().interpolateBackward(p, r.upload("dy"))), p.inputShape(),
                    ErrorBounds.REDUCTION, "weighted sums of dy");
        }
    }

    /** Runs a pixel_shuffle (unshuffle false) or pixel_unshuffle case. */
    static void pixelShuffle(CaseRun r, boolean unshuffle) {
        String factor = unshuffle ? "downscale_factor" : "upscale_factor";
        r.declare(List.of(factor), List.of(), List.of("x"), List.of("dy"), List.of("y", "dx"));
        r.requireIfAny("dy", "dx");
        Tensor x = r.upload("x");
        Shape s = x.shape();
        PixelShuffleProblem p = new PixelShuffleProblem(s.dim(0), s.dim(1), s.dim(2), s.dim(3),
                r.params().integer(factor), unshuffle);
        if (r.wants("y")) {
            r.compare("y", r.keep(r.device().pixelShuffle(p, x)), p.outputShape(), ErrorBounds.ELEMENTWISE, "copy");
        }
        if (r.wants("dx")) {
            r.compare("dx", r.keep(r.device().pixelShuffleBackward(p, r.upload("dy"))), p.inputShape(),
                    ErrorBounds.ELEMENTWISE, "copy");
        }
    }

    /** Runs a pad case (pad [left, right, top, bottom], mode, value). */
    static void pad(CaseRun r) {
        r.declare(List.of("pad", "mode"), List.of("value"), List.of("x"), List.of("dy"), List.of("y", "dx"));
        r.requireIfAny("dy", "dx");
        Tensor x = r.upload("x");
        Shape s = x.shape();
        PadProblem.Mode mode = PadProblem.Mode.valueOf(r.params().string("mode").toUpperCase(Locale.ROOT));
        double value = r.params().has("value") ? r.params().real("value") : 0;
        PadProblem p = PadProblem.of(s.dim(0), s.dim(1), s.dim(2), s.dim(3), r.params().intList("pad"), mode, value);
        if (r.wants("y")) {
            r.compare("y", r.keep(r.device().pad(p, x)), p.outputShape(), ErrorBounds.ELEMENTWISE, "copy");
        }
        if (r.wants("dx")) {
            // reflect and replicate add the gradients of the output cells that read one input cell
            r.compare("dx", r.keep(r.device().padBackward(p, r.upload("dy"))), p.inputShape(),
                    ErrorBounds.REDUCTION, "sums of dy");
        }
    }
}
