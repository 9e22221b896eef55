package io.jdnn.cpu.fast;

import io.jdnn.Activation;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvProblem;
import io.jdnn.DeviceOptions;
import io.jdnn.DirectConv;
import io.jdnn.spi.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Weight packs kept on a {@link CpuBuffer} (the transposed convolution's w^T per stride phase, the
 * Winograd filter transforms): built once and reused while the weights stay unchanged, rebuilt after
 * every kind of write, so that a result always equals the same call on a fresh copy of the weights.
 */
class WeightPackTest {
    private static CpuDevice dev;

    @BeforeAll
    static void open() {
        dev = CpuBackend.open(DeviceOptions.DEFAULT, KernelsLoader.best());
    }

    @AfterAll
    static void close() {
        dev.close();
    }

    /** A write path applied to the weights buffer (the second argument is a spare buffer of the same size). */
    private record Write(String name, Consumer<Buffer[]> apply) {
    }

    private static final List<Write> WRITES = List.of(
            new Write("write", b -> dev.write(b[0], 3, new float[] {0.25f, -0.5f}, 0, 2)),
            new Write("fill", b -> dev.fill(b[0], b[0].elements(), 0.125)),
            new Write("copy into", b -> dev.copy(b[1], b[0], b[0].elements())),
            new Write("axpby into", b -> dev.axpby(b[0].elements(), 0.5, b[0], 2.0, b[1], b[0])),
            new Write("randomUniform", b -> dev.randomUniform(b[0].elements(), -1, 1, 11, 0, b[0])),
            new Write("activation in place", b -> dev.activationForward(Activation.relu(), b[0].elements(), b[0], b[0])));

    /**
     * direction "fwd" or "bwd-data" with the algorithm that packs: a transposed-conv layout
     * (stride 2, IM2COL_GEMM backward-data) and a 3x3 layer (WINOGRAD both ways).
     */
    @ParameterizedTest
    @ValueSource(strings = {"bwd-data IM2COL_GEMM conv_mb2ic6ih5oc4kh4sh2ph1", "fwd WINOGRAD conv_mb1ic5ih9oc6kh3ph1",
            "bwd-data WINOGRAD conv_mb1ic5ih9oc6kh3ph1g1"})
    void packIsReusedUntilTheWeightsChange(String spec) {
        String[] s = spec.split(" ");
        boolean forward = s[0].equals("fwd");
        ConvAlgorithm a = ConvAlgorithm.valueOf(s[1]);
        DirectConv d = ConvProblem.parse(s[2]).direct();
        Buffer in = dev.allocate(forward ? d.imageElements() : d.responseElements());
        Buffer w = dev.allocate(d.weightElements());
        Buffer spare = dev.allocate(d.weightElements());
        dev.randomUniform(in.elements(), -1, 1, 1, 0, in);
        dev.randomUniform(w.elements(), -1, 1, 2, 0, w);
        dev.randomUniform(spare.elements(), -1, 1, 3, 0, spare);
        CpuBuffer cw = (CpuBuffer) w;

        float[] first = run(d, a, forward, in, w);
        long built = cw.packsBuilt();
        assertEquals(1, built, "one pack for the first call");
        assertArrayEquals(first, run(d, a, forward, in, w), "same weights, same result");
        float[] host = new float[(int) w.elements()];
        dev.read(w, 0, host, 0, host.length);
        dev.copy(w, spare, w.elements());
        assertEquals(built, cw.packsBuilt(), "calls, reads and copies from the weights reuse the pack");

        for (Write write : WRITES) {
            write.apply.accept(new Buffer[] {w, spare});
            float[] cached = run(d, a, forward, in, w);
            assertTrue(cw.packsBuilt() > built, write.name + ": the pack was rebuilt");
            built = cw.packsBuilt();
            Buffer fresh = dev.allocate(w.elements());
            dev.copy(w, fresh, w.elements());
            assertArrayEquals(run(d, a, forward, in, fresh), cached, write.name + ": equals a fresh copy of the weights");
        }
    }

    private static float[] run(DirectConv d, ConvAlgorithm a, boolean forward, Buffer in, Buffer w) {
        Buffer out = dev.allocate(forward ? d.responseElements() : d.imageElements());
        if (forward) {
            dev.convForward(d, a, in, w, null, out);
        } else {
            dev.convBackwardData(d, a, in, w, null, out);
        }
        float[] host = new float[(int) out.elements()];
        dev.read(out, 0, host, 0, host.length);
        return host;
    }
}
