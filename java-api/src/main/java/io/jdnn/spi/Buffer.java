package io.jdnn.spi;

/**
 * A backend's storage for one tensor: a device allocation of {@link #elements()} values. The
 * {@link io.jdnn.Device} owns buffers through tensors and frees each exactly once.
 */
public interface Buffer {
    /** Number of elements. */
    long elements();
}
