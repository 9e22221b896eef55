package io.jdnn.kernels;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.jdnn.kernels.KernelSources.ArgKind.BUFFER;
import static io.jdnn.kernels.KernelSources.ArgKind.FLOAT;
import static io.jdnn.kernels.KernelSources.ArgKind.INT;
import static io.jdnn.kernels.KernelSources.ArgKind.LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the host reads out of the kernel sources: signatures (names and kinds), tuning defaults, unique names. */
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
        // the CUDA build compiles every source, and every variant's copy of it, into one module
        Map<String, String> seen = new HashMap<>();
        for (String f : sources()) {
            for (String k : KernelSources.precompiledKernels(f).keySet()) {
                String before = seen.put(k, f);
                assertTrue(before == null, "kernel " + k + " is declared in " + before + " and " + f);
            }
        }
    }

    @Test
    void variantsAreReadAndMapDefineSetsToKernelNames() throws IOException {
        String f = "conv_implicit_gemm.cl";
        List<KernelSources.Variant> v = KernelSources.variants(f);
        assertEquals(List.of("t128x128", "t128x64", "t32x32"), v.stream().map(KernelSources.Variant::name).toList());
        assertEquals(Map.of("IGEMM_TM", "128", "IGEMM_TN", "128", "IGEMM_TK", "16", "IGEMM_WM", "8", "IGEMM_WN", "8"),
                v.get(0).defines(), "every tuning constant, the undeclared ones at their defaults");
        assertEquals(Optional.of("igemm_forward"), KernelSources.precompiledName(f, Map.of(), "igemm_forward"));
        assertEquals(Optional.of("igemm_forward"), KernelSources.precompiledName(f,
                Map.of("IGEMM_TM", 64, "IGEMM_TN", 64, "IGEMM_TK", 16, "IGEMM_WM", 4, "IGEMM_WN", 4), "igemm_forward"));
        assertEquals(Optional.of("igemm_backward_data_t128x128"), KernelSources.precompiledName(f,
                Map.of("IGEMM_TM", 128, "IGEMM_TN", 128, "IGEMM_TK", 16, "IGEMM_WM", 8, "IGEMM_WN", 8),
                "igemm_backward_data"));
        assertEquals(Optional.of("igemm_backward_filter_t32x32"), KernelSources.precompiledName(f,
                Map.of("IGEMM_TM", "32", "IGEMM_TN", "32"), "igemm_backward_filter"), "unnamed constants at their defaults");
        assertEquals(Optional.empty(), KernelSources.precompiledName(f, Map.of("IGEMM_TM", 128), "igemm_forward"));
        assertEquals(Optional.empty(), KernelSources.precompiledName(f,
                Map.of("IGEMM_TM", 16, "IGEMM_TN", 16, "IGEMM_TK", 16, "IGEMM_WM", 4, "IGEMM_WN", 4), "igemm_forward"));
        assertEquals(Optional.empty(), KernelSources.precompiledName(f, Map.of("NOT_A_KNOB", 1), "igemm_forward"));
        assertEquals(Optional.empty(), KernelSources.precompiledName("gemm.cl", Map.of("GEMM_TM", 32), "gemm_f32"));
        assertEquals(3 * 4, KernelSources.precompiledKernels(f).size(), "3 kernels, defaults and 3 variants");
        assertEquals(KernelSources.signature(f, "igemm_forward"),
                KernelSources.precompiledKernels(f).get("igemm_forward_t128x64"));
        for (String other : sources()) {
            if (!other.equals(f)) {
                assertEquals(List.of(), KernelSources.variants(other), other);
                assertEquals(KernelSources.kernels(other), KernelSources.precompiledKernels(other), other);
            }
        }
    }

    @Test
    void malformedVariantLinesAreRefused() {
        Map<String, String> defaults = Map.of("A", "1", "B", "2");
        assertEquals(List.of(new KernelSources.Variant("x", Map.of("A", "3", "B", "2"))),
                KernelSources.parseVariants("f.cl", "/*\n * @variant x A=3\n */\n  @variant_not a line\n", defaults));
        for (String bad : List.of(" * @variant x", " * @variant x C=1", " * @variant x A", " * @variant x A=",
                " * @variant x-y A=3", " * @variant x A=1", " * @variant x A=3\n * @variant x A=4",
                " * @variant x A=3\n * @variant y A=3 B=2")) {
            assertThrows(IllegalStateException.class, () -> KernelSources.parseVariants("f.cl", bad, defaults), bad);
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

    /** The names of CONV_SHAPE_PARAMS (jdnn_portable.h), in order. */
    static final List<String> CONV_SHAPE = List.of("N", "C", "H", "W", "K", "P", "Q", "R", "S", "sh", "sw", "ph", "pw",
            "dh", "dw", "G");

    private static List<String> names(List<KernelSources.Param> params) {
        return params.stream().map(KernelSources.Param::name).toList();
    }

    @Test
    void parameterNamesAreReadWithTheShapeMacroExpanded() throws IOException {
        assertEquals(List.of(new KernelSources.Param("n", LONG), new KernelSources.Param("value", FLOAT),
                new KernelSources.Param("out", BUFFER)), KernelSources.parameters("elementwise.cl", "ew_fill"));
        List<String> direct = new ArrayList<>(CONV_SHAPE);
        direct.addAll(List.of("has_bias", "act_kind", "act_alpha", "act_threshold", "x", "w", "bias", "y"));
        assertEquals(direct, names(KernelSources.parameters("conv_direct.cl", "conv_direct_forward")));
        // every kernel declared with the macro takes the 16 ints of the shape first
        Pattern withShape = Pattern.compile("KERNEL\\s+void\\s+(\\w+)\\s*\\(\\s*CONV_SHAPE_PARAMS\\s*,");
        int kernels = 0;
        for (String f : sources()) {
            Matcher m = withShape.matcher(KernelSources.text(f));
            while (m.find()) {
                List<KernelSources.Param> p = KernelSources.parameters(f, m.group(1));
                assertEquals(CONV_SHAPE, names(p.subList(0, CONV_SHAPE.size())), f + ":" + m.group(1));
                assertTrue(p.subList(0, CONV_SHAPE.size()).stream().allMatch(q -> q.kind() == INT), f);
                kernels++;
            }
        }
        assertTrue(kernels >= 20, "conv kernels declared with CONV_SHAPE_PARAMS: " + kernels);
    }

    @Test
    void objectLikeMacrosAreReadWithTheirContinuationLines() {
        Map<String, String> m = KernelSources.macros("#define A int a, \\\n    int b\n#define F(x) (x)\n"
                + "/* #define B int c */\n  #  define E\n");
        assertEquals(List.of("A", "E"), List.copyOf(m.keySet()), "function-like and commented-out macros are no parameters");
        assertEquals("int a, int b", m.get("A").replaceAll("\\s+", " "));
        assertEquals("", m.get("E"));
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
