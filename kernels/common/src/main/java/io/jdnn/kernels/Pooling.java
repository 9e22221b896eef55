package io.jdnn.kernels;

import io.jdnn.PoolMode;
import io.jdnn.PoolProblem;
import io.jdnn.UnpoolProblem;
import io.jdnn.spi.Buffer;

/**
 * The pooling ops of a {@link KernelDevice} ({@code pool.cl}): max, average and adaptive average,
 * forward and backward, and the tile of the tiled max-pooling backward kernel ({@link #poolMaxTile});
 * max pooling with indices, max unpooling and its backward.
 */
public final class Pooling {
    private Pooling() {
    }

    static void forward(KernelDevice device, PoolProblem p, Buffer x, Buffer y) {
        long total = p.outputShape().elements();
        String problem = p.toString();
        switch (p.mode()) {
            case MAX -> window(device.launch("poolForward", problem, "pool.cl", "pool_max_forward")
                    .arg("total", total), p)
                    .arg("dh", p.dilationH()).arg("dw", p.dilationW()).arg("x", x).arg("y", y)
                    .elements(total);
            case AVG -> window(device.launch("poolForward", problem, "pool.cl", "pool_avg_forward")
                    .arg("total", total), p)
                    .arg("pb", p.padBottom()).arg("pr", p.padRight())
                    .arg("count_include_pad", p.countIncludePad()).arg("x", x).arg("y", y)
                    .elements(total);
            case ADAPTIVE_AVG -> extents(device.launch("poolForward", problem, "pool.cl", "pool_adaptive_avg_forward")
                    .arg("total", total), p)
                    .arg("x", x).arg("y", y)
                    .elements(total);
        }
    }

    static void backward(KernelDevice device, PoolProblem p, Buffer x, Buffer dy, Buffer dx) {
        long total = p.inputShape().elements();
        String problem = p.toString();
        if (p.mode() == PoolMode.MAX) {
            int capacity = KernelSources.defaultInt("pool.cl", "POOL_TILE_WINDOWS");
            PoolTile tile = poolMaxTile(p, capacity);
            if (tile != null && device.localMemoryBytes() >= (long) capacity * Long.BYTES) {
                KernelLaunch l = device.launch("poolBackward", problem, "pool.cl", "pool_max_backward_tiled");
                long planes = (long) p.batch() * p.channels();
                long tiles = planes * ((p.outHeight() - 1) / tile.rows() + 1) * ((p.outWidth() - 1) / tile.cols() + 1);
                long local = Math.min(device.elementwiseLocalSize(), l.maxLocalSize());
                window(l.arg("planes", planes), p)
                        .arg("dh", p.dilationH()).arg("dw", p.dilationW())
                        .arg("TOH", tile.rows()).arg("TOW", tile.cols())
                        .arg("x", x).arg("dy", dy).arg("dx", dx)
                        .groups(device.cappedGroups(tiles), local);
            } else {
                // Not a fallback to another device: the same op on this device, the kernel that
                // re-finds a window's argmax for each element it holds (bitwise the same dx), for
                // windows too far apart (huge dilation, small stride) for a tile's halo to fit
                // (or a device without the tiled kernel's 8 KiB of local memory).
                window(device.launch("poolBackward", problem, "pool.cl", "pool_max_backward").arg("total", total), p)
                        .arg("dh", p.dilationH()).arg("dw", p.dilationW()).arg("x", x).arg("dy", dy).arg("dx", dx)
                        .elements(total);
            }
        } else if (p.mode() == PoolMode.AVG) {
            window(device.launch("poolBackward", problem, "pool.cl", "pool_avg_backward").arg("total", total), p)
                    .arg("pb", p.padBottom()).arg("pr", p.padRight())
                    .arg("count_include_pad", p.countIncludePad()).arg("dy", dy).arg("dx", dx)
                    .elements(total);
        } else {
            extents(device.launch("poolBackward", problem, "pool.cl", "pool_adaptive_avg_backward")
                    .arg("total", total), p)
                    .arg("dy", dy).arg("dx", dx)
                    .elements(total);
        }
    }

    static void maxWithIndices(KernelDevice device, PoolProblem p, Buffer x, Buffer y, Buffer indices) {
        long total = p.outputShape().elements();
        window(device.launch("maxPoolWithIndices", p.toString(), "pool.cl", "pool_max_forward_indices")
                .arg("total", total), p)
                .arg("dh", p.dilationH()).arg("dw", p.dilationW()).arg("x", x).arg("y", y).arg("indices", indices)
                .elements(total);
    }

