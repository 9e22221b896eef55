package io.jdnn.kernels;

import io.jdnn.ConvAlgorithm;

import java.util.ArrayList;
import java.util.List;

/**
 * The registry of the convolution algorithms every GPU backend built on {@link KernelDevice}
 * runs (OpenCL and CUDA). To add one, write a class that implements {@link KernelConvAlgorithm}
 * and add one line to {@link #ALL}; the backends' {@code algorithms()}, {@code whyNot}, AUTO's
 * candidates and the documentation's lists all come from here (a backend may append algorithms
 * of its own, see {@link KernelDevice#convAlgorithms()}).
 */
public final class KernelConvAlgorithms {
    private KernelConvAlgorithms() {
    }

    /**
     * Every algorithm, in the preferred order: the order {@code algorithms()} reports, and the
     * one AUTO falls back to when it cannot time the candidates.
     */
    public static final List<KernelConvAlgorithm> ALL = List.of(
            new DirectConvAlgorithm(),
            new Im2colGemmConvAlgorithm(),
            new ImplicitGemmConvAlgorithm(),
            new WinogradConvAlgorithm(),
            new DepthwiseConvAlgorithm(),
            new GroupedConvAlgorithm()
    );

    /** The algorithm of {@code registry} with this id, or null. */
    public static KernelConvAlgorithm find(List<? extends KernelConvAlgorithm> registry, ConvAlgorithm id) {
        for (KernelConvAlgorithm a : registry) {
            if (a.id() == id) {
                return a;
            }
        }
        return null;
    }

    /** The ids of {@code registry}, in order. */
    public static List<ConvAlgorithm> ids(List<? extends KernelConvAlgorithm> registry) {
        List<ConvAlgorithm> out = new ArrayList<>();
        for (KernelConvAlgorithm a : registry) {
            out.add(a.id());
        }
        return List.copyOf(out);
    }
}
