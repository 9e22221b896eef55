package io.jdnn.kernels;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.jdnn.kernels.KernelSources.ArgKind.BUFFER;
import static io.jdnn.kernels.KernelSources.ArgKind.FLOAT;
import static io.jdnn.kernels.KernelSources.ArgKind.INT;
import static io.jdnn.kernels.KernelSources.ArgKind.LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the host reads out of the kernel sources: signatures, tuning defaults, unique names. */
class KernelSourcesTest {

    static List<String> sources() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("..", "src"))) {
            return s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".cl")).sorted().toList();
        }
    }

    @Test
    void everySourceIsPackagedAndDeclaresKernelsWithPassableParameters() throws IOException {
        List<String> files = sources();
        assertFalse(files.isEmpty());
        for (String f : files) {
            assertFalse(KernelSources.text(f).isEmpty(), f);
            assertFalse(KernelSources.kernels(f).isEmpty(), f + " declares no KERNEL void name(...)");
        }
    }

    @Test
    void kernelNamesAreUniqueAcrossSources() throws IOException {
        // the CUDA build compiles every source into one module
        Map<String, String> seen = new HashMap<>();
        for (String f : sources()) {
            for (String k : KernelSources.kernels(f).keySet()) {
                String before = seen.put(k, f);
                assertTrue(before == null, "kernel " + k + " is declared in " + before + " and " + f);
            }
        }
    }

    @Test
    void signaturesAreReadAsDeclared() {
        assertEquals(List.of(LONG, FLOAT, BUFFER), KernelSources.signature("elementwise.cl", "ew_fill"));
        assertEquals(List.of(INT, INT, INT, INT, INT, FLOAT, BUFFER, LONG, LONG, LONG, BUFFER, LONG, LONG, LONG,
                FLOAT, BUFFER, LONG, LONG, LONG, INT, BUFFER, LONG), KernelSources.signature("gemm.cl", "gemm_f32"));
        // u32 parameters (Philox key and counter) are ints
        List<KernelSources.ArgKind> dropout = KernelSources.signature("elementwise.cl", "ew_dropout");
        assertEquals(List.of(LONG, INT, FLOAT, INT, INT, INT, INT, BUFFER, BUFFER), dropout);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KernelSources.signature("elementwise.cl", "ew_no_such_kernel"));
        assertTrue(e.getMessage().contains("ew_fill"), "lists the kernels there are: " + e.getMessage());
    }

    @Test
    void tuningDefaultsAreRead() {
        assertEquals(Map.of("GEMM_TM", "64", "GEMM_TN", "64", "GEMM_TK", "16", "GEMM_WM", "4", "GEMM_WN", "4"),
                KernelSources.defaults("gemm.cl"));
        assertEquals(256, KernelSources.defaultInt("batchnorm.cl", "BN_WG"));
        assertTrue(KernelSources.isDefaultSet("gemm.cl", Map.of()));
        assertTrue(KernelSources.isDefaultSet("gemm.cl", Map.of("GEMM_TM", 64)));
        assertFalse(KernelSources.isDefaultSet("gemm.cl", Map.of("GEMM_TM", 32)));
        assertFalse(KernelSources.isDefaultSet("gemm.cl", Map.of("NOT_A_KNOB", 1)));
        assertThrows(IllegalStateException.class, () -> KernelSources.defaultInt("gemm.cl", "BN_WG"));
    }
}
