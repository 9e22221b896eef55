package io.jdnn.cuda;

import io.jdnn.spi.Buffer;
import jcuda.driver.CUdeviceptr;

/**
 * A float32 tensor's storage on a CUDA device: one cuMemAlloc of {@code max(elements, 1) * 4}
 * bytes (CUDA refuses empty allocations). Owned by the {@link CudaDevice} that allocated it.
 */
final class CudaBuffer implements Buffer {
    private final CUdeviceptr ptr;
    private final long elements;
    private final long bytes;
    private boolean released;

    CudaBuffer(CUdeviceptr ptr, long elements, long bytes) {
        this.ptr = ptr;
        this.elements = elements;
        this.bytes = bytes;
    }

    @Override
    public long elements() {
        return elements;
    }

    CUdeviceptr ptr() {
        return ptr;
    }

    long bytes() {
        return bytes;
    }

    boolean isReleased() {
        return released;
    }

    void markReleased() {
        released = true;
    }

    @Override
    public String toString() {
        return "CudaBuffer[" + elements + " floats]";
    }
}
