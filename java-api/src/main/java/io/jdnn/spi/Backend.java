package io.jdnn.spi;

import io.jdnn.BackendStatus;

/**
 * A backend, found by {@link java.util.ServiceLoader}: a module lists its implementation in
 * {@code META-INF/services/io.jdnn.spi.Backend}. Implementations must load without touching native
 * code: {@link #status()} is where a missing library is discovered and reported.
 */
public interface Backend {
    /** The name used in device specs: reference, cpu, opencl, cuda. */
    String name();

    /** Probes the machine. Must not throw, also not on a missing native library. */
    BackendStatus status();

    /**
     * Opens a device.
     *
     * @param selector the part of the spec after ':' (an index or a name), or null for the default device
     * @param options  settings fixed for the device's life (determinism, TF32)
     * @throws io.jdnn.BackendUnavailableException when the backend or the selected device is not there
     */
    DeviceBackend open(String selector, io.jdnn.DeviceOptions options);
}
