package io.jdnn.golden;

import io.jdnn.BinaryOp;
import io.jdnn.ErrorBounds;
import io.jdnn.Shape;
import io.jdnn.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Golden ops cat, permute and the broadcasting add, sub, mul, div, maximum, minimum: Device.cat
 * and split, permute and permuteBackward, binary and binaryBackward. Negative dims count from
 * the end, as PyTorch reads them.
 */
final class TensorHandler {
    private TensorHandler() {
    }

    /** Runs a cat case: inputs x0, x1, ... (consecutive), outputs y and dx0, dx1, .... */
    static void cat(CaseRun r) {
        int count = 0;
        while (r.inputs().contains("x" + count)) {
            count++;
        }
        List<String> xs = new ArrayList<>();
        List<String> outputs = new ArrayList<>(List.of("y"));
        for (int i = 0; i < count; i++) {
            xs.add("x" + i);
            outputs.add("dx" + i);
        }
        r.declare(List.of("dim"), List.of(), xs, List.of("dy"), outputs);
        if (count == 0) {
            throw new UnsupportedCase("cat: expected inputs x0, x1, ..., got none");
        }
        r.requireIfAny("dy", outputs.subList(1, outputs.size()).toArray(new String[0]));
        List<Tensor> inputs = new ArrayList<>();
        for (String x : xs) {
            inputs.add(r.upload(x));
        }
        int rank = inputs.get(0).shape().rank();
        int axis = axis(r.params().integer("dim"), rank);
        Tensor y = r.keep(r.device().cat(inputs, axis));
        r.compare("y", y, y.shape(), ErrorBounds.ELEMENTWISE, "copy");
        if (r.has("dy")) {
            int[] sizes = new int[count];
            for (int i = 0; i < count; i++) {
                sizes[i] = inputs.get(i).shape().dim(axis);
            }
            List<Tensor> dxs = r.device().split(r.upload("dy"), axis, sizes);
            for (int i = 0; i < count; i++) {
                r.compare("dx" + i, r.keep(dxs.get(i)), dxs.get(i).shape(), ErrorBounds.ELEMENTWISE, "copy");
            }
        }
    }

    /** Runs a permute case. */
    static void permute(CaseRun r) {
        r.declare(List.of("dims"), List.of(), List.of("x"), List.of("dy"), List.of("y", "dx"));
        r.requireIfAny("dy", "dx");
        Tensor x = r.upload("x");
        int[] dims = r.params().intList("dims");
        for (int i = 0; i < dims.length; i++) {
            dims[i] = axis(dims[i], dims.length);
        }
        if (r.wants("y")) {
            Tensor y = r.keep(r.device().permute(x, dims));
            r.compare("y", y, y.shape(), ErrorBounds.ELEMENTWISE, "copy");
        }
        if (r.wants("dx")) {
            r.compare("dx", r.keep(r.device().permuteBackward(r.upload("dy"), dims)), x.shape(),
                    ErrorBounds.ELEMENTWISE, "copy");
        }
    }

    /** Runs a broadcasting add, sub, mul, div, maximum or minimum case. */
    static void binary(CaseRun r) {
        r.declare(List.of(), List.of(), List.of("a", "b"), List.of("dy"), List.of("y", "da", "db"));
        r.requireIfAny("dy", "da", "db");
        BinaryOp op = BinaryOp.fromName(r.op());
        Tensor a = r.upload("a");
        Tensor b = r.upload("b");
        if (r.wants("y")) {
            Tensor y = r.keep(r.device().binary(op, a, b));
            r.compare("y", y, y.shape(), ErrorBounds.ELEMENTWISE, "elementwise");
        }
        if (r.wants("da") || r.wants("db")) {
            Tensor dy = r.upload("dy");
            List<Tensor> grads = r.device().binaryBackward(op, a, b, dy);
            grads.forEach(r::keep);
            r.compare("da", grads.get(0), a.shape(), ErrorBounds.REDUCTION, "reduction");
            r.compare("db", grads.get(1), b.shape(), ErrorBounds.REDUCTION, "reduction");
        }
    }

    /** PyTorch's dim in [-rank, rank) as an axis in [0, rank). */
    private static int axis(int dim, int rank) {
        if (dim < -rank || dim >= rank) {
            throw new UnsupportedCase("dim: expected a value in [" + -rank + ", " + rank + "), got " + dim);
        }
        return dim < 0 ? dim + rank : dim;
    }
}
