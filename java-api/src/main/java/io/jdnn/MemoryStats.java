package io.jdnn;

/**
 * A device's tensor allocations as jdnn tracks them.
 *
 * @param liveTensors tensors allocated and not yet closed
 * @param liveBytes   their bytes (at the device's storage precision)
 * @param peakBytes   the largest liveBytes seen
 * @param allocations tensors allocated since the device opened
 * @param deviceFreeBytes the driver's free-memory figure, or -1 where the backend has none
 */
public record MemoryStats(long liveTensors, long liveBytes, long peakBytes, long allocations, long deviceFreeBytes) {
}
