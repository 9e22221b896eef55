package io.jdnn.cpu.fast;

import io.jdnn.Activation;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;

import java.util.Optional;

/**
 * The cpu backend's convolution algorithms: which can run what ({@link #whyNot}) and the
 * dispatch ({@link #run}); how AUTO measures them is {@link CpuConvSelector}.
 *
 * <table>
 *   <caption>Algorithms per direction</caption>
 *   <tr><th></th><th>forward</th><th>backward-data</th><th>backward-filter</th></tr>
 *   <tr><td>WINOGRAD</td><td>F(4x4,3x3), dilation by phases</td><td>same, flipped filter</td><td>-</td></tr>
 *   <tr><td>IM2COL_GEMM</td><td>packed column blocks x GEMM</td><td>stride-phase gather GEMM</td>
 *       <td>dy x packed columns^T, fixed image chunks</td></tr>
 *   <tr><td>DEPTHWISE</td><td>padded-row multiply-adds</td><td>same, flipped (stride 1)</td><td>row dot products</td></tr>
 *   <tr><td>DIRECT</td><td>straight loops</td><td>straight gather loops</td><td>straight loops</td></tr>
 * </table>
 */
final class ConvAlgorithms {
    private ConvAlgorithms() {
    }

    static Optional<String> whyNot(DirectConv d, ConvDirection direction, ConvAlgorithm a) {
        switch (a) {
            case DIRECT, IM2COL_GEMM:
                return Optional.empty();
            case WINOGRAD:
                if (direction == ConvDirection.BACKWARD_FILTER) {
                    return Optional.of("the cpu backend has no Winograd backward-filter (IM2COL_GEMM runs it)");
                }
                if (d.r() != 3 || d.s() != 3 || d.strideH() != 1 || d.strideW() != 1) {
                    return Optional.of("Winograd F(4x4,3x3) needs a 3x3 filter and stride 1 (any dilation), got "
                            + d.r() + "x" + d.s() + " stride " + d.strideH() + "x" + d.strideW());
                }
                return Optional.empty();
            case DEPTHWISE:
                if (!d.isDepthwise()) {
                    return Optional.of("depthwise needs groups == image channels, got groups=" + d.groups() + " with "
                            + d.c() + " image channels");
                }
                return Optional.empty();
            case IMPLICIT_GEMM:
                return Optional.of("the cpu backend has no separate implicit GEMM: IM2COL_GEMM already packs column "
                        + "blocks on the fly into cache-sized workspaces, never the whole column matrix");
            case TENSOR_CORE_TF32:
            case TENSOR_CORE_BF16:
                return Optional.of("tensor cores are a GPU feature; the cpu backend computes in float32");
            case GROUPED:
                return Optional.of("GROUPED is not offered by the cpu backend: IM2COL_GEMM packs each group's columns "
                        + "and covers grouped problems");
            default: // AUTO: io.jdnn.Device plans it, a backend never sees it
                throw new IllegalArgumentException("algorithm: expected a concrete algorithm, got " + a);
        }
    }

    /**
     * Runs one direction: in1 is x (forward, backward-filter) or dy (backward-data); in2 the weights
     * (forward, backward-data: their packs are kept on the buffer) or dy (backward-filter); act,
     * where not null, is the fused epilogue each algorithm applies to the output where it stores it
     * (forward and backward-data only).
     */
    static void run(CpuDevice dev, DirectConv d, ConvDirection direction, ConvAlgorithm a, float[] in1, CpuBuffer in2Buffer,
                    float[] bias, Activation act, float[] out) {
        float[] in2 = in2Buffer.read();
        switch (direction) {
            case FORWARD -> {
                switch (a) {
                    case WINOGRAD -> ConvWinograd.forward(dev, d, in1, in2Buffer, bias, act, out);
                    case IM2COL_GEMM -> ConvGemm.forward(dev, d, in1, in2, bias, act, out);
                    case DEPTHWISE -> ConvDepthwise.forward(dev, d, in1, in2, bias, act, out);
                    case DIRECT -> ConvDirect.forward(dev, d, in1, in2, bias, act, out);
                    default -> throw unsupported(d, direction, a);
                }
            }
            case BACKWARD_DATA -> {
                switch (a) {
                    case WINOGRAD -> ConvWinograd.backwardData(dev, d, in1, in2Buffer, bias, act, out);
                    case IM2COL_GEMM -> ConvGemmData.backwardData(dev, d, in1, in2Buffer, bias, act, out);
                    case DEPTHWISE -> ConvDepthwise.backwardData(dev, d, in1, in2, bias, act, out);
                    case DIRECT -> ConvDirect.backwardData(dev, d, in1, in2, bias, act, out);
                    default -> throw unsupported(d, direction, a);
                }
            }
            case BACKWARD_FILTER -> {
                switch (a) {
                    case IM2COL_GEMM -> {
                        if (ConvGemmFilter.suits(dev.kernels(), d)) {
                            ConvGemmFilter.backwardFilter(dev, d, in1, in2, out); // the same bits, faster here
                        } else {
                            ConvGemm.backwardFilter(dev, d, in1, in2, out);
                        }
                    }
                    case DEPTHWISE -> ConvDepthwise.backwardFilter(dev, d, in1, in2, out);
                    case DIRECT -> ConvDirect.backwardFilter(dev, d, in1, in2, out);
                    default -> throw unsupported(d, direction, a);
                }
            }
        }
    }

    private static IllegalArgumentException unsupported(DirectConv d, ConvDirection direction, ConvAlgorithm a) {
        return new IllegalArgumentException("algorithm: " + a + " cannot run " + direction.shortName() + " of " + d + ": "
                + whyNot(d, direction, a).orElse("not supported"));
    }
}
