package io.jdnn.tests.conformance;

import io.jdnn.Activation;
import io.jdnn.BatchNormProblem;
import io.jdnn.ConvProblem;
import io.jdnn.LinearProblem;
import io.jdnn.PoolMode;
import io.jdnn.PoolProblem;
import io.jdnn.tests.support.Knobs;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.util.Optional;

/**
 * Problem generators of the conformance suite. Every generated problem is valid by construction
 * (dependent parameters are derived from independent ones by clamping or modulo, so that jqwik can
 * shrink each independent one towards its smallest value and the problem stays valid), and the
 * distributions lean on purpose towards what breaks kernels: 1x1 images, kernels as large as the
 * (padded) input, strides larger than the kernel, dilation together with stride, padding as large
 * as or larger than the kernel, groups and depthwise, batch 1, sizes no tile divides, channel
 * counts around and over 256 for the per-channel ops. Upper bounds grow with
 * {@code jdnn.test.scale}; at scale 1 every problem runs in milliseconds on PoCL.
 */
final class Generators {
    private Generators() {
    }

    static Arbitrary<Integer> ints(int min, int max) {
        return Arbitraries.integers().between(min, max);
    }

    /**
     * An extent up to {@code base * scale}, half the time one of the awkward sizes (1, primes,
     * one off a power of two) that fit.
     */
    static Arbitrary<Integer> extent(int base) {
        int max = Knobs.upTo(base);
        Arbitrary<Integer> awkward = Arbitraries.of(1, 2, 3, 5, 7, 11, 13, 17, 31, 33, 63, 65, 127, 129, 257)
                .filter(v -> v <= max);
        return Arbitraries.oneOf(ints(1, max), awkward);
    }

    // ------------------------------------------------------------------ convolution

    /** One spatial axis of a convolution: kernel, stride, dilation, raw padding, extra size, raw output padding. */
    record ConvAxis(int kernel, int stride, int dilation, int padRaw, int extra, int outPadRaw) {
        int effectiveKernel() {
            return dilation * (kernel - 1) + 1;
        }

        /** Output padding of a transposed convolution: below max(stride, dilation) as PyTorch requires. */
        int outputPad() {
            return outPadRaw % Math.max(stride, dilation);
        }

        /**
         * Input extent of a direct convolution: {@code effectiveKernel - 2*pad + extra}, at least 1, so
         * that extra = 0 and pad = 0 make the kernel exactly as large as the input.
         */
        int directInput() {
            return Math.max(1, effectiveKernel() - 2 * padRaw + extra);
        }

        /** Input extent of a transposed convolution. */
        int transposedInput() {
            return 1 + extra / 2;
        }

        /** Padding of a transposed convolution, clamped so that the output has at least one row. */
        int transposedPad() {
            int in = transposedInput();
            return Math.min(padRaw, ((in - 1) * stride + dilation * (kernel - 1) + outputPad()) / 2);
        }
    }

    /** Dilation 1 in half the draws, 2 or 3 otherwise. */
    static Arbitrary<Integer> dilations() {
        return Arbitraries.frequency(Tuple.of(2, 1), Tuple.of(1, 2), Tuple.of(1, 3));
    }

    static Arbitrary<ConvAxis> convAxis() {
        // Padding up to 5 exceeds the largest effective kernel of some problems: outputs that see only padding.
        return Combinators.combine(ints(1, 5), ints(1, 4), dilations(), ints(0, 5), ints(0, Knobs.upTo(8)), ints(0, 3))
                .as(ConvAxis::new);
    }

    /** An axis of the shape Winograd F(m x m, 3x3) takes: kernel 3, stride 1, dilation 1. */
    static Arbitrary<ConvAxis> winogradAxis() {
        return Combinators.combine(ints(0, 2), ints(0, Knobs.upTo(10)), ints(0, 3))
                .as((pad, extra, outPad) -> new ConvAxis(3, 1, 1, pad, extra, outPad));
    }

    /** Height and width axes: independent, or (one draw in five) both Winograd-shaped, which independent draws almost never give. */
    static Arbitrary<ConvAxis[]> convAxes() {
        Arbitrary<ConvAxis[]> independent = Combinators.combine(convAxis(), convAxis()).as((h, w) -> new ConvAxis[] {h, w});
        Arbitrary<ConvAxis[]> winograd = Combinators.combine(winogradAxis(), winogradAxis())
                .as((h, w) -> new ConvAxis[] {h, w});
        return Arbitraries.frequencyOf(Tuple.of(4, independent), Tuple.of(1, winograd));
    }

    /**
     * Channels of a convolution: groups, channels per group on the image side (x of a direct
     * convolution, y of a transposed one) and on the response side; depthwise makes the image side
     * one channel per group (groups == image channels), with a depth multiplier of responsePerGroup.
     */
    record ConvChannels(int batch, int groups, int imagePerGroup, int responsePerGroup, boolean depthwise) {
        int image() {
            return groups * (depthwise ? 1 : imagePerGroup);
        }

