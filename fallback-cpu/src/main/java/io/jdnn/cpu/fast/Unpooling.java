package io.jdnn.cpu.fast;

import io.jdnn.PoolProblem;
import io.jdnn.UnpoolProblem;

import java.util.Arrays;

/**
 * Max pooling with indices and max unpooling with its backward (see {@link UnpoolProblem}), one
 * task per (image, channel) plane. A plane's unpooling runs in input order on one thread, so of
 * inputs naming one output position the highest wins, whatever the thread count.
 */
final class Unpooling {
    private Unpooling() {
    }

    /** y and indices: each window's winner as {@link Pooling#argmax} finds it (the reference's rule). */
    static void maxWithIndices(CpuDevice dev, PoolProblem p, float[] x, float[] y, float[] indices) {
        int hw = p.height() * p.width(), oh = p.outHeight(), ow = p.outWidth();
        dev.parallel().forEach(p.batch() * p.channels(), (plane, worker) -> {
            int xo = plane * hw, yo = plane * oh * ow;
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int a = Pooling.argmax(p, x, xo, i, j);
                    y[yo + i * ow + j] = x[xo + a];
                    indices[yo + i * ow + j] = a; // exact: a plane holds at most 2^24 positions
                }
            }
        });
    }

    /** y: the plane zeroed, then each input written at its index in input order (skipped indices dropped). */
    static void unpool(CpuDevice dev, UnpoolProblem p, float[] x, float[] indices, float[] y) {
        int in = p.height() * p.width(), out = p.outHeight() * p.outWidth();
        dev.parallel().forEach(p.batch() * p.channels(), (plane, worker) -> {
            int xo = plane * in, yo = plane * out;
            Arrays.fill(y, yo, yo + out, 0f);
            for (int i = 0; i < in; i++) {
                int t = p.target(indices[xo + i]);
                if (t >= 0) {
                    y[yo + t] = x[xo + i];
                }
            }
        });
    }

    /** dx: dy gathered at each input's index, 0 for a skipped one. */
    static void unpoolBackward(CpuDevice dev, UnpoolProblem p, float[] indices, float[] dy, float[] dx) {
        int in = p.height() * p.width(), out = p.outHeight() * p.outWidth();
        dev.parallel().forEach(p.batch() * p.channels(), (plane, worker) -> {
            int xo = plane * in, yo = plane * out;
            for (int i = 0; i < in; i++) {
                int t = p.target(indices[xo + i]);
                dx[xo + i] = t >= 0 ? dy[yo + t] : 0f;
            }
        });
    }
}
