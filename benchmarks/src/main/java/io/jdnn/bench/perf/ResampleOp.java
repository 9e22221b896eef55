package io.jdnn.bench.perf;

import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.InterpolateProblem;
import io.jdnn.PadProblem;
import io.jdnn.PixelShuffleProblem;
import io.jdnn.Precision;
import io.jdnn.ProblemString;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.bench.perf.BenchProblem.Pass;

import java.util.List;
import java.util.Map;

/**
 * The resampling family in {@code jdnn bench}: interpolate (nearest, bilinear; backward: a gather),
 * pixel shuffle and unshuffle (backward: the inverse shuffle) and pad (constant, reflect,
 * replicate; backward: a gather). All memory-bound: rows report GB/s of the problem record's
 * minimal bytes (x read and y written once; a backward pass reads dy and writes dx, as many bytes).
 */
final class ResampleOp extends Op {
    private final Object p;

    ResampleOp(BenchProblem.Resample problem, Pass pass) {
        super(problem, pass);
        this.p = problem.problem();
    }

    /** The kinds {@link #parse} reads. */
    static final List<String> KINDS = List.of("resizenearest", "resizebilinear", "pixelshuffle", "pixelunshuffle",
            "constpad", "reflectpad", "replicatepad");

    /** An InterpolateProblem, PixelShuffleProblem or PadProblem from its canonical string. */
    static Object parse(String text) {
        String kind = ProblemString.parse(text).kind();
        if (kind.startsWith("resize")) {
            return InterpolateProblem.parse(text);
        }
        return kind.startsWith("pixel") ? PixelShuffleProblem.parse(text) : PadProblem.parse(text);
    }

    /** The batch size. */
    static int batch(Object problem) {
        if (problem instanceof InterpolateProblem q) {
            return q.batch();
        }
        return problem instanceof PixelShuffleProblem q ? q.batch() : ((PadProblem) problem).batch();
    }

    /** The same problem with another batch size. */
    static Object withBatch(Object problem, int n) {
        if (problem instanceof InterpolateProblem q) {
            return new InterpolateProblem(n, q.channels(), q.height(), q.width(), q.outHeight(), q.outWidth(), q.mode(),
                    q.alignCorners());
        } else if (problem instanceof PixelShuffleProblem q) {
            return new PixelShuffleProblem(n, q.channels(), q.height(), q.width(), q.factor(), q.unshuffle());
        }
        PadProblem q = (PadProblem) problem;
        return new PadProblem(n, q.channels(), q.height(), q.width(), q.left(), q.right(), q.top(), q.bottom(), q.mode(),
                q.value());
    }

    private Shape inputShape() {
        if (p instanceof InterpolateProblem q) {
            return q.inputShape();
        }
        return p instanceof PixelShuffleProblem q ? q.inputShape() : ((PadProblem) p).inputShape();
    }

    private Shape outputShape() {
        if (p instanceof InterpolateProblem q) {
            return q.outputShape();
        }
        return p instanceof PixelShuffleProblem q ? q.outputShape() : ((PadProblem) p).outputShape();
    }

    @Override
    public List<TensorSpec> tensors() {
        return pass == Pass.FWD ? List.of(in("x", inputShape()), out("y", outputShape()))
                : List.of(in("dy", outputShape()), out("dx", inputShape()));
    }

    @Override
    public long flops() {
        return -1;
    }

    @Override
    public long bytes() {
        if (p instanceof InterpolateProblem q) {
            return q.minimalBytes();
        }
        return p instanceof PixelShuffleProblem q ? q.minimalBytes() : ((PadProblem) p).minimalBytes();
    }

    /** The conformance suite's bounds: ResampleChecks. */
    @Override
    public double errorBound(Precision precision, String algorithm) {
        double bound;
        if (p instanceof PixelShuffleProblem) {
            bound = ErrorBounds.ELEMENTWISE; // a permutation either way
        } else if (pass != Pass.FWD) {
            bound = ErrorBounds.REDUCTION; // the gathers add the gradients of every output cell that read an input cell
        } else {
            bound = p instanceof InterpolateProblem ? ErrorBounds.INTERPOLATE : ErrorBounds.ELEMENTWISE;
        }
        return ErrorBounds.forPrecision(precision, bound);
    }

    @Override
    public Instance instantiate(Device device, String algorithm, Filler filler) {
        return allocate(device, filler, t -> run(device, t));
    }

    private void run(Device d, Map<String, Tensor> t) {
        boolean fwd = pass == Pass.FWD;
        Tensor from = t.get(fwd ? "x" : "dy");
        Tensor into = t.get(fwd ? "y" : "dx");
        if (p instanceof InterpolateProblem q) {
            if (fwd) {
                d.interpolate(q, from, into);
            } else {
                d.interpolateBackward(q, from, into);
            }
        } else if (p instanceof PixelShuffleProblem q) {
            if (fwd) {
                d.pixelShuffle(q, from, into);
            } else {
                d.pixelShuffleBackward(q, from, into);
            }
        } else if (fwd) {
            d.pad((PadProblem) p, from, into);
        } else {
            d.padBackward((PadProblem) p, from, into);
        }
    }
}
