package io.jdnn.bench.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * This process's resident memory, from Linux's /proc/self/status, for what ONNX Runtime's Java API
 * does not report: how much memory a session takes. {@link #resetPeak()} writes 5 to
 * /proc/self/clear_refs (Linux 4.0 and later), which sets the peak (VmHWM) back to the current resident
 * set (VmRSS); the peak read after the session ran, less the resident set before it was created, is
 * the memory the session touched: its weights, arena and outputs, plus any Java heap grown meanwhile,
 * so an upper bound of ONNX Runtime's own. Elsewhere every figure is -1.
 */
final class ResidentSet {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ResidentSet() {
    }

    /** Sets the peak back to the current resident set; false where that is not possible. */
    static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The current resident set in bytes (VmRSS), or -1. */
    static long current() {
        return field("VmRSS:");
    }

    /** The peak resident set in bytes since the start or the last {@link #resetPeak()} (VmHWM), or -1. */
    static long peak() {
        return field("VmHWM:");
    }

    private static long field(String name) {
        try {
            List<String> lines = Files.readAllLines(STATUS);
            for (String l : lines) {
                if (l.startsWith(name)) {
                    String[] parts = l.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024; // "kB"
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