        int response() {
            return groups * responsePerGroup;
        }
    }

    static Arbitrary<ConvChannels> convChannels() {
        return Combinators.combine(ints(1, Knobs.upTo(3)), ints(1, 3 * Knobs.scale()), ints(1, Knobs.upTo(4)),
                ints(1, Knobs.upTo(4)), Arbitraries.of(false, true)).as(ConvChannels::new);
    }

    static ConvProblem conv(ConvAxis h, ConvAxis w, ConvChannels c, boolean transposed) {
        ConvProblem.Builder b = ConvProblem.builder().batch(c.batch()).groups(c.groups())
                .kernel(h.kernel(), w.kernel()).stride(h.stride(), w.stride()).dilation(h.dilation(), w.dilation())
                .transposed(transposed);
        if (transposed) {
            // The image side of a transposed convolution is its output.
            return b.inChannels(c.response()).outChannels(c.image())
                    .size(h.transposedInput(), w.transposedInput())
                    .padding(h.transposedPad(), w.transposedPad())
                    .outputPadding(h.outputPad(), w.outputPad()).build();
        }
        return b.inChannels(c.image()).outChannels(c.response()).size(h.directInput(), w.directInput())
                .padding(h.padRaw(), w.padRaw()).build();
    }

    /** Direct and transposed convolutions (about 2 in 5 transposed). */
    static Arbitrary<ConvProblem> convProblems() {
        return Combinators.combine(convAxes(), convChannels(), Arbitraries.frequency(Tuple.of(3, false), Tuple.of(2, true)))
                .as((axes, c, transposed) -> conv(axes[0], axes[1], c, transposed));
    }

