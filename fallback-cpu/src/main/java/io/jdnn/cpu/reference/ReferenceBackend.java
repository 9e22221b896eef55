package io.jdnn.cpu.reference;

import io.jdnn.BackendStatus;
import io.jdnn.BackendUnavailableException;
import io.jdnn.DeviceInfo;
import io.jdnn.DeviceOptions;
import io.jdnn.Precision;
import io.jdnn.spi.Backend;
import io.jdnn.spi.DeviceBackend;

import java.util.List;

/**
 * The {@code reference} backend: every op as one plain loop in float64 on the Java heap, the oracle
 * every other backend and every test is compared with (convolutions as blocked products that give
 * the loops' results bitwise, see {@code RefConvGemm}). Always available, one device (index 0).
 * It is deterministic by construction, so {@link DeviceOptions#deterministic()} changes nothing,
 * and it has no TF32 or BF16 path, so {@link DeviceOptions#allowTf32()} and
 * {@link DeviceOptions#allowBf16()} change nothing either.
 */
public final class ReferenceBackend implements Backend {

    /** The name used in device specs. */
    public static final String NAME = "reference";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public BackendStatus status() {
        return BackendStatus.available(NAME, List.of(info()), 0);
    }

    @Override
    public DeviceBackend open(String selector, DeviceOptions options) {
        if (selector != null && !selector.equals("0")) {
            throw new BackendUnavailableException(NAME,
                    "there is exactly one reference device, index 0; got selector '" + selector + "'");
        }
        return new ReferenceDevice(info());
    }

    static DeviceInfo info() {
        return new DeviceInfo(NAME, 0, "jdnn reference (float64 loops)", Runtime.getRuntime().maxMemory(), 1,
                Precision.FLOAT64, "Java " + Runtime.version() + " " + System.getProperty("java.vm.name")
                + ", heap double[] tensors, convolutions as blocked products on the common fork-join pool, synchronous");
    }
}
