package io.jdnn.cpu.reference;

import io.jdnn.AlgorithmNotSupportedException;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.DoubleSupplier;

import static io.jdnn.ConvAlgorithm.DIRECT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Convolution and transposed convolution on the reference backend, through the public API. */
class ConvTest {
    /**
     * Problems with groups, stride, padding and dilation in both directions, a depthwise one, and
     * transposed ones (with output padding, groups and dilation) that Device maps onto DirectConv.
     */
    static final String[] PROBLEMS = {
        "conv_mb2ic4ih7iw6oc6kh3kw3sh1sw1ph1pw1dh1dw1g1",
        "conv_mb2ic4ih9iw8oc6kh3kw2sh2sw1ph2pw1dh2dw3g2",
        "conv_mb1ic3ih6iw5oc6kh3kw3sh2sw2ph1pw1dh1dw1g3",
        "conv_mb2ic3ih5iw5oc2kh1kw1sh2sw2ph0pw0dh1dw1g1",
        "deconv_mb2ic4ih4iw3oc6kh3kw3sh2sw2ph1pw1dh1dw1g2oph1opw1",
        "deconv_mb1ic3ih5iw4oc2kh2kw3sh1sw2ph0pw1dh2dw1g1oph1opw1",
    };

    /**
     * A float64 sum of at most a few hundred products of values of order 1, in another order than
     * the backend's: rounding differences of a few hundred units of 2^-53, far below 1e-12.
     */
    static final double SAME_SUM_OTHER_ORDER = 1e-12;

    static Device dev;

    @BeforeAll
    static void open() {
        dev = Devices.open("reference");
    }

    @AfterAll
    static void close() {
        dev.close();
    }

    static String[] problems() {
        return PROBLEMS;
    }

    @ParameterizedTest
    @MethodSource("problems")
    void backwardPassesAreTheGradientsOfTheForwardPass(String text) {
        ConvProblem p = ConvProblem.parse(text);
        Random rnd = new Random(text.hashCode());
        float[] r = Grad.uniform(rnd, (int) p.outputShape().elements(), -1, 1);
        try (Tensor x = dev.upload(p.inputShape(), Grad.uniform(rnd, (int) p.inputShape().elements(), -1, 1));
             Tensor w = dev.upload(p.weightShape(), Grad.uniform(rnd, (int) p.weightShape().elements(), -1, 1));
             Tensor b = dev.upload(p.biasShape(), Grad.uniform(rnd, p.outChannels(), -1, 1));
             Tensor dy = dev.upload(p.outputShape(), r);
             Tensor dx = dev.conv2dBackwardData(p, DIRECT, dy, w);
             Tensor dw = dev.conv2dBackwardFilter(p, DIRECT, x, dy);
             Tensor db = dev.conv2dBackwardBias(p, dy)) {
            DoubleSupplier loss = () -> {
                try (Tensor y = dev.conv2d(p, DIRECT, x, w, b)) {
                    return Grad.dot(y.toDoubleArray(), r);
                }
            };
            Grad.assertGradient(text + " dx", dx.toDoubleArray(), Grad.numeric(x, loss));
            Grad.assertGradient(text + " dw", dw.toDoubleArray(), Grad.numeric(w, loss));
            Grad.assertGradient(text + " db", db.toDoubleArray(), Grad.numeric(b, loss));
        }
    }

    @ParameterizedTest
    @MethodSource("problems")
    void forwardMatchesPyTorchsDefinition(String text) {
        ConvProblem p = ConvProblem.parse(text);
        Random rnd = new Random(text.hashCode() + 1);
        float[] x = Grad.uniform(rnd, (int) p.inputShape().elements(), -1, 1);
        float[] w = Grad.uniform(rnd, (int) p.weightShape().elements(), -1, 1);
        float[] b = Grad.uniform(rnd, p.outChannels(), -1, 1);
        double[] expected = p.transposed() ? transposedByDefinition(p, x, w, b) : convByDefinition(p, x, w, b);
        try (Tensor tx = dev.upload(p.inputShape(), x);
             Tensor tw = dev.upload(p.weightShape(), w);
             Tensor tb = dev.upload(p.biasShape(), b);
             Tensor y = dev.conv2d(p, DIRECT, tx, tw, tb)) {
            Grad.assertClose(text + " y", y.toDoubleArray(), expected, SAME_SUM_OTHER_ORDER);
        }
    }

