package io.jdnn.tests.conformance;

import io.jdnn.BatchNormProblem;
import io.jdnn.ConvProblem;
import io.jdnn.DirectConv;
import io.jdnn.PoolMode;
import io.jdnn.PoolProblem;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

import java.util.Map;
import java.util.function.Predicate;

/**
 * The generators reach the awkward cases on purpose, and keep doing so: each property draws
 * problems only (no device runs) and fails when a case the suite relies on becomes rarer than the
 * share stated here. The shares are what the generators are built to give at scale 1, with margin;
 * they say nothing about numerical error.
 */
class GeneratorCoverageTest {

    @Provide
    Arbitrary<ConvProblem> convs() {
        return Generators.convProblems();
    }

    @Provide
    Arbitrary<PoolProblem> pools() {
        return Generators.poolProblems();
    }

    @Provide
    Arbitrary<BatchNormProblem> bns() {
        return Generators.batchNormProblems(1);
    }

    /** Collects each feature as true/false and requires true in at least {@code percent} of the tries. */
    private static void cover(Map<String, Boolean> features, Map<String, Double> minPercent) {
        for (Map.Entry<String, Boolean> f : features.entrySet()) {
            Statistics.label(f.getKey()).collect(f.getValue());
            double min = minPercent.get(f.getKey());
            Predicate<Double> enough = p -> p >= min;
            Statistics.label(f.getKey()).coverage(c -> c.check(true).percentage(enough));
        }
    }

    @Property(tries = 1000)
    @StatisticsReport(onFailureOnly = true)
    void convolutions(@ForAll("convs") ConvProblem p) {
        DirectConv d = p.direct();
        boolean strideOverKernel = p.strideH() > p.kernelH() || p.strideW() > p.kernelW();
        boolean kernelCoversPaddedInput = !p.transposed()
                && (p.dilationH() * (p.kernelH() - 1) + 1 == p.height() + 2 * p.padH()
                || p.dilationW() * (p.kernelW() - 1) + 1 == p.width() + 2 * p.padW());
        cover(Map.of(
                        "transposed", p.transposed(),
                        "transposed with output padding", p.transposed() && (p.outputPadH() > 0 || p.outputPadW() > 0),
                        "groups > 1", p.groups() > 1,
                        "depthwise", d.isDepthwise() && p.groups() > 1,
                        "batch 1", p.batch() == 1,
                        "1x1 image side", d.h() == 1 || d.w() == 1,
                        "stride > kernel", strideOverKernel,
                        "dilation with stride", (p.dilationH() > 1 && p.strideH() > 1) || (p.dilationW() > 1 && p.strideW() > 1),
                        "kernel as large as the padded input", kernelCoversPaddedInput,
                        "3x3 stride 1 (Winograd)", d.is3x3Stride1()),
                Map.of("transposed", 20.0, "transposed with output padding", 10.0, "groups > 1", 40.0, "depthwise", 15.0,
                        "batch 1", 12.0, "1x1 image side", 10.0, "stride > kernel", 20.0, "dilation with stride", 20.0,
                        "kernel as large as the padded input", 10.0, "3x3 stride 1 (Winograd)", 10.0));
    }

    @Property(tries = 1000)
    @StatisticsReport(onFailureOnly = true)
    void pooling(@ForAll("pools") PoolProblem p) {
        boolean windowed = p.mode() != PoolMode.ADAPTIVE_AVG;
        cover(Map.of(
                        "max", p.mode() == PoolMode.MAX,
                        "avg", p.mode() == PoolMode.AVG,
                        "adaptive", p.mode() == PoolMode.ADAPTIVE_AVG,
                        "adaptive output larger than input", p.mode() == PoolMode.ADAPTIVE_AVG
                                && (p.adaptiveH() > p.height() || p.adaptiveW() > p.width()),
                        "ceil mode", windowed && p.ceilMode(),
                        "avg without count_include_pad", p.mode() == PoolMode.AVG && !p.countIncludePad()
                                && (p.padH() > 0 || p.padW() > 0),
                        "max with dilation", p.mode() == PoolMode.MAX && (p.dilationH() > 1 || p.dilationW() > 1),
                        "stride > kernel", windowed && (p.strideH() > p.kernelH() || p.strideW() > p.kernelW()),
                        "padding", windowed && (p.padH() > 0 || p.padW() > 0),
                        "1x1 input", p.height() == 1 && p.width() == 1),
                Map.of("max", 20.0, "avg", 15.0, "adaptive", 15.0, "adaptive output larger than input", 5.0,
                        "ceil mode", 10.0, "avg without count_include_pad", 2.0, "max with dilation", 15.0,
                        "stride > kernel", 20.0, "padding", 25.0, "1x1 input", 0.5));
    }

    @Property(tries = 1000)
    @StatisticsReport(onFailureOnly = true)
    void batchNorm(@ForAll("bns") BatchNormProblem p) {
        cover(Map.of(
                        "channels over 256", p.channels() > 256,
                        "batch 1", p.batch() == 1,
                        "1x1 images", p.height() == 1 && p.width() == 1,
                        "momentum 0 or 1", p.momentum() == 0 || p.momentum() == 1),
                Map.of("channels over 256", 10.0, "batch 1", 12.0, "1x1 images", 3.0, "momentum 0 or 1", 20.0));
    }
}
