package io.jdnn.opencl;

import io.jdnn.AlgorithmNotSupportedException;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.Devices;
import io.jdnn.DirectConv;
import io.jdnn.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The algorithm registry: what the backend lists, refuses and picks. */
class ConvRegistryTest {

    static final ConvProblem P = ConvProblem.parse("conv_mb1ic2ih6iw6oc3kh3kw3ph1pw1");

    @Test
    void theRegistryIsWhatTheBackendReports() {
        try (Device d = ClTestSupport.openOpenCl()) {
            assertEquals(OpenClConvAlgorithms.ids(), d.algorithms());
            assertTrue(d.algorithms().contains(ConvAlgorithm.DIRECT));
            assertTrue(!d.algorithms().contains(ConvAlgorithm.AUTO), "AUTO is never listed");
            for (ConvDirection dir : ConvDirection.values()) {
                assertEquals(Optional.empty(), d.whyNot(P, dir, ConvAlgorithm.DIRECT));
            }
        }
    }

    @Test
    void unregisteredAlgorithmsAreRefusedWithAReason() {
        try (Device d = ClTestSupport.openOpenCl();
             Tensor x = d.zeros(P.inputShape()); Tensor w = d.zeros(P.weightShape())) {
            for (ConvAlgorithm a : ConvAlgorithm.values()) {
                if (a == ConvAlgorithm.AUTO || OpenClConvAlgorithms.find(a) != null) {
                    continue;
                }
                Optional<String> why = d.whyNot(P, ConvDirection.FORWARD, a);
                assertTrue(why.isPresent() && why.get().contains("not implemented by the opencl backend"),
                        a + ": " + why);
                AlgorithmNotSupportedException e = assertThrows(AlgorithmNotSupportedException.class,
                        () -> d.conv2d(P, a, x, w, null));
                assertEquals(a, e.algorithm());
            }
        }
    }

    /**
     * AUTO times every applicable algorithm (which one wins on a problem this small is the host's
     * business: DIRECT and GROUPED are single launches) and returns one of them, deterministic
     * where the device was opened so, and the same one again (remembered).
     */
    @Test
    void autoPicksAnApplicableAlgorithmForEveryDirectionAndOption() {
        for (DeviceOptions o : List.of(DeviceOptions.DEFAULT, DeviceOptions.DEFAULT.withDeterministic(true))) {
            try (Device d = ClTestSupport.openOpenCl(o)) {
                for (ConvDirection dir : ConvDirection.values()) {
                    ConvAlgorithm chosen = d.autoAlgorithm(P, dir);
                    assertTrue(d.applicableAlgorithms(P, dir).contains(chosen), dir + " " + o + ": " + chosen
                            + " not in " + d.applicableAlgorithms(P, dir));
                    assertTrue(!o.deterministic() || d.isDeterministic(chosen), dir + " " + o + ": " + chosen);
                    assertEquals(chosen, d.autoAlgorithm(P, dir), "remembered");
                }
            }
        }
    }

    /** DIRECT under another id, to give AUTO a choice; its determinism is whatever the test says. */
    private record Renamed(ConvAlgorithm id, boolean deterministic, List<String> ran) implements OpenClConvAlgorithm {
        private static final DirectConvAlgorithm DIRECT = new DirectConvAlgorithm();

        @Override
        public Optional<String> whyNot(OpenClDevice device, DirectConv conv, ConvDirection direction) {
            return Optional.empty();
        }

        @Override
        public void forward(OpenClDevice device, DirectConv conv, ClBuffer x, ClBuffer w, ClBuffer bias, ClBuffer y) {
            ran.add(id + " forward");
            DIRECT.forward(device, conv, x, w, bias, y);
        }

        @Override
        public void backwardData(OpenClDevice device, DirectConv conv, ClBuffer dy, ClBuffer w, ClBuffer bias,
                                 ClBuffer dx) {
            ran.add(id + " backwardData");
            DIRECT.backwardData(device, conv, dy, w, bias, dx);
        }

        @Override
        public void backwardFilter(OpenClDevice device, DirectConv conv, ClBuffer x, ClBuffer dy, ClBuffer dw) {
            ran.add(id + " backwardFilter");
            DIRECT.backwardFilter(device, conv, x, dy, dw);
        }
    }

    @Test
    void autoTimesEveryCandidateOnceAndRemembersTheWinner() {
        List<String> ran = new ArrayList<>();
        List<OpenClConvAlgorithm> registry = List.of(new Renamed(ConvAlgorithm.IM2COL_GEMM, true, ran),
                new Renamed(ConvAlgorithm.IMPLICIT_GEMM, false, ran));
        try (Device dev = Devices.wrap(OpenClBackendTest.openRaw(DeviceOptions.DEFAULT, registry), DeviceOptions.DEFAULT)) {
            ConvAlgorithm first = dev.autoAlgorithm(P, ConvDirection.BACKWARD_FILTER);
            assertTrue(first == ConvAlgorithm.IM2COL_GEMM || first == ConvAlgorithm.IMPLICIT_GEMM, "winner " + first);
            // a warm-up and a timed run each
            assertEquals(List.of("IM2COL_GEMM backwardFilter", "IM2COL_GEMM backwardFilter",
                    "IMPLICIT_GEMM backwardFilter", "IMPLICIT_GEMM backwardFilter"), ran);
            assertEquals(first, dev.autoAlgorithm(P, ConvDirection.BACKWARD_FILTER));
            assertEquals(4, ran.size(), "the choice is remembered, nothing runs again");
        }
        ran.clear();
        DeviceOptions det = DeviceOptions.DEFAULT.withDeterministic(true);
        try (Device dev = Devices.wrap(OpenClBackendTest.openRaw(det, registry), det)) {
            assertEquals(ConvAlgorithm.IM2COL_GEMM, dev.autoAlgorithm(P, ConvDirection.FORWARD),
                    "deterministic devices consider deterministic algorithms only");
            assertEquals(List.of(), ran, "a single candidate is not timed");
        }
        try (Device dev = Devices.wrap(OpenClBackendTest.openRaw(det,
                List.of(new Renamed(ConvAlgorithm.WINOGRAD, false, ran))), det)) {
            AlgorithmNotSupportedException e = assertThrows(AlgorithmNotSupportedException.class,
                    () -> dev.autoAlgorithm(P, ConvDirection.FORWARD));
            assertTrue(e.getMessage().contains("WINOGRAD: not deterministic"), e.getMessage());
        }
    }
}
