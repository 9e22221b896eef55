package io.jdnn.cpu.fast;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.ErrorBounds;
import io.jdnn.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backward-filter reduces over every pixel of the batch: N*P*Q terms per weight, 262144 here, far
 * more than the few thousand the GEMM bound ({@link ConvAlgorithm#IM2COL_GEMM}'s) is reasoned for.
 * One float32 chain over all of them drifts like sqrt(N*P*Q) * 2^-24 of the sum on positive data
 * (about 3e-5 here, over the bound); summing each K panel from zero and then the panels keeps it
 * near (sqrt(KC) + sqrt(N*P*Q / KC)) * 2^-24. Positive inputs make every term add to the same sum,
 * the worst case for drift.
 */
class LongReductionTest {

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** A 1x1 layer over 512x512 pixels, a 3x3 layer over 256x256 (Winograd's too), a depthwise 3x3 over 512x512. */
    @ParameterizedTest
    @ValueSource(strings = {"conv_mb1ic8ih512oc8kh1", "conv_mb1ic4ih256oc4kh3ph1", "conv_mb1ic4ih512oc4kh3ph1g4"})
    void backwardFilterOverTensOfThousandsOfPixelsStaysWithinEachAlgorithmsBound(String problem) {
        ConvProblem p = ConvProblem.parse(problem);
        SplittableRandom random = new SplittableRandom(17);
        float[] x = new float[(int) p.inputShape().elements()];
        float[] dy = new float[(int) p.outputShape().elements()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) gaussian(random);
        }
        for (int i = 0; i < dy.length; i++) {
            dy[i] = (float) gaussian(random);
        }
        StringBuilder failures = new StringBuilder();
        try (Device ref = Devices.open("reference"); Device cpu = Devices.open("cpu")) {
            double[] expected;
            try (Tensor rx = ref.upload(p.inputShape(), x); Tensor rdy = ref.upload(p.outputShape(), dy);
                 Tensor rdw = ref.conv2dBackwardFilter(p, ConvAlgorithm.DIRECT, rx, rdy)) {
                expected = rdw.toDoubleArray();
            }
            for (ConvAlgorithm a : cpu.applicableAlgorithms(p, ConvDirection.BACKWARD_FILTER)) {
                try (Tensor cx = cpu.upload(p.inputShape(), x); Tensor cdy = cpu.upload(p.outputShape(), dy);
                     Tensor cdw = cpu.conv2dBackwardFilter(p, a, cx, cdy)) {
                    double err = ErrorBounds.maxNormalizedError(cdw.toDoubleArray(), expected);
                    System.out.println("LongReductionTest: " + problem + " " + a + " backward-filter error " + err);
                    failures.append(err <= a.errorBound() ? "" : a + ": error " + err + " over its bound " + a.errorBound() + "\n");
                }
            }
            assertTrue(failures.isEmpty(), failures.toString());
        }
    }
}
