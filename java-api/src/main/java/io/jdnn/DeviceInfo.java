package io.jdnn;

/**
 * What a device is: the backend it belongs to, its index within that backend, its name, its
 * memory in bytes, its compute units (cores, SMs), the precision it stores tensors in, and a
 * free-form line (driver, platform, compute capability).
 *
 * @param backend      the backend's name ({@code cuda}, {@code opencl}, {@code cpu}, {@code reference})
 * @param index        the device's index within its backend, from 0
 * @param name         the device's name as its driver reports it
 * @param memoryBytes  the device's memory in bytes
 * @param computeUnits its compute units (cores, SMs)
 * @param precision    the precision it stores tensors in
 * @param details      a free-form line: driver, platform, compute capability
 */
public record DeviceInfo(String backend, int index, String name, long memoryBytes, int computeUnits,
                         Precision precision, String details) {

    /** The spec that opens this device with {@link Devices#open}, e.g. {@code opencl:1}. */
    public String spec() {
        return backend + ":" + index;
    }
}
