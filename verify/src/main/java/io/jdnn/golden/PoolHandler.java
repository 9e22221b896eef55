package io.jdnn.golden;

import io.jdnn.ErrorBounds;
import io.jdnn.PoolProblem;
import io.jdnn.Tensor;
import io.jdnn.UnpoolProblem;

import java.util.Arrays;
import java.util.List;

/**
 * Golden ops max_pool2d, avg_pool2d and adaptive_avg_pool2d: forward and backward; and
 * max_pool2d_with_indices (indices compared exactly) and max_unpool2d (i64 indices in).
 */
final class PoolHandler {
    private PoolHandler() {
    }

    /** Runs a pooling case. */
    static void run(CaseRun r) {
        String op = r.op();
        List<String> names = switch (op) {
            case "max_pool2d", "max_pool2d_with_indices" -> List.of("kernel", "stride", "padding", "dilation",
                    "ceil_mode");
            case "avg_pool2d" -> List.of("kernel", "stride", "padding", "ceil_mode", "count_include_pad");
            default -> List.of("output_size");
        };
        boolean indexed = op.equals("max_pool2d_with_indices");
        r.declare(names, List.of(), List.of("x"), List.of("dy"), indexed ? List.of("y", "indices", "dx")
                : List.of("y", "dx"));
        r.requireIfAny("dy", "dx");
        Params params = r.params();
        int[] x = r.dims("x", 4, "(N, C, H, W)");
        PoolProblem p;
        if (op.equals("adaptive_avg_pool2d")) {
            int[] size = params.intPair("output_size");
            p = PoolProblem.adaptiveAvg(x[0], x[1], x[2], x[3], size[0], size[1]);
        } else {
            int[] k = params.intPair("kernel");
            int[] s = params.intPair("stride");
            int[] pad = params.padding("padding");
            PoolProblem.Builder b = (op.startsWith("max_pool2d") ? PoolProblem.max() : PoolProblem.avg())
                    .batch(x[0]).channels(x[1]).size(x[2], x[3]).kernel(k[0], k[1]).stride(s[0], s[1])
                    .padding(pad[0], pad[1], pad[2], pad[3]).ceilMode(params.bool("ceil_mode"));
            if (op.startsWith("max_pool2d")) {
                int[] d = params.intPair("dilation");
                b.dilation(d[0], d[1]);
            } else {
                b.countIncludePad(params.bool("count_include_pad"));
            }
            p = b.build();
        }
        Tensor tx = r.upload("x");
        if (indexed && (r.wants("y") || r.wants("indices"))) {
            List<Tensor> yi = r.device().maxPoolWithIndices(p, tx);
            r.keep(yi.get(0));
            r.keep(yi.get(1));
            r.compare("y", yi.get(0), p.outputShape(), ErrorBounds.POOLING, "pooling");
            r.compareExact("indices", yi.get(1), p.outputShape());
        } else if (r.wants("y")) {
            r.compare("y", r.keep(r.device().pool(p, tx)), p.outputShape(), ErrorBounds.POOLING, "pooling");
        }
        if (r.wants("dx")) {
            Tensor tdy = r.upload("dy");
            r.compare("dx", r.keep(r.device().poolBackward(p, tx, tdy)), p.inputShape(), ErrorBounds.POOLING, "pooling");
        }
    }

    /** Runs a max_unpool2d case: y from x and the i64 indices, dx from the indices and dy. */
    static void unpool(CaseRun r) {
        r.declare(List.of("kernel", "stride", "padding"), List.of("output_size"), List.of("x", "indices"),
                List.of("dy"), List.of("y", "dx"));
        r.requireIfAny("dy", "dx");
        Params params = r.params();
        int[] x = r.dims("x", 4, "(N, C, H, W)");
        int[] indices = r.dims("indices", 4, "(N, C, H, W)");
        if (!Arrays.equals(x, indices)) {
            throw new UnsupportedCase("input 'indices': expected x's shape " + Arrays.toString(x) + ", got "
                    + Arrays.toString(indices));
        }
        int[] k = params.intPair("kernel");
        int[] s = params.intPair("stride");
        int[] pad = params.intPair("padding");
        UnpoolProblem p = params.has("output_size")
                ? new UnpoolProblem(x[0], x[1], x[2], x[3], k[0], k[1], s[0], s[1], pad[0], pad[1],
                        params.intPair("output_size")[0], params.intPair("output_size")[1])
                : UnpoolProblem.of(x[0], x[1], x[2], x[3], k[0], k[1], s[0], s[1], pad[0], pad[1]);
        Tensor ti = r.uploadIndices("indices");
        if (r.wants("y")) {
            Tensor tx = r.upload("x");
            r.compare("y", r.keep(r.device().maxUnpool(p, tx, ti)), p.outputShape(), ErrorBounds.POOLING, "pooling");
        }
        if (r.wants("dx")) {
            Tensor tdy = r.upload("dy");
            r.compare("dx", r.keep(r.device().maxUnpoolBackward(p, ti, tdy)), p.inputShape(), ErrorBounds.POOLING,
                    "pooling");
        }
    }
}
