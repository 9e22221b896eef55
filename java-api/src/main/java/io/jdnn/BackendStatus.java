package io.jdnn;

import java.util.List;

/**
 * A backend as {@link Devices#list()} reports it: available with its devices, or unavailable
 * with the reason (never an exception).
 *
 * @param autoRank how much {@code Devices.open("auto")} prefers this backend; negative means "never auto"
 * @param backend   the backend's name, as a device spec starts ({@code cuda}, {@code opencl}, {@code cpu}, {@code
 *                  reference})
 * @param available true when the backend can open its devices here
 * @param reason    why the backend is unavailable; empty when it is available
 * @param devices   the backend's devices (copied); empty when it is unavailable
 */
public record BackendStatus(String backend, boolean available, String reason, List<DeviceInfo> devices, int autoRank) {

    /** Copies {@code devices}; a null list throws {@link NullPointerException}. */
    public BackendStatus {
        devices = List.copyOf(devices);
    }

    /** An available backend with its devices; the reason is empty. */
    public static BackendStatus available(String backend, List<DeviceInfo> devices, int autoRank) {
        return new BackendStatus(backend, true, "", devices, autoRank);
    }

    /** An unavailable backend: no devices, never chosen by {@code auto} (rank -1). */
    public static BackendStatus unavailable(String backend, String reason) {
        return new BackendStatus(backend, false, reason, List.of(), -1);
    }
}
