package io.jdnn.onnx;

import io.jdnn.LinearProblem;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts of a loaded model, as {@code jdnn onnx info} prints them: nodes per op, parameters (the
 * elements of float initializers) and floating-point operations, which are the multiply-adds times
 * two of Conv and ConvTranspose ({@link io.jdnn.ConvProblem#flops()}), Gemm and MatMul
 * ({@link LinearProblem#flops()}); other ops are not counted.
 *
 * @param opCounts   nodes per op type, sorted by op type
 * @param parameters elements of the float initializers
 * @param flops      floating-point operations of one run at the model's loaded batch
 * @param batch      the first extent of the first graph input (1 when it has none)
 */
public record ModelStats(Map<String, Integer> opCounts, long parameters, long flops, long batch) {

    /** Copies the op counts. */
    public ModelStats {
        opCounts = Collections.unmodifiableMap(new TreeMap<>(opCounts));
    }

    /** The counts of {@code model}. */
    public static ModelStats of(OnnxModel model) {
        Graph g = model.graph();
        Map<String, Integer> ops = new TreeMap<>();
        long flops = 0;
        for (Node n : g.nodes()) {
            ops.merge(n.opType(), 1, Integer::sum);
            InferContext c = new InferContext(n, new HashMap<>(g.values()), new HashMap<>(g.constants()),
                    model.options());
            flops += switch (n.opType()) {
                case "Conv" -> ConvPoolRules.convProblem(c).flops();
                case "ConvTranspose" -> ConvPoolRules.convTransposeProblem(c).flops();
                case "Gemm" -> {
                    long[] y = g.info(n.output(0)).dims();
                    long[] a = c.dims(0);
                    long k = n.getInt("transA", 0) != 0 ? a[0] : a[1];
                    yield linear(y[0], k, y[1]);
                }
                case "MatMul" -> {
                    long[] a = c.dims(0);
                    long[] y = g.info(n.output(0)).dims();
                    long k = a[a.length - 1];
                    long n2 = c.dims(1).length == 1 ? 1 : y[y.length - 1];
                    yield linear(Folding.count(y) / n2, k, n2);
                }
                default -> 0L;
            };
        }
        long batch = g.inputs().isEmpty() || g.inputs().get(0).rank() == 0 ? 1 : g.inputs().get(0).dim(0);
        return new ModelStats(ops, g.parameterCount(), flops, batch);
    }

    /** Flops of one image: {@link #flops()} divided by the batch. */
    public long flopsPerImage() {
        return batch <= 1 ? flops : flops / batch;
    }

    /** Total nodes. */
    public int nodes() {
        return opCounts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static long linear(long rows, long in, long out) {
        if (rows == 0 || in == 0 || out == 0) {
            return 0; // an empty product (LinearProblem's extents are positive)
        }
        return new LinearProblem(Math.toIntExact(rows), Math.toIntExact(in), Math.toIntExact(out)).flops();
    }
}
