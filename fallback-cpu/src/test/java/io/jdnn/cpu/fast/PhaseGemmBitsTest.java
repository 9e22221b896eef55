package io.jdnn.cpu.fast;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.Devices;
import io.jdnn.DirectConv;
import io.jdnn.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * IM2COL_GEMM backward-data (and so the transposed forward) computes every dx element as one float32
 * fma chain, from +0, over (response channel, row tap, column tap) of its stride phase in that order,
 * reading 0 where dy has no element, then adds the bias (+0 without one): checked bit for bit
 * against that chain written out per element, for both kernel sets and pools of 1 and 3 workers, on
 * strides 1 to 3, dilation, groups, odd sizes, padding larger than the kernel, batches of several
 * images and reductions longer than one packed chunk.
 */
class PhaseGemmBitsTest {
    static final String[] PROBLEMS = {
        "deconv_mb4ic256ih8iw8oc128kh4kw4sh2sw2ph1pw1", // DCGAN 4x4/2
        "deconv_mb3ic20ih5iw7oc9kh4sh2ph1",
        "deconv_mb2ic6ih5oc4kh4sh2ph1",
        "deconv_mb1ic4ih4oc3kh3sh3ph1oph1",
        "deconv_mb1ic4ih5oc6kh3sh2ph1dh2oph1g2",
        "deconv_mb1ic4ih7oc5kh3ph1dh2",
        "deconv_mb2ic5ih6iw9oc7kh5kw3sh3sw2ph2pw1",
        "deconv_mb2ic12ih3oc10kh2sh2",
        "conv_mb2ic5ih9iw7oc7kh3ph1",
        "conv_mb2ic8ih11oc20kh3sh2ph1",
        "conv_mb1ic6ih10oc9kh3dh2ph2",
        "conv_mb2ic4ih12oc8kh3ph1g2",
        "conv_mb1ic7ih6oc5kh3ph3",                      // padding as large as the kernel
        "conv_mb1ic3ih6iw5oc4kh2kw3ph4pw5",             // padding larger than the kernel
        "conv_mb1ic3ih13iw11oc5kh3kw2sh3sw2ph5pw4dh2dw3",
        "conv_mb2ic9ih10iw13oc11kh3sh3ph1",
        "conv_mb1ic40ih12oc300kh3ph1",                  // a reduction longer than one packed chunk
        "conv_mb3ic12ih17iw19oc24kh5sh2ph2g3",
        "conv_mb1ic3ih9iw6oc4kh2kw3sh2sw1ph1pw0",
        "conv_mb1ic2ih5iw5oc3kh2kw2sh1sw2147483647ph0pw2", // a huge stride: one phase holds every column
        "conv_mb5ic16ih20oc32kh1sh2",
    };
    private static final List<Device> DEVICES = new ArrayList<>();
    /** The 3-worker devices of {@link #DEVICES}, for the package-private entry point. */
    private static final List<CpuDevice> BACKENDS = new ArrayList<>();

    @BeforeAll
    static void open() {
        for (Kernels k : new Kernels[] {KernelsLoader.best(), KernelsLoader.plain()}) {
            for (int t : new int[] {1, 3}) {
                CpuDevice dev = new CpuDevice(CpuBackend.info(k), DeviceOptions.DEFAULT, k, Parallel.ofThreads(t));
                DEVICES.add(Devices.wrap(dev, DeviceOptions.DEFAULT));
                if (t == 3) {
                    BACKENDS.add(dev);
                }
            }
        }
    }

    @AfterAll
    static void close() {
        DEVICES.forEach(Device::close);
    }