    /**
     * Direct and transposed convolutions with asymmetric padding ([top, left, bottom, right]): a
     * {@link #convProblems()} draw whose bottom and right padding differ from the top and left by
     * -2 to +3; draws whose output would be empty are dropped.
     */
    static Arbitrary<ConvProblem> asymmetricConvProblems() {
        return Combinators.combine(convProblems(), ints(-2, 3), ints(-2, 3))
                .as((p, db, dr) -> {
                    try {
                        return Optional.of(new ConvProblem(p.batch(), p.inChannels(), p.height(), p.width(),
                                p.outChannels(), p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), p.padH(), p.padW(),
                                p.dilationH(), p.dilationW(), p.groups(), p.transposed(), p.outputPadH(),
                                p.outputPadW(), Math.max(0, p.padH() + db), Math.max(0, p.padW() + dr)));
                    } catch (IllegalArgumentException e) {
                        return Optional.<ConvProblem>empty();
                    }
                })
                .filter(Optional::isPresent).map(Optional::get);
    }

    /** Convolutions with many output channels (around and over 256) and small images: for the bias gradient. */
    static Arbitrary<ConvProblem> wideConvProblems() {
        Arbitrary<Integer> channels = Arbitraries.oneOf(Arbitraries.of(255, 256, 257, 300, 511, 513),
                ints(1, Knobs.upTo(320)));
        return Combinators.combine(ints(1, Knobs.upTo(3)), channels, extent(9), extent(9), Arbitraries.of(false, true))
                .as((n, k, h, w, transposed) -> ConvProblem.builder().batch(n).inChannels(transposed ? k : 1)
                        .outChannels(transposed ? 1 : k).size(h, w).kernel(1, 1).transposed(transposed).build());
    }

    // ------------------------------------------------------------------ pooling

    /** One spatial axis of a pooling window. */
    record PoolAxis(int kernel, int stride, int dilation, int padRaw, int extra) {
        int pad() {
            return Math.min(padRaw, kernel / 2);
        }

        int input() {
            return Math.max(1, dilation * (kernel - 1) + 1 - 2 * pad() + extra);
        }
    }

    static Arbitrary<PoolAxis> poolAxis() {
        return Combinators.combine(ints(1, 4), ints(1, 4), dilations(), ints(0, 2), ints(0, Knobs.upTo(9)))
                .as(PoolAxis::new);
    }

    /**
     * MAX or AVG problems. A dilated window can fall entirely on padding, which PoolProblem refuses
     * (PyTorch would read out of range); such draws are dropped, a few percent of them.
     */
    static Arbitrary<PoolProblem> windowedPools(PoolMode mode) {
        return Combinators.combine(ints(1, Knobs.upTo(2)), ints(1, Knobs.upTo(5)), poolAxis(), poolAxis(),
                Arbitraries.of(false, true), Arbitraries.of(true, false))
                .as((n, c, h, w, ceil, cip) -> {
                    boolean max = mode == PoolMode.MAX;
                    PoolAxis hh = max ? h : new PoolAxis(h.kernel(), h.stride(), 1, h.padRaw(), h.extra());
                    PoolAxis ww = max ? w : new PoolAxis(w.kernel(), w.stride(), 1, w.padRaw(), w.extra());
                    PoolProblem.Builder b = max ? PoolProblem.max() : PoolProblem.avg();
                    b.batch(n).channels(c).size(hh.input(), ww.input()).kernel(hh.kernel(), ww.kernel())
                            .stride(hh.stride(), ww.stride()).padding(hh.pad(), ww.pad())
                            .dilation(hh.dilation(), ww.dilation()).ceilMode(ceil);
                    if (!max) {
                        b.countIncludePad(cip);
                    }
                    try {
                        return Optional.of(b.build());
                    } catch (IllegalArgumentException e) {
                        return Optional.<PoolProblem>empty();
                    }
                })
                .filter(Optional::isPresent).map(Optional::get);
    }

    /**
     * MAX or AVG problems with padding beyond half the window and asymmetric padding: a
     * {@link #windowedPools} draw whose four pads are redrawn, each in [0, kernel - 1] (so windows
     * that lie mostly in the padding); draws PoolProblem refuses are dropped.
     */
    static Arbitrary<PoolProblem> widelyPaddedPools(PoolMode mode) {
        return Combinators.combine(windowedPools(mode), ints(0, 3), ints(0, 3), ints(0, 3), ints(0, 3))
                .as((p, pt, pl, pb, pr) -> {
                    try {
                        return Optional.of(new PoolProblem(p.mode(), p.batch(), p.channels(), p.height(), p.width(),
                                p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), pt % p.kernelH(), pl % p.kernelW(),
                                p.dilationH(), p.dilationW(), p.ceilMode(), p.countIncludePad(), 0, 0,
                                pb % p.kernelH(), pr % p.kernelW()));
                    } catch (IllegalArgumentException e) {
                        return Optional.<PoolProblem>empty();
                    }
                })
                .filter(Optional::isPresent).map(Optional::get);
    }

    static Arbitrary<PoolProblem> adaptivePools() {
        // Output sizes from 1 to a few more than the input: windows of one row, and windows that repeat rows.
        return Combinators.combine(ints(1, Knobs.upTo(2)), ints(1, Knobs.upTo(5)), extent(13), extent(13),
                ints(1, Knobs.upTo(16)), ints(1, Knobs.upTo(16)))
                .as((n, c, h, w, oh, ow) -> PoolProblem.adaptiveAvg(n, c, h, w, Math.min(oh, h + 3), Math.min(ow, w + 3)));
    }

    /** MAX, AVG and ADAPTIVE_AVG problems. */
    static Arbitrary<PoolProblem> poolProblems() {
        return Arbitraries.oneOf(windowedPools(PoolMode.MAX), windowedPools(PoolMode.AVG), adaptivePools());
    }

    // ------------------------------------------------------------------ batch norm

    /**
     * Batch-norm problems with at least {@code minReduction} values per channel (N*H*W): 1 for
     * inference; 2 for training (PyTorch refuses 1: the unbiased variance divides by M-1); 3 for
     * the training backward pass, whose dx with M = 2 is (dy_i - dy_j) * eps / (var + eps) times
     * gamma * invstd / 2, a cancellation of 1 - xhat^2 that no float32 formula resolves when the
     * two values differ by more than sqrt(eps).
     */
    static Arbitrary<BatchNormProblem> batchNormProblems(int minReduction) {
        Arbitrary<Integer> channels = Arbitraries.oneOf(ints(1, Knobs.upTo(8)), Arbitraries.of(255, 256, 257, 300),
                ints(1, Knobs.upTo(320)));
        return Combinators.combine(ints(1, Knobs.upTo(4)), channels, extent(7), extent(7),
                Arbitraries.of(BatchNormProblem.DEFAULT_EPS, 1e-3, 0.1),
                Arbitraries.of(BatchNormProblem.DEFAULT_MOMENTUM, 0.0, 1.0, 0.37))
                .as(BatchNormProblem::new)
                .filter(p -> p.reductionSize() >= minReduction);
    }

    // ------------------------------------------------------------------ linear

    static Arbitrary<LinearProblem> linearProblems() {
        return Combinators.combine(extent(9), extent(70), extent(70)).as(LinearProblem::new);
    }

    /** Every activation kind, with parameters on both sides of 1 (negative slopes, softplus thresholds the inputs cross). */
    static Arbitrary<Activation> activations() {
        return Arbitraries.oneOf(
                Arbitraries.just(Activation.relu()),
                Arbitraries.of(0.01, 0.2, 1.5, -0.25).map(Activation::leakyRelu),
                Arbitraries.of(1.0, 0.5, 2.0, 0.0).map(Activation::elu),
                Arbitraries.just(Activation.sigmoid()),
                Arbitraries.just(Activation.tanh()),
                Arbitraries.of(Activation.relu6(), Activation.hardswish(), Activation.hardsigmoid(), Activation.silu(),
                        Activation.mish(), Activation.gelu(), Activation.geluTanh()),
                Combinators.combine(Arbitraries.of(1.0, 2.0, 0.5, 3.0), Arbitraries.of(20.0, 1.0, 0.0, -2.0))
                        .as(Activation::softplus));
    }
}
