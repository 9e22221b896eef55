package io.jdnn;

/**
 * What a device is: the backend it belongs to, its index within that backend, its name, its
 * memory in bytes, its compute units (cores, SMs), the precision it stores tensors in, and a
 * free-form line (driver, platform, compute capability).
 */
public record DeviceInfo(String backend, int index, String name, long memoryBytes, int computeUnits,
                         Precision precision, String details) {

    /** The spec that opens this device with {@link Devices#open}, e.g. {@code opencl:1}. */
    public String spec() {
        return backend + ":" + index;
    }
}
