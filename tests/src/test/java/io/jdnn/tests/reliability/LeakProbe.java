package io.jdnn.tests.reliability;

import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.MemoryStats;
import io.jdnn.Shape;
import io.jdnn.Tensor;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;

/**
 * Run by {@link MemoryTest#leaksAreReportedWithTheirAllocationSite} in a child JVM started with
 * {@code -Djdnn.trackAllocations=true}: on each device spec given, leaks one tensor from
 * {@link #leakOne} and prints, one per line, {@code LIVE <spec> <liveAllocations() entry>} (with its
 * allocation site), then, once the cleaner freed it, {@code CLEANED <spec> leaked=N live=N bytes=N};
 * finally {@code DONE}. The device's own cleaner message goes to stderr.
 */
public final class LeakProbe {
    private LeakProbe() {
    }

    public static void main(String[] args) throws InterruptedException {
        for (String spec : args) {
            try (Device d = Devices.open(spec)) {
                ReferenceQueue<Tensor> q = new ReferenceQueue<>();
                WeakReference<Tensor> ref = leakOne(d, q);
                for (String a : d.liveAllocations()) {
                    System.out.println("LIVE " + d.spec() + " " + a);
                }
                System.out.flush();
                if (!MemoryTest.awaitCleaner(d, ref, q, 0)) {
                    System.out.println("NOT CLEANED " + d.spec());
                }
                MemoryStats m = d.memory();
                System.out.println("CLEANED " + d.spec() + " leaked=" + d.leakedTensors() + " live=" + m.liveTensors()
                        + " bytes=" + m.liveBytes());
            }
        }
        System.out.println("DONE");
    }

    /** Allocates a tensor and drops it. */
    static WeakReference<Tensor> leakOne(Device d, ReferenceQueue<Tensor> q) {
        Tensor t = d.zeros(Shape.of(3, 5, 7));
        return new WeakReference<>(t, q);
    }
}
