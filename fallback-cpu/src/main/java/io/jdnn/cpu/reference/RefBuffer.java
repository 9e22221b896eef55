package io.jdnn.cpu.reference;

import io.jdnn.spi.Buffer;

/** A tensor's storage on the reference backend: one heap {@code double[]} of exactly {@link #elements()} values. */
final class RefBuffer implements Buffer {
    final double[] data;

    RefBuffer(double[] data) {
        this.data = data;
    }

    @Override
    public long elements() {
        return data.length;
    }
}
