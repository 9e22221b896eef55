package io.jdnn;

import java.util.Set;

/**
 * A 1-D max or average pooling over (N, C, L) float32 tensors, PyTorch's {@code F.max_pool1d} and
 * {@code F.avg_pool1d}: every setting, validated on construction. It runs as the 2-D pooling
 * {@link #as2d()} of height 1 (x viewed as (N, C, 1, L), a 1 x kernel window), so every backend
 * of {@link PoolProblem} applies; sizes and bytes are that problem's.
 *
 * <p>Output length: PyTorch's {@code floor((L + 2*padding - dilation*(kernel-1) - 1 + (ceil ? stride-1 : 0)) / stride) + 1},
 * less one when ceil mode would start the last window in the right padding.
 *
 * <p>Canonical strings (see {@link ProblemString}): {@code maxpool1d_mb2ic3il10k3s2p1d1ceil0} and
 * {@code avgpool1d_mb2ic3il10k3s2p1ceil0cip1}. {@link #parse} reads them back, and also shorter
 * forms (batch 1, stride = kernel, padding 0, dilation 1, ceil 0, cip 1).
 *
 * @param mode            MAX or AVG
 * @param batch           sequences per batch (positive)
 * @param channels        channels of x and y (positive)
 * @param length          length L of x (positive)
 * @param kernel          window length (positive)
 * @param stride          stride (positive)
 * @param padding         padding at each end (at most kernel - 1)
 * @param dilation        spacing of the window's taps (positive; 1 for AVG)
 * @param ceilMode        rounds the output length up instead of down
 * @param countIncludePad AVG only: padded positions count in the divisor (false for MAX)
 */
public record Pool1dProblem(PoolMode mode, int batch, int channels, int length, int kernel, int stride, int padding,
                            int dilation, boolean ceilMode, boolean countIncludePad) {

    private static final Set<String> KEYS = Set.of("mb", "ic", "il", "k", "s", "p", "d", "ceil", "cip");

    /** Validates every field; the message names the 1-D field, the expected and the given value. */
    public Pool1dProblem {
        Check.that(mode == PoolMode.MAX || mode == PoolMode.AVG, "mode", "MAX or AVG", mode);
        Check.positive("batch", batch);
        Check.positive("channels", channels);
        Check.positive("length", length);
        Check.positive("kernel", kernel);
        Check.positive("stride", stride);
        Check.nonNegative("padding", padding);
        Check.positive("dilation", dilation);
        Check.that(padding < kernel, "padding", "at most kernel - 1=" + (kernel - 1), padding);
        if (mode == PoolMode.AVG) {
            Check.that(dilation == 1, "dilation", "1 for average pooling", dilation);
        } else {
            Check.that(!countIncludePad, "countIncludePad", "false for max pooling", true);
        }
        long out = PoolProblem.outSize(length, kernel, stride, padding, padding, dilation, ceilMode);
        Check.that(out >= 1, "output length", "a value >= 1 (length " + length + ", kernel " + kernel + ", stride "
                + stride + ", padding " + padding + ", dilation " + dilation + ")", out);
        int empty = PoolProblem.firstEmptyWindow(length, kernel, stride, padding, dilation, out);
        Check.that(empty < 0, "dilation", "windows that each cover at least one input element, but output element "
                + empty + " covers none (length " + length + ", kernel " + kernel + ", stride " + stride + ", padding "
                + padding + ")", dilation);
        Shape.of(batch, channels, length);
    }

    /** Max pooling with PyTorch's defaults for the rest: stride = kernel, padding 0, dilation 1, floor mode. */
    public static Pool1dProblem max(int batch, int channels, int length, int kernel) {
        return new Pool1dProblem(PoolMode.MAX, batch, channels, length, kernel, kernel, 0, 1, false, false);
    }

    /** Average pooling with PyTorch's defaults for the rest: stride = kernel, padding 0, floor mode, count_include_pad. */
    public static Pool1dProblem avg(int batch, int channels, int length, int kernel) {
        return new Pool1dProblem(PoolMode.AVG, batch, channels, length, kernel, kernel, 0, 1, false, true);
    }

    /** The 2-D pooling of height 1 this problem runs as: window 1 x kernel, stride 1 x s, padding 0 x p. */
    public PoolProblem as2d() {
        return new PoolProblem(mode, batch, channels, 1, length, 1, kernel, 1, stride, 0, padding, 1, dilation,
                ceilMode, countIncludePad, 0, 0);
    }

    /** Output length. */
    public int outLength() {
        return (int) PoolProblem.outSize(length, kernel, stride, padding, padding, dilation, ceilMode);
    }

    /** Shape of x: (batch, channels, length). */
    public Shape inputShape() {
        return Shape.of(batch, channels, length);
    }

    /** Shape of y: (batch, channels, outLength). */
    public Shape outputShape() {
        return Shape.of(batch, channels, outLength());
    }

    /** Minimal bytes of the forward pass: {@link PoolProblem#forwardBytes()} of {@link #as2d()}. */
    public long forwardBytes() {
        return as2d().forwardBytes();
    }

    /** Minimal bytes of the backward pass: {@link PoolProblem#backwardBytes()} of {@link #as2d()}. */
    public long backwardBytes() {
        return as2d().backwardBytes();
    }

    /** The canonical string, e.g. {@code maxpool1d_mb2ic3il10k3s2p1d1ceil0}. */
    @Override
    public String toString() {
        ProblemString.Builder b = ProblemString.of(mode == PoolMode.MAX ? "maxpool1d" : "avgpool1d")
                .i("mb", batch).i("ic", channels).i("il", length).i("k", kernel).i("s", stride).i("p", padding);
        if (mode == PoolMode.MAX) {
            b.i("d", dilation).i("ceil", ceilMode ? 1 : 0);
        } else {
            b.i("ceil", ceilMode ? 1 : 0).i("cip", countIncludePad ? 1 : 0);
        }
        return b.toString();
    }

    /** Reads a canonical string; see the class comment for the defaults of a shorter form. */
    public static Pool1dProblem parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("maxpool1d", "avgpool1d").allowOnly(KEYS);
        PoolMode mode = s.kind().equals("maxpool1d") ? PoolMode.MAX : PoolMode.AVG;
        int k = s.requireInt("k");
        return new Pool1dProblem(mode, s.intOr("mb", 1), s.requireInt("ic"), s.requireInt("il"), k, s.intOr("s", k),
                s.intOr("p", 0), s.intOr("d", 1), s.boolOr("ceil", false),
                mode == PoolMode.AVG && s.boolOr("cip", true));
    }
}
