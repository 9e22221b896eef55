package io.jdnn.opencl;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvProblem;
import io.jdnn.DeviceOptions;
import io.jdnn.DirectConv;
import io.jdnn.Tensor;
import io.jdnn.kernels.DirectConvAlgorithm;
import io.jdnn.kernels.FlippedBackwardData;
import io.jdnn.kernels.KernelDevice;
import io.jdnn.kernels.KernelTestSupport;
import io.jdnn.kernels.RecordingDevice;
import io.jdnn.spi.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mapping TENSOR_CORE_TF32 and _BF16 run backward-data through (per residue class of dx's
 * pixels, the forward pass over dy with the class's flipped sub-filter, scattered into dx; stride 1
 * one class: the flipped filter and one forward pass), checked here with the same flip, sub-filter
 * and scatter kernels and conv_direct_forward standing in for the tensor-core kernel, which takes
 * exactly its arguments: what is wrong here would be wrong on tensor cores, and this runs in CI.
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

    /** Strided problems: every kind of class the mapping makes. */
    static final List<String> STRIDED = List.of(
            "conv_mb2ic6ih7iw9oc4kh3kw3sh2sw2ph1pw1",         // stride 2: classes of 2 and 1 taps per axis, H, W odd
            "conv_mb1ic4ih10iw11oc5kh3kw3sh3sw3ph1pw1",       // stride 3: one tap per class
            "conv_mb2ic3ih9iw8oc4kh3kw2sh2sw3ph1pw0",         // unequal strides, R != S; a column class no tap reaches
            "conv_mb1ic4ih9iw9oc3kh3kw3sh2sw2ph2pw2dh2dw2",   // sh = dh = 2: rstep 1, one row class gets every tap
            "conv_mb1ic3ih11iw11oc4kh3kw3sh2sw2ph3pw3dh3dw3", // sh = 2, dh = 3: gcd 1, dy rows 3 apart
            "conv_mb1ic3ih13iw13oc2kh3kw3sh4sw4ph2pw2dh2dw2", // sh = 4, dh = 2: rstep 2, odd row classes empty
            "conv_mb1ic2ih5iw6oc3kh2kw2sh2sw2ph2pw3",         // padding beyond the reach: negative forward padding
            "conv_mb2ic4ih8iw8oc6kh1kw1sh2sw2",               // ResNet's 1x1 stride-2 shortcut: 3 of 4 classes get 0
            "conv_mb1ic2ih9iw7oc3kh2kw2sh3sw3",               // stride > kernel: classes no tap reaches
            "conv_mb2ic6ih8iw8oc9kh3kw3sh2sw2ph1pw1g3",       // groups
            "conv_mb1ic4ih7iw7oc8kh3kw3sh2sw2ph1pw1g4",       // depthwise, multiplier 2
            "conv_mb2ic3ih1iw1oc4kh1kw1sh2sw2",               // 1x1 image: one class, in place, whole filter
            "conv_mb1ic3ih1iw1oc2kh3kw3sh2sw2ph1pw1",         // 1x1 image, 3x3: one class in place, one tap
            "conv_mb1ic2ih1iw6oc2kh3kw3sh2sw2ph1pw1",         // one row: column classes only
            "conv_mb1ic1ih3iw3oc1kh1kw1sh2147483647sw2147483647", // the largest stride: 9 classes, not 2^62
            "deconv_mb2ic4ih5iw5oc6kh4kw4sh2sw2ph1pw1dh1dw1g1oph0opw0",   // DCGAN's transposed 4x4, stride 2
            "deconv_mb1ic4ih4iw3oc6kh3kw3sh2sw2ph1pw1dh1dw1g2oph1opw1",   // output padding, groups
            "deconv_mb1ic3ih3iw3oc2kh1kw1sh2sw2ph0pw0dh1dw1g1oph1opw1",   // untouched pixels get the bias
            "deconv_mb1ic2ih3iw4oc2kh3kw2sh3sw2ph1pw0dh2dw3g1oph1opw2");  // dilation with unequal strides

    @Test
    void strideOneBackwardDataIsTheForwardPassOverTheFlippedFilter() {
        for (String text : PROBLEMS) {
            DirectConv c = ConvProblem.parse(text).direct();
            // one class, today's forward shape: the flip and one forward pass into dx
            List<FlippedBackwardData.ClassPlan> plans = FlippedBackwardData.plans(c);
            assertEquals(1, plans.size(), text);
            assertEquals(FlippedBackwardData.forwardShape(c), plans.get(0).forward(), text);
            assertTrue(plans.get(0).inPlace(c) && plans.get(0).wholeFilter(), text);
            assertEquals(List.of(FlippedBackwardData.KERNEL, "conv_direct_forward"), check(text), text);
        }
    }

    @Test
    void stridedBackwardDataIsOneForwardPassPerResidueClass() {
        for (String text : STRIDED) {
            List<String> kernels = check(text);
            DirectConv c = ConvProblem.parse(text).direct();
            List<FlippedBackwardData.ClassPlan> plans = FlippedBackwardData.plans(c);
            assertEquals(FlippedBackwardData.classes(c), plans.size(), text);
            // a forward pass per class a tap reaches; a scatter per class but one computed in place
            assertEquals(plans.stream().filter(FlippedBackwardData.ClassPlan::reached).count(),
                    kernels.stream().filter("conv_direct_forward"::equals).count(), text + ": " + kernels);
            assertEquals(plans.stream().filter(k -> !k.reached() || !k.inPlace(c)).count(),
                    kernels.stream().filter(FlippedBackwardData.SCATTER_KERNEL::equals).count(), text + ": " + kernels);
        }
    }

    @Test
    void theClassesAreTheResidueClassesOfDxsPixels() {
        // 1x1 stride 2: four classes, only (0, 0) reached, computed into the class workspace and scattered
        List<FlippedBackwardData.ClassPlan> shortcut = FlippedBackwardData.plans(
                ConvProblem.parse("conv_mb2ic4ih8iw8oc6kh1kw1sh2sw2").direct());
        assertEquals(List.of(true, false, false, false),
                shortcut.stream().map(FlippedBackwardData.ClassPlan::reached).toList());
        assertEquals(4, shortcut.get(0).hc());
        // sh = dh = 2: rows ih + ph even get every tap (rstep 1, dy rows 1 apart); the others none
        DirectConv d2 = ConvProblem.parse("conv_mb1ic4ih9iw9oc3kh3kw3sh2sw2ph2pw2dh2dw2").direct();
        FlippedBackwardData.ClassPlan first = FlippedBackwardData.plans(d2).get(0);
        assertTrue(first.wholeFilter() && !first.inPlace(d2));
        assertEquals(List.of(5, 3, 1, 1, 1), List.of(first.hc(), first.forward().r(), first.forward().dilationH(),
                first.rstep(), first.forward().padH())); // A = (0 + 2 - 0)/2 = 1, padF = 2*1 - 1 = 1
        assertEquals(1, FlippedBackwardData.plans(d2).stream().filter(FlippedBackwardData.ClassPlan::reached).count());
        // the largest stride: a class per pixel, no more
        assertEquals(9, FlippedBackwardData.plans(
                ConvProblem.parse("conv_mb1ic1ih3iw3oc1kh1kw1sh2147483647sw2147483647").direct()).size());
    }

    /**
     * Runs the mapping on PoCL (conv_direct_forward as the forward pass) into a NaN-poisoned dx and
     * compares with the reference's backward-data (a transposed problem: its conv2d with the bias);
     * returns the kernels launched, in order.
     */
    private List<String> check(String text) {
        ConvProblem p = ConvProblem.parse(text);
        DirectConv c = p.direct();
        assertEquals(Optional.empty(), FlippedBackwardData.whyNot(c), text);
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
            run(dev, text, c, dy, w, bias, dx);
            // the forward pass's float32 sums over K/G*Rc*Sc terms, as DIRECT's backward-data: DIRECT's bound;
            // a NaN left anywhere (a pixel no class wrote) fails too
            KernelTestSupport.assertClose(text + " flipped", ConvAlgorithmTest.read(dev, dx), rdx.toDoubleArray(),
                    ConvAlgorithm.DIRECT.errorBound());
        }
        // the same sequence on a recording device, for its kernel names
        RecordingDevice rec = new RecordingDevice(DeviceOptions.DEFAULT);
        run(rec, text, c, rec.allocate(c.responseElements()), rec.allocate(c.weightElements()),
                withBias ? rec.allocate(c.c()) : null, rec.allocate(c.imageElements()));
        return rec.launches().stream().map(RecordingDevice.Launch::compiled).toList();
    }

    /** The mapping on {@code dev} with conv_direct_forward as the forward pass. */
    private static void run(KernelDevice dev, String text, DirectConv c, Buffer dy, Buffer w, Buffer bias, Buffer dx) {
        FlippedBackwardData.backwardData(dev, "test", c, dy, w, bias, dx, (f, in, wf, b, out) -> {
            assertEquals(f.responseElements(), out == dx ? c.imageElements() : f.responseElements(), text);
            dev.launch("test", text, DirectConvAlgorithm.SOURCE, "conv_direct_forward").convShape(f)
                    .arg("has_bias", b != null).epilogue(null)
                    .arg("x", in).arg("w", wf).arg("bias", dev.orPlaceholder(b))
                    .arg("y", out)
                    .elements(f.responseElements());
        });
    }

    @Test
    void tooManyStrideClassesAreRefusedWithTheReason() {
        // 2000 x 2000 pixels, stride 2000: four million classes of one pixel each
        DirectConv c = ConvProblem.parse("conv_mb1ic1ih2000iw2000oc1kh1kw1sh2000sw2000").direct();
        String why = FlippedBackwardData.whyNot(c).orElseThrow();
        assertTrue(why.contains("4000000 classes") && why.contains("stride 2000x2000"), why);
        assertFalse(FlippedBackwardData.whyNot(ConvProblem.parse("conv_mb1ic1ih64iw16oc1kh1kw1sh64sw16").direct())
                .isPresent(), "1024 classes run");
    }
}
