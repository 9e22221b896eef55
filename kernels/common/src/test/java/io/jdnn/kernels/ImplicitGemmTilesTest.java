package io.jdnn.kernels;

import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.DeviceOptions;
import io.jdnn.DirectConv;
import io.jdnn.kernels.ImplicitGemmConvAlgorithm.Tiles;
import io.jdnn.spi.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.jdnn.ConvDirection.BACKWARD_DATA;
import static io.jdnn.ConvDirection.BACKWARD_FILTER;
import static io.jdnn.ConvDirection.FORWARD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IMPLICIT_GEMM's tile shapes: the list both backends run (the source's defaults and variants),
 * and the per-problem choice on an H100-like device description (RecordingDevice's: 132 compute
 * units, work-groups of 1024, 48 KiB of local memory, 80 GiB so a 512 MiB workspace).
 */
class ImplicitGemmTilesTest {
    static final Tiles T128X128 = new Tiles(128, 128, 16, 8, 8);
    static final Tiles T128X64 = new Tiles(128, 64, 16, 8, 4);
    static final Tiles T64X64 = new Tiles(64, 64, 16, 4, 4);
    static final Tiles T32X32 = new Tiles(32, 32, 16, 4, 4);

    static final int CU = 132;
    static final long MAX_LOCAL = 1024;
    static final long LOCAL_MEMORY = 48 * 1024;
    static final long WORKSPACE = (512L << 20) / Float.BYTES;

    @Test
    void theTilesAreTheSourcesDefaultsAndVariantsLargestFirst() {
        assertEquals(List.of(T128X128, T128X64, T64X64, T32X32), ImplicitGemmConvAlgorithm.TILES);
        assertEquals(Tiles.of(KernelSources.defaults(ImplicitGemmConvAlgorithm.SOURCE)), T64X64, "64x64 is the default");
        assertEquals(256, T128X128.threads());
        assertEquals(64, T32X32.threads());
        assertEquals(16, ImplicitGemmConvAlgorithm.SMALL.threads());
        assertEquals(33024, T128X128.localBytes(), "what ptxas reports as the kernels' smem");
        for (Tiles t : ImplicitGemmConvAlgorithm.TILES) {
            assertTrue(KernelSources.precompiledName(ImplicitGemmConvAlgorithm.SOURCE, t.defines(), "igemm_forward")
                    .isPresent(), t + " is compiled for CUDA");
        }
        assertTrue(KernelSources.precompiledName(ImplicitGemmConvAlgorithm.SOURCE,
                ImplicitGemmConvAlgorithm.SMALL.defines(), "igemm_forward").isEmpty(), "16x16 is OpenCL's alone");
    }

    private static Tiles choose(String problem, ConvDirection d) {
        return ImplicitGemmConvAlgorithm.choose(ConvProblem.parse(problem).direct(), d, CU, MAX_LOCAL, LOCAL_MEMORY,
                WORKSPACE);
    }

    private static void assertChoices(String problem, Tiles fwd, Tiles bwdData, Tiles bwdFilter) {
        assertEquals(fwd, choose(problem, FORWARD), problem + " fwd");
        assertEquals(bwdData, choose(problem, BACKWARD_DATA), problem + " bwd-data");
        assertEquals(bwdFilter, choose(problem, BACKWARD_FILTER), problem + " bwd-filter");
    }

    @Test
    void representativeLayersOnAnH100() {
        // ResNet-50 3x3 at 56x56, batch 32: GEMM 100352 x 64 (x 576). 128 columns would compute twice
        // the outputs; 128x64 still gives 784 groups (about six per SM). Backward-filter: 576 x 64,
        // its 100352-term reduction split to fill the device.
        assertChoices("conv_mb32ic64ih56iw56oc64kh3kw3ph1pw1", T128X64, T128X64, T128X64);
        // at 28x28: 25088 x 128, 196 groups of 128x128: more than a wave
        assertChoices("conv_mb32ic128ih28iw28oc128kh3kw3ph1pw1", T128X128, T128X128, T128X128);
        // ResNet-50 3x3 at 7x7, batch 32: 1568 x 512 gives 52 groups of 128x128, 104 of 128x64 (under
        // a wave of 132), 200 of 64x64. Backward-filter: 4608 x 512, split 4 ways.
        assertChoices("conv_mb32ic512ih7iw7oc512kh3kw3ph1pw1", T64X64, T64X64, T128X128);
        // 1x1 with 2048 channels (ResNet-50's last expansion and the next block's reduction)
        assertChoices("conv_mb32ic512ih7iw7oc2048kh1kw1", T128X128, T64X64, T128X128);
        assertChoices("conv_mb32ic2048ih7iw7oc512kh1kw1", T64X64, T128X128, T128X128);
        // tiny: 63 x 5 (x 27): nothing fills anything, the smallest tile wastes least
        assertChoices("conv_mb1ic3ih7iw9oc5kh3kw3ph1pw1", T32X32, T32X32, T32X32);
        // the stem: 7x7 stride 2 from 3 channels; backward-data has 3 columns, backward-filter 147 rows
        assertChoices("conv_mb32ic3ih224iw224oc64kh7kw7sh2sw2ph3pw3", T128X64, T32X32, T32X32);
    }

