package io.jdnn.bench.perf;

import io.jdnn.BinaryOp;
import io.jdnn.BroadcastProblem;
import io.jdnn.CatProblem;
import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.PermuteProblem;
import io.jdnn.Precision;
import io.jdnn.ProblemString;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.bench.perf.BenchProblem.Pass;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tensor ops in {@code jdnn bench}: cat (backward: split), permute (backward: the inverse
 * permutation) and the broadcasting arithmetic (backward: both gradients). All memory-bound: rows
 * report GB/s of the problem record's minimal bytes. The batch is the output's leading extent.
 */
final class TensorFamilyOp extends Op {
    private final Object p;

    TensorFamilyOp(BenchProblem.TensorFamily problem, Pass pass) {
        super(problem, pass);
        this.p = problem.problem();
    }

    /** A CatProblem, PermuteProblem or BroadcastProblem from its canonical string. */
    static Object parse(String text) {
        String kind = ProblemString.parse(text).kind();
        return switch (kind) {
            case "cat" -> CatProblem.parse(text);
            case "permute" -> PermuteProblem.parse(text);
            default -> BroadcastProblem.parse(text);
        };
    }

    /** The kinds {@link #parse} reads. */
    static List<String> kinds() {
        List<String> out = new ArrayList<>(List.of("cat", "permute"));
        for (BinaryOp op : BinaryOp.values()) {
            out.add(op.opName());
        }
        return out;
    }

    /** The output's leading extent. */
    static int batch(Object problem) {
        return outputShape(problem).dim(0);
    }

    private static Shape outputShape(Object problem) {
        if (problem instanceof CatProblem c) {
            return c.outputShape();
        } else if (problem instanceof PermuteProblem q) {
            return q.outputShape();
        }
        return ((BroadcastProblem) problem).outputShape();
    }

    /** {@code s} with its leading extent {@code batch} where that extent is the output's (not broadcast, not cat's axis). */
    private static Shape cut(Shape s, int rank, int leading, int batch) {
        if (s.rank() < rank || s.dim(0) != leading || leading == 1) {
            return s;
        }
        int[] d = s.dims();
        d[0] = batch;
        return Shape.of(d);
    }

    /** The same problem with the output's leading extent {@code batch}. */
    static Object withBatch(Object problem, int batch) {
        if (problem instanceof CatProblem c) {
            if (c.axis() == 0) {
                return c;
            }
            List<Shape> in = new ArrayList<>();
            for (Shape s : c.inputs()) {
                in.add(cut(s, s.rank(), s.dim(0), batch));
            }
            return new CatProblem(c.axis(), in);
        } else if (problem instanceof PermuteProblem q) {
            int[] d = q.input().dims();
            d[q.dims()[0]] = batch;
            return new PermuteProblem(Shape.of(d), q.dims());
        }
        BroadcastProblem b = (BroadcastProblem) problem;
        int rank = b.rank();
        int leading = b.outputShape().dim(0);
        return new BroadcastProblem(b.op(), cut(b.a(), rank, leading, batch), cut(b.b(), rank, leading, batch));
    }

    @Override
    public List<TensorSpec> tensors() {
        boolean fwd = pass == Pass.FWD;
        if (p instanceof CatProblem c) {
            List<TensorSpec> out = new ArrayList<>();
            for (int i = 0; i < c.count(); i++) {
                out.add(fwd ? in("x" + i, c.inputs().get(i)) : out("dx" + i, c.inputs().get(i)));
            }
            out.add(fwd ? out("y", c.outputShape()) : in("dy", c.outputShape()));
            return out;
        } else if (p instanceof PermuteProblem q) {
            return fwd ? List.of(in("x", q.input()), out("y", q.outputShape()))
                    : List.of(in("dy", q.outputShape()), out("dx", q.input()));
        }
        BroadcastProblem b = (BroadcastProblem) p;
        return fwd ? List.of(in("a", b.a()), in("b", b.b()), out("y", b.outputShape()))
                : List.of(in("a", b.a()), in("b", b.b()), in("dy", b.outputShape()), out("da", b.a()), out("db", b.b()));
    }

    @Override
    public long flops() {
        return -1;
    }

    @Override
    public long bytes() {
        if (p instanceof CatProblem c) {
            return c.minimalBytes();
        } else if (p instanceof PermuteProblem q) {
            return q.minimalBytes();
        }
        BroadcastProblem b = (BroadcastProblem) p;
        return pass == Pass.FWD ? b.minimalBytes() : b.backwardMinimalBytes();
    }

    @Override
    public double errorBound(Precision precision, String algorithm) {
        boolean sums = p instanceof BroadcastProblem && pass != Pass.FWD;
        return ErrorBounds.forPrecision(precision, sums ? ErrorBounds.REDUCTION : ErrorBounds.ELEMENTWISE);
    }

    @Override
    public Instance instantiate(Device device, String algorithm, Filler filler) {
        return allocate(device, filler, t -> run(device, t));
    }

    private void run(Device d, Map<String, Tensor> t) {
        boolean fwd = pass == Pass.FWD;
        if (p instanceof CatProblem c) {
            List<Tensor> parts = new ArrayList<>();
            for (int i = 0; i < c.count(); i++) {
                parts.add(t.get((fwd ? "x" : "dx") + i));
            }
            if (fwd) {
                d.cat(parts, c.axis(), t.get("y"));
            } else {
                d.split(t.get("dy"), c.axis(), parts);
            }
        } else if (p instanceof PermuteProblem q) {
            if (fwd) {
                d.permute(t.get("x"), q.dims(), t.get("y"));
            } else {
                d.permuteBackward(t.get("dy"), q.dims(), t.get("dx"));
            }
        } else {
            BinaryOp op = ((BroadcastProblem) p).op();
            if (fwd) {
                d.binary(op, t.get("a"), t.get("b"), t.get("y"));
            } else {
                d.binaryBackward(op, t.get("a"), t.get("b"), t.get("dy"), t.get("da"), t.get("db"));
            }
        }
    }
}
