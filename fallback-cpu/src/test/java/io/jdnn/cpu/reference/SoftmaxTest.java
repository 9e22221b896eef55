package io.jdnn.cpu.reference;

import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;
import java.util.function.DoubleSupplier;

/** Softmax and softmax cross-entropy on the reference backend, through the public API. */
class SoftmaxTest {
    /**
     * A float64 log-sum-exp and softmax of a handful of values, computed here in the same way and
     * there in a different order: a few units of 2^-53 of values of order 1.
     */
    static final double FLOAT64_ROUNDING = 1e-14;

    static Device dev;

    @BeforeAll
    static void open() {
        dev = Devices.open("reference");
    }

    @AfterAll
    static void close() {
        dev.close();
    }

    @Test
    void softmaxBackwardIsTheGradientOfSoftmax() {
        Random rnd = new Random(21);
        Shape s = Shape.of(3, 5);
        float[] r = Grad.uniform(rnd, 15, -1, 1);
        try (Tensor x = dev.upload(s, Grad.uniform(rnd, 15, -3, 3));
             Tensor y = dev.allocate(s);
             Tensor dy = dev.upload(s, r);
             Tensor dx = dev.allocate(s)) {
            dev.softmax(x, y);
            dev.softmaxBackward(y, dy, dx);
            DoubleSupplier loss = () -> {
                dev.softmax(x, y);
                return Grad.dot(y.toDoubleArray(), r);
            };
            Grad.assertGradient("dx", dx.toDoubleArray(), Grad.numeric(x, loss));
        }
    }

    @Test
    void softmaxOfLargeLogitsSubtractsTheRowMaximum() {
        // exp(1000) overflows a double; softmax([1000, 1001]) = [1/(1+e), e/(1+e)]
        try (Tensor x = dev.upload(Shape.of(2, 2), new float[] {1000, 1001, -1, -1}); Tensor y = dev.allocate(x.shape())) {
            dev.softmax(x, y);
            double e = Math.E;
            Grad.assertClose("y", y.toDoubleArray(), new double[] {1 / (1 + e), e / (1 + e), 0.5, 0.5}, FLOAT64_ROUNDING);
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.2})
    void crossEntropyGradientIsTheGradientOfTheLossAndTheLossIsPyTorchs(double smoothing) {
        Random rnd = new Random(22);
        int rows = 4;
        int k = 5;
        int[] labels = {3, 0, 4, 1};
        float[] logits = Grad.uniform(rnd, rows * k, -3, 3);
        try (Tensor x = dev.upload(Shape.of(rows, k), logits);
             Tensor loss = dev.allocate(Shape.of(1));
             Tensor dlogits = dev.allocate(x.shape())) {
            dev.softmaxCrossEntropy(x, labels, smoothing, loss, dlogits);
            double[] analytic = dlogits.toDoubleArray();
            double expected = 0;
            for (int r = 0; r < rows; r++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    max = Math.max(max, logits[r * k + j]);
                }
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    sum += Math.exp(logits[r * k + j] - max);
                }
                double lse = max + Math.log(sum);
                // torch.nn.functional.cross_entropy with label_smoothing s:
                // (1 - s) * nll(label) + s / K * sum_k nll(k), nll(k) = lse - logit_k
                double smooth = 0;
                for (int j = 0; j < k; j++) {
                    smooth += lse - logits[r * k + j];
                }
                expected += ((1 - smoothing) * (lse - logits[r * k + labels[r]]) + smoothing / k * smooth) / rows;
            }
            Grad.assertClose("loss", loss.toDoubleArray(), new double[] {expected}, FLOAT64_ROUNDING);
            DoubleSupplier f = () -> {
                dev.softmaxCrossEntropy(x, labels, smoothing, loss, dlogits);
                return loss.toDoubleArray()[0];
            };
            Grad.assertGradient("dlogits", analytic, Grad.numeric(x, f));
        }
    }

    @Test
    void crossEntropyOfUniformLogitsIsLogKWithOrWithoutSmoothing() {
        try (Tensor x = dev.zeros(Shape.of(2, 4)); Tensor loss = dev.allocate(Shape.of(1));
             Tensor d = dev.allocate(x.shape())) {
            for (double s : new double[] {0, 0.3, 1}) {
                dev.softmaxCrossEntropy(x, new int[] {1, 2}, s, loss, d);
                Grad.assertClose("loss s=" + s, loss.toDoubleArray(), new double[] {Math.log(4)}, FLOAT64_ROUNDING);
                // (softmax - t) / rows with t = (1-s) onehot + s/4
                double off = (0.25 - s / 4) / 2;
                double on = (0.25 - (1 - s) - s / 4) / 2;
                Grad.assertClose("dlogits s=" + s, d.toDoubleArray(), new double[] {off, on, off, off, off, off, on, off},
                        FLOAT64_ROUNDING);
            }
        }
    }
}
