package io.jdnn.opencl;

import io.jdnn.kernels.KernelTestSupport;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.DirectConv;
import io.jdnn.ErrorBounds;
import io.jdnn.Tensor;
import io.jdnn.kernels.KernelConvAlgorithm;
import io.jdnn.kernels.KernelConvAlgorithms;
import io.jdnn.spi.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static io.jdnn.kernels.KernelTestSupport.poisoned;

/**
 * What every convolution algorithm's test checks, run by one subclass per algorithm: each
 * direction of each of its problems against the float64 reference (outputs poisoned with NaN
 * first, the error within {@link ConvAlgorithm#errorBound()}), that {@code whyNot} accepts every
 * listed problem and refuses the listed others with the expected reason, and that every
 * direction gives bitwise-identical results when run twice. Transposed problems go through
 * {@link Device}, which runs them as the other direction of the direct convolution.
 */
abstract class ConvAlgorithmTest extends ClDeviceTest {
    private final Map<ConvDirection, Double> worst = new EnumMap<>(ConvDirection.class);
    private final Map<ConvDirection, String> worstProblem = new EnumMap<>(ConvDirection.class);

    /**
     * Awkward problems every GEMM-based algorithm (IM2COL_GEMM, IMPLICIT_GEMM) runs in all directions:
     * sizes no tile divides, 1x1 images, batch 1, groups, depthwise with a multiplier, more than 256
     * channels, padding 0/1/2, stride larger than the kernel, transposed problems.
     */
    static final List<String> GENERAL = List.of(
            "conv_mb2ic3ih1iw1oc4kh1kw1",                               // 1x1 image, 1x1 kernel
            "conv_mb2ic3ih7iw9oc5kh3kw3ph1pw1",                         // same padding, odd sizes
            "conv_mb1ic4ih11iw9oc6kh3kw3sh2sw2ph2pw2dh2dw2g2",          // dilation with stride, groups
            "conv_mb2ic2ih8iw7oc3kh2kw2sh3sw3",                         // stride > kernel: pixels nobody reads
            "conv_mb1ic6ih5iw5oc12kh3kw3ph1pw1g6",                      // depthwise, multiplier 2
            "conv_mb2ic3ih5iw9oc4kh1kw3sh1sw2ph0pw1dh1dw3",             // asymmetric everything
            "conv_mb1ic2ih4iw4oc3kh5kw5ph2pw2",                         // kernel larger than the image
            "conv_mb1ic300ih3iw3oc2kh3kw3ph1pw1",                       // > 256 channels, 2700-term reduction
            "conv_mb3ic70ih13iw11oc67kh3kw3ph0pw2",                     // primes: 429 x 67 x 630, several tiles each way
            "conv_mb1ic5ih17iw19oc130kh3kw3sh2sw1ph1pw1",               // 130 channels (3 column tiles), stride 2x1
            "conv_mb2ic8ih9iw10oc6kh4kw3sh3sw2ph2pw0dh2dw1g2",          // stride classes with dilation, groups
            "conv_mb5ic2ih12iw12oc3kh3kw3ph1pw1",                       // backward-filter over 720 terms
            "deconv_mb2ic4ih5iw6oc6kh3kw3sh2sw2ph1pw1g2oph1opw1",       // transposed, output padding, groups
            "deconv_mb1ic3ih4iw3oc2kh3kw2sh1sw1ph0pw1dh3dw2oph2opw1",   // output padding >= stride (dilation allows it)
            "deconv_mb1ic2ih1iw1oc3kh2kw2sh2sw2");                      // transposed from a 1x1 image

    /** The algorithm under test. */
    abstract ConvAlgorithm algorithm();

    /** Problems the algorithm must run in every direction, each checked against the reference. */
    abstract List<String> problems();

    /** Problems (or directions of them) it must refuse, and a piece of the reason it must give. */
    abstract List<Refusal> refusals();

    /** Problems whose directions are each run twice and compared bitwise. */
    abstract List<String> repeatable();

    /** A problem, a direction as the caller sees it, and a substring of the reason whyNot must give. */
    record Refusal(String problem, ConvDirection direction, String reason) {
    }

    @AfterAll
    void printWorstErrors() {
        if (!worst.isEmpty()) {
            StringBuilder b = new StringBuilder(algorithm() + " (bound " + algorithm().errorBound() + ") max error:");
            for (Map.Entry<ConvDirection, Double> e : worst.entrySet()) {
                b.append(String.format(Locale.ROOT, " %s %.3g (%s)", e.getKey().shortName(), e.getValue(),
                        worstProblem.get(e.getKey())));
            }
            System.out.println(b);
        }
    }

