package io.jdnn.opencl;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PoCL's in-process LLVM must not take the JVM's SIGSEGV handler ({@link SignalChaining} says why).
 * The build preloads libjsig for every test JVM; these tests fail when it does not, instead of the
 * suite dying at random later.
 */
class SignalChainingTest {

    @Test
    void readsLibjsigFromTheProcessMappings(@TempDir Path dir) throws IOException {
        Path with = dir.resolve("with");
        Files.writeString(with, "7f00-7f01 r-xp 00000000 08:01 12 /usr/lib/jvm/java-17/lib/libjsig.so\n"
                + "7f02-7f03 r-xp 00000000 08:01 13 /usr/lib/x86_64-linux-gnu/libc.so.6\n");
        Path without = dir.resolve("without");
        Files.writeString(without, "7f02-7f03 r-xp 00000000 08:01 13 /usr/lib/x86_64-linux-gnu/libc.so.6\n");
        assertEquals(SignalChaining.State.LOADED, SignalChaining.read(with));
        assertEquals(SignalChaining.State.ABSENT, SignalChaining.read(without));
        assertEquals(SignalChaining.State.UNKNOWN, SignalChaining.read(dir.resolve("missing")));
        assertTrue(SignalChaining.describe(SignalChaining.State.ABSENT).contains("LD_PRELOAD="),
                "the missing case names the fix");
    }

    @Test
    void recognizesPoclByPlatformNameOrVendor() {
        assertTrue(SignalChaining.compilesInProcessWithLlvm("Portable Computing Language", "The pocl project"));
        assertTrue(SignalChaining.compilesInProcessWithLlvm("PoCL", ""));
        assertFalse(SignalChaining.compilesInProcessWithLlvm("NVIDIA CUDA", "NVIDIA Corporation"));
    }

    /**
     * Where PoCL is present, this JVM must have libjsig preloaded. A behavioural check cannot be made
     * from Java: with libjsig loaded, the JVM's own report of its handlers (VM.info) reads them through
     * libjsig and shows the chained LLVM handler, not the one the kernel holds. Checked by hand instead
     * (docs/opencl.md): without libjsig, VM.info after a PoCL build names libLLVM's handler with
     * SA_RESETHAND; with it, strace shows no rt_sigaction of LLVM's reaching the kernel.
     */
    @Test
    void libjsigIsPreloadedWherePoclRuns() {
        ClTestSupport.requireOpenCl();
        boolean pocl = ClPlatforms.list().stream()
                .anyMatch(e -> SignalChaining.compilesInProcessWithLlvm(e.platformName(), e.platformVendor()));
        Assumptions.assumeTrue(pocl, "no PoCL device here: no in-process LLVM to guard against");
        Assumptions.assumeTrue(SignalChaining.state() != SignalChaining.State.UNKNOWN,
                "the process's mappings cannot be read here (not Linux)");
        assertEquals(SignalChaining.State.LOADED, SignalChaining.state(), () -> "libjsig.so is not preloaded into this "
                + "test JVM: " + SignalChaining.fix() + " (the parent POM's surefire configuration sets it from "
                + "jdnn.test.preload)");
    }
}
