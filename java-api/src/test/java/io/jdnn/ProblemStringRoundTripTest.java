package io.jdnn;

import io.jdnn.optim.AdaDelta;
import io.jdnn.optim.AdaGrad;
import io.jdnn.optim.Adam;
import io.jdnn.optim.AdamW;
import io.jdnn.optim.Optimizer;
import io.jdnn.optim.RmsProp;
import io.jdnn.optim.Sgd;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every problem record and optimizer reads back its own canonical string: {@code parse(p.toString())}
 * equals {@code p}, over many random valid values (seeded, so a failure reproduces), and the
 * shorter forms fill in the documented defaults.
 */
class ProblemStringRoundTripTest {
    static final int TRIES = 500;

    /** Draws until {@code TRIES} values pass validation; the rejected draws are what the records refuse. */
    static <T> void roundTrips(String what, Supplier<T> draw, Function<String, T> parse) {
        int valid = 0;
        int drawn = 0;
        while (valid < TRIES) {
            drawn++;
            assertTrue(drawn < 100 * TRIES, what + ": too few valid draws (" + valid + " of " + drawn + ")");
            T p;
            try {
                p = draw.get();
            } catch (IllegalArgumentException invalid) {
                continue;
            }
            valid++;
            String s = p.toString();
            T back = parse.apply(s);
            assertEquals(p, back, what + " " + s);
            assertEquals(s, back.toString(), what + ": the canonical string is stable");
        }
    }

    final Random r = new Random(20261123);

    int between(int lo, int hi) {
        return lo + r.nextInt(hi - lo + 1);
    }

    /** A double of any magnitude in [0, 10), with short and long decimal forms. */
    double real() {
        return switch (r.nextInt(4)) {
            case 0 -> between(0, 9) / 10.0;
            case 1 -> Math.pow(10, -between(1, 12));
            case 2 -> r.nextDouble() * 10;
            default -> 0.0;
        };
    }

    @Test
    void convolution() {
        roundTrips("ConvProblem", () -> {
            int g = between(1, 6);
            boolean transposed = r.nextBoolean();
            int sh = between(1, 4);
            int sw = between(1, 4);
            int dh = between(1, 3);
            int dw = between(1, 3);
            return ConvProblem.builder().batch(between(1, 64)).inChannels(g * between(1, 12)).size(between(1, 300), between(1, 300))
                    .outChannels(g * between(1, 12)).kernel(between(1, 11), between(1, 11)).stride(sh, sw)
                    .padding(between(0, 6), between(0, 6)).dilation(dh, dw).groups(g).transposed(transposed)
                    .outputPadding(transposed ? between(0, Math.max(sh, dh) - 1) : 0, transposed ? between(0, Math.max(sw, dw) - 1) : 0)
                    .build();
        }, ConvProblem::parse);
    }

    @Test
    void pooling() {
        roundTrips("PoolProblem", () -> {
            int h = between(1, 200);
            int w = between(1, 200);
            PoolMode mode = PoolMode.values()[r.nextInt(3)];
            if (mode == PoolMode.ADAPTIVE_AVG) {
                return PoolProblem.adaptiveAvg(between(1, 64), between(1, 512), h, w, between(1, h), between(1, w));
            }
            int kh = between(1, 7);
            int kw = between(1, 7);
            PoolProblem.Builder b = (mode == PoolMode.MAX ? PoolProblem.max() : PoolProblem.avg()).batch(between(1, 64))
                    .channels(between(1, 512)).size(h, w).kernel(kh, kw).stride(between(1, 4), between(1, 4))
                    .padding(between(0, kh / 2), between(0, kw / 2)).ceilMode(r.nextBoolean());
            if (mode == PoolMode.MAX) {
                b.dilation(between(1, 3), between(1, 3));
            } else {
                b.countIncludePad(r.nextBoolean());
            }
            return b.build();
        }, PoolProblem::parse);
    }

    @Test
    void asymmetricPadding() {
        roundTrips("ConvProblem, asymmetric", () -> ConvProblem.builder().batch(between(1, 4)).inChannels(between(1, 8))
                .outChannels(between(1, 8)).size(between(1, 40), between(1, 40)).kernel(between(1, 5), between(1, 5))
                .stride(between(1, 3), between(1, 3)).dilation(between(1, 3), between(1, 3))
                .padding(between(0, 4), between(0, 4), between(0, 4), between(0, 4)).transposed(r.nextBoolean())
                .build(), ConvProblem::parse);
        roundTrips("PoolProblem, asymmetric", () -> (r.nextBoolean() ? PoolProblem.max() : PoolProblem.avg())
                .batch(between(1, 4)).channels(between(1, 8)).size(between(1, 40), between(1, 40))
                .kernel(between(1, 5), between(1, 5)).stride(between(1, 3), between(1, 3))
                .padding(between(0, 2), between(0, 2), between(0, 2), between(0, 2)).ceilMode(r.nextBoolean())
                .build(), PoolProblem::parse);
        ConvProblem conv = ConvProblem.parse("conv_mb1ic3ih8iw8oc4kh3kw3ph0pw1pb1pr2");
        assertEquals(7, conv.outHeight(), "8 + top 0 + bottom 1 - 2");
        assertEquals(9, conv.outWidth(), "8 + left 1 + right 2 - 2");
        assertEquals("conv_mb1ic3ih8iw8oc4kh3kw3sh1sw1ph1pw1dh1dw1g1",
                ConvProblem.builder().inChannels(3).outChannels(4).size(8, 8).kernel(3, 3).padding(1, 1, 1, 1).build()
                        .toString(), "symmetric padding prints as before");
        PoolProblem pool = PoolProblem.parse("avgpool_ic1ih5kh3sh2ph0pb1ceil1");
        assertEquals(3, pool.outHeight(), "floor-or-ceil((5 + 0 + 1 - 3) / 2) + 1 with the window start below H + top");
        assertEquals("avgpool_mb1ic1ih5iw5kh3kw3sh2sw2ph0pw0pb1pr0ceil1cip1", pool.toString());
    }

