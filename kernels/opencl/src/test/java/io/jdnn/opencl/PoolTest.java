package io.jdnn.opencl;

import io.jdnn.kernels.KernelTestSupport;
import io.jdnn.ErrorBounds;
import io.jdnn.PoolProblem;
import io.jdnn.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jdnn.kernels.KernelTestSupport.assertClose;
import static io.jdnn.kernels.KernelTestSupport.poisoned;

/** Pooling forward and backward, every mode, against the reference. */
class PoolTest extends ClDeviceTest {

    static final List<String> MAX = List.of(
            "maxpool_mb2ic3ih7iw9kh3kw3sh2sw2ph1pw1dh1dw1ceil0",   // the usual, odd sizes
            "maxpool_mb2ic3ih7iw9kh3kw3sh2sw2ph1pw1dh1dw1ceil1",   // ceil mode adds a clipped last window
            "maxpool_mb1ic2ih10iw11kh3kw3sh2sw2ph1pw1dh2dw2ceil1", // dilation with stride and ceil mode
            "maxpool_mb2ic2ih8iw7kh2kw2sh3sw3ph0pw0dh1dw1ceil0",   // stride > kernel: rows nobody reads
            "maxpool_mb1ic3ih1iw1kh1kw1sh1sw1ph0pw0dh1dw1ceil0",   // 1x1 image
            "maxpool_mb1ic1ih5iw6kh3kw2sh1sw1ph1pw1dh1dw2ceil0"    // overlapping windows, asymmetric
    );

    static final List<String> AVG = List.of(
            "avgpool_mb2ic3ih7iw9kh3kw3sh2sw2ph1pw1ceil0cip1",
            "avgpool_mb2ic3ih7iw9kh3kw3sh2sw2ph1pw1ceil0cip0",
            "avgpool_mb1ic2ih6iw6kh3kw3sh2sw2ph1pw1ceil1cip1",     // last window clipped at H + pad
            "avgpool_mb1ic2ih6iw6kh3kw3sh2sw2ph1pw1ceil1cip0",
            "avgpool_mb1ic2ih5iw4kh2kw3sh3sw1ph1pw1ceil0cip1",     // stride > kernel in rows
            "avgpool_mb1ic1ih1iw1kh1kw1sh1sw1ph0pw0ceil0cip1"      // 1x1 image
    );

    static final List<String> ADAPTIVE = List.of(
            "adaptiveavgpool_mb2ic3ih7iw9oh3ow4",                 // uneven, overlapping windows
            "adaptiveavgpool_mb2ic5ih5iw5oh1ow1",                 // global
            "adaptiveavgpool_mb1ic2ih4iw3oh6ow5",                 // more outputs than inputs
            "adaptiveavgpool_mb1ic1ih1iw1oh2ow2"
    );

    /** Quantized values so that windows hold ties (first maximum wins) and a few NaNs. */
    private static float[] input(PoolProblem p, boolean withTiesAndNaN) {
        int n = Math.toIntExact(p.inputShape().elements());
        float[] x = KernelTestSupport.random(p.hashCode(), n, -1, 1);
        if (withTiesAndNaN) {
            for (int i = 0; i < n; i++) {
                x[i] = Math.round(x[i] * 2) / 2f; // five distinct values: ties everywhere
            }
            for (int i = 5; i < n; i += 37) {
                x[i] = Float.NaN;
            }
        }
        return x;
    }

    private void check(String problem, boolean tiesAndNaN) {
        PoolProblem p = PoolProblem.parse(problem);
        float[] xs = input(p, tiesAndNaN);
        float[] dys = KernelTestSupport.random(p.hashCode() + 1, Math.toIntExact(p.outputShape().elements()), -1, 1);
        try (Tensor x = cl.upload(p.inputShape(), xs); Tensor dy = cl.upload(p.outputShape(), dys);
             Tensor y = poisoned(cl, p.outputShape()); Tensor dx = poisoned(cl, p.inputShape());
             Tensor rx = ref.upload(p.inputShape(), xs); Tensor rdy = ref.upload(p.outputShape(), dys);
             Tensor ry = ref.pool(p, rx); Tensor rdx = ref.poolBackward(p, rx, rdy)) {
            cl.pool(p, x, y);
            cl.poolBackward(p, x, dy, dx);
            String what = problem + (tiesAndNaN ? " with ties and NaN" : "");
            // max: exact; averages: a window's sum in float32; backward: a few overlapping windows' terms
            assertClose(what + " forward", y, ry, ErrorBounds.POOLING);
            assertClose(what + " backward", dx, rdx, ErrorBounds.POOLING);
        }
    }

    @Test
    void maxPooling() {
        for (String p : MAX) {
            check(p, false);
            check(p, true);
        }
    }

    @Test
    void averagePooling() {
        for (String p : AVG) {
            check(p, false);
        }
    }

    @Test
    void adaptiveAveragePooling() {
        for (String p : ADAPTIVE) {
            check(p, false);
        }
    }
}
