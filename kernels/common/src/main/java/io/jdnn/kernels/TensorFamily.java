package io.jdnn.kernels;

import io.jdnn.BroadcastProblem;
import io.jdnn.CatProblem;
import io.jdnn.PermuteProblem;
import io.jdnn.spi.Buffer;

/**
 * The tensor ops of a {@link KernelDevice} ({@code tensor.cl}): cat and split as one row-block
 * copy per input, permute and the broadcasting arithmetic as one launch each (shapes passed as an
 * int array in a workspace), and each broadcasting gradient as one launch whose work-items sum
 * a chunk of one gradient element's output positions in a fixed order (and a second launch
 * adding the chunks in order where there are several).
 */
final class TensorFamily {
    private static final String SOURCE = "tensor.cl";
    /** Output positions one work-item of tn_binary_grad sums: enough to amortize its index set-up. */
    private static final long GRAD_CHUNK = 512;

    private TensorFamily() {
    }

    // ---------------------------------------------------------------- cat and split

    static void cat(KernelDevice device, CatProblem p, Buffer[] xs, Buffer y) {
        copies(device, "cat", p, xs, y, true);
    }

    static void split(KernelDevice device, CatProblem p, Buffer x, Buffer[] outs) {
        copies(device, "split", p, outs, x, false);
    }

    /** One tn_copy_rows per part: part i is rows [offset_i, offset_i + extent_i) of the whole along the axis. */
    private static void copies(KernelDevice device, String op, CatProblem p, Buffer[] parts, Buffer whole,
                               boolean intoWhole) {
        long inner = p.inner();
        long wholeRow = p.outputShape().dim(p.axis()) * inner;
        for (int i = 0; i < p.count(); i++) {
            long run = p.extent(i) * inner;
            long offset = p.offset(i) * inner;
            device.launch(op, p.toString(), SOURCE, "tn_copy_rows")
                    .arg("outer", p.outer()).arg("run", run)
                    .arg("src_row", intoWhole ? run : wholeRow).arg("src_off", intoWhole ? 0L : offset)
                    .arg("dst_row", intoWhole ? wholeRow : run).arg("dst_off", intoWhole ? offset : 0L)
                    .arg("src", intoWhole ? parts[i] : whole).arg("dst", intoWhole ? whole : parts[i])
                    .elements(p.outer() * run);
        }
    }

    // ---------------------------------------------------------------- permute

    static void permute(KernelDevice device, PermuteProblem p, Buffer x, Buffer y) {
        int rank = p.input().rank();
        int[] meta = new int[2 * rank];
        System.arraycopy(p.input().dims(), 0, meta, 0, rank);
        System.arraycopy(p.dims(), 0, meta, rank, rank);
        device.launch("permute", p.toString(), SOURCE, "tn_permute")
                .arg("n", p.elements()).arg("rank", rank).arg("meta", meta(device, "permute", meta))
                .arg("x", x).arg("y", y)
                .elements(p.elements());
    }

    // ---------------------------------------------------------------- broadcasting arithmetic

    /** The kernels' numbering of the ops (TN_ADD ... in tensor.cl). */
    private static int code(io.jdnn.BinaryOp op) {
        return switch (op) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
            case MAXIMUM -> 4;
            case MINIMUM -> 5;
        };
    }

    /** out_dims, a_dims, b_dims (padded to the output's rank) in the workspace, as tensor.cl reads them. */
    private static Buffer shapes(KernelDevice device, String op, BroadcastProblem p) {
        int rank = p.rank();
        int[] meta = new int[3 * rank];
        System.arraycopy(p.outputShape().dims(), 0, meta, 0, rank);
        System.arraycopy(p.paddedA(), 0, meta, rank, rank);
        System.arraycopy(p.paddedB(), 0, meta, 2 * rank, rank);
        return meta(device, op, meta);
    }

    private static Buffer meta(KernelDevice device, String op, int[] meta) {
        Buffer b = device.workspace("tensor.meta", meta.length);
        device.writeInts(b, meta, op);
        return b;
    }

    static void forward(KernelDevice device, BroadcastProblem p, Buffer a, Buffer b, Buffer y) {
        long n = p.elements();
        device.launch("binary", p.toString(), SOURCE, "tn_binary_forward")
                .arg("n", n).arg("rank", p.rank()).arg("op", code(p.op())).arg("meta", shapes(device, "binary", p))
                .arg("a", a).arg("b", b).arg("y", y)
                .elements(n);
    }

    static void backward(KernelDevice device, BroadcastProblem p, Buffer a, Buffer b, Buffer dy, Buffer da, Buffer db) {
        String op = "binaryBackward";
        Buffer meta = shapes(device, op, p);
        if (da != null) {
            gradient(device, op, p, meta, true, a, b, dy, da);
        }
        if (db != null) {
            gradient(device, op, p, meta, false, a, b, dy, db);
        }
    }

    /**
     * One input's gradient: tn_binary_grad sums chunks of {@link #GRAD_CHUNK} output positions per
     * element (so that a gradient of few elements, a bias's, still fills the device), and where an
     * element has more than one chunk reduce_sum_splits adds them in chunk order.
     */
    private static void gradient(KernelDevice device, String op, BroadcastProblem p, Buffer meta, boolean ofA,
                                 Buffer a, Buffer b, Buffer dy, Buffer grad) {
        long n = (ofA ? p.a() : p.b()).elements();
        long chunks = (p.elements() / n + GRAD_CHUNK - 1) / GRAD_CHUNK;
        Buffer partial = chunks == 1 ? grad : device.workspace("binaryBackward.partial", n * chunks);
        device.launch(op, p.toString(), SOURCE, "tn_binary_grad")
                .arg("n", n).arg("rank", p.rank()).arg("op", code(p.op())).arg("of_a", ofA)
                .arg("chunk", GRAD_CHUNK).arg("chunks", chunks).arg("meta", meta)
                .arg("a", a).arg("b", b).arg("dy", dy).arg("partial", partial)
                .elements(n * chunks);
        if (chunks > 1) {
            SplitSums.add(device, op, p.toString(), n, Math.toIntExact(chunks), partial, grad);
        }
    }
}
