package io.jdnn.cpu.fast;

import io.jdnn.BinaryOp;
import io.jdnn.BroadcastProblem;
import io.jdnn.Shape;

import java.util.Arrays;

import static io.jdnn.cpu.fast.TensorFamily.advance;
import static io.jdnn.cpu.fast.TensorFamily.dot;

/**
 * One input's gradient of a broadcasting binary op (a's or b's). Element j of the input is read
 * by the {@code count} output positions with j's coordinates in the dimensions the input keeps
 * and every coordinate in those where it was broadcast ("reduced"), numbered row-major among the
 * reduced dimensions: ascending output order. Each element's sum runs in that order in float64, cut
 * into chunks of positions whose partial sums are then added in chunk order: the same sums in the
 * same order for any thread count.
 *
 * <p>Two loop shapes, by the output's last dimension: where the input is broadcast along it, one
 * element's positions run along it (a strided inner loop into one sum); where the input keeps it,
 * a row of the input's elements advances together along it (an inner loop into one sum per
 * element of the row).
 */
final class BroadcastGradient {
    /** Output positions (times elements, for a row) one task sums. */
    private static final int CHUNK = 1 << 14;

    private final BinaryOp op;
    private final boolean ofA;
    private final int[] out;
    private final int[] own;
    private final long[] sOut;
    private final long[] sA;
    private final long[] sB;
    /** The reduced dimensions, outermost first. */
    private final int[] reduced;
    private final long count;
    private final int last;

    private BroadcastGradient(BroadcastProblem p, boolean ofA) {
        this.op = p.op();
        this.ofA = ofA;
        this.out = p.outputShape().dims();
        this.own = ofA ? p.paddedA() : p.paddedB();
        this.sOut = BroadcastProblem.broadcastStrides(out);
        this.sA = BroadcastProblem.broadcastStrides(p.paddedA());
        this.sB = BroadcastProblem.broadcastStrides(p.paddedB());
        int[] red = new int[out.length];
        int k = 0;
        long c = 1;
        for (int d = 0; d < out.length; d++) {
            if (own[d] == 1 && out[d] > 1) {
                red[k++] = d;
                c *= out[d];
            }
        }
        this.reduced = Arrays.copyOf(red, k);
        this.count = c;
        this.last = out.length - 1;
    }

    /** The gradient of a ({@code ofA}) or b of {@code p}. */
    static BroadcastGradient of(BroadcastProblem p, boolean ofA) {
        return new BroadcastGradient(p, ofA);
    }

    void run(CpuDevice dev, float[] a, float[] b, float[] dy, float[] grad) {
        boolean alongLast = reduced.length > 0 && reduced[reduced.length - 1] == last;
        int row = alongLast ? 1 : out[last]; // elements of the input summed side by side
        int n = (int) Shape.of(own).elements(); // the gradient's own elements (it may lie in a larger buffer)
        long perChunk = alongLast ? CHUNK : Math.max(1, CHUNK / row); // positions per chunk
        int chunks = (int) ((count + perChunk - 1) / perChunk);
        double[] partial = chunks == 1 ? null : new double[n * chunks];
        int rows = n / row;
        TensorFamily.rows(dev, (long) rows * chunks, Math.min(count, perChunk) * row, (from, to) -> {
            int[] c = new int[out.length];
            double[] acc = new double[row];
            for (int i = from; i < to; i++) {
                int chunk = i / rows;
                int r = i - chunk * rows;
                long first = chunk * perChunk;
                long end = Math.min(count, first + perChunk);
                start(c, (long) r * row, first);
                Arrays.fill(acc, 0);
                if (alongLast) {
                    acc[0] = sumAlongLast(c, first, end, a, b, dy);
                } else {
                    sumRows(c, first, end, a, b, dy, acc);
                }
                for (int t = 0; t < row; t++) {
                    int j = r * row + t;
                    if (partial == null) {
                        grad[j] = (float) acc[t];
                    } else {
                        partial[chunk * n + j] = acc[t];
                    }
                }
            }
        });
        if (partial != null) {
            TensorFamily.rows(dev, n, chunks, (from, to) -> {
                for (int j = from; j < to; j++) {
                    double sum = 0;
                    for (int k = 0; k < chunks; k++) {
                        sum += partial[k * n + j];
                    }
                    grad[j] = (float) sum;
                }
            });
        }
    }

    /** c = the coordinates of input element {@code j} combined with reduced position {@code k}. */
    private void start(int[] c, long j, long k) {
        for (int d = out.length - 1; d >= 0; d--) {
            c[d] = (int) (j % own[d]);
            j /= own[d];
        }
        for (int m = reduced.length - 1; m >= 0; m--) {
            c[reduced[m]] = (int) (k % out[reduced[m]]);
            k /= out[reduced[m]];
        }
    }

    private double term(float a, float b, float g) {
        return ofA ? op.gradA(a, b, g) : op.gradB(a, b, g);
    }

    /** Positions [k, end) of one element, the last (reduced) dimension as the inner loop. */
    private double sumAlongLast(int[] c, long k, long end, float[] a, float[] b, float[] dy) {
        int[] outer = Arrays.copyOf(reduced, reduced.length - 1);
        int stepO = (int) sOut[last];
        int stepA = (int) sA[last];
        int stepB = (int) sB[last];
        double sum = 0;
        while (k < end) {
            int t0 = c[last];
            int len = (int) Math.min(out[last] - t0, end - k);
            int io = (int) dot(c, sOut);
            int ia = (int) dot(c, sA);
            int ib = (int) dot(c, sB);
            for (int t = 0; t < len; t++) {
                sum += term(a[ia + t * stepA], b[ib + t * stepB], dy[io + t * stepO]);
            }
            k += len;
            c[last] = 0; // the next row starts at 0 (t0 + len reached the row's end unless k == end)
            advance(c, outer, out);
        }
        return sum;
    }

    /** Positions [k, end) of a row of elements along the (kept) last dimension, acc[t] for element t. */
    private void sumRows(int[] c, long k, long end, float[] a, float[] b, float[] dy, double[] acc) {
        int stepO = (int) sOut[last];
        int stepA = (int) sA[last];
        int stepB = (int) sB[last];
        for (; k < end; k++) {
            int io = (int) dot(c, sOut);
            int ia = (int) dot(c, sA);
            int ib = (int) dot(c, sB);
            for (int t = 0; t < acc.length; t++) {
                acc[t] += term(a[ia + t * stepA], b[ib + t * stepB], dy[io + t * stepO]);
            }
            advance(c, reduced, out);
        }
    }
}
