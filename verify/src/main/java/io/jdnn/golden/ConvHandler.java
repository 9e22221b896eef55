package io.jdnn.golden;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvPlan;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.Tensor;

import java.util.List;

/** Golden ops conv2d and conv_transpose2d: forward, backward data, backward filter, backward bias. */
final class ConvHandler {
    private ConvHandler() {
    }

    /** Runs a conv2d case, or a conv_transpose2d case when {@code transposed}. */
    static void run(CaseRun r, boolean transposed) {
        r.declare(transposed ? List.of("stride", "padding", "output_padding", "dilation", "groups")
                        : List.of("stride", "padding", "dilation", "groups"), List.of(),
                List.of("x", "w"), List.of("b", "dy"), List.of("y", "dx", "dw", "db"));
        r.requireIfAny("dy", "dx", "dw", "db");
        Params params = r.params();
        int[] x = r.dims("x", 4, "(N, C, H, W)");
        int[] w = r.dims("w", 4, transposed ? "(Cin, Cout/groups, R, S)" : "(Cout, Cin/groups, R, S)");
        int[] stride = params.intPair("stride");
        int[] padding = params.padding("padding");
        int[] dilation = params.intPair("dilation");
        int groups = params.integer("groups");
        int[] outputPadding = transposed ? params.intPair("output_padding") : new int[] {0, 0};
        long outChannels = transposed ? (long) w[1] * groups : w[0];
        if (outChannels > Integer.MAX_VALUE) {
            throw new UnsupportedCase("w: output channels " + outChannels + " exceed 2^31 - 1");
        }
        ConvProblem p = ConvProblem.builder().batch(x[0]).inChannels(x[1]).size(x[2], x[3])
                .outChannels((int) outChannels).kernel(w[2], w[3]).stride(stride[0], stride[1])
                .padding(padding[0], padding[1], padding[2], padding[3]).dilation(dilation[0], dilation[1]).groups(groups)
                .transposed(transposed).outputPadding(outputPadding[0], outputPadding[1]).build();
        Device device = r.device();
        Tensor tx = r.upload("x");
        Tensor tw = r.upload("w");
        Tensor tb = r.uploadIfGiven("b");
        Tensor tdy = r.uploadIfGiven("dy");
        if (r.wants("y")) {
            ConvAlgorithm a = pick(r, p, ConvDirection.FORWARD);
            r.compare("y", r.keep(device.conv2d(p, a, tx, tw, tb)), p.outputShape(), a.errorBound(), a.name());
        }
        if (r.wants("dx")) {
            ConvAlgorithm a = pick(r, p, ConvDirection.BACKWARD_DATA);
            r.compare("dx", r.keep(device.conv2dBackwardData(p, a, tdy, tw)), p.inputShape(), a.errorBound(), a.name());
        }
        if (r.wants("dw")) {
            ConvAlgorithm a = pick(r, p, ConvDirection.BACKWARD_FILTER);
            r.compare("dw", r.keep(device.conv2dBackwardFilter(p, a, tx, tdy)), p.weightShape(), a.errorBound(), a.name());
        }
        if (r.wants("db")) {
            r.compare("db", r.keep(device.conv2dBackwardBias(p, tdy)), p.biasShape(), ErrorBounds.REDUCTION, "reduction");
        }
    }

    /**
     * The algorithm that runs {@code direction} of {@code p}: the device's plan for the requested
     * algorithm (AUTO's choice, or the requested one if it applies). The one place the runner
     * chooses a convolution algorithm.
     */
    static ConvAlgorithm pick(CaseRun r, ConvProblem p, ConvDirection direction) {
        ConvPlan plan = r.device().plan(p, direction, r.algorithm());
        if (!plan.isRunnable()) {
            throw new UnsupportedCase("algorithm " + r.algorithm() + " cannot run " + direction.shortName() + " of " + p
                    + " on " + r.device().spec() + ": " + plan.whyNot().orElseThrow());
        }
        return plan.algorithm();
    }
}
