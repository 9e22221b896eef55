package io.jdnn.golden;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.Conv1dProblem;
import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.Pool1dProblem;
import io.jdnn.PoolMode;
import io.jdnn.Tensor;

import java.util.List;

/** Golden ops conv1d, max_pool1d and avg_pool1d over (N, C, L) tensors: forward and backward. */
final class OneDHandler {
    private OneDHandler() {
    }

    /** Runs a conv1d case: y, dx, dw, db. */
    static void conv1d(CaseRun r) {
        r.declare(List.of("stride", "padding", "dilation", "groups"), List.of(),
                List.of("x", "w"), List.of("b", "dy"), List.of("y", "dx", "dw", "db"));
        r.requireIfAny("dy", "dx", "dw", "db");
        Params params = r.params();
        int[] x = r.dims("x", 3, "(N, C, L)");
        int[] w = r.dims("w", 3, "(K, C/groups, R)");
        Conv1dProblem p = new Conv1dProblem(x[0], x[1], x[2], w[0], w[2], single(params, "stride"),
                single(params, "padding"), single(params, "dilation"), params.integer("groups"));
        Device device = r.device();
        Tensor tx = r.upload("x");
        Tensor tw = r.upload("w");
        Tensor tb = r.uploadIfGiven("b");
        Tensor tdy = r.uploadIfGiven("dy");
        if (r.wants("y")) {
            ConvAlgorithm a = ConvHandler.pick(r, p.as2d(), ConvDirection.FORWARD);
            r.compare("y", r.keep(device.conv1d(p, a, tx, tw, tb)), p.outputShape(), a.errorBound(), a.name());
        }
        if (r.wants("dx")) {
            ConvAlgorithm a = ConvHandler.pick(r, p.as2d(), ConvDirection.BACKWARD_DATA);
            r.compare("dx", r.keep(device.conv1dBackwardData(p, a, tdy, tw)), p.inputShape(), a.errorBound(), a.name());
        }
        if (r.wants("dw")) {
            ConvAlgorithm a = ConvHandler.pick(r, p.as2d(), ConvDirection.BACKWARD_FILTER);
            r.compare("dw", r.keep(device.conv1dBackwardFilter(p, a, tx, tdy)), p.weightShape(), a.errorBound(), a.name());
        }
        if (r.wants("db")) {
            r.compare("db", r.keep(device.conv1dBackwardBias(p, tdy)), p.biasShape(), ErrorBounds.REDUCTION, "reduction");
        }
    }

    /** Runs a max_pool1d or avg_pool1d case: y, dx. */
    static void pool1d(CaseRun r) {
        boolean max = r.op().equals("max_pool1d");
        r.declare(max ? List.of("kernel", "stride", "padding", "dilation", "ceil_mode")
                        : List.of("kernel", "stride", "padding", "ceil_mode", "count_include_pad"), List.of(),
                List.of("x"), List.of("dy"), List.of("y", "dx"));
        r.requireIfAny("dy", "dx");
        Params params = r.params();
        int[] x = r.dims("x", 3, "(N, C, L)");
        Pool1dProblem p = new Pool1dProblem(max ? PoolMode.MAX : PoolMode.AVG, x[0], x[1], x[2],
                single(params, "kernel"), single(params, "stride"), single(params, "padding"),
                max ? single(params, "dilation") : 1, params.bool("ceil_mode"),
                !max && params.bool("count_include_pad"));
        Tensor tx = r.upload("x");
        if (r.wants("y")) {
            r.compare("y", r.keep(r.device().pool1d(p, tx)), p.outputShape(), ErrorBounds.POOLING, "pooling");
        }
        if (r.wants("dx")) {
            Tensor tdy = r.upload("dy");
            r.compare("dx", r.keep(r.device().pool1dBackward(p, tx, tdy)), p.inputShape(), ErrorBounds.POOLING, "pooling");
        }
    }

    /** A 1-D setting: a list of one integer {@code [v]}, as FORMAT.md writes stride[1]. */
    private static int single(Params params, String key) {
        int[] v = params.intList(key);
        if (v.length != 1) {
            throw new UnsupportedCase("parameter '" + key + "': expected one integer [l], got " + v.length + " values");
        }
        return v[0];
    }
}
