package io.jdnn.opencl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Whether the JVM's signal handlers survive an in-process LLVM, and what to tell the user when they
 * may not.
 *
 * <p>PoCL compiles kernels with LLVM inside the process, and LLVM ({@code llvm::sys::RemoveFileOnSignal},
 * called by PoCL while it writes its kernel cache) installs its own SIGSEGV, SIGBUS, SIGFPE and SIGILL
 * handlers over the JVM's, with {@code SA_RESETHAND}. HotSpot raises SIGSEGV on purpose (safepoint
 * polls, implicit null checks), so the next such signal goes to LLVM's handler, which resets it to the
 * default action before it puts the JVM's back: a second thread faulting in that window kills the
 * process with a bare "Segmentation fault", no {@code hs_err} file, no Java stack. A safepoint makes every
 * running thread fault at once, so this happens in practice (a CI run died so, at random, in a test that
 * ran only Java code after earlier tests had built PoCL kernels; {@code strace} shows PoCL's first build
 * replacing the handler).
 *
 * <p>The JDK's cure is signal chaining: with {@code libjsig.so} preloaded
 * ({@code LD_PRELOAD=$JAVA_HOME/lib/libjsig.so}), a native library's {@code sigaction} on a signal the
 * JVM uses is recorded as a handler to chain to, and the JVM's stays installed. The build's test JVMs,
 * {@code ./jdnn} and the GPU scripts preload it; an application that opens a PoCL device without it
 * gets one warning naming the fix, and {@link ClPlatforms.Entry#info()} says which case holds. This is
 * Linux's mechanism; elsewhere the check reports "not checked".
 */
final class SignalChaining {

    private static final System.Logger LOG = System.getLogger(SignalChaining.class.getName());
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    /** Whether libjsig is mapped into this process, as far as can be told. */
    enum State {
        /** libjsig.so is loaded: native handlers chain behind the JVM's. */
        LOADED,
        /** The process's mappings were read and libjsig.so is not among them. */
        ABSENT,
        /** The mappings cannot be read here (not Linux, or /proc unavailable). */
        UNKNOWN
    }

    private static volatile State state;

    private SignalChaining() {
    }

    /** Whether the platform compiles kernels with LLVM inside this process (PoCL). */
    static boolean compilesInProcessWithLlvm(String platformName, String platformVendor) {
        String s = (platformName + " " + platformVendor).toLowerCase(Locale.ROOT);
        return s.contains("portable computing language") || s.contains("pocl");
    }

    /** libjsig's state in this process, read once from /proc/self/maps (a preload cannot change later). */
    static State state() {
        State s = state;
        if (s == null) {
            s = read(Path.of("/proc/self/maps"));
            state = s;
        }
        return s;
    }

    /** {@link #state()} from a maps file in /proc/PID/maps format. */
    static State read(Path maps) {
        if (!Files.isReadable(maps)) {
            return State.UNKNOWN;
        }
        try (Stream<String> lines = Files.lines(maps)) {
            return lines.anyMatch(l -> l.endsWith("/libjsig.so")) ? State.LOADED : State.ABSENT;
        } catch (IOException | RuntimeException e) {
            return State.UNKNOWN;
        }
    }

    /** The phrase {@link ClPlatforms.Entry#info()} appends for an in-process LLVM platform. */
    static String describe(State s) {
        return switch (s) {
            case LOADED -> "signal chaining: libjsig loaded";
            case ABSENT -> "signal chaining: MISSING, the JVM can crash (" + fix() + ")";
            case UNKNOWN -> "signal chaining: not checked";
        };
    }

    /** Logs the warning once per process when a device of an in-process LLVM platform opens without libjsig. */
    static void warnIfMissing(ClPlatforms.Entry entry) {
        if (compilesInProcessWithLlvm(entry.platformName(), entry.platformVendor()) && state() == State.ABSENT
                && WARNED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "jdnn: opencl device " + entry.describe() + ": " + entry.platformName()
                    + " compiles kernels with LLVM inside this JVM, and LLVM replaces the JVM's SIGSEGV handler; the JVM can"
                    + " then die at random with a bare 'Segmentation fault'. " + fix() + " (docs/opencl.md, \"PoCL and"
                    + " signal chaining\").");
        }
    }

    /** The fix, with this JVM's own libjsig path. */
    static String fix() {
        return "start the JVM with LD_PRELOAD=" + Path.of(System.getProperty("java.home"), "lib", "libjsig.so");
    }
}
