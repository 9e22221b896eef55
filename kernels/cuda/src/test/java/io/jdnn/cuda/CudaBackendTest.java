package io.jdnn.cuda;

import io.jdnn.AlgorithmNotSupportedException;
import io.jdnn.BackendStatus;
import io.jdnn.BackendUnavailableException;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.DeviceOptions;
import io.jdnn.Devices;
import io.jdnn.DirectConv;
import io.jdnn.kernels.FlippedBackwardData;
import io.jdnn.kernels.KernelSources;
import io.jdnn.kernels.RecordingDevice;
import io.jdnn.kernels.SplitSums;
import io.jdnn.spi.Buffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What can be checked of the CUDA backend without a GPU: how it reports itself unavailable, the
 * fatbin nvcc built (every kernel in it, with the parameters its source declares), device
 * selection, and the tensor-core algorithm's launch. Runs everywhere.
 */
class CudaBackendTest {

    @Test
    void statusNeverThrowsAndSaysWhy() {
        BackendStatus st = new CudaBackend().status();
        assertEquals("cuda", st.backend());
        if (st.available()) {
            assertFalse(st.devices().isEmpty(), "an available backend lists its devices");
            assertEquals(CudaBackend.AUTO_RANK, st.autoRank());
            st.devices().forEach(d -> assertTrue(d.details().contains("compute capability"), d.details()));
            return;
        }
        String reason = st.reason();
        assertNotNull(reason);
        assertFalse(reason.isBlank(), "an unavailable backend says why");
        assertFalse(reason.contains("\n") || reason.contains("\tat "), "one readable line, no stack trace: " + reason);
        assertTrue(reason.length() < 300, "short enough for `jdnn devices`: " + reason);
    }

