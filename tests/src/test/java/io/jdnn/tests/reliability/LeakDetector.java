package io.jdnn.tests.reliability;

import io.jdnn.Device;
import io.jdnn.MemoryStats;
import org.junit.jupiter.api.Assertions;

import java.util.ArrayList;
import java.util.List;

/**
 * The tests' leak detector: a snapshot of a device's live tensors before a piece of test code and
 * a check after it that reports every tensor the code left open, as {@link Device#liveAllocations()}
 * describes it (its shape and bytes, and with {@code -Djdnn.trackAllocations=true} the stack of the
 * code that allocated it), and any tensor the device's {@link java.lang.ref.Cleaner} had to free
 * meanwhile ({@link Device#leakedTensors()}: a tensor that became unreachable without being closed).
 *
 * <pre>
 *   LeakDetector leaks = LeakDetector.before(device);
 *   ... test code ...
 *   leaks.assertNoneSince("fuzz case 17");
 * </pre>
 */
final class LeakDetector {
    private final Device device;
    private final List<String> before;
    private final long leakedBefore;
    private final long liveBytesBefore;

    private LeakDetector(Device device) {
        this.device = device;
        this.before = device.liveAllocations();
        this.leakedBefore = device.leakedTensors();
        this.liveBytesBefore = device.memory().liveBytes();
    }

    static LeakDetector before(Device device) {
        return new LeakDetector(device);
    }

    /** Null when nothing leaked since the snapshot; otherwise the report. */
    String leaksSince(String what) {
        List<String> now = device.liveAllocations();
        List<String> added = new ArrayList<>(now);
        for (String b : before) {
            added.remove(b);
        }
        long cleaned = device.leakedTensors() - leakedBefore;
        MemoryStats m = device.memory();
        if (added.isEmpty() && now.size() <= before.size() && cleaned == 0 && m.liveBytes() <= liveBytesBefore) {
            return null;
        }
        StringBuilder b = new StringBuilder(device.spec() + ": " + what + " left " + (now.size() - before.size())
                + " more tensors open (" + (m.liveBytes() - liveBytesBefore) + " bytes)");
        if (cleaned > 0) {
            b.append(", and the cleaner freed ").append(cleaned).append(" tensors nobody closed");
        }
        for (String a : added) {
            b.append("\n    ").append(a.replace("\n", "\n    "));
        }
        return b.toString();
    }

    void assertNoneSince(String what) {
        String leaks = leaksSince(what);
        if (leaks != null) {
            Assertions.fail(leaks);
        }
    }
}
