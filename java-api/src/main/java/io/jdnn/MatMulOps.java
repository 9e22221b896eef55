package io.jdnn;

import io.jdnn.spi.Buffer;

import java.util.List;

import static io.jdnn.DeviceCore.shapeOf;

/**
 * The batched matrix product of a {@link Device} ({@link MatMulProblem}): matmul and its backward.
 * Outputs never share storage with inputs.
 */
final class MatMulOps extends OpFamily {
    MatMulOps(DeviceCore core) {
        super(core);
    }

    private static MatMulProblem problem(String op, Tensor a, Tensor b) {
        return new MatMulProblem(shapeOf(op, "a", a), shapeOf(op, "b", b));
    }

    Tensor matmul(Tensor a, Tensor b) {
        MatMulProblem p = problem("matmul", a, b);
        return core.produce(p.outputShape(), y -> matmul(a, b, y));
    }

    void matmul(Tensor a, Tensor b, Tensor y) {
        MatMulProblem p = problem("matmul", a, b);
        String op = DeviceCore.op("matmul", p);
        core.run(op, () -> {
            Buffer ba = core.use(op, "a", a);
            Buffer bb = core.use(op, "b", b);
            Buffer by = core.use(op, "y", y, p.outputShape());
            DeviceCore.distinct(op, "y", y, a, b);
            impl.matmul(p, ba, bb, by);
        });
    }

    List<Tensor> matmulBackward(Tensor a, Tensor b, Tensor dy) {
        return core.producePair(shapeOf("matmulBackward", "a", a), shapeOf("matmulBackward", "b", b),
                (da, db) -> matmulBackward(a, b, dy, da, db));
    }

    void matmulBackward(Tensor a, Tensor b, Tensor dy, Tensor da, Tensor db) {
        MatMulProblem p = problem("matmulBackward", a, b);
        String op = DeviceCore.op("matmulBackward", p);
        core.run(op, () -> {
            Check.that(da != null || db != null, op + ": arguments 'da' and 'db'", "at least one gradient to write",
                    "both null");
            Buffer ba = core.use(op, "a", a);
            Buffer bb = core.use(op, "b", b);
            Buffer bdy = core.use(op, "dy", dy, p.outputShape());
            Buffer[] grads = core.gradients(op, da, p.a(), db, p.b(), a, b, dy);
            impl.matmulBackward(p, ba, bb, bdy, grads[0], grads[1]);
        });
    }
}