    @Test
    void backwardFilterSplitsCountTheChosenTilesGroups() {
        DirectConv c = ConvProblem.parse("conv_mb32ic512ih7iw7oc512kh3kw3ph1pw1").direct();
        // 36 x 4 groups of 128x128; 4 groups per compute unit = 528: 4 splits (of 1568 terms, at most 7)
        assertEquals(4, ImplicitGemmConvAlgorithm.splits(c, T128X128, CU, WORKSPACE));
        assertEquals(1, ImplicitGemmConvAlgorithm.splits(c, T64X64, CU, WORKSPACE), "72 x 8 groups already");
        assertEquals(7, ImplicitGemmConvAlgorithm.maxSplits(c, WORKSPACE));
        assertEquals(1, ImplicitGemmConvAlgorithm.maxSplits(c, c.weightElements() - 1), "no room for partial sums");

        // the launches: the chosen variant's kernel under its CUDA name, 4 splits, then their sum (reduce.cl's)
        RecordingDevice d = new RecordingDevice(DeviceOptions.DEFAULT);
        new ImplicitGemmConvAlgorithm().backwardFilter(d, c, d.allocate(c.imageElements()),
                d.allocate(c.responseElements()), d.allocate(c.weightElements()));
        List<RecordingDevice.Launch> l = d.launches();
        assertEquals("igemm_backward_filter_t128x128", l.get(l.size() - 2).compiled());
        assertArrayEquals(new long[] {36 * 16, 4 * 16, 4}, l.get(l.size() - 2).global());
        assertArrayEquals(new long[] {16, 16, 1}, l.get(l.size() - 2).local());
        assertEquals(SplitSums.KERNEL, l.get(l.size() - 1).compiled());
    }

    @Test
    void smallDevicesGetTheTilesTheyRun() {
        String p = "conv_mb32ic128ih28iw28oc128kh3kw3ph1pw1";
        DirectConv c = ConvProblem.parse(p).direct();
        // work-groups of 128: only 32x32 of the compiled tiles; of 32: the OpenCL-only 16x16
        assertEquals(T32X32, ImplicitGemmConvAlgorithm.choose(c, FORWARD, CU, 128, LOCAL_MEMORY, WORKSPACE));
        assertEquals(ImplicitGemmConvAlgorithm.SMALL,
                ImplicitGemmConvAlgorithm.choose(c, FORWARD, CU, 32, LOCAL_MEMORY, WORKSPACE));
        // 24 KiB of local memory: not 128x128 (33,024 bytes) nor 128x64 (24,832)
        assertEquals(T64X64, ImplicitGemmConvAlgorithm.choose(c, FORWARD, CU, MAX_LOCAL, 24 * 1024, WORKSPACE));
        assertThrows(IllegalArgumentException.class,
                () -> ImplicitGemmConvAlgorithm.choose(c, FORWARD, CU, 8, LOCAL_MEMORY, WORKSPACE));
        // two compute units (a CPU): a wave is 512 work-items, any 256-item tile with two groups fills it
        assertEquals(T128X128, ImplicitGemmConvAlgorithm.choose(c, FORWARD, 2, MAX_LOCAL, LOCAL_MEMORY, WORKSPACE));
    }

    @Test
    void aForcedTileIsLaunchedAsTheVariantOfThatName() {
        DirectConv c = ConvProblem.parse("conv_mb1ic3ih7iw9oc5kh3kw3ph1pw1").direct();
        for (Tiles t : ImplicitGemmConvAlgorithm.TILES) {
            RecordingDevice d = new RecordingDevice(DeviceOptions.DEFAULT);
            ImplicitGemmConvAlgorithm a = new ImplicitGemmConvAlgorithm(t);
            Buffer x = d.allocate(c.imageElements());
            Buffer y = d.allocate(c.responseElements());
            a.forward(d, c, x, d.allocate(c.weightElements()), null, y);
            String want = KernelSources.precompiledName(ImplicitGemmConvAlgorithm.SOURCE, t.defines(), "igemm_forward")
                    .orElseThrow();
            RecordingDevice.Launch l = d.launches().get(d.launches().size() - 1);
            assertEquals(want, l.compiled(), t.toString());
            assertArrayEquals(new long[] {t.threadsM(), t.threadsN(), 1}, l.local());
        }
        // 16x16 runs on OpenCL only: the recording device (CUDA's rules) refuses it
        RecordingDevice d = new RecordingDevice(DeviceOptions.DEFAULT);
        ImplicitGemmConvAlgorithm small = new ImplicitGemmConvAlgorithm(ImplicitGemmConvAlgorithm.SMALL);
        AssertionError e = assertThrows(AssertionError.class, () -> small.forward(d, c, d.allocate(c.imageElements()),
                d.allocate(c.weightElements()), null, d.allocate(c.responseElements())));
        assertTrue(e.getMessage().contains("no such variant") && e.getMessage().contains("t128x128"), e.getMessage());
        assertEquals(Map.of("IGEMM_TM", 16, "IGEMM_TN", 16, "IGEMM_TK", 16, "IGEMM_WM", 4, "IGEMM_WN", 4),
                ImplicitGemmConvAlgorithm.SMALL.defines());
    }
}
