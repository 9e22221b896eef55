package io.jdnn.opencl;

import io.jdnn.kernels.KernelTestSupport;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvProblem;
import io.jdnn.ErrorBounds;
import io.jdnn.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jdnn.kernels.KernelTestSupport.assertClose;
import static io.jdnn.kernels.KernelTestSupport.poisoned;

/** DIRECT convolution, all three directions and the bias gradient, convolutions and transposed ones. */
class ConvDirectTest extends ClDeviceTest {
    /** DIRECT's bound (float32 dot products of up to a few thousand terms, see ConvAlgorithm). */
    static final double BOUND = ConvAlgorithm.DIRECT.errorBound();

    static final List<String> PROBLEMS = List.of(
            "conv_mb2ic3ih1iw1oc4kh1kw1",                               // 1x1 image, 1x1 kernel
            "conv_mb2ic3ih6iw5oc4kh2kw2sh2147483647sw3ph1pw0",          // a stride of 2^31 - 1 (fuzz: ceil division overflowed)
            "conv_mb1ic1ih5iw5oc4kh2kw2sh1sw2147483647ph0pw2",
            "conv_mb2ic3ih7iw9oc5kh3kw3ph1pw1",                         // same padding, odd sizes
            "conv_mb1ic4ih11iw9oc6kh3kw3sh2sw2ph2pw2dh2dw2g2",          // dilation with stride, groups
            "conv_mb2ic2ih8iw7oc3kh2kw2sh3sw3",                         // stride > kernel: pixels nobody reads
            "conv_mb1ic6ih6iw5oc6kh3kw3ph1pw1g6",                       // depthwise
            "conv_mb1ic6ih5iw5oc12kh3kw3ph1pw1g6",                      // depthwise, multiplier 2
            "conv_mb2ic3ih5iw9oc4kh1kw3sh1sw2ph0pw1dh1dw3",             // asymmetric everything
            "conv_mb1ic2ih4iw4oc3kh5kw5ph2pw2",                         // kernel larger than the image
            "conv_mb1ic300ih3iw3oc2kh3kw3ph1pw1",                       // a long reduction (2700 terms)
            "conv_mb1ic2ih7iw8oc3kh3kw3ph1pw2dh2dw3",                   // dilation that does not divide the padding
            "conv_mb5ic2ih12iw12oc3kh3kw3ph1pw1",                       // bias gradient over 720 values per channel
            "deconv_mb2ic4ih5iw6oc6kh3kw3sh2sw2ph1pw1g2oph1opw1",       // transposed, output padding, groups
            "deconv_mb1ic3ih4iw3oc2kh3kw2sh1sw1ph0pw1dh3dw2oph2opw1",   // output padding >= stride (dilation allows it)
            "deconv_mb1ic2ih1iw1oc3kh2kw2sh2sw2");                      // transposed from a 1x1 image

    @Test
    void everyDirectionMatchesTheReference() {
        for (String text : PROBLEMS) {
            ConvProblem p = ConvProblem.parse(text);
            float[] xs = KernelTestSupport.random(text.hashCode(), Math.toIntExact(p.inputShape().elements()), -1, 1);
            float[] ws = KernelTestSupport.random(text.hashCode() + 1, Math.toIntExact(p.weightShape().elements()), -1, 1);
            float[] bs = KernelTestSupport.random(text.hashCode() + 2, p.outChannels(), -1, 1);
            float[] dys = KernelTestSupport.random(text.hashCode() + 3, Math.toIntExact(p.outputShape().elements()), -1, 1);
            try (Tensor rx = ref.upload(p.inputShape(), xs); Tensor rw = ref.upload(p.weightShape(), ws);
                 Tensor rb = ref.upload(p.biasShape(), bs); Tensor rdy = ref.upload(p.outputShape(), dys);
                 Tensor ry = ref.conv2d(p, ConvAlgorithm.DIRECT, rx, rw, rb);
                 Tensor ry0 = ref.conv2d(p, ConvAlgorithm.DIRECT, rx, rw, null);
                 Tensor rdx = ref.conv2dBackwardData(p, ConvAlgorithm.DIRECT, rdy, rw);
                 Tensor rdw = ref.conv2dBackwardFilter(p, ConvAlgorithm.DIRECT, rx, rdy);
                 Tensor rdb = ref.conv2dBackwardBias(p, rdy);
                 Tensor x = cl.upload(p.inputShape(), xs); Tensor w = cl.upload(p.weightShape(), ws);
                 Tensor b = cl.upload(p.biasShape(), bs); Tensor dy = cl.upload(p.outputShape(), dys)) {
                for (ConvAlgorithm a : List.of(ConvAlgorithm.DIRECT, ConvAlgorithm.AUTO)) {
                    String what = text + " " + a;
                    try (Tensor y = poisoned(cl, p.outputShape()); Tensor y0 = poisoned(cl, p.outputShape());
                         Tensor dx = poisoned(cl, p.inputShape()); Tensor dw = poisoned(cl, p.weightShape());
                         Tensor db = poisoned(cl, p.biasShape())) {
                        cl.conv2d(p, a, x, w, b, y);
                        cl.conv2d(p, a, x, w, null, y0);
                        cl.conv2dBackwardData(p, a, dy, w, dx);
                        cl.conv2dBackwardFilter(p, a, x, dy, dw);
                        cl.conv2dBackwardBias(p, dy, db);
                        assertClose(what + " forward with bias", y, ry, BOUND);
                        assertClose(what + " forward", y0, ry0, BOUND);
                        assertClose(what + " backward-data", dx, rdx, BOUND);
                        assertClose(what + " backward-filter", dw, rdw, BOUND);
                        // a sum over batch and space, tree-reduced (ErrorBounds.REDUCTION)
                        assertClose(what + " backward-bias", db, rdb, ErrorBounds.REDUCTION);
                    }
                }
            }
        }
    }

    @Test
    void resultsAreBitwiseRepeatable() {
        ConvProblem p = ConvProblem.parse("conv_mb2ic4ih9iw9oc4kh3kw3sh2sw2ph1pw1g2");
        try (Tensor x = KernelTestSupport.randomTensor(cl, p.inputShape(), 1);
             Tensor dy = KernelTestSupport.randomTensor(cl, p.outputShape(), 2);
             Tensor w = KernelTestSupport.randomTensor(cl, p.weightShape(), 3);
             Tensor dw1 = cl.conv2dBackwardFilter(p, ConvAlgorithm.DIRECT, x, dy);
             Tensor dw2 = cl.conv2dBackwardFilter(p, ConvAlgorithm.DIRECT, x, dy);
             Tensor dx1 = cl.conv2dBackwardData(p, ConvAlgorithm.DIRECT, dy, w);
             Tensor dx2 = cl.conv2dBackwardData(p, ConvAlgorithm.DIRECT, dy, w)) {
            KernelTestSupport.assertBitwiseEqual("backward-filter run twice", dw1, dw2);
            KernelTestSupport.assertBitwiseEqual("backward-data run twice", dx1, dx2);
        }
    }
}