    @Test
    void everyDirectionMatchesTheReference() {
        ConvAlgorithm a = algorithm();
        double bound = a.errorBound();
        for (String text : problems()) {
            ConvProblem p = ConvProblem.parse(text);
            for (ConvDirection d : ConvDirection.values()) {
                Optional<String> why = cl.whyNot(p, d, a);
                Assertions.assertTrue(why.isEmpty(), () -> a + " refuses " + d.shortName() + " of " + text + ": "
                        + why.orElse(""));
            }
            float[] xs = KernelTestSupport.random(text.hashCode(), Math.toIntExact(p.inputShape().elements()), -1, 1);
            float[] ws = KernelTestSupport.random(text.hashCode() + 1, Math.toIntExact(p.weightShape().elements()), -1, 1);
            float[] bs = KernelTestSupport.random(text.hashCode() + 2, p.outChannels(), -1, 1);
            float[] dys = KernelTestSupport.random(text.hashCode() + 3, Math.toIntExact(p.outputShape().elements()), -1, 1);
            try (Tensor rx = ref.upload(p.inputShape(), xs); Tensor rw = ref.upload(p.weightShape(), ws);
                 Tensor rb = ref.upload(p.biasShape(), bs); Tensor rdy = ref.upload(p.outputShape(), dys);
                 Tensor ry = ref.conv2d(p, ConvAlgorithm.DIRECT, rx, rw, rb);
                 Tensor rdx = ref.conv2dBackwardData(p, ConvAlgorithm.DIRECT, rdy, rw);
                 Tensor rdw = ref.conv2dBackwardFilter(p, ConvAlgorithm.DIRECT, rx, rdy);
                 Tensor x = cl.upload(p.inputShape(), xs); Tensor w = cl.upload(p.weightShape(), ws);
                 Tensor b = cl.upload(p.biasShape(), bs); Tensor dy = cl.upload(p.outputShape(), dys);
                 Tensor y = poisoned(cl, p.outputShape()); Tensor dx = poisoned(cl, p.inputShape());
                 Tensor dw = poisoned(cl, p.weightShape())) {
                cl.conv2d(p, a, x, w, b, y);
                cl.conv2dBackwardData(p, a, dy, w, dx);
                cl.conv2dBackwardFilter(p, a, x, dy, dw);
                check(text, ConvDirection.FORWARD, y, ry, bound);
                check(text, ConvDirection.BACKWARD_DATA, dx, rdx, bound);
                check(text, ConvDirection.BACKWARD_FILTER, dw, rdw, bound);
            }
        }
    }

    @Test
    void whyNotExplainsEveryRefusal() {
        for (Refusal r : refusals()) {
            ConvProblem p = ConvProblem.parse(r.problem());
            Optional<String> why = cl.whyNot(p, r.direction(), algorithm());
            Assertions.assertTrue(why.isPresent(), () -> algorithm() + " accepts " + r.direction().shortName() + " of "
                    + r.problem() + ", expected a refusal saying '" + r.reason() + "'");
            Assertions.assertTrue(why.get().contains(r.reason()), () -> algorithm() + " refuses "
                    + r.direction().shortName() + " of " + r.problem() + " with '" + why.get() + "', expected it to say '"
                    + r.reason() + "'");
            Assertions.assertFalse(cl.applicableAlgorithms(p, r.direction()).contains(algorithm()),
                    () -> "applicableAlgorithms lists " + algorithm() + " for " + r.problem());
        }
    }

    @Test
    void resultsAreBitwiseRepeatable() {
        ConvAlgorithm a = algorithm();
        for (String text : repeatable()) {
            ConvProblem p = ConvProblem.parse(text);
            try (Tensor x = KernelTestSupport.randomTensor(cl, p.inputShape(), 1);
                 Tensor dy = KernelTestSupport.randomTensor(cl, p.outputShape(), 2);
                 Tensor w = KernelTestSupport.randomTensor(cl, p.weightShape(), 3);
                 Tensor b = KernelTestSupport.randomTensor(cl, p.biasShape(), 4);
                 Tensor y1 = cl.conv2d(p, a, x, w, b); Tensor y2 = cl.conv2d(p, a, x, w, b);
                 Tensor dx1 = cl.conv2dBackwardData(p, a, dy, w); Tensor dx2 = cl.conv2dBackwardData(p, a, dy, w);
                 Tensor dw1 = cl.conv2dBackwardFilter(p, a, x, dy); Tensor dw2 = cl.conv2dBackwardFilter(p, a, x, dy)) {
                KernelTestSupport.assertBitwiseEqual(text + " " + a + " forward run twice", y1, y2);
                KernelTestSupport.assertBitwiseEqual(text + " " + a + " backward-data run twice", dx1, dx2);
                KernelTestSupport.assertBitwiseEqual(text + " " + a + " backward-filter run twice", dw1, dw2);
            }
        }
    }

    @Test
    void isRegisteredDeterministicAndAnAutoCandidate() {
        KernelConvAlgorithm impl = KernelConvAlgorithms.find(KernelConvAlgorithms.ALL, algorithm());
        Assertions.assertNotNull(impl, () -> algorithm() + " is not in KernelConvAlgorithms.ALL");
        // no float atomics: a device opened with deterministic=true keeps it among AUTO's candidates
        Assertions.assertTrue(impl.deterministic(), () -> algorithm() + " says it is not deterministic");
        Assertions.assertTrue(cl.algorithms().contains(algorithm()), () -> "the opencl backend lists " + cl.algorithms());
        ConvProblem p = ConvProblem.parse(problems().get(0));
        for (ConvDirection d : ConvDirection.values()) {
            Assertions.assertTrue(cl.applicableAlgorithms(p, d).contains(algorithm()),
                    () -> algorithm() + " is not among the applicable algorithms of " + d.shortName() + " of " + p);
        }
    }

