package io.jdnn;

import io.jdnn.optim.AdaDelta;
import io.jdnn.optim.AdaGrad;
import io.jdnn.optim.Adam;
import io.jdnn.optim.AdamW;
import io.jdnn.optim.Optimizer;
import io.jdnn.optim.RmsProp;
import io.jdnn.optim.Sgd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invalid problems and hyper-parameters are refused on construction with a message that names the
 * bad argument and its value (and, where there is one, the constraint it broke).
 */
class ValidationMessageTest {

    static void rejects(Executable construct, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construct);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message \"" + e.getMessage() + "\" lacks \"" + p + "\"");
        }
    }

    static ConvProblem.Builder conv() {
        return ConvProblem.builder().batch(2).inChannels(6).size(8, 8).outChannels(4).kernel(3, 3);
    }

    @Test
    void channelsNotDivisibleByGroups() {
        rejects(() -> conv().groups(4).build(), "inChannels", "a multiple of groups=4", "got 6");
        rejects(() -> conv().groups(3).build(), "outChannels", "a multiple of groups=3", "got 4");
        rejects(() -> conv().groups(4).transposed(true).build(), "inChannels", "groups=4", "got 6");
    }

    @Test
    void emptyOrNegativeOutputSize() {
        // floor((3 + 0 - 1*(5-1) - 1) / 1) + 1 = -1
        rejects(() -> conv().size(3, 8).kernel(5, 3).build(), "output height", "got -1", "height 3", "kernelH 5");
        // dilation makes the kernel too large: floor((8 + 0 - 4*(3-1) - 1) / 1) + 1 = 0
        rejects(() -> conv().dilation(1, 4).build(), "output width", "got 0", "dilationW 4");
        // transposed: (1-1)*1 - 2*3 + 1*(1-1) + 0 + 1 = -5
        rejects(() -> conv().size(1, 1).kernel(1, 1).padding(3, 3).transposed(true).build(), "output height", "got -5",
                "padH 3");
        rejects(() -> PoolProblem.max().channels(1).size(2, 9).kernel(3, 3).build(), "output height", "got 0", "height 2");
    }

    @Test
    void nonPositiveExtents() {
        rejects(() -> conv().batch(0).build(), "batch", "positive", "got 0");
        rejects(() -> conv().kernel(3, -1).build(), "kernelW", "got -1");
        rejects(() -> conv().stride(0, 1).build(), "strideH", "got 0");
        rejects(() -> conv().padding(-1, 0).build(), "padH", ">= 0", "got -1");
        rejects(() -> conv().dilation(1, 0).build(), "dilationW", "got 0");
        rejects(() -> conv().groups(0).build(), "groups", "got 0");
        rejects(() -> new LinearProblem(4, 0, 3), "inFeatures", "got 0");
        rejects(() -> new BatchNormProblem(2, -3, 4, 4, 1e-5, 0.1), "channels", "got -3");
        rejects(() -> PoolProblem.adaptiveAvg(1, 3, 8, 8, 0, 1), "adaptiveH", "got 0");
        rejects(() -> Shape.of(2, 0, 3), "dimension 1", "got 0");
    }

    @Test
    void outputPaddingRules() {
        rejects(() -> conv().stride(2, 2).transposed(true).outputPadding(2, 0).build(), "outputPadH",
                "less than max(strideH, dilationH)=2", "got 2");
        rejects(() -> conv().outputPadding(0, 1).build(), "outputPadW", "0 for a convolution that is not transposed", "got 1");
    }

    @Test
    void poolingRules() {
        rejects(() -> PoolProblem.max().channels(1).size(8, 8).kernel(3, 3).padding(3, 1).build(), "padH",
                "at most kernelH - 1=2", "got 3");
        rejects(() -> PoolProblem.avg().channels(1).size(8, 8).kernel(3, 2).padding(0, 0, 1, 2).build(), "padRight",
                "at most kernelW - 1=1", "got 2");
        rejects(() -> PoolProblem.avg().channels(1).size(8, 8).kernel(2, 2).dilation(2, 1).build(), "dilation",
                "1x1 for average pooling", "2x1");
        rejects(() -> PoolProblem.max().channels(1).size(8, 8).kernel(0, 2).build(), "kernelH", "got 0");
        // H 1, kernel 3, dilation 2, padding 1: the one window reads rows -1, 1 and 3, none of them in the image.
        rejects(() -> PoolProblem.max().channels(1).size(1, 5).kernel(3, 2).stride(3, 3).padding(1, 1).dilation(2, 2)
                .ceilMode(true).build(), "dilationH", "output row 0 covers none", "got 2");
    }

    @Test
    void nonPositiveHyperParameters() {
        rejects(() -> new BatchNormProblem(2, 3, 4, 4, 0, 0.1), "eps", "> 0", "got 0.0");
        rejects(() -> new BatchNormProblem(2, 3, 4, 4, 1e-5, 1.5), "momentum", "[0.0, 1.0]", "got 1.5");
        rejects(() -> Sgd.of(0), "lr", "> 0", "got 0.0");
        rejects(() -> new Sgd(0.1, -0.9, 0, false, 0), "momentum", ">= 0", "got -0.9");
        rejects(() -> new Sgd(0.1, 0, 0, true, 0), "momentum", "> 0 with nesterov", "got 0.0");
        rejects(() -> new Sgd(0.1, 0.9, 0.1, true, 0), "dampening", "0 with nesterov", "got 0.1");
        rejects(() -> new AdaGrad(-0.01, 0, 0, 0, 1e-10), "lr", "got -0.01");
        rejects(() -> new AdaGrad(0.01, 0, 0, -1, 1e-10), "initialAccumulatorValue", "got -1.0");
        rejects(() -> new RmsProp(0.01, 0.99, 0, 0, 0, false), "eps", "got 0.0");
        rejects(() -> new Adam(0.001, 1.0, 0.999, 1e-8, 0, false), "beta1", "[0.0, 1.0)", "got 1.0");
        rejects(() -> new AdamW(0.001, 0.9, 0.999, 1e-8, -0.01, false), "weightDecay", "got -0.01");
        rejects(() -> new AdaDelta(1.0, 1.5, 1e-6, 0), "rho", "got 1.5");
        rejects(() -> new AdaDelta(Double.NaN, 0.9, 1e-6, 0), "lr", "got NaN");
        rejects(() -> Adam.of(Double.POSITIVE_INFINITY), "lr", "got Infinity");
        rejects(() -> Activation.elu(-1), "alpha", "got -1.0");
        rejects(() -> Activation.leakyRelu(Double.NaN), "negativeSlope", "got NaN");
        rejects(() -> Activation.softplus(0, 20), "beta", "got 0.0");
        rejects(() -> Activation.softplus(1, Double.POSITIVE_INFINITY), "threshold", "got Infinity");
        rejects(() -> new Activation(Activation.Kind.RELU6, 0, 3), "threshold", "got 3.0");
    }

    @Test
    void problemStringsSayWhatTheyCannotRead() {
        rejects(() -> ConvProblem.parse("conv_ic3ih5kh3"), "missing 'oc'");
        rejects(() -> ConvProblem.parse("conv_ic3ih5oc4kh3zz2"), "unknown key 'zz'");
        rejects(() -> ConvProblem.parse("pool_ic3ih5oc4kh3"), "expected kind conv or deconv", "got 'pool'");
        rejects(() -> ConvProblem.parse("conv_ic3ih5oc4kh3ic4"), "key 'ic' given twice");
        rejects(() -> ConvProblem.parse("conv_ic3ih5oc4kh3g2"), "inChannels", "groups=2", "got 3");
        rejects(() -> Optimizer.parse("adam_lr=fast"), "lr", "expected a number", "got 'fast'");
        rejects(() -> Optimizer.parse("adam_amsgrad=2"), "amsgrad", "expected 0 or 1", "got '2'");
        rejects(() -> Optimizer.parse("lion_lr=0.1"), "expected kind", "got 'lion'");
        rejects(() -> Optimizer.parse("sgd_lr=0.1_beta1=0.9"), "unknown key 'beta1'");
        rejects(() -> ConvProblem.parse(""), "problem string", "an empty string");
    }
}
