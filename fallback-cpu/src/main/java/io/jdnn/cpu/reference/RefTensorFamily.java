package io.jdnn.cpu.reference;

import io.jdnn.BroadcastProblem;
import io.jdnn.CatProblem;
import io.jdnn.PermuteProblem;

/**
 * The tensor ops in float64: cat and split, permute, and the broadcasting binary arithmetic with
 * its gradients, each a plain loop over the output's elements in row-major order.
 */
final class RefTensorFamily {
    private RefTensorFamily() {
    }

    // ---------------------------------------------------------------- cat and split

    // y (outer, sum of extents, inner) = the xs (outer, extent_i, inner) one after another along the axis
    static void cat(CatProblem p, double[][] xs, double[] y) {
        copySlices(p, xs, y, true);
    }

    // outs[i] (outer, extent_i, inner) = input i's rows [offset_i, offset_i + extent_i) of x along the axis
    static void split(CatProblem p, double[] x, double[][] outs) {
        copySlices(p, outs, x, false);
    }

    private static void copySlices(CatProblem p, double[][] parts, double[] whole, boolean intoWhole) {
        long outer = p.outer();
        long inner = p.inner();
        long total = p.outputShape().dim(p.axis());
        for (int i = 0; i < p.count(); i++) {
            long extent = p.extent(i);
            long offset = p.offset(i);
            for (long o = 0; o < outer; o++) {
                for (long r = 0; r < extent; r++) {
                    for (long k = 0; k < inner; k++) {
                        int part = (int) ((o * extent + r) * inner + k);
                        int w = (int) ((o * total + offset + r) * inner + k);
                        if (intoWhole) {
                            whole[w] = parts[i][part];
                        } else {
                            parts[i][part] = whole[w];
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- permute

    // y[c_0, ..., c_r-1] = x[the index whose dimension dims[i] is c_i]
    static void permute(PermuteProblem p, double[] x, double[] y) {
        int[] out = p.outputShape().dims();
        long[] stride = p.inputStrides();
        int[] c = new int[out.length];
        long n = p.elements();
        for (int i = 0; i < n; i++) {
            long src = 0;
            for (int d = 0; d < out.length; d++) {
                src += c[d] * stride[d];
            }
            y[i] = x[(int) src];
            next(c, out);
        }
    }

    // ---------------------------------------------------------------- broadcasting arithmetic

    // y[c] = op(a[c with broadcast dims at 0], b[likewise]) for every output coordinate c (BinaryOp.apply)
    static void forward(BroadcastProblem p, double[] a, double[] b, double[] y) {
        int[] out = p.outputShape().dims();
        long[] sa = BroadcastProblem.broadcastStrides(p.paddedA());
        long[] sb = BroadcastProblem.broadcastStrides(p.paddedB());
        int[] c = new int[out.length];
        long n = p.outputShape().elements();
        for (int i = 0; i < n; i++) {
            double va = a[(int) dot(c, sa)];
            double vb = b[(int) dot(c, sb)];
            y[i] = p.op().apply(va, vb);
            next(c, out);
        }
    }

    // da = 0, db = 0; then for every output coordinate c in row-major order: da[c_a] += BinaryOp.gradA, db[c_b] += BinaryOp.gradB
    static void backward(BroadcastProblem p, double[] a, double[] b, double[] dy, double[] da, double[] db) {
        int[] out = p.outputShape().dims();
        long[] sa = BroadcastProblem.broadcastStrides(p.paddedA());
        long[] sb = BroadcastProblem.broadcastStrides(p.paddedB());
        if (da != null) {
            java.util.Arrays.fill(da, 0, (int) p.a().elements(), 0);
        }
        if (db != null) {
            java.util.Arrays.fill(db, 0, (int) p.b().elements(), 0);
        }
        int[] c = new int[out.length];
        long n = p.outputShape().elements();
        for (int i = 0; i < n; i++) {
            int ia = (int) dot(c, sa);
            int ib = (int) dot(c, sb);
            if (da != null) {
                da[ia] += p.op().gradA(a[ia], b[ib], dy[i]);
            }
            if (db != null) {
                db[ib] += p.op().gradB(a[ia], b[ib], dy[i]);
            }
            next(c, out);
        }
    }

    private static long dot(int[] c, long[] stride) {
        long s = 0;
        for (int d = 0; d < c.length; d++) {
            s += c[d] * stride[d];
        }
        return s;
    }

    /** Advances the row-major coordinate c within extents {@code dims} (wrapping to all zeros at the end). */
    private static void next(int[] c, int[] dims) {
        for (int d = c.length - 1; d >= 0; d--) {
            if (++c[d] < dims[d]) {
                return;
            }
            c[d] = 0;
        }
    }
}
