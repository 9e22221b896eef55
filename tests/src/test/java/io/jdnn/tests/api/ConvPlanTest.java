package io.jdnn.tests.api;

import io.jdnn.AlgorithmNotSupportedException;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvPlan;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.Devices;
import io.jdnn.Tensor;
import io.jdnn.cpu.fast.CpuBackend;
import io.jdnn.spi.DeviceBackend;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Device#plan}: the one answer to "which convolution algorithm runs", which the conv calls
 * then run exactly, on the cpu backend (AUTO's policy lives in the API, so one backend with a
 * choice shows it).
 */
class ConvPlanTest {
    /** 3x3 stride 1 with 16 channels: the cpu backend's rule picks WINOGRAD for it. */
    static final ConvProblem WINO = ConvProblem.parse("conv_mb1ic16ih28oc16kh3ph1");
    /** A transposed convolution with stride 2 and output padding. */
    static final ConvProblem TRANSPOSED = ConvProblem.builder().batch(2).inChannels(4).size(5, 5).outChannels(3)
            .kernel(3, 3).stride(2, 2).padding(1, 1).outputPadding(1, 1).transposed(true).build();

    /** The algorithms a backend was asked to run, by the SPI's conv methods. */
    private static DeviceBackend recording(DeviceBackend cpu, List<String> ran) {
        return (DeviceBackend) Proxy.newProxyInstance(DeviceBackend.class.getClassLoader(),
                new Class<?>[] {DeviceBackend.class}, (proxy, m, args) -> {
                    if (m.getName().startsWith("conv") && args != null && args.length > 1
                            && args[1] instanceof ConvAlgorithm a) {
                        ran.add(m.getName() + " " + a);
                    }
                    try {
                        return m.invoke(cpu, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void everyConvCallRunsThePlanItsDeviceReports() {
        List<String> ran = new ArrayList<>();
        DeviceOptions o = DeviceOptions.DEFAULT.withDeterministic(true); // AUTO by rule: repeatable
        try (Device d = Devices.wrap(recording(new CpuBackend().open(null, o), ran), o);
             Tensor x = d.full(TRANSPOSED.inputShape(), 0.25f);
             Tensor w = d.full(TRANSPOSED.weightShape(), 0.5f);
             Tensor dy = d.full(TRANSPOSED.outputShape(), 1f)) {
            for (ConvDirection dir : ConvDirection.values()) {
                ConvPlan plan = d.plan(TRANSPOSED, dir, ConvAlgorithm.AUTO);
                assertTrue(plan.isRunnable(), plan.toString());
                assertNotEquals(ConvAlgorithm.AUTO, plan.algorithm());
                assertEquals(dir, plan.direction(), "the plan speaks of the caller's direction");
                assertEquals(plan.algorithm(), d.autoAlgorithm(TRANSPOSED, dir));
            }
            d.conv2d(TRANSPOSED, x, w, null).close();
            d.conv2dBackwardData(TRANSPOSED, ConvAlgorithm.AUTO, dy, w).close();
            d.conv2dBackwardFilter(TRANSPOSED, ConvAlgorithm.AUTO, x, dy).close();
            // a transposed forward pass is the direct backward-data pass, and so on (DirectConv)
            assertEquals(List.of(
                    "convBackwardData " + d.plan(TRANSPOSED, ConvDirection.FORWARD, ConvAlgorithm.AUTO).algorithm(),
                    "convForward " + d.plan(TRANSPOSED, ConvDirection.BACKWARD_DATA, ConvAlgorithm.AUTO).algorithm(),
                    "convBackwardFilter "
                            + d.plan(TRANSPOSED, ConvDirection.BACKWARD_FILTER, ConvAlgorithm.AUTO).algorithm()), ran);
        }
    }

    @Test
    void anErrorBoundLeavesLooserAlgorithmsOut() {
        DeviceOptions o = DeviceOptions.DEFAULT.withDeterministic(true);
        try (Device d = Devices.open("cpu", o)) {
            assertEquals(ConvAlgorithm.WINOGRAD, d.plan(WINO, ConvDirection.FORWARD, ConvAlgorithm.AUTO).algorithm(),
                    "the cpu rule's choice for a 3x3 stride-1 problem with 16 channels");
            double direct = ConvAlgorithm.DIRECT.errorBound();
            ConvPlan accurate = d.plan(WINO, ConvDirection.FORWARD, ConvAlgorithm.AUTO, direct);
            assertTrue(accurate.algorithm().errorBound() <= direct, accurate.toString());
            assertEquals(accurate.algorithm(), d.plan(WINO, ConvDirection.FORWARD, ConvAlgorithm.AUTO, direct).algorithm(),
                    "remembered per bound");
            ConvPlan refused = d.plan(WINO, ConvDirection.FORWARD, ConvAlgorithm.WINOGRAD, direct);
            assertFalse(refused.isRunnable());
            assertTrue(refused.whyNot().orElseThrow().contains("error bound"), refused.toString());
            AlgorithmNotSupportedException e = assertThrows(AlgorithmNotSupportedException.class, refused::algorithm);
            assertEquals(ConvAlgorithm.WINOGRAD, e.algorithm());
        }
    }

    @Test
    void anAlgorithmTheBackendRefusesIsAPlanWithTheReasonAndTheCallThrowsIt() {
        try (Device d = Devices.open("cpu");
             Tensor x = d.zeros(WINO.inputShape()); Tensor w = d.zeros(WINO.weightShape())) {
            ConvPlan plan = d.plan(WINO, ConvDirection.FORWARD, ConvAlgorithm.TENSOR_CORE_TF32);
            assertFalse(plan.isRunnable());
            String why = plan.whyNot().orElseThrow();
            assertEquals(plan.whyNot(), d.whyNot(WINO, ConvDirection.FORWARD, ConvAlgorithm.TENSOR_CORE_TF32));
            AlgorithmNotSupportedException e = assertThrows(AlgorithmNotSupportedException.class,
                    () -> d.conv2d(WINO, ConvAlgorithm.TENSOR_CORE_TF32, x, w, null));
            assertEquals(why, e.reason());
            assertEquals(ConvAlgorithm.TENSOR_CORE_TF32, e.algorithm());
        }
    }
}
