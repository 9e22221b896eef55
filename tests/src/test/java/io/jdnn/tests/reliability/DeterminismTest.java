package io.jdnn.tests.reliability;

import io.jdnn.BatchNormProblem;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.GroupNormProblem;
import io.jdnn.LayerNormProblem;
import io.jdnn.LinearProblem;
import io.jdnn.LrnProblem;
import io.jdnn.PoolProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.tests.support.DevicesUnderTest.Target;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Scope;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every convolution algorithm declares whether it is deterministic ({@link Device#isDeterministic});
 * the deterministic ones give bitwise-identical results run after run. On a device opened with
 * {@link DeviceOptions#deterministic()}:
 * <ul>
 *   <li>each algorithm that declares itself deterministic, and AUTO, runs every direction twice
 *       (the second time into an output poisoned differently) with bitwise-identical results, also
 *       on a second device opened the same way with the same explicit algorithm;</li>
 *   <li>AUTO picks a deterministic algorithm and declares itself deterministic;</li>
 *   <li>backward-filter, batch-norm backward (training and inference), pooling backward (MAX, AVG,
 *       ADAPTIVE_AVG with overlapping windows), bias gradients, linear backward-weight and
 *       cross-entropy, group and layer norm and local response norm backward, the reductions where
 *       floating-point atomics would make results vary, run
 *       twice with bitwise-identical results.</li>
 * </ul>
 * The problems are sized so that a reduction has many terms per output (an order that changes from
 * run to run would change the last bits), and the data are not dyadic (their sums round).
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DeterminismTest {

    /** Convolutions with long reductions in every direction, and one of each algorithm's shape. */
    static final List<ConvProblem> CONVS = List.of(
            ConvProblem.parse("conv_mb8ic16ih20iw20oc16kh3kw3ph1pw1"),        // Winograd's shape, 2,560-term dw sums
            ConvProblem.parse("conv_mb4ic12ih17iw17oc8kh3kw3sh2sw2ph1pw1"),   // strided
            ConvProblem.parse("conv_mb6ic24ih16iw16oc24kh3kw3ph1pw1g24"),     // depthwise
            ConvProblem.parse("conv_mb8ic16ih16iw16oc16kh3kw3ph1pw1g4"),      // grouped, 4 channels per group
            ConvProblem.parse("conv_mb16ic32ih8iw8oc16kh1kw1"),               // 1x1, 1,024-term dw sums
            ConvProblem.parse("deconv_mb4ic8ih9iw9oc6kh4kw4sh2sw2ph1pw1"));   // transposed

    @TestFactory
    List<DynamicTest> everyAlgorithmDeclaresWhetherItIsDeterministic() {
        return Targets.each("declarations", t -> {
            try (Device plain = Targets.open(t, DeviceOptions.DEFAULT);
                 Device det = Targets.open(t, DeviceOptions.DEFAULT.withDeterministic(true))) {
                for (ConvAlgorithm a : ConvAlgorithm.values()) {
                    boolean listed = a == ConvAlgorithm.AUTO || plain.algorithms().contains(a);
                    if (!listed) {
                        assertFalse(plain.isDeterministic(a), plain.spec() + ": " + a + " is not implemented, so it "
                                + "cannot declare itself deterministic");
                    }
                    assertEquals(plain.isDeterministic(a), a == ConvAlgorithm.AUTO ? plain.isDeterministic(a)
                            : det.isDeterministic(a), "a declaration does not depend on the options");
                }
                assertTrue(det.isDeterministic(ConvAlgorithm.AUTO), det.spec() + ": AUTO on a deterministic device");
                boolean all = plain.algorithms().stream().allMatch(plain::isDeterministic);
                assertEquals(all, plain.isDeterministic(ConvAlgorithm.AUTO),
                        plain.spec() + ": AUTO without the option is deterministic exactly when every algorithm is");
                assertThrows(IllegalArgumentException.class, () -> plain.isDeterministic(null));
                for (ConvProblem p : CONVS) {
                    for (ConvDirection dir : ConvDirection.values()) {
                        ConvAlgorithm picked = det.autoAlgorithm(p, dir);
                        assertTrue(det.isDeterministic(picked), det.spec() + ": AUTO picked " + picked + " for " + dir
                                + " of " + p + " on a device opened deterministic, and it does not declare itself so");
                    }
                }
                System.out.println("[jdnn-tests] determinism: " + plain.spec() + " declares " + declarations(plain));
            }
        });
    }

    private static Map<ConvAlgorithm, Boolean> declarations(Device d) {
        Map<ConvAlgorithm, Boolean> m = new LinkedHashMap<>();
        for (ConvAlgorithm a : d.algorithms()) {
            m.put(a, d.isDeterministic(a));
        }
        return m;
    }

    @TestFactory
    List<DynamicTest> deterministicAlgorithmsRepeatBitwise() {
        return Targets.each("convolutions twice", t -> {
            try (Device d = Targets.open(t, DeviceOptions.DEFAULT.withDeterministic(true));
                 Device again = Targets.open(t, DeviceOptions.DEFAULT.withDeterministic(true))) {
                List<String> problems = new ArrayList<>();
                int runs = 0;
                for (ConvProblem p : CONVS) {
                    HostData data = new HostData(p.hashCode());
                    float[] x = data.signed("x", (int) p.inputShape().elements());
                    float[] w = data.signed("w", (int) p.weightShape().elements());
                    float[] dy = data.signed("dy", (int) p.outputShape().elements());
                    for (ConvDirection dir : ConvDirection.values()) {
                        List<ConvAlgorithm> algs = new ArrayList<>(d.applicableAlgorithms(p, dir));
                        algs.add(ConvAlgorithm.AUTO);
                        for (ConvAlgorithm a : algs) {
                            if (!d.isDeterministic(a)) {
                                continue; // declares itself non-deterministic: nothing to hold it to
                            }
                            float[] first = conv(d, p, dir, a, x, w, dy, Float.NaN);
                            float[] second = conv(d, p, dir, a, x, w, dy, 12345f);
                            String diff = firstDifference(first, second);
                            if (diff != null) {
                                problems.add(dir + " " + p + " " + a + ", run twice: " + diff);
                            }
                            if (a != ConvAlgorithm.AUTO) {
                                float[] other = conv(again, p, dir, a, x, w, dy, Float.NaN);
                                String d2 = firstDifference(first, other);
                                if (d2 != null) {
                                    problems.add(dir + " " + p + " " + a + ", on a second device: " + d2);
                                }
                            }
                            runs++;
                        }
                    }
                }
                if (!problems.isEmpty()) {
                    fail(d.spec() + ": deterministic algorithms whose results vary:\n  " + String.join("\n  ", problems));
                }
                assertTrue(runs >= CONVS.size() * 3, d.spec() + ": " + runs + " algorithm runs checked");
                System.out.println("[jdnn-tests] determinism: " + d.spec() + ": " + runs
                        + " algorithm/direction/problem combinations bitwise repeatable");
            }
        });
    }

    /** One direction of {@code p} with algorithm {@code a} into an output filled with {@code poison}. */
    private static float[] conv(Device d, ConvProblem p, ConvDirection dir, ConvAlgorithm a, float[] x, float[] w,
                                float[] dy, float poison) {
        try (Scope s = new Scope(d)) {
            Tensor tx = s.upload(p.inputShape(), x);
            Tensor tw = s.upload(p.weightShape(), w);
            Tensor tdy = s.upload(p.outputShape(), dy);
            switch (dir) {
                case FORWARD -> {
                    Tensor y = s.track(d.full(p.outputShape(), poison));
                    d.conv2d(p, a, tx, tw, null, y);
                    return y.toArray();
                }
                case BACKWARD_DATA -> {
                    Tensor dx = s.track(d.full(p.inputShape(), poison));
                    d.conv2dBackwardData(p, a, tdy, tw, dx);
                    return dx.toArray();
                }
                default -> {
                    Tensor dw = s.track(d.full(p.weightShape(), poison));
                    d.conv2dBackwardFilter(p, a, tx, tdy, dw);
                    return dw.toArray();
                }
            }
        }
    }

    static String firstDifference(float[] a, float[] b) {
        if (a.length != b.length) {
            return "lengths " + a.length + " and " + b.length;
        }
        int count = 0;
        int first = -1;
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                if (first < 0) {
                    first = i;
                }
                count++;
            }
        }
        return first < 0 ? null : count + " of " + a.length + " elements differ, the first at " + first + ": " + a[first]
                + " then " + b[first];
    }

    // ================================================================== the other reductions

    /** An op on a device, its outputs read back, run the same way twice. */
    private record Op(String name, Function<Scope, List<float[]>> run) {
    }

    @TestFactory
    List<DynamicTest> backwardPassesAndReductionsRepeatBitwise() {
        return Targets.each("reductions twice", t -> {
            try (Device d = Targets.open(t, DeviceOptions.DEFAULT.withDeterministic(true))) {
                List<String> problems = new ArrayList<>();
                for (Op op : ops()) {
                    List<float[]> first;
                    try (Scope s = new Scope(d)) {
                        first = op.run().apply(s);
                    }
                    List<float[]> second;
                    try (Scope s = new Scope(d)) {
                        second = op.run().apply(s);
                    }
                    for (int k = 0; k < first.size(); k++) {
                        String diff = firstDifference(first.get(k), second.get(k));
                        if (diff != null) {
                            problems.add(op.name() + " output " + k + ": " + diff);
                        }
                    }
                }
                assertEquals(0, d.memory().liveTensors(), d.spec() + ": live tensors after the runs");
                if (!problems.isEmpty()) {
                    fail(d.spec() + ": results that vary run to run on a device opened deterministic:\n  "
                            + String.join("\n  ", problems));
                }
            }
        });
    }

    private static List<Op> ops() {
        List<Op> ops = new ArrayList<>();
        BatchNormProblem bn = BatchNormProblem.of(16, 3, 24, 24); // 9,216 values per channel
        ops.add(new Op("batchNormBackward " + bn, s -> {
            Device d = s.device();
            HostData data = new HostData(1);
            Shape cs = bn.channelShape();
            Tensor x = s.upload(bn.inputShape(), data.signed("x", (int) bn.inputShape().elements()));
            Tensor dy = s.upload(bn.inputShape(), data.signed("dy", (int) bn.inputShape().elements()));
            Tensor gamma = s.upload(cs, data.uniform("g", 3, 0.5, 1.5));
            Tensor mean = s.upload(cs, data.uniform("m", 3, -0.1, 0.1));
            Tensor inv = s.upload(cs, data.uniform("i", 3, 1.5, 2));
            Tensor dx = s.poisoned(bn.inputShape());
            Tensor dg = s.poisoned(cs);
            Tensor db = s.poisoned(cs);
            d.batchNormBackward(bn, x, dy, gamma, mean, inv, dx, dg, db);
            Tensor y = s.poisoned(bn.inputShape());
            Tensor sm = s.poisoned(cs);
            Tensor si = s.poisoned(cs);
            Tensor rm = s.upload(cs, new float[3]);
            Tensor rv = s.upload(cs, new float[] {1, 1, 1});
            d.batchNormTrain(bn, x, gamma, mean, rm, rv, y, sm, si);
            Tensor idx = s.poisoned(bn.inputShape());
            Tensor idg = s.poisoned(cs);
            Tensor idb = s.poisoned(cs);
            d.batchNormInferenceBackward(bn, x, dy, gamma, rm, rv, idx, idg, idb);
            return List.of(dx.toArray(), dg.toArray(), db.toArray(), y.toArray(), sm.toArray(), si.toArray(),
                    rm.toArray(), rv.toArray(), idx.toArray(), idg.toArray(), idb.toArray());
        }));
        for (PoolProblem p : List.of(
                PoolProblem.max().batch(4).channels(3).size(31, 29).kernel(5, 5).stride(1, 1).padding(2, 2).build(),
                PoolProblem.avg().batch(4).channels(3).size(31, 29).kernel(4, 3).stride(1, 2).padding(2, 1).build(),
                PoolProblem.adaptiveAvg(4, 3, 31, 29, 13, 11))) {
            ops.add(new Op("poolBackward " + p, s -> {
                Device d = s.device();
                HostData data = new HostData(2);
                Tensor x = s.upload(p.inputShape(), data.quantized("x", (int) p.inputShape().elements(), 8));
                Tensor dy = s.upload(p.outputShape(), data.signed("dy", (int) p.outputShape().elements()));
                return List.of(s.track(d.poolBackward(p, x, dy)).toArray(), s.track(d.pool(p, x)).toArray());
            }));
        }
        ConvProblem c = ConvProblem.parse("conv_mb16ic4ih24iw24oc300kh1kw1");
        ops.add(new Op("conv2dBackwardBias " + c, s -> {
            Tensor dy = s.upload(c.outputShape(), new HostData(3).signed("dy", (int) c.outputShape().elements()));
            return List.of(s.track(s.device().conv2dBackwardBias(c, dy)).toArray());
        }));
        LinearProblem lin = new LinearProblem(512, 70, 33);
        ops.add(new Op("linearBackwardWeight/Bias " + lin, s -> {
            Device d = s.device();
            HostData data = new HostData(4);
            Tensor x = s.upload(lin.inputShape(), data.signed("x", (int) lin.inputShape().elements()));
            Tensor dy = s.upload(lin.outputShape(), data.signed("dy", (int) lin.outputShape().elements()));
            Tensor dw = s.poisoned(lin.weightShape());
            Tensor db = s.poisoned(lin.biasShape());
            d.linearBackwardWeight(lin, x, dy, dw);
            d.linearBackwardBias(lin, dy, db);
            return List.of(dw.toArray(), db.toArray());
        }));
        for (GroupNormProblem g : List.of(GroupNormProblem.of(16, 6, 24, 24, 2), new LayerNormProblem(2048, 40, 1e-5)
                .asGroupNorm())) {
            // 17,280 values a row; 2,048 rows a feature for layer norm's dweight and dbias
            ops.add(new Op("groupNorm and groupNormBackward " + g, s -> {
                Device d = s.device();
                HostData data = new HostData(6);
                int n = (int) g.inputShape().elements();
                Tensor x = s.upload(g.inputShape(), data.signed("x", n));
                Tensor dy = s.upload(g.inputShape(), data.signed("dy", n));
                Tensor w = s.upload(g.channelShape(), data.uniform("w", g.channels(), 0.5, 1.5));
                Tensor b = s.upload(g.channelShape(), data.signed("b", g.channels()));
                Tensor y = s.poisoned(g.inputShape());
                Tensor mean = s.poisoned(g.statsShape());
                Tensor inv = s.poisoned(g.statsShape());
                d.groupNorm(g, x, w, b, y, mean, inv);
                Tensor dx = s.poisoned(g.inputShape());
                Tensor dw = s.poisoned(g.channelShape());
                Tensor db = s.poisoned(g.channelShape());
                d.groupNormBackward(g, x, dy, w, mean, inv, dx, dw, db);
                return List.of(y.toArray(), mean.toArray(), inv.toArray(), dx.toArray(), dw.toArray(), db.toArray());
            }));
        }
        LrnProblem lrn = new LrnProblem(4, 16, 24, 24, 5, 0.1, 0.75, 1);
        ops.add(new Op("localResponseNormBackward " + lrn, s -> {
            HostData data = new HostData(7);
            int n = (int) lrn.inputShape().elements();
            Tensor x = s.upload(lrn.inputShape(), data.signed("x", n));
            Tensor dy = s.upload(lrn.inputShape(), data.signed("dy", n));
            return List.of(s.track(s.device().localResponseNormBackward(lrn, x, dy)).toArray());
        }));
        ops.add(new Op("softmaxCrossEntropy 300 x 1000", s -> {
            Device d = s.device();
            HostData data = new HostData(5);
            Tensor logits = s.upload(Shape.of(300, 1000), data.uniform("l", 300_000, -5, 5));
            Tensor loss = s.poisoned(Shape.of(1));
            Tensor dl = s.poisoned(Shape.of(300, 1000));
            d.softmaxCrossEntropy(logits, data.ints("labels", 300, 1000), 0.1, loss, dl);
            return List.of(loss.toArray(), dl.toArray());
        }));
        return ops;
    }
}