    @Test
    void batchNormAndLinear() {
        roundTrips("BatchNormProblem", () -> new BatchNormProblem(between(1, 64), between(1, 512), between(1, 64), between(1, 64),
                real(), r.nextDouble()), BatchNormProblem::parse);
        roundTrips("LinearProblem", () -> new LinearProblem(between(1, 4096), between(1, 4096), between(1, 4096)),
                LinearProblem::parse);
    }

    @Test
    void activations() {
        roundTrips("Activation", () -> switch (r.nextInt(13)) {
            case 0 -> Activation.relu();
            case 1 -> Activation.sigmoid();
            case 2 -> Activation.tanh();
            case 3 -> Activation.leakyRelu(r.nextBoolean() ? real() : -0.5 - real());
            case 4 -> Activation.relu6();
            case 5 -> Activation.hardswish();
            case 6 -> Activation.hardsigmoid();
            case 7 -> Activation.silu();
            case 8 -> Activation.mish();
            case 9 -> Activation.gelu();
            case 10 -> Activation.geluTanh();
            case 11 -> Activation.softplus(0.25 + real(), r.nextBoolean() ? real() : -real());
            default -> Activation.elu(real());
        }, Activation::parse);
    }

    @Test
    void optimizers() {
        roundTrips("Optimizer", () -> switch (r.nextInt(6)) {
            case 0 -> {
                boolean nesterov = r.nextInt(3) == 0;
                yield new Sgd(real(), real(), nesterov ? 0 : real(), nesterov, real());
            }
            case 1 -> new AdaGrad(real(), real(), real(), real(), real());
            case 2 -> new RmsProp(real(), r.nextDouble(), real(), real(), real(), r.nextBoolean());
            case 3 -> new Adam(real(), r.nextDouble(), r.nextDouble(), real(), real(), r.nextBoolean());
            case 4 -> new AdamW(real(), r.nextDouble(), r.nextDouble(), real(), real(), r.nextBoolean());
            default -> new AdaDelta(real(), r.nextDouble(), real(), real());
        }, Optimizer::parse);
    }

    /**
     * -0.0 passes every check that 0.0 passes (it is >= 0), and records compare doubles with
     * {@link Double#compare}, which tells the two apart: the canonical string must keep the sign.
     */
    @Test
    void negativeZeroKeepsItsSign() {
        Activation a = Activation.leakyRelu(-0.0);
        assertEquals(a, Activation.parse(a.toString()), a.toString());
        Sgd sgd = new Sgd(0.1, -0.0, 0, false, 0);
        assertEquals(sgd, Optimizer.parse(sgd.toString()), sgd.toString());
    }

    @Test
    void shortFormsTakeTheDocumentedDefaults() {
        assertEquals(ConvProblem.builder().inChannels(3).size(5, 5).outChannels(4).kernel(3, 3).build(),
                ConvProblem.parse("conv_ic3ih5oc4kh3"), "mb 1, iw = ih, kw = kh, stride 1, pad 0, dilation 1, groups 1");
        assertEquals(ConvProblem.builder().inChannels(3).size(5, 5).outChannels(4).kernel(3, 3).stride(2, 2).padding(1, 1)
                        .transposed(true).outputPadding(1, 1).build(),
                ConvProblem.parse("deconv_ic3ih5oc4kh3sh2ph1oph1"), "sw = sh, pw = ph, opw = oph");
        assertEquals(PoolProblem.max().channels(8).size(9, 9).kernel(3, 3).build(), PoolProblem.parse("maxpool_ic8ih9kh3"),
                "stride defaults to the kernel");
        assertEquals(PoolProblem.avg().channels(8).size(9, 9).kernel(2, 2).build(), PoolProblem.parse("avgpool_ic8ih9kh2"),
                "count_include_pad defaults to PyTorch's true");
        assertEquals(PoolProblem.global(2, 5, 7, 7), PoolProblem.parse("adaptiveavgpool_mb2ic5ih7oh1"));
        assertEquals(BatchNormProblem.of(1, 16, 1, 1), BatchNormProblem.parse("bn_ic16"), "PyTorch's eps and momentum");
        assertEquals(Adam.of(0.001), Optimizer.parse("adam"), "PyTorch's defaults");
        assertEquals(AdamW.of(0.001), Optimizer.parse("adamw"), "AdamW's weight decay default is 0.01");
        assertEquals(Activation.leakyRelu(0.01), Activation.parse("leakyrelu"));
        assertEquals(Activation.softplus(1, 20), Activation.parse("softplus"), "PyTorch's softplus defaults");
        assertEquals("conv_mb32ic64ih56iw56oc64kh3kw3sh1sw1ph1pw1dh1dw1g1", ConvProblem.builder().batch(32).inChannels(64)
                .size(56, 56).outChannels(64).kernel(3, 3).padding(1, 1).build().toString(), "the documented canonical form");
        assertEquals("adam_lr=0.001_beta1=0.9_beta2=0.999_eps=1.0E-8_weight_decay=0_amsgrad=0", Adam.of(0.001).toString());
    }
}
