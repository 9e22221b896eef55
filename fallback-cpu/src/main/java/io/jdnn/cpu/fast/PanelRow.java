package io.jdnn.cpu.fast;

import java.util.Arrays;

/**
 * Where the gathers of the convolutions write one row of a GEMM's B operand: element t goes to
 * {@code dst[base + (t / nr) * stride + t % nr]}. As a plain row array ({@link #row}) that is
 * {@code dst[base + t]}; as row k of a B block packed into panels of nr columns ({@link #panel},
 * the layout of {@link Kernels#gemmPacked}) the gather itself is the packing, and B is never
 * copied twice. One per worker ({@link Workspace#panelRow}).
 */
final class PanelRow {
    private float[] dst;
    private int base;
    private int nr;
    private int stride;

    /** Targets a plain row: element t at {@code dst[base + t]}. */
    PanelRow row(float[] dst, int base) {
        this.dst = dst;
        this.base = base;
        this.nr = Integer.MAX_VALUE;
        this.stride = 0;
        return this;
    }

    /** Targets row k of a block of kc rows packed in panels of nr columns starting at {@code dst[off]}. */
    PanelRow panel(float[] dst, int off, int k, int kc, int nr) {
        this.dst = dst;
        this.base = off + k * nr;
        this.nr = nr;
        this.stride = kc * nr;
        return this;
    }

    private int at(int t) {
        return base + (t / nr) * stride + t % nr;
    }

    /** Elements [t, t+len) from {@code src[srcPos..]}. */
    void copy(float[] src, int srcPos, int t, int len) {
        while (len > 0) {
            int seg = Math.min(len, nr - t % nr);
            System.arraycopy(src, srcPos, dst, at(t), seg);
            srcPos += seg;
            t += seg;
            len -= seg;
        }
    }

    /** Elements [t, t+len) set to 0. */
    void zero(int t, int len) {
        while (len > 0) {
            int seg = Math.min(len, nr - t % nr);
            int o = at(t);
            Arrays.fill(dst, o, o + seg, 0f);
            t += seg;
            len -= seg;
        }
    }
}
