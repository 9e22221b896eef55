package io.jdnn.golden;

import io.jdnn.ErrorBounds;
import io.jdnn.PadProblem;
import io.jdnn.PixelShuffleProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;

import java.util.List;
import java.util.Locale;

/**
 * Golden ops pixel_shuffle, pixel_unshuffle and pad: Device.pixelShuffle and pixelShuffleBackward,
 * pad and padBackward, on x of (N, C, H, W).
 */
final class ResampleHandler {
    private ResampleHandler() {
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
