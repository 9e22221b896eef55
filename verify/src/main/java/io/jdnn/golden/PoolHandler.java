package io.jdnn.golden;

import io.jdnn.ErrorBounds;
import io.jdnn.PoolProblem;
import io.jdnn.Tensor;

import java.util.List;

/** Golden ops max_pool2d, avg_pool2d and adaptive_avg_pool2d: forward and backward. */
final class PoolHandler {
    private PoolHandler() {
    }

    /** Runs a pooling case. */
    static void run(CaseRun r) {
        String op = r.op();
        List<String> names = switch (op) {
            case "max_pool2d" -> List.of("kernel", "stride", "padding", "dilation", "ceil_mode");
            case "avg_pool2d" -> List.of("kernel", "stride", "padding", "ceil_mode", "count_include_pad");
            default -> List.of("output_size");
        };
        r.declare(names, List.of(), List.of("x"), List.of("dy"), List.of("y", "dx"));
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
            PoolProblem.Builder b = (op.equals("max_pool2d") ? PoolProblem.max() : PoolProblem.avg())
                    .batch(x[0]).channels(x[1]).size(x[2], x[3]).kernel(k[0], k[1]).stride(s[0], s[1])
                    .padding(pad[0], pad[1], pad[2], pad[3]).ceilMode(params.bool("ceil_mode"));
            if (op.equals("max_pool2d")) {
                int[] d = params.intPair("dilation");
                b.dilation(d[0], d[1]);
            } else {
                b.countIncludePad(params.bool("count_include_pad"));
            }
            p = b.build();
        }
        Tensor tx = r.upload("x");
        if (r.wants("y")) {
            r.compare("y", r.keep(r.device().pool(p, tx)), p.outputShape(), ErrorBounds.POOLING, "pooling");
        }
        if (r.wants("dx")) {
            Tensor tdy = r.upload("dy");
            r.compare("dx", r.keep(r.device().poolBackward(p, tx, tdy)), p.inputShape(), ErrorBounds.POOLING, "pooling");
        }
    }
}
