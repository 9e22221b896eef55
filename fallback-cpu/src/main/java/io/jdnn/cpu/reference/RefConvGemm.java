package io.jdnn.cpu.reference;

import io.jdnn.DirectConv;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntBinaryOperator;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;

/**
 * The convolutions of {@link RefConv} as blocked float64 products ({@link RefGemm}) that give
 * bitwise the loops' results: each output's sum takes the loops' terms, and only those (a term the
 * loops skip as padding is skipped here too, never added as a zero), in the loops' order.
 *
 * <p>Along one spatial axis, the positions of an output read their terms through a list of taps
 * that depends on the position only near the borders (and, for backward-data, on the position
 * modulo the stride). Positions with the same list form an {@link AxisGroup}; a row group times a
 * column group is a set of outputs whose sums run over the same terms, so they are one matrix
 * product with an im2col-style gather (a {@link Product}). The sums, in the loops' order:
 * <pre>
 *   forward          y (n,k,op,oq)  over (c in group, r, s)     reading x (n,c,ih,iw) * w (k,c,r,s)
 *   backward-data    dx (n,c,ih,iw) over (k in group, op, oq)   reading dy (n,k,op,oq) * w (k,c,r,s)
 *   backward-filter  dw (k,c,r,s)   over (n, op, oq)            reading dy (n,k,op,oq) * x (n,c,ih,iw)
 * </pre>
 * with {@code ih = op * strideH - padH + r * dilationH} inside the image (likewise for columns).
 * {@code RefConvGemmTest} holds the two definitions bitwise equal on random problems.
 */
final class RefConvGemm {
    private RefConvGemm() {
    }

    /**
     * Positions of one axis whose sums take the same taps in the same order: {@code source[i][p]} is
     * the index that position {@code positions[p]} reads through tap {@code taps[i]}.
     */
    record AxisGroup(int[] positions, int[] taps, int[][] source) {
    }

    /** The positions [0, count) grouped by their list of taps ({@code tapsOf}), with the index each reads. */
    static List<AxisGroup> groups(int count, IntFunction<int[]> tapsOf, IntBinaryOperator source) {
        Map<List<Integer>, List<Integer>> byTaps = new LinkedHashMap<>();
        for (int p = 0; p < count; p++) {
            List<Integer> key = new ArrayList<>();
            for (int t : tapsOf.apply(p)) {
                key.add(t);
            }
            byTaps.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
        }
        List<AxisGroup> out = new ArrayList<>();
        for (Map.Entry<List<Integer>, List<Integer>> e : byTaps.entrySet()) {
            int[] taps = e.getKey().stream().mapToInt(Integer::intValue).toArray();
            int[] positions = e.getValue().stream().mapToInt(Integer::intValue).toArray();
            int[][] src = new int[taps.length][positions.length];
            for (int i = 0; i < taps.length; i++) {
                for (int p = 0; p < positions.length; p++) {
                    src[i][p] = source.applyAsInt(positions[p], taps[i]);
                }
            }
            out.add(new AxisGroup(positions, taps, src));
        }
        return out;
    }

