package io.jdnn.cpu.fast;

import io.jdnn.spi.Buffer;

/** A tensor's storage on the cpu backend: one heap {@code float[]} of exactly {@link #elements()} values. */
final class CpuBuffer implements Buffer {
    final float[] data;

    CpuBuffer(float[] data) {
        this.data = data;
    }

    @Override
    public long elements() {
        return data.length;
    }
}
