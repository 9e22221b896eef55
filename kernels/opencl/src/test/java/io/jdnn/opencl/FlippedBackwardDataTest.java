package io.jdnn.opencl;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvProblem;
import io.jdnn.DeviceOptions;
import io.jdnn.DirectConv;
import io.jdnn.Tensor;
import io.jdnn.kernels.DirectConvAlgorithm;
import io.jdnn.kernels.FlippedBackwardData;
import io.jdnn.kernels.KernelTestSupport;
import io.jdnn.spi.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mapping TENSOR_CORE_TF32 runs backward-data through (a stride-1 backward-data pass as the
 * forward pass over dy with the flipped filter), checked here with the same flip kernel and
 * conv_direct_forward, which takes exactly the TF32 kernel's arguments: what is wrong here would
 * be wrong on tensor cores, and this runs in CI.
 */
class FlippedBackwardDataTest extends ClDeviceTest {

    static final List<String> PROBLEMS = List.of(
            "conv_mb2ic6ih7iw9oc4kh3kw3ph1pw1",               // the usual 3x3
            "conv_mb1ic4ih8iw8oc6kh3kw2ph0pw1dh2dw1",         // dilation, R != S, no padding: flipped padding 4 and 1
            "conv_mb2ic6ih5iw5oc9kh3kw3ph1pw1g3",             // groups: the channel axes swap within each group
            "conv_mb1ic4ih6iw6oc8kh3kw3ph1pw1g4",             // depthwise, multiplier 2
            "conv_mb1ic3ih4iw4oc2kh3kw3ph3pw2",               // padding beyond the filter's reach: flipped padding -1
            "conv_mb1ic2ih5iw5oc3kh1kw1",                     // 1x1
            "deconv_mb2ic4ih5iw5oc6kh3kw3sh1sw1ph1pw1dh1dw1g2oph0opw0"); // transposed, with the per-channel bias

    @Test
    void strideOneBackwardDataIsTheForwardPassOverTheFlippedFilter() {
        for (String text : PROBLEMS) {
            ConvProblem p = ConvProblem.parse(text);
            DirectConv c = p.direct();
            assertEquals(java.util.Optional.empty(), FlippedBackwardData.whyNot(c), text);
            boolean withBias = p.transposed();
            float[] dys = KernelTestSupport.random(text.hashCode(), Math.toIntExact(c.responseElements()), -1, 1);
            float[] ws = KernelTestSupport.random(text.hashCode() + 1, Math.toIntExact(c.weightElements()), -1, 1);
            float[] bs = KernelTestSupport.random(text.hashCode() + 2, Math.toIntExact(p.biasShape().elements()), -1, 1);
            try (Tensor rdy = ref.upload(p.transposed() ? p.inputShape() : p.outputShape(), dys);
                 Tensor rw = ref.upload(p.weightShape(), ws);
                 Tensor rb = ref.upload(p.biasShape(), bs);
                 Tensor rdx = withBias ? ref.conv2d(p, ConvAlgorithm.DIRECT, rdy, rw, rb)
                         : ref.conv2dBackwardData(p, ConvAlgorithm.DIRECT, rdy, rw);
                 OpenClDevice dev = OpenClBackendTest.openRaw(DeviceOptions.DEFAULT)) {
                Buffer dy = ConvAlgorithmTest.upload(dev, dys);
                Buffer w = ConvAlgorithmTest.upload(dev, ws);
                Buffer bias = withBias ? ConvAlgorithmTest.upload(dev, bs) : null;
                Buffer dx = ConvAlgorithmTest.poisonedBuffer(dev, c.imageElements());
                Buffer wf = FlippedBackwardData.flipFilter(dev, "test", c, w);
                FlippedBackwardData.ForwardShape f = FlippedBackwardData.forwardShape(c);
                f.args(dev.launch("test", text, DirectConvAlgorithm.SOURCE, "conv_direct_forward"))
                        .arg(withBias).arg(dy).arg(wf).arg(dev.orPlaceholder(bias)).arg(dx)
                        .elements(c.imageElements());
                // the forward pass's float32 sums over K/G*R*S terms, as DIRECT's backward-data
                KernelTestSupport.assertClose(text + " flipped", ConvAlgorithmTest.read(dev, dx), rdx.toDoubleArray(),
                        ConvAlgorithm.DIRECT.errorBound());
            }
        }
    }

    @Test
    void stridesOtherThanOneAreRefusedWithTheReason() {
        DirectConv c = ConvProblem.parse("conv_mb1ic2ih6iw6oc3kh3kw3sh2sw1ph1pw1").direct();
        assertTrue(FlippedBackwardData.whyNot(c).orElseThrow().contains("stride 2x1"));
    }
}
