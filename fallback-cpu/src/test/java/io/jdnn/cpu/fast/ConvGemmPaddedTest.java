package io.jdnn.cpu.fast;

import io.jdnn.Activation;
import io.jdnn.ConvProblem;
import io.jdnn.DeviceOptions;
import io.jdnn.DirectConv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link ConvGemmPadded}'s forward (columns read as slices of padded phase planes) gives the same
 * bits as {@link ConvGemm#forwardGather} (columns gathered from x) on problems with every stride,
 * dilation and padding combination up to 3, groups, odd sizes, padding wider than the kernel, one
 * pixel, bias and a fused activation; those are compared with the reference elsewhere
 * ({@code CpuBackendTest}, the conformance suite), so equal bits carry that over.
 */
class ConvGemmPaddedTest {
    private static CpuDevice dev;

    @BeforeAll
    static void open() {
        Kernels k = KernelsLoader.best();
        dev = new CpuDevice(CpuBackend.info(k), DeviceOptions.DEFAULT, k, Parallel.ofThreads(2));
    }

    @AfterAll
    static void close() {
        dev.close();
    }

    static List<String> problems() {
        List<String> out = new ArrayList<>();
        for (int stride = 1; stride <= 3; stride++) {
            for (int dil = 1; dil <= 3; dil++) {
                for (int pad = 0; pad <= 3; pad++) {
                    out.add("conv_mb2ic5ih13iw11oc7kh3kw3sh" + stride + "sw" + stride + "ph" + pad + "pw" + pad + "dh" + dil
                            + "dw" + dil);
                }
            }
        }
        out.add("conv_mb1ic3ih9iw12oc5kh2kw4sh2sw3ph1pw3dh3dw1");  // mixed strides, dilations, pads
        out.add("conv_mb3ic8ih17iw17oc12kh5kw5sh1sw1ph2pw2g4");   // groups
        out.add("conv_mb2ic64ih28iw28oc70kh1kw1");                 // 1x1: x itself, several blocks and tiles
        out.add("conv_mb2ic16ih28iw28oc20kh1kw1sh2sw2");            // 1x1 stride 2: one phase
        out.add("conv_mb1ic300ih7iw7oc13kh3kw3ph1pw1");             // reduction in two chunks
        out.add("conv_mb2ic4ih1iw1oc3kh1kw1");                      // one pixel
        out.add("conv_mb1ic2ih4iw4oc3kh3kw3ph5pw5");                // padding wider than the kernel
        out.add("conv_mb1ic2ih6iw40oc3kh3kw7sh1sw4ph0pw3dh1dw5");   // stride 4 with dilation 5
        return out;
    }

    @TestFactory
    List<DynamicTest> sameBitsAsTheGather() {
        assumeTrue(dev.kernels().panelWidth() > 0, "the plain kernels have no packed panels: only the gather path runs");
        List<DynamicTest> tests = new ArrayList<>();
        for (String s : problems()) {
            for (int variant = 0; variant < 2; variant++) {
                boolean fused = variant == 1;
                tests.add(DynamicTest.dynamicTest(s + (fused ? " bias+relu6" : ""), () -> {
                    DirectConv d = ConvProblem.parse(s).direct();
                    Random r = new Random(s.hashCode());
                    float[] x = random(r, (int) d.imageElements());
                    float[] w = random(r, (int) d.weightElements());
                    float[] bias = fused ? random(r, d.k()) : null;
                    Activation act = fused ? Activation.relu6() : null;
                    float[] want = new float[(int) d.responseElements()];
                    float[] got = new float[want.length];
                    Arrays.fill(got, Float.NaN); // every output must be written
                    ConvGemm.forwardGather(dev, d, x, w, bias, act, want);
                    ConvGemmPadded.forward(dev, d, x, w, bias, act, got);
                    assertArrayEquals(want, got);
                }));
            }
        }
        return tests;
    }

    @Test
    void takenWhereFewColumnsAreDropped() {
        assumeTrue(dev.kernels().panelWidth() > 0);
        Kernels k = dev.kernels();
        assertTrue(ConvGemmPadded.applies(k, ConvProblem.parse("conv_mb4ic64ih56iw56oc64kh3kw3ph1pw1").direct()));
        assertTrue(ConvGemmPadded.applies(k, ConvProblem.parse("conv_mb4ic128ih56iw56oc128kh3kw3sh2sw2ph1pw1").direct()));
        assertTrue(ConvGemmPadded.applies(k, ConvProblem.parse("conv_mb4ic64ih56iw56oc256kh1kw1").direct()));
        // 7x7 output, 3x3 filter: 2 of every 9 columns dropped
        assertFalse(ConvGemmPadded.applies(k, ConvProblem.parse("conv_mb1ic512ih7iw7oc512kh3kw3ph1pw1").direct()));
        // the DCGAN layer's backward-data: 8x8 output, 72 virtual pixels padded to 96 columns against 64
        assertFalse(ConvGemmPadded.applies(k, ConvProblem.parse("conv_mb4ic128ih16iw16oc256kh4kw4sh2sw2ph1pw1").direct()));
        assertFalse(ConvGemmPadded.applies(KernelsLoader.plain(), ConvProblem.parse("conv_mb4ic64ih56iw56oc64kh3kw3ph1pw1").direct()));
    }

    @Test
    void phasePlanesHoldThePaddedImage() {
        // 1 image, 1 channel, 5x5, stride 2, pad 1: phase (a, b) element (i, j) = x[2i + a - 1][2j + b - 1]
        DirectConv d = ConvProblem.parse("conv_mb1ic1ih5iw5oc1kh3kw3sh2sw2ph1pw1").direct();
        ConvGemmPadded.Planes pl = ConvGemmPadded.Planes.of(d);
        assertEquals(4, pl.slots());
        assertEquals(4, pl.hs()); // P = 3 rows plus one for tap r = 2
        float[] x = new float[25];
        for (int i = 0; i < 25; i++) {
            x[i] = i + 1;
        }
        float[] planes = ConvGemmPadded.prepare(dev, d, pl, x);
        int[] rowPhase = pl.rowPhase(), colPhase = pl.colPhase();
        for (int ra = 0; ra < rowPhase.length; ra++) {
            for (int cb = 0; cb < colPhase.length; cb++) {
                for (int i = 0; i < pl.hs(); i++) {
                    for (int j = 0; j < pl.ws(); j++) {
                        int ih = 2 * i + rowPhase[ra] - 1, iw = 2 * j + colPhase[cb] - 1;
                        float want = ih < 0 || ih >= 5 || iw < 0 || iw >= 5 ? 0f : x[ih * 5 + iw];
                        int at = ((ra * colPhase.length + cb) * pl.hs() + i) * pl.ws() + j;
                        assertEquals(want, planes[at], "phase " + ra + "," + cb + " at " + i + "," + j);
                    }
                }
            }
        }
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }
}
