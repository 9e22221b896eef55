package io.jdnn.cpu.reference;

import io.jdnn.BatchNormProblem;
import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batch normalization on the reference backend, through the public API. */
class BatchNormTest {
    /**
     * Hand-computed statistics against the backend's, both float64 over four values: a few units of
     * 2^-53 apart at most.
     */
    static final double FLOAT64_ROUNDING = 1e-15;

    static Device dev;

    @BeforeAll
    static void open() {
        dev = Devices.open("reference");
    }

    @AfterAll
    static void close() {
        dev.close();
    }

    /** x with a different mean and spread per channel, so that a channel mix-up changes the result. */
    static float[] input(Random rnd, BatchNormProblem p) {
        float[] x = new float[(int) p.inputShape().elements()];
        int hw = p.height() * p.width();
        for (int i = 0; i < x.length; i++) {
            int c = (i / hw) % p.channels();
            x[i] = (float) (0.5 * c - 0.3 + (1 + 0.5 * c) * (2 * rnd.nextDouble() - 1));
        }
        return x;
    }

    @Test
    void trainingBackwardIsTheGradientOfTheTrainingForwardPass() {
        BatchNormProblem p = new BatchNormProblem(3, 2, 3, 2, 1e-3, 0.1);
        Random rnd = new Random(11);
        Shape cs = p.channelShape();
        float[] r = Grad.uniform(rnd, (int) p.inputShape().elements(), -1, 1);
        try (Tensor x = dev.upload(p.inputShape(), input(rnd, p));
             Tensor gamma = dev.upload(cs, Grad.uniform(rnd, p.channels(), 0.5, 1.5));
             Tensor beta = dev.upload(cs, Grad.uniform(rnd, p.channels(), -1, 1));
             Tensor rm = dev.zeros(cs);
             Tensor rv = dev.full(cs, 1f);
             Tensor y = dev.allocate(p.inputShape());
             Tensor mean = dev.allocate(cs);
             Tensor invstd = dev.allocate(cs);
             Tensor dy = dev.upload(p.inputShape(), r);
             Tensor dx = dev.allocate(p.inputShape());
             Tensor dgamma = dev.allocate(cs);
             Tensor dbeta = dev.allocate(cs)) {
            dev.batchNormTrain(p, x, gamma, beta, rm, rv, y, mean, invstd);
            dev.batchNormBackward(p, x, dy, gamma, mean, invstd, dx, dgamma, dbeta);
            DoubleSupplier loss = () -> {
                dev.batchNormTrain(p, x, gamma, beta, rm, rv, y, mean, invstd);
                return Grad.dot(y.toDoubleArray(), r);
            };
            Grad.assertGradient("dx", dx.toDoubleArray(), Grad.numeric(x, loss));
            Grad.assertGradient("dgamma", dgamma.toDoubleArray(), Grad.numeric(gamma, loss));
            Grad.assertGradient("dbeta", dbeta.toDoubleArray(), Grad.numeric(beta, loss));
        }
    }

    @Test
    void inferenceBackwardIsTheGradientOfTheInferenceForwardPass() {
        BatchNormProblem p = new BatchNormProblem(2, 3, 2, 3, 1e-5, 0.1);
        Random rnd = new Random(12);
        Shape cs = p.channelShape();
        float[] r = Grad.uniform(rnd, (int) p.inputShape().elements(), -1, 1);
        try (Tensor x = dev.upload(p.inputShape(), input(rnd, p));
             Tensor gamma = dev.upload(cs, Grad.uniform(rnd, p.channels(), 0.5, 1.5));
             Tensor beta = dev.upload(cs, Grad.uniform(rnd, p.channels(), -1, 1));
             Tensor rm = dev.upload(cs, Grad.uniform(rnd, p.channels(), -0.5, 0.5));
             Tensor rv = dev.upload(cs, Grad.uniform(rnd, p.channels(), 0.5, 2));
             Tensor y = dev.allocate(p.inputShape());
             Tensor dy = dev.upload(p.inputShape(), r);
             Tensor dx = dev.allocate(p.inputShape());
             Tensor dgamma = dev.allocate(cs);
             Tensor dbeta = dev.allocate(cs)) {
            dev.batchNormInferenceBackward(p, x, dy, gamma, rm, rv, dx, dgamma, dbeta);
            DoubleSupplier loss = () -> {
                dev.batchNormInference(p, x, gamma, beta, rm, rv, y);
                return Grad.dot(y.toDoubleArray(), r);
            };
            Grad.assertGradient("dx", dx.toDoubleArray(), Grad.numeric(x, loss));
            Grad.assertGradient("dgamma", dgamma.toDoubleArray(), Grad.numeric(gamma, loss));
            Grad.assertGradient("dbeta", dbeta.toDoubleArray(), Grad.numeric(beta, loss));
        }
    }

