package io.jdnn;

import io.jdnn.spi.Buffer;

import java.util.ArrayList;
import java.util.List;

import static io.jdnn.DeviceCore.shapeOf;

/**
 * The tensor-ops family of a {@link Device} (not {@link TensorOps}, which reads and writes
 * tensors): cat and its backward, split; permute; the broadcasting binary arithmetic of
 * {@link BinaryOp} and its backward. Outputs never share storage with inputs, except the output
 * of {@link #binary} with an input of the output's own shape (an element-wise update in place).
 */
final class TensorFamilyOps extends OpFamily {
    TensorFamilyOps(DeviceCore core) {
        super(core);
    }

    private static List<Shape> shapes(String op, String name, List<Tensor> ts) {
        Check.that(ts != null && !ts.isEmpty(), op + ": argument '" + name + "'", "at least one tensor",
                ts == null ? "null" : "none");
        List<Shape> shapes = new ArrayList<>();
        for (int i = 0; i < ts.size(); i++) {
            shapes.add(shapeOf(op, name + "[" + i + "]", ts.get(i)));
        }
        return shapes;
    }

    // ---------------------------------------------------------------- cat and split

    Tensor cat(List<Tensor> xs, int axis) {
        CatProblem p = new CatProblem(axis, shapes("cat", "xs", xs));
        return core.produce(p.outputShape(), y -> cat(xs, axis, y));
    }

    void cat(List<Tensor> xs, int axis, Tensor y) {
        CatProblem p = new CatProblem(axis, shapes("cat", "xs", xs));
        String op = DeviceCore.op("cat", p);
        core.run(op, () -> {
            Buffer[] bx = new Buffer[xs.size()];
            for (int i = 0; i < bx.length; i++) {
                bx[i] = core.use(op, "xs[" + i + "]", xs.get(i));
            }
            Buffer by = core.use(op, "y", y, p.outputShape());
            DeviceCore.distinct(op, "y", y, xs.toArray(new Tensor[0]));
            impl.cat(p, bx, by);
        });
    }

    List<Tensor> split(Tensor x, int axis, int[] sizes) {
        Shape s = shapeOf("split", "x", x);
        Check.that(sizes != null && sizes.length > 0, "split: argument 'sizes'", "at least one extent",
                sizes == null ? "null" : "none");
        Check.that(axis >= 0 && axis < s.rank(), "split: argument 'axis'", "an axis in [0, " + s.rank() + ")", axis);
        List<Tensor> outs = new ArrayList<>();
        try {
            for (int size : sizes) {
                int[] dims = s.dims();
                dims[axis] = Check.positive("split: sizes", size);
                outs.add(core.allocate(Shape.of(dims)));
            }
            split(x, axis, outs);
            return outs;
        } catch (RuntimeException | Error e) {
            outs.forEach(Tensor::close);
            throw e;
        }
    }

    void split(Tensor x, int axis, List<Tensor> outs) {
        CatProblem p = new CatProblem(axis, shapes("split", "outs", outs));
        String op = DeviceCore.op("split", p);
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x, p.outputShape());
            Buffer[] bo = new Buffer[outs.size()];
            String[] names = new String[outs.size() + 1];
            for (int i = 0; i < bo.length; i++) {
                bo[i] = core.use(op, "outs[" + i + "]", outs.get(i));
                DeviceCore.distinct(op, "outs[" + i + "]", outs.get(i), x);
                names[i] = "outs[" + i + "]";
            }
            DeviceCore.distinctAll(op, java.util.Arrays.copyOf(names, bo.length), outs.toArray(new Tensor[0]));
            impl.split(p, bx, bo);
        });
    }

    // ---------------------------------------------------------------- permute

    Tensor permute(Tensor x, int[] dims) {
        PermuteProblem p = new PermuteProblem(shapeOf("permute", "x", x), dims);
        return core.produce(p.outputShape(), y -> permute(x, dims, y));
    }

    void permute(Tensor x, int[] dims, Tensor y) {
        PermuteProblem p = new PermuteProblem(shapeOf("permute", "x", x), dims);
        String op = DeviceCore.op("permute", p);
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x);
            Buffer by = core.use(op, "y", y, p.outputShape());
            DeviceCore.distinct(op, "y", y, x);
            impl.permute(p, bx, by);
        });
    }

    Tensor permuteBackward(Tensor dy, int[] dims) {
        return permute(dy, inverse(dims));
    }

    void permuteBackward(Tensor dy, int[] dims, Tensor dx) {
        permute(dy, inverse(dims), dx);
    }

    /** The inverse of {@code dims}, checked as a permutation (permute then checks it against dy's rank). */
    private static int[] inverse(int[] dims) {
        Check.that(dims != null, "dims", "a permutation", "null");
        int[] ones = new int[dims.length];
        java.util.Arrays.fill(ones, 1);
        // The shape does not matter for the inverse; the record checks dims is a permutation.
        return new PermuteProblem(Shape.of(ones), dims).inverse().dims();
    }

    // ---------------------------------------------------------------- broadcasting arithmetic

    Tensor binary(BinaryOp kind, Tensor a, Tensor b) {
        BroadcastProblem p = new BroadcastProblem(kind, shapeOf("binary", "a", a), shapeOf("binary", "b", b));
        return core.produce(p.outputShape(), y -> binary(kind, a, b, y));
    }

    void binary(BinaryOp kind, Tensor a, Tensor b, Tensor y) {
        BroadcastProblem p = new BroadcastProblem(kind, shapeOf("binary", "a", a), shapeOf("binary", "b", b));
        String op = DeviceCore.op("binary", p);
        core.run(op, () -> {
            Buffer ba = core.use(op, "a", a);
            Buffer bb = core.use(op, "b", b);
            Buffer by = core.use(op, "y", y, p.outputShape());
            // In place only over an input of the output's shape: each element is read before it is written.
            if (!a.shape().equals(y.shape())) {
                DeviceCore.distinct(op, "y", y, a);
            }
            if (!b.shape().equals(y.shape())) {
                DeviceCore.distinct(op, "y", y, b);
            }
            impl.binaryForward(p, ba, bb, by);
        });
    }

    List<Tensor> binaryBackward(BinaryOp kind, Tensor a, Tensor b, Tensor dy) {
        return core.producePair(shapeOf("binaryBackward", "a", a), shapeOf("binaryBackward", "b", b),
                (da, db) -> binaryBackward(kind, a, b, dy, da, db));
    }

    void binaryBackward(BinaryOp kind, Tensor a, Tensor b, Tensor dy, Tensor da, Tensor db) {
        BroadcastProblem p = new BroadcastProblem(kind, shapeOf("binaryBackward", "a", a),
                shapeOf("binaryBackward", "b", b));
        String op = DeviceCore.op("binaryBackward", p);
        core.run(op, () -> {
            Check.that(da != null || db != null, op + ": arguments 'da' and 'db'", "at least one gradient to write",
                    "both null");
            Buffer ba = core.use(op, "a", a);
            Buffer bb = core.use(op, "b", b);
            Buffer bdy = core.use(op, "dy", dy, p.outputShape());
            Buffer[] grads = core.gradients(op, da, a.shape(), db, b.shape(), a, b, dy);
            impl.binaryBackward(p, ba, bb, bdy, grads[0], grads[1]);
        });
    }
}