    /**
     * Runs the three directions of the (not transposed) problem {@code text} with the algorithm
     * instance {@code impl} (say, one built with a small workspace budget) on a raw device, outputs
     * poisoned, and compares each with the reference. {@code impl} must accept every direction.
     */
    void checkInstance(KernelConvAlgorithm impl, String text) {
        try (OpenClDevice dev = OpenClBackendTest.openRaw(DeviceOptions.DEFAULT)) {
            checkInstance(dev, impl, impl.getClass().getSimpleName() + " instance", text);
        }
    }

    /**
     * {@link #checkInstance(KernelConvAlgorithm, String)} on an open raw device (whose programs
     * are then built once for many calls), {@code label} naming the instance in failures.
     */
    void checkInstance(OpenClDevice dev, KernelConvAlgorithm impl, String label, String text) {
        ConvProblem p = ConvProblem.parse(text);
        DirectConv c = p.direct();
        float[] xs = KernelTestSupport.random(text.hashCode(), Math.toIntExact(c.imageElements()), -1, 1);
        float[] ws = KernelTestSupport.random(text.hashCode() + 1, Math.toIntExact(c.weightElements()), -1, 1);
        float[] bs = KernelTestSupport.random(text.hashCode() + 2, c.k(), -1, 1);
        float[] dys = KernelTestSupport.random(text.hashCode() + 3, Math.toIntExact(c.responseElements()), -1, 1);
        double bound = impl.id().errorBound();
        try (Tensor rx = ref.upload(p.inputShape(), xs); Tensor rw = ref.upload(p.weightShape(), ws);
             Tensor rb = ref.upload(p.biasShape(), bs); Tensor rdy = ref.upload(p.outputShape(), dys);
             Tensor ry = ref.conv2d(p, ConvAlgorithm.DIRECT, rx, rw, rb);
             Tensor rdx = ref.conv2dBackwardData(p, ConvAlgorithm.DIRECT, rdy, rw);
             Tensor rdw = ref.conv2dBackwardFilter(p, ConvAlgorithm.DIRECT, rx, rdy)) {
            for (ConvDirection d : ConvDirection.values()) {
                Optional<String> why = impl.whyNot(dev, c, d);
                Assertions.assertTrue(why.isEmpty(), () -> impl.id() + " refuses " + d.shortName() + " of " + text
                        + ": " + why.orElse(""));
            }
            Buffer x = upload(dev, xs);
            Buffer w = upload(dev, ws);
            Buffer b = upload(dev, bs);
            Buffer dy = upload(dev, dys);
            Buffer y = poisonedBuffer(dev, c.responseElements());
            Buffer dx = poisonedBuffer(dev, c.imageElements());
            Buffer dw = poisonedBuffer(dev, c.weightElements());
            impl.forward(dev, c, x, w, b, y);
            impl.backwardData(dev, c, dy, w, null, dx);
            impl.backwardFilter(dev, c, x, dy, dw);
            String what = text + " " + impl.id() + " (" + label + ") ";
            KernelTestSupport.assertClose(what + "fwd", read(dev, y), ry.toDoubleArray(), bound);
            KernelTestSupport.assertClose(what + "bwd-data", read(dev, dx), rdx.toDoubleArray(), bound);
            KernelTestSupport.assertClose(what + "bwd-filter", read(dev, dw), rdw.toDoubleArray(), bound);
            for (Buffer buf : List.of(x, w, b, dy, y, dx, dw)) {
                dev.free(buf);
            }
        }
    }

    static Buffer upload(OpenClDevice dev, float[] data) {
        Buffer b = dev.allocate(data.length);
        dev.write(b, 0, data, 0, data.length);
        return b;
    }

    static Buffer poisonedBuffer(OpenClDevice dev, long n) {
        Buffer b = dev.allocate(n);
        dev.fill(b, n, Double.NaN);
        return b;
    }

    static double[] read(OpenClDevice dev, Buffer b) {
        float[] out = new float[Math.toIntExact(b.elements())];
        dev.read(b, 0, out, 0, out.length);
        return KernelTestSupport.toDouble(out);
    }

    private void check(String problem, ConvDirection d, Tensor out, Tensor refOut, double bound) {
        double[] o = KernelTestSupport.toDouble(out.toArray());
        double[] r = refOut.toDoubleArray();
        double err = ErrorBounds.maxNormalizedError(o, r);
        if (!worst.containsKey(d) || err > worst.get(d)) {
            worst.put(d, err);
            worstProblem.put(d, problem);
        }
        KernelTestSupport.assertClose(problem + " " + algorithm() + " " + d.shortName(), o, r, bound);
    }
}
