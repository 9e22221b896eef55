package io.jdnn.cuda;

import io.jdnn.Device;
import io.jdnn.DeviceException;
import io.jdnn.DeviceOptions;
import io.jdnn.Devices;
import io.jdnn.spi.Buffer;

/**
 * Run in a child JVM by {@link CudaFaultTest}: provokes a kernel fault (a grid-stride fill of 2^31
 * floats into a one-element buffer) and prints, one per line, how it surfaces: {@code FAULT
 * <status> <op> <kernel>}, {@code BROKEN <Device.isBroken()>}, {@code REFUSED <status>} for a
 * later call, {@code CLOSED}. A child process, because a fault leaves the process's primary
 * context unusable for every device on that GPU until the last one releases it.
 */
public final class FaultProbe {
    private FaultProbe() {
    }

    public static void main(String[] args) {
        CudaDevice raw = (CudaDevice) new CudaBackend().open(null, DeviceOptions.DEFAULT);
        Device device = Devices.wrap(raw, DeviceOptions.DEFAULT);
        Buffer tiny = raw.allocate(1);
        long n = 1L << 31;
        String fault = null;
        try {
            raw.launch("faultProbe", "n=" + n + " into 1 element", "elementwise.cl", "ew_fill")
                    .arg("n", n).arg("value", 1f).arg("out", tiny)
                    .elements(n);
        } catch (DeviceException e) { // with -Djdnn.cuda.syncLaunches=true the launch itself reports it
            fault = e.status() + " " + e.op() + " " + e.kernel();
        }
        try {
            device.synchronize(); // through Device, which marks itself broken on a fault
        } catch (DeviceException e) {
            if (fault == null) {
                fault = e.status() + " " + e.op() + " " + e.kernel();
            }
        }
        System.out.println(fault == null ? "NO FAULT" : "FAULT " + fault);
        System.out.println("BROKEN " + device.isBroken());
        try {
            raw.allocate(4);
            System.out.println("NOT REFUSED");
        } catch (DeviceException e) {
            System.out.println("REFUSED " + e.status());
        }
        device.close();
        System.out.println("CLOSED");
    }
}