    @Test
    void withoutCudaListAndOpenReportTheReason() {
        String why = CudaBackend.unavailableReason();
        Assumptions.assumeTrue(why != null, "CUDA is available here");
        BackendStatus listed = Devices.list().stream().filter(s -> s.backend().equals("cuda")).findFirst().orElseThrow();
        assertFalse(listed.available());
        assertEquals(why, listed.reason());
        for (String spec : List.of("cuda", "cuda:0", "cuda:h100")) {
            BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Devices.open(spec));
            assertEquals("cuda", e.backend());
            assertEquals(why, e.reason());
            assertTrue(e.getMessage().startsWith("backend 'cuda' is unavailable: "), e.getMessage());
        }
    }

    @Test
    void withoutLibcudaTheReasonNamesIt() {
        Assumptions.assumeTrue(CudaFatbin.get().unavailableReason() == null, "built without nvcc: "
                + CudaFatbin.get().unavailableReason());
        Assumptions.assumeFalse(libcudaPresent(), "libcuda.so.1 is on this machine");
        assertEquals("CUDA driver library libcuda.so.1 not found (no NVIDIA driver on this machine?): JCuda's native "
                + "library JCudaDriver needs it", CudaBackend.unavailableReason());
    }

    @Test
    void builtWithoutNvccTheReasonSaysSo() {
        Assumptions.assumeTrue(CudaFatbin.get().unavailableReason() != null, "this build has a fatbin");
        assertTrue(CudaBackend.unavailableReason().startsWith("built without nvcc"), CudaBackend.unavailableReason());
    }

    @Test
    void jcudasLinkErrorBecomesOneLine() {
        String jcudaMessage = "Error while loading native library \"JCudaDriver-12.0.0-linux-x86_64\"\n"
                + "Stack trace from the attempt to load the library as a resource:\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.0.0-linux-x86_64.so: libcuda.so.1: cannot "
                + "open shared object file: No such file or directory\n\tat java.base/jdk.internal.loader.NativeLibraries.load";
        assertTrue(CudaDriver.describeLinkFailure(new UnsatisfiedLinkError(jcudaMessage)).startsWith(
                "CUDA driver library libcuda.so.1 not found"));
        String other = "Error while loading native library \"JCudaDriver\"\njava.lang.UnsatisfiedLinkError: x.so: "
                + "libfoo.so.2: cannot open shared object file: No such file or directory\n\tat somewhere";
        assertEquals("JCuda's native driver library could not be loaded: java.lang.UnsatisfiedLinkError: x.so: "
                + "libfoo.so.2: cannot open shared object file: No such file or directory",
                CudaDriver.describeLinkFailure(new UnsatisfiedLinkError(other)));
    }

    private static boolean libcudaPresent() {
        List<String> dirs = new ArrayList<>(List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
                "/lib/x86_64-linux-gnu", "/usr/local/cuda/compat", "/usr/lib/wsl/lib"));
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            dirs.addAll(Arrays.asList(ld.split(":")));
        }
        return dirs.stream().anyMatch(d -> !d.isEmpty() && Files.exists(Path.of(d, "libcuda.so.1")));
    }

    // ================================================================== the fatbin

    private static final Pattern PTX_ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern PTX_PARAM = Pattern.compile("\\.param\\s+\\.(\\w+)");

    /** Every kernel's parameter types as the fatbin's PTX (compute_90) declares them. */
    private static Map<String, List<String>> ptxEntries(byte[] fatbin) {
        String text = new String(fatbin, StandardCharsets.ISO_8859_1);
        Map<String, List<String>> out = new LinkedHashMap<>();
        Matcher m = PTX_ENTRY.matcher(text);
        while (m.find()) {
            List<String> types = new ArrayList<>();
            Matcher p = PTX_PARAM.matcher(m.group(2));
            while (p.find()) {
                types.add(p.group(1));
            }
            out.put(m.group(1), types);
        }
        return out;
    }

    @Test
    void theFatbinHoldsEveryKernelWithTheParametersItsSourceDeclares() throws IOException {
        CudaFatbin f = CudaFatbin.get();
        Assumptions.assumeTrue(f.unavailableReason() == null, "no fatbin: " + f.unavailableReason());
        byte[] image = f.image();
        // the fatbin container's magic number, 0xBA55ED50, little-endian
        assertArrayEquals(new byte[] {0x50, (byte) 0xED, 0x55, (byte) 0xBA}, Arrays.copyOf(image, 4));
        Map<String, List<String>> ptx = ptxEntries(image);
        List<String> sources = List.of(f.sources().split(" "));
        assertTrue(sources.contains("conv_tc_tf32.cu") && sources.contains("gemm.cl"), "sources: " + sources);
        List<String> problems = new ArrayList<>();
        int kernels = 0;
        List<String> variants = new ArrayList<>();
        for (String source : sources) {
            KernelSources.variants(source).forEach(v -> variants.add(source + ":" + v.name()));
            // the source's kernels, and each variant's copy of them (kernel_NAME)
            for (Map.Entry<String, List<KernelSources.ArgKind>> k : KernelSources.precompiledKernels(source).entrySet()) {
                kernels++;
                List<String> types = ptx.get(k.getKey());
                if (types == null) {
                    problems.add(source + ":" + k.getKey() + " is not in the fatbin's PTX");
                    continue;
                }
                List<KernelSources.ArgKind> want = k.getValue();
                boolean ok = types.size() == want.size();
                for (int i = 0; ok && i < want.size(); i++) {
                    ok = switch (want.get(i)) {
                        case INT -> types.get(i).matches("[usb]32");
                        case FLOAT -> types.get(i).equals("f32");
                        case LONG, BUFFER -> types.get(i).matches("[usb]64");
                    };
                }
                if (!ok) {
                    problems.add(source + ":" + k.getKey() + " declares " + want + ", its PTX takes " + types);
                }
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(kernels, ptx.size(), "the fatbin's PTX holds exactly the declared kernels: " + ptx.keySet());
        assertTrue(variants.contains("conv_implicit_gemm.cl:t128x128"), "variants: " + variants);
        assertTrue(variants.contains("conv_tc_tf32.cu:bf16"), "variants: " + variants);
        for (String k : List.of("conv_tc_tf32_forward_bf16", "conv_tc_tf32_backward_filter_bf16")) {
            // the BF16 copies take their TF32 originals' parameters (checked against the source above)
            assertEquals(ptx.get(k.substring(0, k.length() - 5)), ptx.get(k), k);
        }
        // and the variant's PTX multiplies BF16 on tensor cores
        String text = new String(image, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32"), "no BF16 mma in the PTX");
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(CudaFatbin.PROPERTIES)) {
            String props = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(props.contains("targets=sm_80 sm_90 compute_90"), props);
            // build-fatbin.sh read the same @variant lines as KernelSources.variants
            assertTrue(props.contains("\nvariants=" + String.join(" ", variants) + "\n"), props);
        }
    }

    private static final TensorCoreConvAlgorithm TF32 = new TensorCoreConvAlgorithm(TensorCoreConvAlgorithm.Precision.TF32);
    private static final TensorCoreConvAlgorithm BF16 = new TensorCoreConvAlgorithm(TensorCoreConvAlgorithm.Precision.BF16);
    private static final List<TensorCoreConvAlgorithm> TENSOR_CORES = List.of(TF32, BF16);

    /** The name a tensor-core kernel runs under for the given instance: the source's, or its bf16 variant's. */
    private static String compiled(TensorCoreConvAlgorithm tc, String kernel) {
        return tc.id().usesBf16() ? kernel + "_bf16" : kernel;
    }

    @Test
    void theTensorCoreKernelTakesTheDirectKernelsArguments() {
        assertEquals(KernelSources.parameters("conv_direct.cl", "conv_direct_forward"),
                KernelSources.parameters(TensorCoreConvAlgorithm.SOURCE, TensorCoreConvAlgorithm.KERNEL));
        assertEquals(Map.of("TC_BF16", "0"), KernelSources.defaults(TensorCoreConvAlgorithm.SOURCE),
                "one tuning constant, the operand type: TF32 by default");
        // the BF16 build is the source's one variant, compiled under the kernels' names suffixed _bf16
        List<KernelSources.Variant> variants = KernelSources.variants(TensorCoreConvAlgorithm.SOURCE);
        assertEquals(List.of(new KernelSources.Variant("bf16", Map.of("TC_BF16", "1"))), variants);
        assertEquals(List.of(TensorCoreConvAlgorithm.KERNEL, TensorCoreConvAlgorithm.FILTER_KERNEL,
                        TensorCoreConvAlgorithm.KERNEL + "_bf16", TensorCoreConvAlgorithm.FILTER_KERNEL + "_bf16"),
                List.copyOf(KernelSources.precompiledKernels(TensorCoreConvAlgorithm.SOURCE).keySet()));
        for (TensorCoreConvAlgorithm tc : TENSOR_CORES) {
            assertEquals(java.util.Optional.of(compiled(tc, TensorCoreConvAlgorithm.FILTER_KERNEL)),
                    KernelSources.precompiledName(TensorCoreConvAlgorithm.SOURCE, tc.precision().defines,
                            TensorCoreConvAlgorithm.FILTER_KERNEL));
        }
    }

    @Test
    void theTensorCoreLaunchCoversEveryTileAndGroup() {
        for (TensorCoreConvAlgorithm tc : TENSOR_CORES) {
            for (String text : List.of("conv_mb2ic64ih14iw14oc130kh3kw3ph1pw1", "conv_mb2ic12ih7iw7oc12kh3kw3ph1pw1g3",
                    "conv_mb1ic6ih6iw5oc12kh3kw3ph1pw1g6", "conv_mb3ic5ih9iw11oc70kh3kw3sh2sw2ph1pw1dh2dw2")) {
                DirectConv c = ConvProblem.parse(text).direct();
                RecordingDevice d = new RecordingDevice(DeviceOptions.DEFAULT);
                Buffer x = d.allocate(c.imageElements());
                Buffer w = d.allocate(c.weightElements());
                Buffer y = d.allocate(c.responseElements());
                tc.forward(d, c, x, w, d.allocate(c.k()), y);
                tc.forward(d, c, x, w, null, y);
                assertEquals(2, d.launches().size());
                RecordingDevice.Launch l = d.launches().get(0);
                assertEquals(compiled(tc, TensorCoreConvAlgorithm.KERNEL), l.compiled(), text);
                long blocksM = (c.gemmM() + 63) / 64;
                long blocksN = (c.kPerGroup() + 63) / 64;
                assertArrayEquals(new long[] {blocksM * 128, blocksN, c.groups()}, l.global(), text);
                assertArrayEquals(new long[] {128, 1, 1}, l.local(), text);
                assertTrue(blocksM * 64 >= c.gemmM() && blocksN * 64 >= c.kPerGroup(), "tiles cover the output");
            }
            assertTrue(tc.deterministic());
            RecordingDevice d = new RecordingDevice(DeviceOptions.DEFAULT);
            DirectConv c = ConvProblem.parse("conv_mb1ic2ih6iw6oc3kh3kw3ph1pw1").direct();
            for (ConvDirection dir : ConvDirection.values()) {
                String why = tc.whyNot(d, c, dir).orElseThrow();
                assertTrue(why.contains("cuda backend") && why.startsWith(tc.id().name()), why);
            }
        }
        assertTrue(TF32.id().usesTf32() && !TF32.id().usesBf16());
        assertEquals(ConvAlgorithm.TENSOR_CORE_TF32, TF32.id());
        assertTrue(BF16.id().usesBf16() && !BF16.id().usesTf32());
        assertEquals(ConvAlgorithm.TENSOR_CORE_BF16, BF16.id());
        // registered for CUDA in this order, after the shared registry
        List<ConvAlgorithm> ids = CudaDevice.ALGORITHMS.stream().map(a -> a.id()).toList();
        assertEquals(List.of(ConvAlgorithm.TENSOR_CORE_TF32, ConvAlgorithm.TENSOR_CORE_BF16),
                ids.subList(ids.size() - 2, ids.size()));
    }

    @Test
    void tensorCoreBackwardDataFlipsTheFilterThenRunsTheForwardKernelOverDy() {
        for (TensorCoreConvAlgorithm tc : TENSOR_CORES) {
            for (String text : List.of("conv_mb2ic70ih14iw14oc64kh3kw3ph1pw1", "conv_mb1ic12ih7iw7oc6kh3kw3ph1pw1g3")) {
                DirectConv c = ConvProblem.parse(text).direct();
                RecordingDevice d = new RecordingDevice(DeviceOptions.DEFAULT);
                Buffer dy = d.allocate(c.responseElements());
                Buffer w = d.allocate(c.weightElements());
                Buffer dx = d.allocate(c.imageElements());
                tc.backwardData(d, c, dy, w, d.allocate(c.c()), dx);
                assertEquals(List.of("conv_flip_filter", compiled(tc, TensorCoreConvAlgorithm.KERNEL)),
                        d.launches().stream().map(RecordingDevice.Launch::compiled).toList(), text);
                RecordingDevice.Launch l = d.launches().get(1);
                long blocksM = ((long) c.n() * c.h() * c.w() + 63) / 64; // dx's pixels
                long blocksN = (c.cPerGroup() + 63) / 64;                // dx's channels per group
                assertArrayEquals(new long[] {blocksM * 128, blocksN, c.groups()}, l.global(), text);
            }
            // too many stride classes: refused, nothing launched
            DirectConv huge = ConvProblem.parse("conv_mb1ic1ih2000iw2000oc1kh1kw1sh2000sw2000").direct();
            RecordingDevice d = new RecordingDevice(DeviceOptions.DEFAULT);
            AlgorithmNotSupportedException e = assertThrows(AlgorithmNotSupportedException.class,
                    () -> tc.backwardData(d, huge, d.allocate(1), d.allocate(1), null, d.allocate(huge.imageElements())));
            assertEquals(tc.id(), e.algorithm());
            assertTrue(d.launches().isEmpty());
        }
    }

    @Test
    void tensorCoreStridedBackwardDataRunsTheForwardKernelPerResidueClass() {
        String fwd = TensorCoreConvAlgorithm.KERNEL;
        String sub = FlippedBackwardData.CLASS_FILTER_KERNEL;
        String scatter = FlippedBackwardData.SCATTER_KERNEL;
        for (TensorCoreConvAlgorithm tc : TENSOR_CORES) {
            String f = compiled(tc, fwd);
            // stride 2, 3x3, H = W = 6, ph = 1: row classes hs = 0 (rho 1: tap 1) and hs = 1 (rho 0: taps 0, 2);
            // four classes, each its sub-filter, the forward kernel into the class workspace, the scatter
            DirectConv c = ConvProblem.parse("conv_mb2ic70ih6iw6oc64kh3kw3sh2sw2ph1pw1").direct();
            RecordingDevice d = new RecordingDevice(DeviceOptions.DEFAULT);
            tc.backwardData(d, c, d.allocate(c.responseElements()), d.allocate(c.weightElements()), null,
                    d.allocate(c.imageElements()));
            assertEquals(List.of(sub, f, scatter, sub, f, scatter, sub, f, scatter, sub, f, scatter),
                    d.launches().stream().map(RecordingDevice.Launch::compiled).toList());
            List<FlippedBackwardData.ClassPlan> plans = FlippedBackwardData.plans(c);
            assertEquals(List.of(1, 2), List.of(plans.get(0).rc(), plans.get(3).rc()));
            for (int i = 0; i < 4; i++) {
                RecordingDevice.Launch l = d.launches().get(3 * i + 1);
                // the class's pixels N*3*3 = 18 (one tile) and C/G = 70 channels (two tiles)
                assertArrayEquals(new long[] {128, 2, 1}, l.global(), "class " + i);
                // stride 1 (the 10th and 11th of the 16 shape arguments), dilation 1 (ohstep = 1/gcd(2, 1))
                assertEquals(List.of(1, 1, 1, 1), List.of(l.values().get(9), l.values().get(10), l.values().get(13),
                        l.values().get(14)), "class " + i);
            }
            // a 1x1 stride-2 shortcut: one class reached (sub-filter, forward, scatter), three get the bias or 0
            DirectConv shortcut = ConvProblem.parse("conv_mb2ic64ih8iw8oc128kh1kw1sh2sw2").direct();
            d = new RecordingDevice(DeviceOptions.DEFAULT);
            tc.backwardData(d, shortcut, d.allocate(shortcut.responseElements()), d.allocate(shortcut.weightElements()),
                    d.allocate(shortcut.c()), d.allocate(shortcut.imageElements()));
            assertEquals(List.of(sub, f, scatter, scatter, scatter, scatter),
                    d.launches().stream().map(RecordingDevice.Launch::compiled).toList());
            // the largest stride on 3x3 pixels: nine classes, one reached, no billions of launches
            DirectConv widest = ConvProblem.parse("conv_mb1ic1ih3iw3oc1kh1kw1sh2147483647sw2147483647").direct();
            d = new RecordingDevice(DeviceOptions.DEFAULT);
            tc.backwardData(d, widest, d.allocate(1), d.allocate(1), null, d.allocate(9));
            assertEquals(11, d.launches().size());
            // sh = dh = 2: one row class gets every tap (the whole flipped filter), computed aside and scattered
            DirectConv dilated = ConvProblem.parse("conv_mb1ic4ih9iw9oc3kh3kw3sh2sw2ph2pw2dh2dw2").direct();
            d = new RecordingDevice(DeviceOptions.DEFAULT);
            tc.backwardData(d, dilated, d.allocate(dilated.responseElements()), d.allocate(dilated.weightElements()),
                    null, d.allocate(dilated.imageElements()));
            assertEquals(List.of(FlippedBackwardData.KERNEL, f, scatter, scatter, scatter, scatter),
                    d.launches().stream().map(RecordingDevice.Launch::compiled).toList());
        }
    }

    @Test
    void tensorCoreBackwardFilterSplitsItsReductionToFillTheDevice() {
        for (TensorCoreConvAlgorithm tc : TENSOR_CORES) {
            // 64 x 576 weights: 9 x 1 block tiles for 132*4 wanted; 2*14*14 = 392 pixels allow ceil(392/256) = 2 splits, of 196 rows
            DirectConv c = ConvProblem.parse("conv_mb2ic64ih14iw14oc64kh3kw3ph1pw1").direct();
            RecordingDevice d = new RecordingDevice(DeviceOptions.DEFAULT);
            tc.backwardFilter(d, c, d.allocate(c.imageElements()), d.allocate(c.responseElements()),
                    d.allocate(c.weightElements()));
            int[] sc = TensorCoreConvAlgorithm.splits(c, d.info().computeUnits());
            assertEquals(2, sc[0], "splits");
            assertEquals(196, sc[1], "rows per split");
            assertEquals(List.of(compiled(tc, TensorCoreConvAlgorithm.FILTER_KERNEL), SplitSums.KERNEL),
                    d.launches().stream().map(RecordingDevice.Launch::compiled).toList());
            assertArrayEquals(new long[] {9 * 128, 1, 2}, d.launches().get(0).global());
        }
        DirectConv c = ConvProblem.parse("conv_mb2ic64ih14iw14oc64kh3kw3ph1pw1").direct();
        // one split on a one-SM device: the kernel writes dw itself
        assertEquals(1, TensorCoreConvAlgorithm.splits(c, 1)[0]);
        // never more grid layers than CUDA allows: 40000 groups take one split each
        DirectConv grouped = ConvProblem.parse("conv_mb64ic40000ih8iw8oc40000kh1kw1g40000").direct();
        assertEquals(1, TensorCoreConvAlgorithm.splits(grouped, 132)[0]);
    }

    // ================================================================== device selection

    private static CudaDriver.Entry entry(int ordinal, String name, int major) {
        return new CudaDriver.Entry(ordinal, name, 80L << 30, 132, major, 0, 1024, Integer.MAX_VALUE, 65535, 65535,
                49152, ordinal + 1, 13000);
    }

    @Test
    void selectorsPickUsableDevicesByOrdinalOrName() {
        List<CudaDriver.Entry> entries = List.of(entry(0, "Tesla V100", 7), entry(1, "NVIDIA H100 80GB HBM3", 9),
                entry(2, "NVIDIA A100", 8));
        assertEquals(1, CudaBackend.select(entries, null).ordinal(), "the first usable device");
        assertEquals(2, CudaBackend.select(entries, "2").ordinal());
        assertEquals(2, CudaBackend.select(entries, "a100").ordinal());
        assertEquals(1, CudaBackend.select(entries, "NVIDIA").ordinal());
        BackendUnavailableException old = assertThrows(BackendUnavailableException.class,
                () -> CudaBackend.select(entries, "0"));
        assertTrue(old.getMessage().contains("compute capability"), old.getMessage());
        BackendUnavailableException none = assertThrows(BackendUnavailableException.class,
                () -> CudaBackend.select(entries, "7"));
        assertTrue(none.getMessage().contains("no CUDA device with index 7") && none.getMessage().contains("H100"),
                none.getMessage());
        BackendUnavailableException name = assertThrows(BackendUnavailableException.class,
                () -> CudaBackend.select(entries, "rtx"));
        assertTrue(name.getMessage().contains("'rtx'"), name.getMessage());
        assertThrows(BackendUnavailableException.class, () -> CudaBackend.select(List.of(entry(0, "V100", 7)), null));
    }

    @Test
    void deviceDetailsNameTheComputeCapabilityAndTheFatbin() {
        var info = entry(1, "NVIDIA H100", 9).info("fatbin by nvcc 13.0.88 (sm_80 sm_90 compute_90)");
        assertEquals("cuda:1", info.spec());
        assertEquals("compute capability 9.0, 132 SMs, PCI bus 2, CUDA driver 13.0, fatbin by nvcc 13.0.88 "
                + "(sm_80 sm_90 compute_90)", info.details());
    }
}
