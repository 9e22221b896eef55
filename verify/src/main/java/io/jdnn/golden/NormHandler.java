package io.jdnn.golden;

import io.jdnn.ErrorBounds;
import io.jdnn.GroupNormProblem;
import io.jdnn.InstanceNormProblem;
import io.jdnn.LayerNormProblem;
import io.jdnn.LrnProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Golden ops local_response_norm, group_norm, instance_norm and layer_norm: the forward pass, and
 * with dy the backward pass from the statistics the forward saved. (N, C, *) inputs are viewed as
 * (N, C, product of the spatial extents, 1), layer norm's as (rows, features).
 */
final class NormHandler {
    private NormHandler() {
    }

    private static final List<String> AFFINE_OUTPUTS = List.of("y", "dx", "dweight", "dbias");

    /** Runs a local_response_norm case: localResponseNorm, localResponseNormBackward. */
    static void localResponseNorm(CaseRun r) {
        r.declare(List.of("size", "alpha", "beta", "k"), List.of(), List.of("x"), List.of("dy"), List.of("y", "dx"));
        r.requireIfAny("dy", "dx");
        int[] dims = r.tensor("x").shape();
        int[] ncs = ncs(dims, 3);
        LrnProblem p = new LrnProblem(ncs[0], ncs[1], ncs[2], 1, r.params().integer("size"), r.params().real("alpha"),
                r.params().real("beta"), r.params().real("k"));
        Tensor x = r.upload("x", p.inputShape());
        if (r.wants("y")) {
            r.compare("y", r.keep(r.device().localResponseNorm(p, x)), dims, ErrorBounds.LRN, "lrn");
        }
        if (r.wants("dx")) {
            Tensor dy = r.upload("dy", p.inputShape());
            r.compare("dx", r.keep(r.device().localResponseNormBackward(p, x, dy)), dims, ErrorBounds.LRN, "lrn");
        }
    }

    /** Runs a group_norm case: groupNorm, groupNormBackward. */
    static void groupNorm(CaseRun r) {
        r.declare(List.of("num_groups", "eps"), List.of(), List.of("x", "weight", "bias"), List.of("dy"), AFFINE_OUTPUTS);
        int[] ncs = ncs(r.tensor("x").shape(), 2);
        GroupNormProblem p = new GroupNormProblem(ncs[0], ncs[1], ncs[2], 1, r.params().integer("num_groups"),
                r.params().real("eps"));
        run(r, p.inputShape(), p.channelShape(), p.statsShape(), (x, w, b, y, m, s) -> r.device().groupNorm(p, x, w, b, y, m, s),
                (x, dy, w, m, s, dx, dw, db) -> r.device().groupNormBackward(p, x, dy, w, m, s, dx, dw, db));
    }

    /** Runs an instance_norm case: instanceNorm, instanceNormBackward. */
    static void instanceNorm(CaseRun r) {
        r.declare(List.of("eps"), List.of(), List.of("x", "weight", "bias"), List.of("dy"), AFFINE_OUTPUTS);
        int[] ncs = ncs(r.tensor("x").shape(), 3);
        InstanceNormProblem p = new InstanceNormProblem(ncs[0], ncs[1], ncs[2], 1, r.params().real("eps"));
        run(r, p.inputShape(), p.channelShape(), p.statsShape(),
                (x, w, b, y, m, s) -> r.device().instanceNorm(p, x, w, b, y, m, s),
                (x, dy, w, m, s, dx, dw, db) -> r.device().instanceNormBackward(p, x, dy, w, m, s, dx, dw, db));
    }

    /** Runs a layer_norm case: layerNorm, layerNormBackward over (rows, features). */
    static void layerNorm(CaseRun r) {
        r.declare(List.of("normalized_shape", "eps"), List.of(), List.of("x", "weight", "bias"), List.of("dy"),
                AFFINE_OUTPUTS);
        int[] dims = r.tensor("x").shape();
        int[] norm = r.params().intList("normalized_shape");
        int lead = dims.length - norm.length;
        if (norm.length == 0 || lead < 0 || !Arrays.equals(Arrays.copyOfRange(dims, Math.max(0, lead), dims.length), norm)) {
            throw new UnsupportedCase("parameter 'normalized_shape': expected the trailing dims of x "
                    + Arrays.toString(dims) + ", got " + Arrays.toString(norm));
        }
        LayerNormProblem p = new LayerNormProblem(product(dims, 0, lead), product(dims, lead, dims.length),
                r.params().real("eps"));
        run(r, p.inputShape(), p.featureShape(), p.statsShape(), (x, w, b, y, m, s) -> r.device().layerNorm(p, x, w, b, y, m, s),
                (x, dy, w, m, s, dx, dw, db) -> r.device().layerNormBackward(p, x, dy, w, m, s, dx, dw, db));
    }

    /** A forward call: y and the saved statistics from x, weight, bias. */
    private interface Forward {
        void run(Tensor x, Tensor weight, Tensor bias, Tensor y, Tensor saveMean, Tensor saveInvStd);
    }

    /** A backward call: dx, dweight, dbias from x, dy, weight and the saved statistics. */
    private interface Backward {
        void run(Tensor x, Tensor dy, Tensor weight, Tensor saveMean, Tensor saveInvStd, Tensor dx, Tensor dweight,
                 Tensor dbias);
    }

    /** The forward pass, compared; with dy the backward pass from its statistics, compared. */
    private static void run(CaseRun r, Shape input, Shape params, Shape stats, Forward forward, Backward backward) {
        r.requireIfAny("dy", "dx", "dweight", "dbias");
        int[] xDims = r.tensor("x").shape();
        int[] wDims = r.tensor("weight").shape();
        Tensor x = r.upload("x", input);
        Tensor w = r.upload("weight", params);
        Tensor b = r.upload("bias", params);
        Tensor y = r.allocate(input);
        Tensor mean = r.allocate(stats);
        Tensor invStd = r.allocate(stats);
        forward.run(x, w, b, y, mean, invStd);
        r.compare("y", y, xDims, ErrorBounds.REDUCTION, "reduction");
        if (r.wants("dx") || r.wants("dweight") || r.wants("dbias")) {
            Tensor dx = r.allocate(input);
            Tensor dw = r.allocate(params);
            Tensor db = r.allocate(params);
            backward.run(x, r.upload("dy", input), w, mean, invStd, dx, dw, db);
            r.compare("dx", dx, xDims, ErrorBounds.REDUCTION, "reduction");
            r.compare("dweight", dw, wDims, ErrorBounds.REDUCTION, "reduction");
            r.compare("dbias", db, wDims, ErrorBounds.REDUCTION, "reduction");
        }
    }

    /** (N, C, product of the rest) of an (N, C, *) shape with at least {@code minRank} dimensions. */
    private static int[] ncs(int[] dims, int minRank) {
        if (dims.length < minRank) {
            throw new UnsupportedCase("x: expected a tensor of at least " + minRank + " dimensions (N, C, ...), got shape "
                    + Arrays.toString(dims));
        }
        return new int[] {dims[0], dims[1], product(dims, 2, dims.length)};
    }

    private static int product(int[] dims, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= dims[i];
        }
        if (p > Integer.MAX_VALUE) {
            throw new UnsupportedCase("x: dims " + Arrays.toString(dims) + " multiply past 2^31 - 1");
        }
        return (int) p;
    }
}
