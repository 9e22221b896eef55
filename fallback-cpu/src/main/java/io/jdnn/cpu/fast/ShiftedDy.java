package io.jdnn.cpu.fast;

import io.jdnn.DirectConv;
import io.jdnn.cpu.fast.ConvGemmData.Phase;

import java.util.Arrays;

/**
 * Copies of dy laid out so that every row of a backward-data phase GEMM's column matrix is one
 * contiguous slice ({@link ConvGemmData}). Row (k, i, j) of phase (pr, pc) holds, at phase pixel
 * (u, v), dy[k][u + offR_i][v + offC_j] (0 outside dy). One plane per image, response channel and
 * distinct (column offset, phase width wc) pair: plane row t holds dy row {@code lo + t} shifted
 * left by the column offset, wc columns wide, zero outside dy, with zero rows above and below dy
 * for the row offsets that reach outside. A phase's pixels (u, v) then sit at
 * {@code (u + offR - lo) * wc + v} of the plane: any run of pixels is contiguous. A pair that
 * reads dy unshifted (offset 0, wc = Q) gets no planes: its rows are dy's own, zero beyond. Where
 * one image's planes would exceed the caller's limit, there are none ({@link #direct}): every row is
 * then gathered from dy segment by segment.
 */
final class ShiftedDy {
    /** The planes: key, then image of the round, then channel; {@link #rows} x wc floats each (null: none). */
    private final float[] data;
    private final int q;
    /** The column offsets per column phase and tap (for {@link #direct}'s gathers). */
    private final int[][] colOffsets;
    /** Plane row 0 is dy row {@code lo} (lo &lt;= 0). */
    private final int lo;
    /** One past the last dy row a plane holds (hi &gt;= P). */
    private final int hi;
    private final int rows;
    /** Per column phase and tap: where its key's planes start in {@link #data}, or -1 to read dy itself. */
    private final long[][] keyStart;
    private final int k;
    private final float[] dy;
    /** Where image n0's dy starts in {@link #dy}. */
    private final long dy0;
    /** dy's plane size P * Q. */
    private final int pq;

    private ShiftedDy(float[] data, int lo, int hi, long[][] keyStart, DirectConv d, float[] dy, int n0, Phase[] colPh) {
        this.data = data;
        this.q = d.q();
        this.colOffsets = new int[colPh.length][];
        for (int b = 0; b < colPh.length; b++) {
            colOffsets[b] = colPh[b].offsets();
        }
        this.lo = lo;
        this.hi = hi;
        this.rows = hi - lo;
        this.keyStart = keyStart;
        this.k = d.k();
        this.dy = dy;
        this.pq = d.p() * d.q();
        this.dy0 = (long) n0 * k * pq;
    }

    /**
     * Images per round, so that one round's planes stay within {@code limit} floats; 0 where one
     * image's planes alone exceed it.
     */
    static int imagesPerRound(DirectConv d, Phase[] rowPh, Phase[] colPh, long limit) {
        long perImage = (long) d.k() * rowSpan(d, rowPh)[2] * keyWidths(d, colPh);
        return (int) Math.min(d.n(), limit / Math.max(1, perImage));
    }

    /** No planes: every gather reads dy itself, segment by segment (images [0, N)). */
    static ShiftedDy direct(DirectConv d, float[] dy, Phase[] colPh) {
        return new ShiftedDy(null, 0, 0, null, d, dy, 0, colPh);
    }

    /** Builds the planes of images [n0, n1) in {@code dev.scratch(0)}, in parallel. */
    static ShiftedDy build(CpuDevice dev, DirectConv d, float[] dy, Phase[] rowPh, Phase[] colPh, int n0, int n1) {
        int[] span = rowSpan(d, rowPh);
        int lo = span[0], hi = span[1], rows = span[2];
        int qq = d.q(), pp = d.p(), kk = d.k(), images = n1 - n0;
        // distinct (column offset clamped to [-wc, Q], wc): a clamped offset reads the same zeros
        int[] keyOff = new int[0], keyWc = new int[0];
        long[][] keyStart = new long[colPh.length][];
        long[] starts = new long[0];
        long total = 0;
        for (int b = 0; b < colPh.length; b++) {
            int wc = colPh[b].count();
            int[] offs = colPh[b].offsets();
            keyStart[b] = new long[offs.length];
            for (int j = 0; j < offs.length; j++) {
                int off = Math.min(Math.max(offs[j], -wc), qq);
                if (off == 0 && wc == qq) {
                    keyStart[b][j] = -1; // dy's own rows
                    continue;
                }
                int key = 0;
                while (key < keyOff.length && (keyOff[key] != off || keyWc[key] != wc)) {
                    key++;
                }
                if (key == keyOff.length) {
                    keyOff = Arrays.copyOf(keyOff, key + 1);
                    keyWc = Arrays.copyOf(keyWc, key + 1);
                    starts = Arrays.copyOf(starts, key + 1);
                    keyOff[key] = off;
                    keyWc[key] = wc;
                    starts[key] = total;
                    total += (long) images * kk * rows * wc;
                }
                keyStart[b][j] = starts[key];
            }
        }
        float[] data = dev.scratch(0, Math.toIntExact(total));
        int planes = keyOff.length * images * kk;
        int[] offF = keyOff, wcF = keyWc;
        long[] startF = starts;
        int parts = Math.min(planes, dev.parallel().threads() * 4);
        dev.parallel().forEach(parts, (part, worker) -> {
            int from = (int) Parallel.split(planes, parts, part), to = (int) Parallel.split(planes, parts, part + 1);
            for (int pl = from; pl < to; pl++) {
                int key = pl / (images * kk), img = pl % (images * kk); // img = local image * K + channel
                int off = offF[key], wc = wcF[key];
                long src = ((long) n0 * kk + img) * pp * qq;
                int o = Math.toIntExact(startF[key] + (long) img * rows * wc);
                // columns v in [0, wc) read dy column v + off: valid for v in [vLo, vHi)
                int vLo = Math.min(wc, Math.max(0, -off)), vHi = Math.max(vLo, Math.min(wc, qq - off));
                for (int r = lo; r < hi; r++, o += wc) {
                    if (r < 0 || r >= pp || vHi == vLo) {
                        Arrays.fill(data, o, o + wc, 0f);
                    } else {
                        Arrays.fill(data, o, o + vLo, 0f);
                        System.arraycopy(dy, (int) (src + (long) r * qq) + vLo + off, data, o + vLo, vHi - vLo);
                        Arrays.fill(data, o + vHi, o + wc, 0f);
                    }
                }
            }
        });
        return new ShiftedDy(data, lo, hi, keyStart, d, dy, n0, colPh);
    }