    @TestFactory
    List<DynamicTest> everyElementIsItsPhaseChain() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String s : PROBLEMS) {
            ConvProblem p = ConvProblem.parse(s);
            tests.add(DynamicTest.dynamicTest(s, () -> {
                DirectConv d = p.direct();
                float[] w = CpuBackendTest.random(p.weightShape().elements(), 2);
                float[] dy = CpuBackendTest.random((long) d.n() * d.k() * d.p() * d.q(), 3);
                float[] bias = p.transposed() ? CpuBackendTest.random(p.biasShape().elements(), 4) : null;
                float[] expected = chains(d, dy, w, bias);
                for (Device dev : DEVICES) {
                    float[] got = run(dev, p, d, dy, w, bias);
                    for (int i = 0; i < expected.length; i++) {
                        if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(got[i])) {
                            assertEquals(expected[i], got[i], 0f, "dx[" + i + "] on " + dev.info().details());
                        }
                    }
                }
            }));
        }
        return tests;
    }

    /**
     * dy's shifted copies made in rounds of a few images (large problems), and none at all (one
     * image's copies beyond the limit: gathered from dy), give the same bits.
     */
    @TestFactory
    List<DynamicTest> roundsOfImagesGiveTheSameBits() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String s : new String[] {"deconv_mb3ic20ih5iw7oc9kh4sh2ph1", "conv_mb5ic16ih20oc32kh1sh2", "conv_mb2ic5ih9iw7oc7kh3ph1"}) {
            ConvProblem p = ConvProblem.parse(s);
            tests.add(DynamicTest.dynamicTest(s, () -> {
                DirectConv d = p.direct();
                float[] w = CpuBackendTest.random(p.weightShape().elements(), 2);
                float[] dy = CpuBackendTest.random((long) d.n() * d.k() * d.p() * d.q(), 3);
                float[] expected = chains(d, dy, w, null);
                for (CpuDevice dev : BACKENDS) {
                    // at least one image's planes: K * (P + 2 * H) * S * W floats bound them
                    long oneImage = (long) d.k() * (d.p() + 2L * d.h()) * d.s() * d.w();
                    for (long limit : new long[] {oneImage, 1}) {
                        float[] got = new float[expected.length];
                        ConvGemmData.backwardData(dev, d, dy, new CpuBuffer(w), null, null, got, limit);
                        for (int i = 0; i < expected.length; i++) {
                            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(got[i]),
                                    "dx[" + i + "], limit " + limit);
                        }
                    }
                }
            }));
        }
        return tests;
    }

    private static float[] run(Device dev, ConvProblem p, DirectConv d, float[] dy, float[] w, float[] bias) {
        if (p.transposed()) {
            try (Tensor x = dev.upload(p.inputShape(), dy); Tensor wt = dev.upload(p.weightShape(), w);
                 Tensor b = dev.upload(p.biasShape(), bias); Tensor y = dev.conv2d(p, ConvAlgorithm.IM2COL_GEMM, x, wt, b)) {
                return y.toArray();
            }
        }
        try (Tensor dyt = dev.upload(p.outputShape(), dy); Tensor wt = dev.upload(p.weightShape(), w);
             Tensor dx = dev.conv2dBackwardData(p, ConvAlgorithm.IM2COL_GEMM, dyt, wt)) {
            return dx.toArray();
        }
    }

    /** Every dx element's fma chain over its phase's (k, row tap, column tap), in that order. */
    private static float[] chains(DirectConv d, float[] dy, float[] w, float[] bias) {
        int cg = d.cPerGroup(), kg = d.kPerGroup();
        float[] dx = new float[(int) ((long) d.n() * d.c() * d.h() * d.w())];
        for (int n = 0; n < d.n(); n++) {
            for (int c = 0; c < d.c(); c++) {
                int gi = c / cg;
                for (int h = 0; h < d.h(); h++) {
                    for (int x = 0; x < d.w(); x++) {
                        float acc = 0f;
                        for (int k = gi * kg; k < (gi + 1) * kg; k++) {
                            for (int r = 0; r < d.r(); r++) {
                                long vr = (long) (h % d.strideH()) + d.padH() - (long) r * d.dilationH();
                                if (Math.floorMod(vr, d.strideH()) != 0) {
                                    continue;
                                }
                                long py = h / d.strideH() + Math.floorDiv(vr, d.strideH());
                                for (int s = 0; s < d.s(); s++) {
                                    long vs = (long) (x % d.strideW()) + d.padW() - (long) s * d.dilationW();
                                    if (Math.floorMod(vs, d.strideW()) != 0) {
                                        continue;
                                    }
                                    long qx = x / d.strideW() + Math.floorDiv(vs, d.strideW());
                                    float v = py < 0 || py >= d.p() || qx < 0 || qx >= d.q() ? 0f
                                            : dy[(int) (((long) n * d.k() + k) * d.p() * d.q() + py * d.q() + qx)];
                                    acc = Math.fma(w[((k * cg + c - gi * cg) * d.r() + r) * d.s() + s], v, acc);
                                }
                            }
                        }
                        dx[(int) ((((long) n * d.c() + c) * d.h() + h) * d.w() + x)] = acc + (bias == null ? 0f : bias[c]);
                    }
                }
            }
        }
        return dx;
    }
}