    /**
     * torch.nn.functional.conv2d as its documentation states it: out(n, k) = bias(k) + sum over
     * the input channels c of group(k) of the cross-correlation of weight(k, c) with the zero-padded
     * input(n, c), read at stride and dilation.
     */
    static double[] convByDefinition(ConvProblem p, float[] x, float[] w, float[] b) {
        int hp = p.height() + 2 * p.padH();
        int wp = p.width() + 2 * p.padW();
        double[] padded = new double[p.batch() * p.inChannels() * hp * wp];
        for (int n = 0; n < p.batch(); n++) {
            for (int c = 0; c < p.inChannels(); c++) {
                for (int i = 0; i < p.height(); i++) {
                    for (int j = 0; j < p.width(); j++) {
                        padded[((n * p.inChannels() + c) * hp + i + p.padH()) * wp + j + p.padW()]
                                = x[((n * p.inChannels() + c) * p.height() + i) * p.width() + j];
                    }
                }
            }
        }
        int oh = p.outHeight();
        int ow = p.outWidth();
        int cg = p.inChannels() / p.groups();
        int kg = p.outChannels() / p.groups();
        double[] y = new double[p.batch() * p.outChannels() * oh * ow];
        for (int n = 0; n < p.batch(); n++) {
            for (int k = 0; k < p.outChannels(); k++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = b[k];
                        for (int c = 0; c < cg; c++) {
                            for (int u = 0; u < p.kernelH(); u++) {
                                for (int v = 0; v < p.kernelW(); v++) {
                                    int pi = i * p.strideH() + u * p.dilationH();
                                    int pj = j * p.strideW() + v * p.dilationW();
                                    s += padded[((n * p.inChannels() + (k / kg) * cg + c) * hp + pi) * wp + pj]
                                            * w[((k * cg + c) * p.kernelH() + u) * p.kernelW() + v];
                                }
                            }
                        }
                        y[((n * p.outChannels() + k) * oh + i) * ow + j] = s;
                    }
                }
            }
        }
        return y;
    }

    /**
     * torch.nn.functional.conv_transpose2d by its definition: every input pixel (n, c, i, j) adds
     * x * weight(c, o, u, v) to output pixel (i*stride - pad + u*dilation, j*stride - pad + v*dilation)
     * of each output channel o of its group; the output size (with output padding) is the problem's.
     */
    static double[] transposedByDefinition(ConvProblem p, float[] x, float[] w, float[] b) {
        int oh = p.outHeight();
        int ow = p.outWidth();
        int cg = p.inChannels() / p.groups();
        int og = p.outChannels() / p.groups();
        double[] y = new double[p.batch() * p.outChannels() * oh * ow];
        for (int n = 0; n < p.batch(); n++) {
            for (int o = 0; o < p.outChannels(); o++) {
                for (int i = 0; i < oh * ow; i++) {
                    y[(n * p.outChannels() + o) * oh * ow + i] = b[o];
                }
            }
            for (int c = 0; c < p.inChannels(); c++) {
                int g = c / cg;
                for (int i = 0; i < p.height(); i++) {
                    for (int j = 0; j < p.width(); j++) {
                        double v0 = x[((n * p.inChannels() + c) * p.height() + i) * p.width() + j];
                        for (int ol = 0; ol < og; ol++) {
                            int o = g * og + ol;
                            for (int u = 0; u < p.kernelH(); u++) {
                                for (int v = 0; v < p.kernelW(); v++) {
                                    int yi = i * p.strideH() - p.padH() + u * p.dilationH();
                                    int yj = j * p.strideW() - p.padW() + v * p.dilationW();
                                    if (yi >= 0 && yi < oh && yj >= 0 && yj < ow) {
                                        y[((n * p.outChannels() + o) * oh + yi) * ow + yj]
                                                += v0 * w[((c * og + ol) * p.kernelH() + u) * p.kernelW() + v];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    @Test
    void smallConvolutionByHand() {
        // 3x3 image 1..9, 2x2 kernel of ones, no padding: each output is the sum of a 2x2 block
        ConvProblem p = ConvProblem.builder().inChannels(1).size(3, 3).outChannels(1).kernel(2, 2).build();
        try (Tensor x = dev.upload(p.inputShape(), new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
             Tensor w = dev.upload(p.weightShape(), new float[] {1, 1, 1, 1});
             Tensor y = dev.conv2d(p, DIRECT, x, w, null)) {
            assertArrayEquals(new double[] {12, 16, 24, 28}, y.toDoubleArray());
        }
    }

    @Test
    void backwardFilterOverwritesAndChannelSumSums() {
        ConvProblem p = ConvProblem.builder().batch(2).inChannels(1).size(2, 2).outChannels(2).kernel(1, 1).build();
        try (Tensor x = dev.upload(p.inputShape(), new float[] {1, 2, 3, 4, 5, 6, 7, 8});
             Tensor dy = dev.full(p.outputShape(), 1f);
             Tensor dw = dev.full(p.weightShape(), 100f);
             Tensor db = dev.full(p.biasShape(), 100f)) {
            dev.conv2dBackwardFilter(p, DIRECT, x, dy, dw);
            dev.conv2dBackwardBias(p, dy, db);
            // dw[k] = sum of every x (1..8 = 36), not added to the 100 that was there; db[k] = 2 images * 4 pixels
            assertArrayEquals(new double[] {36, 36}, dw.toDoubleArray());
            assertArrayEquals(new double[] {8, 8}, db.toDoubleArray());
        }
    }

    @Test
    void directIsTheOnlyAlgorithmAndOthersSayWhyNot() {
        ConvProblem p = ConvProblem.parse(PROBLEMS[0]);
        assertEquals(List.of(ConvAlgorithm.DIRECT), dev.algorithms());
        for (ConvDirection d : ConvDirection.values()) {
            assertEquals(ConvAlgorithm.DIRECT, dev.autoAlgorithm(p, d));
            assertEquals(Optional.empty(), dev.whyNot(p, d, ConvAlgorithm.DIRECT));
            for (ConvAlgorithm a : ConvAlgorithm.values()) {
                if (a != ConvAlgorithm.DIRECT && a != ConvAlgorithm.AUTO) {
                    Optional<String> why = dev.whyNot(p, d, a);
                    assertTrue(why.isPresent() && why.get().contains("DIRECT"), a + " " + d + ": " + why);
                }
            }
        }
        try (Tensor x = dev.zeros(p.inputShape()); Tensor w = dev.zeros(p.weightShape())) {
            AlgorithmNotSupportedException e = assertThrows(AlgorithmNotSupportedException.class,
                    () -> dev.conv2d(p, ConvAlgorithm.WINOGRAD, x, w, null).close());
            assertEquals(ConvAlgorithm.WINOGRAD, e.algorithm());
        }
    }
}
