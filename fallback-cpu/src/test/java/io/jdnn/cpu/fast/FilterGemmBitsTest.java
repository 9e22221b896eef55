package io.jdnn.cpu.fast;

import io.jdnn.ConvProblem;
import io.jdnn.DeviceOptions;
import io.jdnn.DirectConv;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link ConvGemmFilter} (dw = dy x col^T) gives the bits of {@link ConvGemm#backwardFilter} (dw^T =
 * col x dy^T) on every problem, whichever {@link ConvGemmFilter#suits} picks: strides 1 to 3,
 * dilation, groups, odd sizes, padding larger than the kernel, several image chunks, pixels per
 * image beyond one packed panel, on pools of 1 and 3 workers.
 */
class FilterGemmBitsTest {
    static final String[] PROBLEMS = {
        "deconv_mb4ic256ih8iw8oc128kh4kw4sh2sw2ph1pw1", // DCGAN 4x4/2
        "deconv_mb3ic20ih5iw7oc9kh4sh2ph1",
        "deconv_mb1ic4ih5oc6kh3sh2ph1dh2oph1g2",
        "deconv_mb6ic64ih4oc32kh4sh2ph1",                // 6 images in 4 chunks
        "conv_mb2ic5ih9iw7oc7kh3ph1",
        "conv_mb2ic8ih11oc20kh3sh2ph1",
        "conv_mb1ic6ih10oc9kh3dh2ph2",
        "conv_mb2ic4ih12oc8kh3ph1g2",
        "conv_mb1ic3ih6iw5oc4kh2kw3ph4pw5",             // padding larger than the kernel
        "conv_mb1ic3ih13iw11oc5kh3kw2sh3sw2ph5pw4dh2dw3",
        "conv_mb5ic16ih20oc32kh1sh2",
        "conv_mb2ic7ih19oc70kh3ph1",                     // 361 pixels: two panels per image
        "conv_mb1ic100ih7oc160kh3ph1",                   // batch 1, 7x7: few pixels, many channels
        "conv_mb3ic12ih9iw10oc60kh5sh2ph2g3",
    };

    @TestFactory
    List<DynamicTest> sameBitsAsTheTransposedProduct() {
        List<DynamicTest> tests = new ArrayList<>();
        Kernels k = KernelsLoader.best();
        if (k.panelWidth() == 0) {
            return tests; // the path needs packed-panel kernels
        }
        List<CpuDevice> devices = new ArrayList<>();
        for (int t : new int[] {1, 3}) {
            devices.add(new CpuDevice(CpuBackend.info(k), DeviceOptions.DEFAULT, k, Parallel.ofThreads(t)));
        }
        for (String s : PROBLEMS) {
            ConvProblem p = ConvProblem.parse(s);
            tests.add(DynamicTest.dynamicTest(s, () -> {
                DirectConv d = p.direct();
                float[] x = CpuBackendTest.random((long) d.n() * d.c() * d.h() * d.w(), 1);
                float[] dy = CpuBackendTest.random((long) d.n() * d.k() * d.p() * d.q(), 3);
                float[] expected = new float[(int) d.weightElements()];
                ConvGemm.backwardFilter(devices.get(0), d, x, dy, expected);
                for (CpuDevice dev : devices) {
                    float[] got = new float[expected.length];
                    ConvGemmFilter.backwardFilter(dev, d, x, dy, got);
                    for (int i = 0; i < expected.length; i++) {
                        assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(got[i]),
                                "dw[" + i + "] on " + dev.parallel().threads() + " workers");
                    }
                }
            }));
        }
        return tests;
    }
}
