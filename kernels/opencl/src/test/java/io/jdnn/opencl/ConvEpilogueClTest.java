package io.jdnn.opencl;

import io.jdnn.Activation;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.ErrorBounds;
import io.jdnn.Tensor;
import io.jdnn.kernels.KernelTestSupport;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jdnn.kernels.KernelTestSupport.assertClose;
import static io.jdnn.kernels.KernelTestSupport.poisoned;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fused epilogue of the GPU kernels: DIRECT and IMPLICIT_GEMM apply the activation in their
 * forward kernels' store ({@code Device#isActivationFused} true), the other algorithms and every
 * transposed problem (a backward-data pass) run it as a second launch; either way y =
 * activation(conv + bias) matches the convolution followed by the activation op within
 * ELEMENTWISE (the same jdnn_activate formula, on the same float32 sum), for every kind.
 */
class ConvEpilogueClTest extends ClDeviceTest {
    private static final List<String> PROBLEMS = List.of(
            "conv_mb2ic3ih7iw9oc5kh3kw3ph1pw1",
            "conv_mb1ic4ih11iw9oc6kh3kw3sh2sw2ph2pw2dh2dw2g2",
            "deconv_mb2ic4ih5iw6oc6kh3kw3sh2sw2ph1pw1g2oph1opw1");

    @Test
    void everyKindMatchesTheConvolutionThenTheActivation() {
        for (String text : PROBLEMS) {
            ConvProblem p = ConvProblem.parse(text);
            float[] xs = KernelTestSupport.random(text.hashCode(), Math.toIntExact(p.inputShape().elements()), -2, 2);
            float[] ws = KernelTestSupport.random(text.hashCode() + 1, Math.toIntExact(p.weightShape().elements()), -1, 1);
            float[] bs = KernelTestSupport.random(text.hashCode() + 2, p.outChannels(), -1, 1);
            try (Tensor x = cl.upload(p.inputShape(), xs); Tensor w = cl.upload(p.weightShape(), ws);
                 Tensor b = cl.upload(p.biasShape(), bs)) {
                for (ConvAlgorithm a : cl.applicableAlgorithms(p, ConvDirection.FORWARD)) {
                    boolean kernelFuses = !p.transposed()
                            && (a == ConvAlgorithm.DIRECT || a == ConvAlgorithm.IMPLICIT_GEMM);
                    assertEquals(kernelFuses, cl.isActivationFused(p, a), text + " " + a);
                    for (Activation.Kind kind : Activation.Kind.values()) {
                        Activation act = kind == Activation.Kind.SOFTPLUS ? Activation.softplus(2, 3)
                                : new Activation(kind, 0.25);
                        String what = text + " " + a + " " + act;
                        try (Tensor plain = cl.conv2d(p, a, x, w, b); Tensor want = cl.activation(act, plain);
                             Tensor y = poisoned(cl, p.outputShape())) {
                            cl.conv2d(p, a, x, w, b, act, y);
                            assertClose(what, y, want, ErrorBounds.ELEMENTWISE);
                        }
                    }
                }
            }
        }
    }
}