    /**
     * Copies pixels [j0, j0 + len) of column-matrix row (channel ch, row offset offR, column phase b,
     * column tap j) of local image nl, for a row phase of {@code count} pixel rows, into dst[t..].
     */
    void gather(int nl, int ch, int offR, int count, int b, int j, int wc, int j0, int len, PanelRow dst) {
        if (data == null) {
            gatherSegments(dy0 + ((long) nl * k + ch) * pq, offR, colOffsets[b][j], wc, j0, len, dst);
            return;
        }
        // an offset whose rows all lie outside dy is moved onto zero rows that the planes hold
        int r0 = Math.min(Math.max(offR, lo), hi - count);
        long start = keyStart[b][j];
        if (start >= 0) {
            dst.copy(data, (int) (start + (((long) nl * k + ch) * rows + (r0 - lo)) * wc + j0), 0, len);
            return;
        }
        // dy's plane, zero before its first and after its last element: t in [from, to) is inside
        long first = (long) r0 * wc + j0;
        int from = (int) Math.min(len, Math.max(0, -first)), to = (int) Math.max(from, Math.min(len, pq - first));
        dst.zero(0, from);
        dst.copy(dy, (int) (dy0 + ((long) nl * k + ch) * pq + first + from), from, to - from);
        dst.zero(to, len - to);
    }

    /**
     * Element t = dy[plane + (i + offR) * Q + (j + offC)] for phase pixels t = i*wc + j in
     * [j0, j0+len), 0 where the dy index is outside (P, Q): per pixel row a copy and zero fills.
     */
    private void gatherSegments(long plane, int offR, int offC, int wc, int j0, int len, PanelRow dst) {
        int pp = pq / q;
        int i = j0 / wc, j = j0 % wc;
        int t = 0;
        while (t < len) {
            int seg = Math.min(wc - j, len - t);
            long p = (long) i + offR;
            int lo = (int) Math.max(j, -(long) offC);
            int hi = (int) Math.min(j + seg, q - (long) offC);
            if (p < 0 || p >= pp || hi <= lo) {
                dst.zero(t, seg);
            } else {
                dst.zero(t, lo - j);
                dst.copy(dy, (int) (plane + p * q) + lo + offC, t + (lo - j), hi - lo);
                dst.zero(t + (hi - j), j + seg - hi);
            }
            t += seg;
            i++;
            j = 0;
        }
    }

    /** {lo, hi, hi - lo}: the dy rows a plane holds, every row offset's rows or rows of zeros. */
    private static int[] rowSpan(DirectConv d, Phase[] rowPh) {
        int pp = d.p();
        int minOff = 0, maxOff = 0, maxCount = 0;
        for (Phase ph : rowPh) {
            maxCount = Math.max(maxCount, ph.count());
            for (int off : ph.offsets()) {
                minOff = Math.min(minOff, off);
                maxOff = Math.max(maxOff, off);
            }
        }
        // rows of zeros above (below) dy, enough for a row offset wholly above (below) it
        int lo = Math.min(0, Math.max(minOff, -maxCount));
        int hi = Math.max(pp, Math.min(maxOff, pp) + maxCount);
        return new int[] {lo, hi, hi - lo};
    }

    /**
     * Sum of wc over the (clamped column offset, wc) pairs distinct within each column phase: at
     * least the floats per image, channel and plane row that {@link #build} writes.
     */
    private static long keyWidths(DirectConv d, Phase[] colPh) {
        long sum = 0;
        for (int b = 0; b < colPh.length; b++) {
            int wc = colPh[b].count();
            int[] seen = new int[0];
            for (int off : colPh[b].offsets()) {
                int c = Math.min(Math.max(off, -wc), d.q());
                if ((c != 0 || wc != d.q()) && Arrays.stream(seen).noneMatch(v -> v == c)) {
                    seen = Arrays.copyOf(seen, seen.length + 1);
                    seen[seen.length - 1] = c;
                    sum += wc;
                }
            }
        }
        return sum;
    }
}
