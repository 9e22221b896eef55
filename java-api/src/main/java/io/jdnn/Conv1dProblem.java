package io.jdnn;

import java.util.Set;

/**
 * A 1-D convolution over (N, C, L) float32 tensors, PyTorch's {@code F.conv1d}: every extent and
 * setting, validated on construction. It runs as the 2-D convolution {@link #as2d()} of height 1
 * (x viewed as (N, C, 1, L), w as (K, C/groups, 1, R)), so every backend and algorithm of
 * {@link ConvProblem} applies; sizes, flops and bytes are that problem's.
 *
 * <p>Output length: {@code floor((L + 2*padding - dilation*(kernel-1) - 1) / stride) + 1}.
 *
 * <p>Canonical string (see {@link ProblemString}): {@code conv1d_mb2ic3il10oc4k3s1p1d1g1}.
 * {@link #parse} reads it back, and also shorter forms that leave out defaults (batch 1, stride 1,
 * padding 0, dilation 1, groups 1).
 *
 * @param batch       sequences per batch (positive)
 * @param inChannels  channels of x (positive, a multiple of groups)
 * @param length      length L of x (positive)
 * @param outChannels channels of y (positive, a multiple of groups)
 * @param kernel      kernel length R (positive)
 * @param stride      stride (positive)
 * @param padding     zeros added at each end (non-negative)
 * @param dilation    spacing of the kernel taps (positive; 1 is dense)
 * @param groups      channel groups (positive)
 */
public record Conv1dProblem(int batch, int inChannels, int length, int outChannels, int kernel, int stride,
                            int padding, int dilation, int groups) {

    private static final Set<String> KEYS = Set.of("mb", "ic", "il", "oc", "k", "s", "p", "d", "g");

    /** Validates every field; the message names the 1-D field, the expected and the given value. */
    public Conv1dProblem {
        Check.positive("batch", batch);
        Check.positive("inChannels", inChannels);
        Check.positive("length", length);
        Check.positive("outChannels", outChannels);
        Check.positive("kernel", kernel);
        Check.positive("stride", stride);
        Check.nonNegative("padding", padding);
        Check.positive("dilation", dilation);
        Check.positive("groups", groups);
        Check.that(inChannels % groups == 0, "inChannels", "a multiple of groups=" + groups, inChannels);
        Check.that(outChannels % groups == 0, "outChannels", "a multiple of groups=" + groups, outChannels);
        long out = ConvProblem.outSize(false, length, kernel, stride, 2L * padding, dilation, 0);
        Check.that(out >= 1 && out <= Integer.MAX_VALUE, "output length", "a value in [1, 2^31) = floor((length "
                + length + " + 2 * padding " + padding + " - dilation " + dilation + " * (kernel " + kernel
                + " - 1) - 1) / stride " + stride + ") + 1", out);
        Shape.of(batch, Math.max(inChannels, outChannels), (int) Math.max(length, out));
    }

    /** The 2-D convolution of height 1 this problem runs as: kernel 1 x R, stride 1 x s, padding 0 x p. */
    public ConvProblem as2d() {
        return new ConvProblem(batch, inChannels, 1, length, outChannels, 1, kernel, 1, stride, 0, padding, 1,
                dilation, groups, false, 0, 0);
    }

    /** Output length. */
    public int outLength() {
        return (int) ConvProblem.outSize(false, length, kernel, stride, 2L * padding, dilation, 0);
    }

    /** Shape of x: (batch, inChannels, length). */
    public Shape inputShape() {
        return Shape.of(batch, inChannels, length);
    }

    /** Shape of y: (batch, outChannels, outLength). */
    public Shape outputShape() {
        return Shape.of(batch, outChannels, outLength());
    }

    /** Shape of w: (outChannels, inChannels/groups, kernel). */
    public Shape weightShape() {
        return Shape.of(outChannels, inChannels / groups, kernel);
    }

    /** Shape of the bias: (outChannels). */
    public Shape biasShape() {
        return Shape.of(outChannels);
    }

    /** Multiply-adds times two, the same for each direction: {@link ConvProblem#flops()} of {@link #as2d()}. */
    public long flops() {
        return as2d().flops();
    }

    /** Minimal bytes of one pass: {@link ConvProblem#bytes} of {@link #as2d()}. */
    public long bytes(ConvDirection direction, boolean withBias) {
        return as2d().bytes(direction, withBias);
    }

    /** The canonical string, e.g. {@code conv1d_mb2ic3il10oc4k3s1p1d1g1}. */
    @Override
    public String toString() {
        return ProblemString.of("conv1d").i("mb", batch).i("ic", inChannels).i("il", length).i("oc", outChannels)
                .i("k", kernel).i("s", stride).i("p", padding).i("d", dilation).i("g", groups).toString();
    }

    /** Reads a canonical string; see the class comment for the defaults of a shorter form. */
    public static Conv1dProblem parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("conv1d").allowOnly(KEYS);
        return new Conv1dProblem(s.intOr("mb", 1), s.requireInt("ic"), s.requireInt("il"), s.requireInt("oc"),
                s.requireInt("k"), s.intOr("s", 1), s.intOr("p", 0), s.intOr("d", 1), s.intOr("g", 1));
    }
}
