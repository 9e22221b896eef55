package io.jdnn.kernels;

import io.jdnn.DirectConv;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the GEMM-based and tiled convolution algorithms (IM2COL_GEMM, IMPLICIT_GEMM, WINOGRAD,
 * DEPTHWISE, GROUPED) share: the workspace budget and the 32-bit limits of their kernels' indices
 * (the launch limits every backend keeps to are {@link CudaLimits}; the shape arguments every conv
 * kernel starts with, {@link KernelLaunch#convShape}).
 */
final class ConvAlgorithmSupport {
    private ConvAlgorithmSupport() {
    }

    /** Largest workspace an algorithm takes, in bytes, on a device of unknown or large memory. */
    static final long WORKSPACE_CAP_BYTES = 512L << 20;

    /**
     * The workspace budget in floats: {@code bytes} when positive (an algorithm built with an
     * explicit budget), else {@value #WORKSPACE_CAP_BYTES} bytes, or an eighth of the device's
     * memory when that is less (OpenCL guarantees a single allocation of a quarter of it, so the
     * budget always fits one buffer).
     */
    static long workspaceBudgetFloats(KernelDevice device, long bytes) {
        if (bytes > 0) {
            return bytes / Float.BYTES;
        }
        long mem = device.info().memoryBytes();
        return (mem > 0 ? Math.min(WORKSPACE_CAP_BYTES, mem / 8) : WORKSPACE_CAP_BYTES) / Float.BYTES;
    }

    /** What {@link #workspaceBudgetFloats} means, for messages. */
    static String budgetRule(long bytes) {
        return bytes > 0 ? "this algorithm's budget" : "budget (min(512 MiB, device memory / 8))";
    }

    /** Human-readable bytes of {@code floats} float32 elements. */
    static String mib(long floats) {
        double b = floats * (double) Float.BYTES;
        return b >= (1 << 20) ? String.format(Locale.ROOT, "%.1f MiB", b / (1 << 20))
                : String.format(Locale.ROOT, "%.1f KiB", b / 1024);
    }

    /**
     * "why not" when the per-image workspace {@code perImage} (plus {@code fixed}, needed once)
     * exceeds the budget of {@code budgetBytes} (see {@link #workspaceBudgetFloats}), naming what it
     * holds; empty otherwise.
     */
    static Optional<String> workspaceFits(KernelDevice device, long budgetBytes, String what, long fixed,
                                          long perImage) {
        long budget = workspaceBudgetFloats(device, budgetBytes);
        if (fixed + perImage > budget) {
            return Optional.of(what + " of one image need " + mib(fixed + perImage) + " of workspace, more than the "
                    + mib(budget) + " " + budgetRule(budgetBytes));
        }
        return Optional.empty();
    }

    /** Images per chunk: as many as the budget holds after {@code fixed}, at least one, at most n and {@code cap}. */
    static int imagesPerChunk(KernelDevice device, long budgetBytes, DirectConv conv, long fixed, long perImage,
                              int cap) {
        long budget = workspaceBudgetFloats(device, budgetBytes) - fixed;
        long nb = perImage <= 0 ? conv.n() : budget / perImage;
        return (int) Math.max(1, Math.min(Math.min(nb, conv.n()), cap));
    }

    /** "why not" when an extent a kernel indexes with 32-bit ints reaches 2^31; empty otherwise. */
    static Optional<String> int31(String what, long value) {
        if (value > Integer.MAX_VALUE) {
            return Optional.of(what + " = " + value + " must be below 2^31 (the kernels index it with 32-bit ints)");
        }
        return Optional.empty();
    }

    /**
     * Adds to {@code why} the padded extents a tiled kernel (DEPTHWISE, GROUPED) computes in 32-bit
     * ints that reach 2^31: a window's rows (P-1)*sh + (R-1)*dh + 1 and columns, H + ph, W + pw (image
     * rows and columns shifted by the padding).
     */
    static void paddedExtents31(DirectConv c, List<String> why) {
        int31("the padded rows (P-1)*sh + (R-1)*dh + 1",
                (long) (c.p() - 1) * c.strideH() + (long) (c.r() - 1) * c.dilationH() + 1).ifPresent(why::add);
        int31("the padded columns (Q-1)*sw + (S-1)*dw + 1",
                (long) (c.q() - 1) * c.strideW() + (long) (c.s() - 1) * c.dilationW() + 1).ifPresent(why::add);
        int31("H + ph", (long) c.h() + c.padH()).ifPresent(why::add);
        int31("W + pw", (long) c.w() + c.padW()).ifPresent(why::add);
    }

    /** The first present reason of {@code reasons}, or empty. */
    @SafeVarargs
    static Optional<String> first(Optional<String>... reasons) {
        for (Optional<String> r : reasons) {
            if (r.isPresent()) {
                return r;
            }
        }
        return Optional.empty();
    }

    /** All present reasons joined with "; ", or empty. */
    static Optional<String> all(List<String> reasons) {
        return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", reasons));
    }

    /** ceil(a / b) for a >= 0, b > 0. */
    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
