package io.jdnn.onnx.run;

import io.jdnn.ErrorBounds;

/** jdnn's comparison metric on float arrays: {@link ErrorBounds#maxNormalizedError} (max |o - r| / max |r|). */
public final class Compare {
    private Compare() {
    }

    /** The normalized max error of {@code got} against {@code want}; infinite when lengths differ. */
    public static double error(float[] got, float[] want) {
        return got.length != want.length ? Double.POSITIVE_INFINITY
                : ErrorBounds.maxNormalizedError(doubles(got), doubles(want));
    }

    private static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
