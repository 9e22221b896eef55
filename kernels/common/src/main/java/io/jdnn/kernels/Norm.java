package io.jdnn.kernels;

import io.jdnn.GroupNormProblem;
import io.jdnn.LrnProblem;
import io.jdnn.spi.Buffer;

/**
 * The normalization ops of a {@link KernelDevice} ({@code norm.cl}): group norm (instance and
 * layer norm arrive as group norm), one work-group per (sample, group) row and one per channel for
 * the weight and bias gradients; local response norm across channels, one work-item per element.
 */
final class Norm {
    private Norm() {
    }

    private static final String SOURCE = "norm.cl";

    /** The row shape gn_forward and gn_backward_rows start with: rows, G, cpg, HW. */
    private static KernelLaunch rows(KernelLaunch l, GroupNormProblem p) {
        return l.arg("rows", p.batch() * p.groups()).arg("G", p.groups()).arg("cpg", p.channelsPerGroup())
                .arg("HW", (long) p.height() * p.width());
    }

    static void groupNormForward(KernelDevice device, GroupNormProblem p, Buffer x, Buffer weight, Buffer bias,
                                 Buffer y, Buffer saveMean, Buffer saveInvStd) {
        KernelDevice.Reduction r = device.reduction("groupNorm", p.toString(), SOURCE, "gn_forward", "NORM_WG");
        rows(r.launch(), p).arg("eps", (float) p.eps())
                .arg("x", x).arg("weight", weight).arg("bias", bias).arg("y", y)
                .arg("save_mean", saveMean).arg("save_invstd", saveInvStd)
                .groups(device.cappedGroups((long) p.batch() * p.groups()), r.localSize());
    }

    static void groupNormBackward(KernelDevice device, GroupNormProblem p, Buffer x, Buffer dy, Buffer weight,
                                  Buffer saveMean, Buffer saveInvStd, Buffer dx, Buffer dweight, Buffer dbias) {
        String op = "groupNormBackward";
        KernelDevice.Reduction r = device.reduction(op, p.toString(), SOURCE, "gn_backward_rows", "NORM_WG");
        rows(r.launch(), p)
                .arg("x", x).arg("dy", dy).arg("weight", weight)
                .arg("save_mean", saveMean).arg("save_invstd", saveInvStd).arg("dx", dx)
                .groups(device.cappedGroups((long) p.batch() * p.groups()), r.localSize());
        KernelDevice.Reduction c = device.reduction(op, p.toString(), SOURCE, "gn_backward_params", "NORM_WG");
        c.launch().arg("N", p.batch()).arg("C", p.channels()).arg("G", p.groups()).arg("cpg", p.channelsPerGroup())
                .arg("HW", (long) p.height() * p.width())
                .arg("x", x).arg("dy", dy).arg("save_mean", saveMean).arg("save_invstd", saveInvStd)
                .arg("dweight", dweight).arg("dbias", dbias)
                .groups(device.cappedGroups(p.channels()), c.localSize());
    }

    /** The arguments every lrn kernel starts with: N, C, HW, lo, hi, scale, beta, k. */
    private static KernelLaunch lrn(KernelDevice device, String op, LrnProblem p, String kernel) {
        return device.launch(op, p.toString(), SOURCE, kernel)
                .arg("N", p.batch()).arg("C", p.channels()).arg("HW", (long) p.height() * p.width())
                .arg("lo", p.lowerReach()).arg("hi", p.upperReach()).arg("scale", (float) (p.alpha() / p.size()))
                .arg("beta", (float) p.beta()).arg("k", (float) p.k());
    }

    static void lrnForward(KernelDevice device, LrnProblem p, Buffer x, Buffer y) {
        lrn(device, "localResponseNorm", p, "lrn_forward").arg("x", x).arg("y", y)
                .elements(p.inputShape().elements());
    }

    static void lrnBackward(KernelDevice device, LrnProblem p, Buffer x, Buffer dy, Buffer dx) {
        String op = "localResponseNormBackward";
        long n = p.inputShape().elements();
        Buffer w = device.workspace("norm.lrnWeights", n);
        lrn(device, op, p, "lrn_backward_weights").arg("x", x).arg("dy", dy).arg("w", w).elements(n);
        lrn(device, op, p, "lrn_backward_apply").arg("factor", (float) (2 * p.alpha() * p.beta() / p.size()))
                .arg("x", x).arg("dy", dy).arg("w", w).arg("dx", dx).elements(n);
    }
}