    /** y zero-filled, then claimed by the highest input naming each position, then filled from x (pool.cl). */
    static void unpool(KernelDevice device, UnpoolProblem p, Buffer x, Buffer indices, Buffer y) {
        String problem = p.toString();
        long in = p.inputShape().elements();
        long out = p.outputShape().elements();
        int hw = p.height() * p.width();
        int ohw = p.outHeight() * p.outWidth();
        device.fill(y, out, 0.0);
        device.launch("maxUnpool", problem, "pool.cl", "pool_unpool_claim").arg("total", in).arg("HW", hw)
                .arg("OHW", ohw).arg("indices", indices).arg("y", y).elements(in);
        device.launch("maxUnpool", problem, "pool.cl", "pool_unpool_fill").arg("total", out).arg("HW", hw)
                .arg("OHW", ohw).arg("x", x).arg("y", y).elements(out);
    }

    static void unpoolBackward(KernelDevice device, UnpoolProblem p, Buffer indices, Buffer dy, Buffer dx) {
        long total = p.inputShape().elements();
        device.launch("maxUnpoolBackward", p.toString(), "pool.cl", "pool_unpool_backward").arg("total", total)
                .arg("HW", p.height() * p.width()).arg("OHW", p.outHeight() * p.outWidth()).arg("indices", indices)
                .arg("dy", dy).arg("dx", dx).elements(total);
    }

    /**
     * A tile of max-pooling backward's output windows: {@code rows x cols} of one plane.
     *
     * @param rows output rows per tile
     * @param cols output columns per tile
     */
    public record PoolTile(int rows, int cols) {
    }

    /** Max-pooling backward: the output windows a tile aims at (256: several groups per compute unit on a small batch). */
    static final int POOL_TILE_TARGET = 256;

    /**
     * The tile of {@code pool_max_backward_tiled} for max-pooling problem {@code p} with a local
     * array of {@code capacity} windows, or null when a 1x1 tile with its halo does not fit (then
     * {@code pool_max_backward} runs). The halo is haloH = floor((kh-1)*dh / sh) window rows above
     * the tile (haloW columns left of it) whose argmaxes the tile's input rows also need. The tile
     * has at most {@link #POOL_TILE_TARGET} windows, at most OH x OW, and with its halo at most
     * {@code capacity}: the most windows, ties to the smallest halo (the squarest); then each side
     * is evened out over the same number of tiles (56 rows in tiles of 16 become 4 tiles of 14).
     */
    public static PoolTile poolMaxTile(PoolProblem p, int capacity) {
        long haloH = (long) (p.kernelH() - 1) * p.dilationH() / p.strideH();
        long haloW = (long) (p.kernelW() - 1) * p.dilationW() / p.strideW();
        if (haloH >= capacity || haloW >= capacity || (haloH + 1) * (haloW + 1) > capacity) {
            return null;
        }
        int oh = p.outHeight();
        int ow = p.outWidth();
        int bestH = 1;
        int bestW = 1;
        for (int th = 1; th <= Math.min(oh, POOL_TILE_TARGET); th++) {
            long tw = Math.min(Math.min(ow, POOL_TILE_TARGET / th), capacity / (th + haloH) - haloW);
            if (tw < 1) {
                break; // a taller tile leaves less room still
            }
            long windows = th * tw;
            long best = (long) bestH * bestW;
            if (windows > best || windows == best && (th + haloH) * (tw + haloW) < (bestH + haloH) * (bestW + haloW)) {
                bestH = th;
                bestW = (int) tw;
            }
        }
        long tilesH = (oh - 1) / bestH + 1;
        long tilesW = (ow - 1) / bestW + 1;
        return new PoolTile((int) ((oh - 1) / tilesH + 1), (int) ((ow - 1) / tilesW + 1));
    }

    /**
     * The window arguments the MAX and AVG kernels take after {@code total} (or {@code planes}):
     * H, W, OH, OW, kh, kw, sh, sw, ph, pw.
     */
    public static KernelLaunch window(KernelLaunch l, PoolProblem p) {
        return extents(l, p).arg("kh", p.kernelH()).arg("kw", p.kernelW()).arg("sh", p.strideH())
                .arg("sw", p.strideW()).arg("ph", p.padH()).arg("pw", p.padW());
    }

    /** The extents every pooling kernel takes after {@code total} (or {@code planes}): H, W, OH, OW. */
    private static KernelLaunch extents(KernelLaunch l, PoolProblem p) {
        return l.arg("H", p.height()).arg("W", p.width()).arg("OH", p.outHeight()).arg("OW", p.outWidth());
    }
}
