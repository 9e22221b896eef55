package io.jdnn.opencl;

import io.jdnn.spi.Buffer;
import org.jocl.cl_mem;

/**
 * A float32 tensor's storage on an OpenCL device: one cl_mem of {@code max(elements, 1) * 4} bytes
 * (OpenCL refuses empty buffers). Owned by the {@link OpenClDevice} that allocated it.
 */
final class ClBuffer implements Buffer {
    private final cl_mem mem;
    private final long elements;
    private final long bytes;
    private boolean released;

    ClBuffer(cl_mem mem, long elements, long bytes) {
        this.mem = mem;
        this.elements = elements;
        this.bytes = bytes;
    }

    @Override
    public long elements() {
        return elements;
    }

    cl_mem mem() {
        return mem;
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
        return "ClBuffer[" + elements + " floats]";
    }
}
