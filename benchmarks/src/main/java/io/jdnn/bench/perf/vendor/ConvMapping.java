package io.jdnn.bench.perf.vendor;

import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.DirectConv;

/**
 * How one pass of a jdnn convolution maps onto a cuDNN call, without any native code (so that a
 * test on any machine checks it). cuDNN's three calls are the passes of the direct convolution
 * {@link ConvProblem#direct()}: forward (x, w to y), backward-data (dy, w to dx), backward-filter
 * (x, dy to dw). A convolution's pass is the call of the same name. A transposed convolution runs
 * on its direct convolution as {@link DirectConv} states: its forward is the direct backward-data,
 * its backward-data the direct forward, its backward-filter the direct backward-filter with the
 * image and response sides swapped.
 *
 * @param call     the cuDNN call: the direct direction
 * @param image    the jdnn tensor in cuDNN's x / dx slot: the direct image side (n, c, h, w)
 * @param filter   the jdnn tensor in cuDNN's w / dw slot: (k, c/groups, r, s)
 * @param response the jdnn tensor in cuDNN's y / dy slot: the direct response side (n, k, p, q)
 * @param conv     the direct convolution the descriptors describe
 */
public record ConvMapping(ConvDirection call, String image, String filter, String response, DirectConv conv) {

    /** The mapping of {@code direction} of {@code p}; tensor names are those of {@code Op}'s conv ops. */
    public static ConvMapping of(ConvProblem p, ConvDirection direction) {
        DirectConv d = p.direct();
        if (!p.transposed()) {
            return switch (direction) {
                case FORWARD -> new ConvMapping(ConvDirection.FORWARD, "x", "w", "y", d);
                case BACKWARD_DATA -> new ConvMapping(ConvDirection.BACKWARD_DATA, "dx", "w", "dy", d);
                case BACKWARD_FILTER -> new ConvMapping(ConvDirection.BACKWARD_FILTER, "x", "dw", "dy", d);
            };
        }
        return switch (direction) {
            // transposed forward: y (the output, the direct image side) = direct backward-data of x (the response side)
            case FORWARD -> new ConvMapping(ConvDirection.BACKWARD_DATA, "y", "w", "x", d);
            // transposed backward-data: dx (the transposed input, the response side) = direct forward of dy
            case BACKWARD_DATA -> new ConvMapping(ConvDirection.FORWARD, "dy", "w", "dx", d);
            // transposed backward-filter: the direct backward-filter with x := dy (image side), dy := x (response side)
            case BACKWARD_FILTER -> new ConvMapping(ConvDirection.BACKWARD_FILTER, "dy", "dw", "x", d);
        };
    }
}
