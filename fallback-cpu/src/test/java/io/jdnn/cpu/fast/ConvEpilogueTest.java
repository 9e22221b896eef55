package io.jdnn.cpu.fast;

import io.jdnn.Activation;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.Devices;
import io.jdnn.Tensor;
import io.jdnn.spi.DeviceBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused epilogue on the cpu backend: for every forward algorithm of {@link CpuBackendTest}'s
 * problems (direct and transposed, grouped, depthwise, dilated, strided), every activation kind,
 * with and without bias, {@code conv2d(..., activation, y)} gives the bits of {@code conv2d} then
 * {@code activation}, and the device reports the epilogue as fused.
 */
class ConvEpilogueTest {
    private static DeviceBackend backend;
    private static Device cpu;

    @BeforeAll
    static void open() {
        backend = CpuBackend.open(DeviceOptions.DEFAULT, KernelsLoader.best());
        cpu = Devices.wrap(backend, DeviceOptions.DEFAULT);
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    /** Every kind, parameters off their defaults (softplus with a threshold the sums cross). */
    static List<Activation> everyKind() {
        List<Activation> out = new ArrayList<>();
        for (Activation.Kind kind : Activation.Kind.values()) {
            out.add(kind == Activation.Kind.SOFTPLUS ? Activation.softplus(2, 3) : new Activation(kind, 0.25));
        }
        return out;
    }

    @TestFactory
    List<DynamicTest> fusedGivesTheBitsOfConvolutionThenActivation() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String s : CpuBackendTest.CONVS) {
            ConvProblem p = ConvProblem.parse(s);
            for (ConvAlgorithm a : cpu.applicableAlgorithms(p, ConvDirection.FORWARD)) {
                tests.add(DynamicTest.dynamicTest(s + " " + a, () -> {
                    assertTrue(cpu.isActivationFused(p, a), "cpu fuses the epilogue of " + a);
                    try (Tensor x = cpu.upload(p.inputShape(), scaled(CpuBackendTest.random(p.inputShape().elements(), 1)));
                         Tensor w = cpu.upload(p.weightShape(), CpuBackendTest.random(p.weightShape().elements(), 2));
                         Tensor b = cpu.upload(p.biasShape(), scaled(CpuBackendTest.random(p.biasShape().elements(), 3)))) {
                        for (Activation act : everyKind()) {
                            for (Tensor bias : new Tensor[] {null, b}) {
                                String what = s + " " + a + " " + act + (bias == null ? "" : " with bias");
                                try (Tensor plain = cpu.conv2d(p, a, x, w, bias);
                                     Tensor unfused = cpu.activation(act, plain);
                                     Tensor fused = cpu.conv2d(p, a, x, w, bias, act)) {
                                    assertArrayEquals(unfused.toArray(), fused.toArray(), what);
                                }
                            }
                        }
                    }
                }));
            }
        }
        return tests;
    }

    @Test
    void autoResolvesAndTheBackwardFilterIsNeverFused() {
        ConvProblem p = ConvProblem.parse(CpuBackendTest.CONVS[0]);
        assertTrue(cpu.isActivationFused(p, ConvAlgorithm.AUTO));
        assertFalse(backend.fusesActivation(p.direct(), ConvDirection.BACKWARD_FILTER,
                ConvAlgorithm.IM2COL_GEMM));
    }

    /** x4, so that sums cross every kink (relu6's 6, hardswish's +-3) and exp saturates in places. */
    private static float[] scaled(float[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] *= 4;
        }
        return v;
    }
}
