package io.jdnn.bench.perf;

import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.DirectConv;
import io.jdnn.cpu.reference.ReferenceConvolution;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A sampled verification of a convolution pass: {@value #SIZE} output elements drawn uniformly
 * without replacement, each computed alone in float64 ({@link ReferenceConvolution#output}, bitwise
 * the value the full reference gives there). If a fraction f of the outputs were outside the
 * bound, such a sample would miss all of them with probability at most (1 - f)^{@value #SIZE}:
 * below 5% for f = 0.1%, so a passing sample says, with 95% confidence, that fewer than one output
 * in a thousand is wrong. A bug that spoils a few single elements can pass it; a full verification
 * cannot be passed that way.
 */
final class ConvSample {
    /** Outputs a sample checks. */
    static final int SIZE = 3000;

    private ConvSample() {
    }

    /** Whether a sample checks fewer outputs than a full verification of {@code op} would. */
    static boolean smaller(Op.ConvOp op) {
        return outputs(op).shape().elements() > SIZE;
    }

    /** The sampled outputs of {@code op} from {@code host}'s inputs; the draw is fixed by {@code seed}. */
    static ReferenceOutputs of(Op.ConvOp op, Inputs.Host host, long seed) {
        ConvProblem p = op.convProblem();
        DirectConv d = p.direct();
        ConvDirection direction = p.directDirection(op.direction());
        // Operands in the order of the direct pass (see ConvolutionOps.convolve): a transposed
        // problem's backward-filter reads its image and response the other way round.
        double[] first = widen(host.array(op.tensors().get(0)));
        double[] second = widen(host.array(op.tensors().get(1)));
        if (p.transposed() && direction == ConvDirection.BACKWARD_FILTER) {
            double[] t = first;
            first = second;
            second = t;
        }
        Op.TensorSpec out = outputs(op);
        long elements = out.shape().elements();
        SplittableRandom rnd = new SplittableRandom(seed);
        TreeSet<Integer> drawn = new TreeSet<>();
        while (drawn.size() < Math.min(SIZE, elements)) {
            drawn.add((int) rnd.nextLong(elements));
        }
        int[] indices = drawn.stream().mapToInt(Integer::intValue).toArray();
        double[] values = new double[indices.length];
        for (int i = 0; i < indices.length; i++) {
            values[i] = ReferenceConvolution.output(d, direction, first, second, null, indices[i]);
        }
        return ReferenceOutputs.sample(Map.of(out.name(), indices), Map.of(out.name(), values));
    }

    private static Op.TensorSpec outputs(Op.ConvOp op) {
        return op.tensors().get(2);
    }

    /** The float32 inputs as the reference device holds them: widened exactly. */
    private static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
