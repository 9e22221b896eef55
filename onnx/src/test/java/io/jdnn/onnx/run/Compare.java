package io.jdnn.onnx.run;

/** jdnn's comparison metric (see io.jdnn.ErrorBounds): max |o - r| / max |r| (the absolute error when r is all 0). */
public final class Compare {
    private Compare() {
    }

    /** The normalized max error of {@code got} against {@code want}; infinite when lengths differ or a NaN appears. */
    public static double error(float[] got, float[] want) {
        if (got.length != want.length) {
            return Double.POSITIVE_INFINITY;
        }
        double scale = 0;
        double err = 0;
        for (int i = 0; i < got.length; i++) {
            if (Float.isNaN(got[i]) != Float.isNaN(want[i])) {
                return Double.POSITIVE_INFINITY;
            }
            if (Float.isNaN(got[i]) || got[i] == want[i]) {
                continue; // equal values, infinities of one sign included
            }
            scale = Math.max(scale, Math.abs((double) want[i]));
            err = Math.max(err, Math.abs((double) got[i] - want[i]));
        }
        for (float w : want) {
            if (!Float.isNaN(w) && !Float.isInfinite(w)) {
                scale = Math.max(scale, Math.abs(w));
            }
        }
        return scale == 0 ? err : err / scale;
    }
}