    @Test
    void trainingSavesBatchStatisticsAndUpdatesRunningOnesWithTheUnbiasedVariance() {
        // one channel, values 1, 2, 3, 4 (N=2, H=1, W=2): mean 2.5, biased variance 1.25, unbiased 5/3
        BatchNormProblem p = new BatchNormProblem(2, 1, 1, 2, 1e-5, 0.1);
        Shape cs = p.channelShape();
        try (Tensor x = dev.upload(p.inputShape(), new float[] {1, 2, 3, 4});
             Tensor gamma = dev.full(cs, 2f);
             Tensor beta = dev.full(cs, 0.5f);
             Tensor rm = dev.full(cs, 0.5f);
             Tensor rv = dev.full(cs, 2f);
             Tensor y = dev.allocate(p.inputShape());
             Tensor mean = dev.allocate(cs);
             Tensor invstd = dev.allocate(cs)) {
            dev.batchNormTrain(p, x, gamma, beta, rm, rv, y, mean, invstd);
            double is = 1 / Math.sqrt(1.25 + 1e-5);
            Grad.assertClose("save_mean", mean.toDoubleArray(), new double[] {2.5}, FLOAT64_ROUNDING);
            Grad.assertClose("save_invstd", invstd.toDoubleArray(), new double[] {is}, FLOAT64_ROUNDING);
            Grad.assertClose("running_mean", rm.toDoubleArray(), new double[] {0.9 * 0.5 + 0.1 * 2.5}, FLOAT64_ROUNDING);
            Grad.assertClose("running_var", rv.toDoubleArray(), new double[] {0.9 * 2 + 0.1 * 5 / 3.0}, FLOAT64_ROUNDING);
            Grad.assertClose("y", y.toDoubleArray(), new double[] {2 * -1.5 * is + 0.5, 2 * -0.5 * is + 0.5,
                2 * 0.5 * is + 0.5, 2 * 1.5 * is + 0.5}, FLOAT64_ROUNDING);
        }
    }

    @Test
    void inferenceRunsInPlace() {
        BatchNormProblem p = new BatchNormProblem(1, 2, 1, 2, 1e-5, 0.1);
        Shape cs = p.channelShape();
        try (Tensor x = dev.upload(p.inputShape(), new float[] {1, 2, 3, 4});
             Tensor gamma = dev.upload(cs, new float[] {1, 2});
             Tensor beta = dev.upload(cs, new float[] {0, 1});
             Tensor rm = dev.upload(cs, new float[] {1, 3});
             Tensor rv = dev.upload(cs, new float[] {4, 1})) {
            dev.batchNormInference(p, x, gamma, beta, rm, rv, x);
            double s0 = 1 / Math.sqrt(4 + 1e-5);
            double s1 = 2 / Math.sqrt(1 + 1e-5);
            Grad.assertClose("y", x.toDoubleArray(), new double[] {0, s0, 1, 1 + s1}, FLOAT64_ROUNDING);
        }
    }

    @Test
    void trainingWithOneValuePerChannelIsRejected() {
        // PyTorch raises "Expected more than 1 value per channel when training"; M - 1 would divide by zero
        BatchNormProblem p = BatchNormProblem.of(1, 3, 1, 1);
        Shape cs = p.channelShape();
        try (Tensor x = dev.zeros(p.inputShape()); Tensor g = dev.zeros(cs); Tensor b = dev.zeros(cs);
             Tensor rm = dev.zeros(cs); Tensor rv = dev.full(cs, 1f); Tensor y = dev.allocate(p.inputShape());
             Tensor sm = dev.allocate(cs); Tensor si = dev.allocate(cs)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> dev.batchNormTrain(p, x, g, b, rm, rv, y, sm, si));
            assertTrue(e.getMessage().contains("value per channel"), e.getMessage());
            assertArrayEquals(new double[] {1, 1, 1}, rv.toDoubleArray(), "running_var untouched");
        }
    }
}