    /** The values v in [0, count), ascending, whose {@code index(v)} lies in [0, size). */
    private static int[] inside(int count, IntUnaryOperator index, int size) {
        List<Integer> out = new ArrayList<>();
        for (int v = 0; v < count; v++) {
            int i = index.applyAsInt(v);
            if (i >= 0 && i < size) {
                out.add(v);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Forward taps of output position {@code o}: the filter taps that land inside [0, size), ascending. */
    static int[] tapsInside(int o, int taps, int stride, int pad, int dilation, int size) {
        return inside(taps, r -> o * stride - pad + r * dilation, size);
    }

    /** Backward-filter reach of filter tap {@code r}: the output positions whose image index is inside, ascending. */
    static int[] outputsInside(int r, int outSize, int stride, int pad, int dilation, int size) {
        return inside(outSize, o -> o * stride - pad + r * dilation, size);
    }

    /** Backward-data taps of image position {@code i}: the filter taps that reach it, by ascending output position. */
    static int[] tapsReaching(int i, int taps, int stride, int pad, int dilation, int outSize) {
        List<Integer> out = new ArrayList<>();
        for (int o = 0; o < outSize; o++) {
            int d = i + pad - o * stride;
            if (d >= 0 && d % dilation == 0 && d / dilation < taps) {
                out.add(d / dilation);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** y = the forward convolution of x and w, + bias (may be null); bitwise {@link RefConv#forward}. */
    static void forward(DirectConv d, double[] x, double[] w, double[] bias, double[] y) {
        List<AxisGroup> rows = groups(d.p(), op -> tapsInside(op, d.r(), d.strideH(), d.padH(), d.dilationH(), d.h()),
                (op, r) -> op * d.strideH() - d.padH() + r * d.dilationH());
        List<AxisGroup> cols = groups(d.q(), oq -> tapsInside(oq, d.s(), d.strideW(), d.padW(), d.dilationW(), d.w()),
                (oq, s) -> oq * d.strideW() - d.padW() + s * d.dilationW());
        int cpg = d.cPerGroup();
        int kpg = d.kPerGroup();
        int rs = d.r() * d.s();
        List<Product> products = new ArrayList<>();
        for (int n = 0; n < d.n(); n++) {
            for (int g = 0; g < d.groups(); g++) {
                Operand a = new Operand(w, g * kpg * cpg * rs, cpg * rs, rs, d.s(), 1);
                Operand b = new Operand(x, (n * d.c() + g * cpg) * d.h() * d.w(), d.h() * d.w(), 0, d.w(), 1);
                Operand out = new Operand(y, (n * d.k() + g * kpg) * d.p() * d.q(), d.p() * d.q(), 0, d.q(), 1);
                addProducts(products, rows, cols, new Product(kpg, 1, cpg, null, null, a, b, out, bias, g * kpg));
            }
        }
        RefGemm.run(products);
    }

    /** dx = the backward-data convolution of dy and w, + bias (may be null); bitwise {@link RefConv#backwardData}. */
    static void backwardData(DirectConv d, double[] dy, double[] w, double[] bias, double[] dx) {
        List<AxisGroup> rows = groups(d.h(), ih -> tapsReaching(ih, d.r(), d.strideH(), d.padH(), d.dilationH(), d.p()),
                (ih, r) -> (ih + d.padH() - r * d.dilationH()) / d.strideH());
        List<AxisGroup> cols = groups(d.w(), iw -> tapsReaching(iw, d.s(), d.strideW(), d.padW(), d.dilationW(), d.q()),
                (iw, s) -> (iw + d.padW() - s * d.dilationW()) / d.strideW());
        int cpg = d.cPerGroup();
        int kpg = d.kPerGroup();
        int rs = d.r() * d.s();
        List<Product> products = new ArrayList<>();
        for (int n = 0; n < d.n(); n++) {
            for (int g = 0; g < d.groups(); g++) {
                Operand a = new Operand(w, g * kpg * cpg * rs, rs, cpg * rs, d.s(), 1);
                Operand b = new Operand(dy, (n * d.k() + g * kpg) * d.p() * d.q(), d.p() * d.q(), 0, d.q(), 1);
                Operand out = new Operand(dx, (n * d.c() + g * cpg) * d.h() * d.w(), d.h() * d.w(), 0, d.w(), 1);
                addProducts(products, rows, cols, new Product(cpg, 1, kpg, null, null, a, b, out, bias, g * cpg));
            }
        }
        RefGemm.run(products);
    }

    /** dw = the backward-filter convolution of x and dy; bitwise {@link RefConv#backwardFilter}. */
    static void backwardFilter(DirectConv d, double[] x, double[] dy, double[] dw) {
        List<AxisGroup> rows = groups(d.r(), r -> outputsInside(r, d.p(), d.strideH(), d.padH(), d.dilationH(), d.h()),
                (r, op) -> op * d.strideH() - d.padH() + r * d.dilationH());
        List<AxisGroup> cols = groups(d.s(), s -> outputsInside(s, d.q(), d.strideW(), d.padW(), d.dilationW(), d.w()),
                (s, oq) -> oq * d.strideW() - d.padW() + s * d.dilationW());
        int cpg = d.cPerGroup();
        int kpg = d.kPerGroup();
        int rs = d.r() * d.s();
        int pq = d.p() * d.q();
        int hw = d.h() * d.w();
        List<Product> products = new ArrayList<>();
        for (int g = 0; g < d.groups(); g++) {
            Operand a = new Operand(dy, g * kpg * pq, pq, d.k() * pq, d.q(), 1);
            Operand b = new Operand(x, g * cpg * hw, d.c() * hw, hw, d.w(), 1);
            Operand out = new Operand(dw, g * kpg * cpg * rs, cpg * rs, rs, d.s(), 1);
            addProducts(products, rows, cols, new Product(kpg, cpg, d.n(), null, null, a, b, out, null, 0));
        }
        RefGemm.run(products);
    }

    /** Adds {@code shape} (without its axis groups) once for every row group times column group. */
    private static void addProducts(List<Product> to, List<AxisGroup> rows, List<AxisGroup> cols, Product shape) {
        for (AxisGroup rg : rows) {
            for (AxisGroup cg : cols) {
                to.add(shape.on(rg, cg));
            }
        }
    }

    /**
     * An array read or written as {@code data[base + i * first + c * second + row * rowStride + col * colStride]}:
     * operand a at (o, tc, row tap, column tap), b at (tc, jc, row source, column source), the output
     * at (o, jc, row position, column position); see {@link Product}.
     */
    record Operand(double[] data, int base, int first, int second, int rowStride, int colStride) {
        int at(int i, int c, int row, int col) {
            return base + i * first + c * second + row * rowStride + col * colStride;
        }
    }

    /**
     * The outputs of one row group times one column group: rows o (an output channel), columns
     * j = (channel jc, row position, column position), terms t = (channel tc, row tap, column tap),
     * each index of a triple running fastest on the right. Operand a is read at (o, tc, row tap,
     * column tap), b at (tc, jc, row source, column source), where the sources are the image or
     * response indices the positions read through the taps.
     */
    static final class Product implements RefGemm.Product {
        private final int rows;
        private final int colChannels;
        private final int termChannels;
        private final AxisGroup rg;
        private final AxisGroup cg;
        private final Operand a;
        private final Operand b;
        private final Operand out;
        private final double[] init;
        private final int initBase;

        Product(int rows, int colChannels, int termChannels, AxisGroup rg, AxisGroup cg, Operand a, Operand b,
                Operand out, double[] init, int initBase) {
            this.rows = rows;
            this.colChannels = colChannels;
            this.termChannels = termChannels;
            this.rg = rg;
            this.cg = cg;
            this.a = a;
            this.b = b;
            this.out = out;
            this.init = init;
            this.initBase = initBase;
        }

        /** The same product over row group {@code r} and column group {@code c}. */
        Product on(AxisGroup r, AxisGroup c) {
            return new Product(rows, colChannels, termChannels, r, c, a, b, out, init, initBase);
        }

        @Override
        public int rows() {
            return rows;
        }

        @Override
        public int cols() {
            return colChannels * rg.positions().length * cg.positions().length;
        }

        @Override
        public int terms() {
            return termChannels * rg.taps().length * cg.taps().length;
        }

        @Override
        public double init(int o) {
            return init == null ? 0 : init[initBase + o];
        }

        @Override
        public void gatherA(int t0, int t1, int o0, int o1, double[] panel, int stride) {
            double[] data = a.data();
            Odometer t = new Odometer(rg.taps().length, cg.taps().length).at(t0);
            for (int dst = 0; dst < (t1 - t0) * stride; dst += stride, t.next()) {
                int at = a.at(o0, t.channel, rg.taps()[t.row], cg.taps()[t.col]);
                for (int o = 0; o < o1 - o0; o++) {
                    panel[dst + o] = data[at + o * a.first()];
                }
            }
        }

        @Override
        public void gatherB(int t0, int t1, int j0, int j1, double[] panel, int stride) {
            double[] data = b.data();
            Odometer t = new Odometer(rg.taps().length, cg.taps().length).at(t0);
            Odometer j = new Odometer(rg.positions().length, cg.positions().length);
            for (int dst = 0; dst < (t1 - t0) * stride; dst += stride, t.next()) {
                int[] rowSource = rg.source()[t.row];
                int[] colSource = cg.source()[t.col];
                int at = b.at(t.channel, 0, 0, 0);
                j.at(j0);
                for (int k = 0; k < j1 - j0; k++, j.next()) {
                    panel[dst + k] = data[at + j.channel * b.second() + rowSource[j.row] * b.rowStride()
                            + colSource[j.col] * b.colStride()];
                }
            }
        }

        @Override
        public void store(int o, int j, double value) {
            Odometer at = new Odometer(rg.positions().length, cg.positions().length).at(j);
            out.data()[out.at(o, at.channel, rg.positions()[at.row], cg.positions()[at.col])] = value;
        }
    }

    /**
     * A term or column index as (channel, row, column) over extents (any, rows, cols), row-major,
     * stepped without divisions.
     */
    private static final class Odometer {
        private final int rows;
        private final int cols;
        int channel;
        int row;
        int col;

        Odometer(int rows, int cols) {
            this.rows = rows;
            this.cols = cols;
        }

        Odometer at(int index) {
            col = index % cols;
            row = index / cols % rows;
            channel = index / (cols * rows);
            return this;
        }

        void next() {
            if (++col == cols) {
                col = 0;
                if (++row == rows) {
                    row = 0;
                    channel++;
                }
            }
        }
    }
}
