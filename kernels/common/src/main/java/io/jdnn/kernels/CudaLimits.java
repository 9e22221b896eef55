package io.jdnn.kernels;

/**
 * CUDA's launch limits (compute capability 8.0 and newer), defined once: the shared host code
 * keeps every launch within them on every backend (OpenCL has no grid limits of its own), so that
 * what runs on OpenCL also runs on CUDA (the tests' {@code RecordingDevice} holds launches to them).
 */
public final class CudaLimits {
    /** Threads a block (work-items a group) at most. */
    public static final int MAX_THREADS_PER_BLOCK = 1024;
    /** Blocks in a grid's x dimension at most, 2^31 - 1. */
    public static final int MAX_GRID_X = Integer.MAX_VALUE;
    /** Blocks in a grid's y and in its z dimension at most. */
    public static final int MAX_GRID_YZ = 65535;

    private CudaLimits() {
    }
}
